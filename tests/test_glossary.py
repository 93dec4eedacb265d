import json
import re
from pathlib import Path

import pytest

from course_lib import _glossary, syllabus

ROOT = Path(__file__).resolve().parents[1]
BOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
TERMS = _glossary.load()
# The lessons' own vocabulary: the README's and syllabus's topics, whether or not a notebook's
# Key terms list them.
LESSON_TERMS = (
    "bias", "fairness", "explainability", "differential privacy", "federated learning",
    "feedback loop", "SHAP", "LIME", "Grad-CAM", "integrated gradients", "demographic parity",
    "equalized odds", "calibration", "membership inference", "model inversion", "DP-SGD",
    "anonymisation", "model card", "datasheet", "EU AI Act", "historical bias",
    "representation bias", "measurement bias", "aggregation bias", "label bias",
    "carbon intensity", "reason code", "counterfactual explanation", "audit",
)


@pytest.fixture(params=BOOKS, ids=[p.stem for p in BOOKS])
def book(request):
    return request.param


def test_every_key_term_of_every_notebook_is_in_the_glossary_with_that_notebook(book):
    terms = _glossary.key_terms(book)
    assert len(terms) >= 5, f"{book.name}: its Key terms section lists too few terms"
    for term in terms:
        entries = _glossary.lookup(term)
        assert entries, f"{book.name}: Key term {term!r} is not in course_lib/glossary.toml"
        for entry in entries:
            assert book.stem in entry.notebooks, f"{entry.name!r} does not link to {book.stem}"


def test_every_link_is_a_heading_of_an_existing_notebook():
    for t in TERMS:
        for link in t.see:
            path = ROOT / "notebooks" / link.entry.filename
            assert path.is_file(), f"{t.name!r} links to {path.name}, which does not exist"
            headings = _glossary.sections(path)
            assert headings.count(link.section) == 1, (
                f"{t.name!r}: {link.section!r} is not exactly one heading of {path.name}")


def test_lessons_terms_are_present():
    for name in LESSON_TERMS:
        assert _glossary.lookup(name), f"the glossary lacks {name!r}"


def test_entries_are_sorted_and_unique():
    keys = [_glossary.sort_key(t.name) for t in TERMS]
    assert keys == sorted(keys), "keep course_lib/glossary.toml sorted by term"
    assert len(set(keys)) == len(keys)
    assert len({t.anchor for t in TERMS}) == len(TERMS)
    assert _glossary.sort_key("Pólya urn") < _glossary.sort_key("Post-processing")


def test_definitions_are_one_or_two_sentences():
    for t in TERMS:
        d = t.definition
        assert d and d[0].isupper() and d.endswith("."), f"{t.name!r}: {d!r}"
        sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", d)
        assert len(sentences) <= 2, f"{t.name!r} has {len(sentences)} sentences"


def test_merged_terms_keep_every_notebook():
    (proxy,) = [t for t in TERMS if t.name == "Proxy (feature)"]
    assert proxy.notebooks == ("01_sources_of_bias", "02_case_studies", "11_capstone_audit")
    assert _glossary.lookup("responsibility chain") == _glossary.lookup("Accountability chain")
    both = _glossary.lookup("Odds ratio / risk ratio")
    assert {t.name for t in both} == {"Odds ratio", "Risk ratio"}
    assert len(_glossary.lookup(
        "Historical, representation, measurement, aggregation, label bias")) == 5


def test_key_terms_reader(tmp_path):
    text = ("## Summary\n\n- **Not a term:** summary.\n\n## Key terms\n\n- **Alpha:** a; "
            "**beta:** b, with **Gamma** named.\n- **Alpha:** again.\n\n## Further reading\n\n"
            "- **Not a term either.**\n")
    nb = ('{"cells": [{"cell_type": "markdown", "metadata": {}, "source": %s}], "metadata": {},'
          ' "nbformat": 4, "nbformat_minor": 5}')
    path = tmp_path / "x.ipynb"
    path.write_text(nb % json.dumps(text), encoding="utf-8")
    assert _glossary.key_terms(path) == ("Alpha", "beta", "Gamma")
    assert _glossary.sections(path) == ("Summary", "Key terms", "Further reading")
    path.write_text(nb % json.dumps("## Summary\n```\n# a comment, not a heading\n```\n"),
                    encoding="utf-8")
    assert _glossary.sections(path) == ("Summary",)
    with pytest.raises(ValueError, match="no '## Key terms' section"):
        _glossary.key_terms(path)


def test_markdown_links_every_term_to_its_notebooks():
    md = _glossary.markdown(links="notebooks/")
    lines = md.splitlines()
    assert len(lines) == len(TERMS)
    (shap,) = [line for line in lines if line.startswith("- **SHAP:**")]
    assert "[06 · Explaining tabular and text models](notebooks/06_explainability_tabular_text" \
           ".ipynb), “2 · SHAP on the torch model”" in shap
    assert "](" not in _glossary.markdown()
    (audit,) = [line for line in lines if line.startswith("- **Audit:**")]
    assert audit.endswith("*See* [11 · Capstone: auditing a credit model end to end]"
                          "(notebooks/11_capstone_audit.ipynb).")


def test_load_refuses_bad_entries(monkeypatch, tmp_path):
    good = ('[[term]]\nterm = "A"\ndefinition = "An a."\n'
            'see = [{ notebook = "00_welcome", section = "Summary" }]\n')
    cases = {
        good.replace('"An a."', '"  "'): "no 'definition'",
        good.replace("00_welcome", "99_nope"): "not in the syllabus",
        good.replace('see = [{ notebook = "00_welcome", section = "Summary" }]', "see = []"):
            "links to no notebook section",
        good + good.replace('"A"', '"a"'): "one entry twice",
    }
    real = Path(_glossary.__file__)
    for text, message in cases.items():
        fake = tmp_path / "glossary.toml"
        fake.write_text(text, encoding="utf-8")
        monkeypatch.setattr(_glossary, "__file__", str(tmp_path / "_glossary.py"))
        with pytest.raises(ValueError, match=message):
            _glossary.load()
        monkeypatch.setattr(_glossary, "__file__", str(real))
    assert syllabus.entry(_glossary.load()[0].see[0].notebook)
