"""Structure every notebook must have, beyond what nbaudit checks (DEVELOPERS.md anatomy)."""

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from course_lib import _launch, syllabus

ROOT = Path(__file__).resolve().parents[1]
BOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
NBAUDIT = ROOT.parent / "shared" / "tools" / "nbaudit.py"


def _cells(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [(c["cell_type"], "".join(c["source"]), c.get("outputs", [])) for c in nb["cells"]]


def _text(outputs):
    parts = []
    for o in outputs:
        parts.append("".join(o.get("text", "")))
        parts.append("".join(o.get("data", {}).get("text/plain", "")))
    return "".join(parts)


@pytest.fixture(params=BOOKS, ids=[p.name for p in BOOKS])
def book(request):
    return request.param


def test_there_are_notebooks():
    assert BOOKS and BOOKS[0].name == "00_welcome.ipynb"


def test_first_cell_title_time_and_badges_come_from_the_syllabus(book):
    e = syllabus.entry(book.stem)
    kind, head, _ = _cells(book)[0]
    assert kind == "markdown"
    assert head.startswith(f"# {e.number:02d} · {e.title}\n")
    assert f"**Time:** {e.minutes} min" in head
    assert _launch.badges(book.name) in head
    for section in ("**Learning objectives**", "**Prerequisites:**"):
        assert section in head


def test_setup_cell_is_the_colab_guard_then_setup(book):
    code = [src for kind, src, _ in _cells(book) if kind == "code"]
    assert code[0].startswith(_launch.colab_guard()), \
        "run: .venv/bin/python tests/tools/launch_cells.py notebooks/*.ipynb"
    assert re.search(r"\bsetup\(", code[0].removeprefix(_launch.colab_guard()))
    # plain Python throughout, so that a failing step raises instead of printing and going on
    assert not re.search(r"^\s*[!%]", code[0], re.MULTILINE), "no shell or magic lines"


def test_ignored_outputs_are_pinned_by_expect_in_the_next_cell(book):
    cells = _cells(book)
    for i, (kind, src, _) in enumerate(cells):
        if kind == "code" and "# NBVAL_IGNORE_OUTPUT" in src:
            nxt = next((s for k, s, _ in cells[i + 1:] if k == "code"), "")
            assert "expect(" in nxt, f"cell {i} is ignored by nbval but not pinned by expect()"


def test_exercises_are_committed_in_learner_state(book):
    for kind, src, outputs in _cells(book):
        if kind == "code" and re.search(r"\bq\d+\.check\(\)", src):
            assert "Not yet" in _text(outputs), f"commit exercises unanswered:\n{src}"


def test_self_contained(book):
    for kind, src, _ in _cells(book):
        if kind == "code":
            assert not re.search(r"%run|\.ipynb|import_ipynb|%store", src), src


def test_ends_with_summary_key_terms_and_dated_reading(book):
    tail = "\n".join(src for kind, src, _ in _cells(book)[-3:] if kind == "markdown")
    assert "## Summary" in tail and "## Key terms" in tail and "## Further reading" in tail
    reading = tail.split("## Further reading", 1)[1]
    assert len(re.findall(r"\((19|20)\d\d\)", reading)) >= 3, "cite papers with their year"


@pytest.mark.skipif(not NBAUDIT.exists(), reason="shared/tools/nbaudit.py is not beside the repo")
def test_nbaudit_reports_no_findings():
    out = subprocess.run([sys.executable, str(NBAUDIT), str(ROOT / "notebooks")],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout


def _is_expect_pin(src):
    """True when a code cell is nothing but ``expect(...)`` calls (what pins the cell before)."""
    try:
        calls = ast.parse(src).body
    except SyntaxError:  # IPython syntax (the setup cell's ! and %): not a pin
        return False
    return bool(calls) and all(isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)
                               and getattr(s.value.func, "id", None) == "expect" for s in calls)


@pytest.mark.parametrize("book", BOOKS[1:], ids=[p.name for p in BOOKS[1:]])  # 00 trains nothing
def test_ends_by_printing_its_footprint(book):
    """The last cell that computes (only expect() pins after it) prints footprint(), before the
    Summary, and is committed with the summary's output."""
    cells = _cells(book)
    code = [(i, src, out) for i, (kind, src, out) in enumerate(cells) if kind == "code"]
    last = [(i, src, out) for i, src, out in code if not _is_expect_pin(src)][-1]
    i, src, outputs = last
    assert re.search(r"\bshow_footprint\(\)", src) or (
        re.search(r"\bfootprint\(\)", src) and "print(" in src), (
        "the last computing cell must print footprint() (nothing may train after it):\n" + src)
    summary = next(j for j, (kind, s, _) in enumerate(cells)
                   if kind == "markdown" and "## Summary" in s)
    assert i < summary, "the footprint comes before the Summary"
    printed = _text(outputs)
    assert printed.startswith("Training runs: ") and "Whole notebook so far" in printed, (
        f"commit the footprint cell executed, printing fp.summary(); it shows:\n{printed}")


def test_kernelspec_is_what_jupyterlab_writes(book):
    """A notebook whose kernelspec differs from JupyterLab's own is marked modified on opening,
    and autosave would rewrite the committed file."""
    meta = json.loads(book.read_text(encoding="utf-8"))["metadata"]
    assert meta["kernelspec"] == {"display_name": "Python 3 (ipykernel)", "language": "python",
                                  "name": "python3"}


MAX_MARKDOWN_WORDS = 220  # "about 200 words" (issue 18)
MAX_CODE_LINES = 25


def _words(markdown: str) -> int:
    """Words a reader reads: no code blocks, link targets or HTML tags."""
    text = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    text = re.sub(r"\]\([^)]*\)", "] ", text)
    text = re.sub(r"<[^>]+>", " ", text)
    return len(re.findall(r"[A-Za-z0-9][\w'.,%-]*", text))


def test_cells_are_short(book):
    """No markdown cell over about 200 words, no code cell (but the set-up cell) over 25 lines."""
    cells = _cells(book)
    first_code = next(i for i, (kind, _, _) in enumerate(cells) if kind == "code")
    long_md = [(i, _words(src)) for i, (kind, src, _) in enumerate(cells)
               if kind == "markdown" and i > 0 and _words(src) > MAX_MARKDOWN_WORDS]
    long_code = [(i, len(src.strip().splitlines())) for i, (kind, src, _) in enumerate(cells)
                 if kind == "code" and i != first_code
                 and len(src.strip().splitlines()) > MAX_CODE_LINES]
    assert not long_md and not long_code, f"(cell, words): {long_md}; (cell, lines): {long_code}"
