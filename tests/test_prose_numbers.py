"""Prose bound to numbers (DEVELOPERS.md rule 5; tests/tools/prose_numbers.py): every number a
notebook's markdown states is printed in a compared output, implied by an expect() range, set by
its code, cited with its source, or declared illustrative. A planted contradiction fails."""

import copy
import importlib.util
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
TOOL = ROOT / "tests" / "tools" / "prose_numbers.py"
_spec = importlib.util.spec_from_file_location("prose_numbers", TOOL)
pn = sys.modules.setdefault("prose_numbers", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(pn)


def _nb(*cells):
    """A notebook from ("md", text) and ("code", source, printed text) tuples."""
    nb = nbformat.v4.new_notebook()
    for kind, src, *out in cells:
        if kind == "md":
            nb.cells.append(nbformat.v4.new_markdown_cell(src))
        else:
            cell = nbformat.v4.new_code_cell(src)
            if out:
                cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=out[0])]
            nb.cells.append(cell)
    return json.loads(nbformat.writes(nb))


def _unbound(nb):
    return [f.number for f in pn.check_notebook("t.ipynb", nb)]


PRINTED = ("code", "print(f'FPR gap: {gap:.3f}')", "FPR gap: 0.214\nrows: 7,214\n")
IGNORED = ("code", "# NBVAL_IGNORE_OUTPUT\nprint(f'FPR gap: {gap:.3f}')", "FPR gap: 0.214\n")
PINNED = ("code", "expect(exposure, 10.0, 13.3, 'exposure')\nexpect(acc, 0.6, 0.8, 'accuracy')",
          "✓ exposure is between 10 and 13.3, as expected.\n"
          "✓ accuracy is between 0.6 and 0.8, as expected.\n")


# --- (a) compared outputs ----------------------------------------------------------------------

@pytest.mark.parametrize("prose", ["The FPR gap is 0.214.", "The gap is 21.4 points.",
                                   "A gap of 21.4%.", "It rests on 7214 rows.",
                                   "It rests on 7,214 rows.", "The gap is about 0.21."])
def test_a_number_printed_in_a_compared_output_is_bound(prose):
    assert _unbound(_nb(PRINTED, ("md", prose))) == []


@pytest.mark.parametrize("prose", ["The FPR gap is 0.215.", "The gap is 0.21.",
                                   "The gap is 21.5 points.", "It rests on 7,215 rows."])
def test_a_number_not_printed_is_unbound(prose):
    assert _unbound(_nb(PRINTED, ("md", prose))) != []


def test_a_number_printed_only_in_an_ignored_cell_is_unbound():
    assert _unbound(_nb(IGNORED, ("md", "The FPR gap is 0.214."))) == ["0.214"]


def test_the_bounds_an_expect_line_prints_are_not_values():
    """"✓ exposure is between 10 and 13.3" does not say the exposure is 13.3 (07's old error)."""
    nb = _nb(PINNED, ("md", "The canary reaches the maximum, 13.3 bits."))
    assert _unbound(nb) == ["13.3"]


# --- (c) expect ranges -------------------------------------------------------------------------

@pytest.mark.parametrize("prose", ["Exposure is at most 13.3 bits.", "at least 10 bits",
                                   "exposure between 10 and 13.3 bits", "more than 9 bits",
                                   "accuracy of about 0.7", "accuracy between 60% and 80%",
                                   "an accuracy of at least 60%", "accuracy ≈ 0.7"])
def test_a_hedge_that_the_range_guarantees_is_bound(prose):
    assert _unbound(_nb(PINNED, ("md", prose))) == []


@pytest.mark.parametrize("prose", ["Exposure reaches 12 bits.", "at least 11 bits",
                                   "at most 12 bits", "between 11 and 13.3 bits",
                                   "accuracy of about 0.9", "accuracy of about 0.1",
                                   "an accuracy of at least 70%"])
def test_a_claim_beyond_the_range_is_unbound(prose):
    assert _unbound(_nb(PINNED, ("md", prose))) != []


# --- (b) code literals -------------------------------------------------------------------------

def test_an_input_the_code_sets_is_bound_but_not_a_hedged_claim_about_it():
    code = ("code", "model = train(x, steps=250, lr=1e-3, n=10**4, test_size=0.2)")
    assert _unbound(_nb(code, ("md", "We train for 250 steps on 10⁴ rows, 20% held out."))) == []
    assert _unbound(_nb(code, ("md", "The loss falls after about 250 steps."))) == ["250"]


def test_the_bounds_of_an_expect_call_are_not_code_inputs():
    assert _unbound(_nb(PINNED, ("md", "The exposure is 13.3 bits."))) == ["13.3"]


# --- (d) the cited-figures table ---------------------------------------------------------------

CITED = ("md", "### Figures cited in this notebook\n\n"
               "| Figure | What it is | Source |\n|---|---|---|\n"
               "| 19.4%; 1,287 | ProPublica's figure for women; GPT-3's MWh | "
               "Larson et al. 2016, methodology, sec. 'Risk of recidivism'; "
               "Patterson et al. 2021, Table 4 |\n")


def test_a_cited_figure_is_bound_and_its_source_is_checked():
    nb = _nb(CITED, ("md", "ProPublica reported 19.4% for women; GPT-3 used 1,287 MWh."))
    assert pn.check_notebook("t.ipynb", nb) == []
    bad = _nb(("md", CITED[1].replace("2016", "n.d.").replace("2021, Table 4", "n.d.")
                              .replace("sec.", "in")))
    why = {f.why for f in pn.check_notebook("t.ipynb", bad)}
    assert any("year" in w for w in why) and any("page, table" in w for w in why)


def test_the_cited_table_needs_its_header():
    nb = _nb(("md", CITED[1].replace("What it is", "Meaning")))
    assert any("header" in f.why for f in pn.check_notebook("t.ipynb", nb))


# --- (e) declarations and exemptions -----------------------------------------------------------

def test_declared_numbers_and_exercise_cells_are_bound_in_their_cell_only():
    nb = _nb(("md", "Suppose 20 people in a room of 200,000.\n<!-- numbers: illustrative 20, "
                    "200,000 -->"), ("md", "Store the rank of 7,777 in `rank`.\n"
                                           "<!-- numbers: exercise -->"), ("md", "Now 20 people."))
    assert _unbound(nb) == ["20"]


@pytest.mark.parametrize("prose", [
    "Grömping (2019) and notebook 03 show it.", "GDPR Art. 22(2) and Arts 13-15 apply.",
    "From 2 December 2027, Regulation (EU) 2024/1689 and case C-203/22.", "GPT-3 in int8 and q1.",
    "`make_hiring(n=2000, p=0.37)`", "[the paper](https://x.org/abs/2104.10350)",
    "## 4 · Membership", "**Time:** 45 min", "1. First item", "with weights $w_2 = 3$",
    "29 CFR 1607.4(D) and 42 U.S.C. 2000e-2(l)", "Opacus 1.6.1", "a 32×32 image",
    "- Patterson et al. (2021). *Carbon.* arXiv:2104.10350, PLOS 15(11), 64 pages.",
    "ZIP 02139", "0 = holds, 1 = never", "12 CFR § 1002.9(a)(2) and §§ 3-5"])
def test_references_identifiers_and_markup_are_not_results(prose):
    assert _unbound(_nb(("md", prose))) == []


# --- the course's notebooks --------------------------------------------------------------------

def _printed(nb):
    """All numbers compared outputs of the notebook print, and those of two digits or more
    that a sentence could state (not 0 or 1, not years)."""
    canon, _ = pn.compared_output_numbers(nb)
    return canon, sorted(c for c in canon if re.fullmatch(r"\d+(\.\d+)?", c) and len(c) > 1
                         and c[0] != "0" or re.fullmatch(r"0\.\d+", c) and float(c) > 0)


@pytest.mark.parametrize("book", BOOKS, ids=[p.name for p in BOOKS])
def test_a_planted_contradiction_fails(book):
    """Plant a sentence stating one of the notebook's printed numbers: bound; change its last
    digit to a value nothing prints, sets or cites: the check names it."""
    nb = json.loads(book.read_text(encoding="utf-8"))
    canon, printed = _printed(nb)
    printed = [c for c in printed if not 1900 <= float(c) <= 2100]
    assert printed, f"{book.name} prints no number in a compared output"
    true = printed[len(printed) // 2]
    literals = pn.code_literals(nb)
    cited, _ = pn.cited_figures(nb)
    false = next(f for d in "1234567890" if (f := true[:-1] + d) != true
                 and not {f, "-" + f} & (canon | cited)
                 and not any(pn._close(abs(float(f)), abs(v)) for v in literals))

    def planted(value):
        nb2 = copy.deepcopy(nb)
        nb2["cells"].insert(2, nbformat.v4.new_markdown_cell(f"The result is {value}."))
        return [f for f in pn.check_notebook(book, nb2) if f.cell == 2]

    assert planted(true) == []
    assert [f.number for f in planted(false)] == [false]


@pytest.mark.parametrize("book", BOOKS, ids=[p.name for p in BOOKS])
def test_every_number_in_the_prose_is_bound(book):
    findings = pn.check_notebook(book)
    assert not findings, f"{len(findings)} unbound in {book.name} " \
        "(python tests/tools/prose_numbers.py lists them):\n" + "\n".join(map(str, findings))
