"""The student and instructor editions (tests/tools/editions.py) made from the source notebooks."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "tools"))
import editions  # noqa: E402
from execute import execute  # noqa: E402

from course_lib.exercises import EDITION_ENV  # noqa: E402
from course_lib.exercises._core import STUDENT_SOLUTION_MESSAGE  # noqa: E402

BOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
RUFF = Path(sys.executable).with_name("ruff")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("editions")
    written = editions.write_editions(out)
    assert len(written) == 2 * len(BOOKS)
    return out


@pytest.fixture(params=BOOKS, ids=[p.name for p in BOOKS])
def book(request):
    return request.param


def _read(path):
    return nbformat.read(path, as_version=4)


def _all_text(nb):
    """Every source and output of a notebook, as one string."""
    return "\n".join(c.source + json.dumps(c.get("outputs", []), ensure_ascii=False)
                     for c in nb.cells)


def _revealing_lines(problem, source_text):
    """The lines of a reference solution a learner does not already see in the source notebook
    (which is committed in learner state), e.g. not ``answer_q3 = \"\"\"``."""
    lines = {ln.strip() for ln in problem.solution_code.splitlines()}
    return sorted(ln for ln in lines if len(ln) >= 8 and ln not in source_text)


def test_student_edition_contains_no_solution(book, built):
    source = _read(book)
    a = editions.anatomy(source, book.name)
    student = _read(built / "student" / book.name)
    text = _all_text(student)
    for q, p in a.problems.items():
        revealing = _revealing_lines(p, _all_text(source))
        assert revealing, f"{q}: the check would be vacuous (no solution line to look for)"
        leaked = [ln for ln in revealing if ln in text]
        assert not leaked, f"{book.name} {q}: the student edition shows {leaked}"
    calls = [i for i, c in enumerate(student.cells)
             if c.cell_type == "code" and ".solution(" in c.source]
    assert not calls, f"{book.name}: cells {calls} still call .solution()"


def test_student_edition_withholds_solutions_keeps_hints_and_clears_answers(book, built):
    a = editions.anatomy(_read(book), book.name)
    student = _read(built / "student" / book.name)
    assert len(student.cells) == len(_read(book).cells)
    assert editions.STUDENT_SWITCH in student.cells[a.setup_index].source
    for i, q in a.exercise_cells.items():
        assert f"{q}.check()" in student.cells[i].source and "____" in student.cells[i].source
        assert student.cells[i].outputs == []
    for i, q in a.hint_cells.items():
        assert f"# {q}.hint()" in student.cells[i].source
    assert student.metadata["course_edition"] == "student"


def test_instructor_edition_has_every_reference_solution(book, built):
    a = editions.anatomy(_read(book), book.name)
    instructor = _read(built / "instructor" / book.name)
    noted = [j for j, q in a.exercise_cells.items() if editions.instructor_note(a.problems[q])]
    at = lambda i: i + sum(j < i for j in noted)  # noqa: E731 - each note is a cell inserted
    for i, q in a.exercise_cells.items():
        cell, p = instructor.cells[at(i)].source, a.problems[q]
        assert textwrap.dedent(p.solution_code).strip() in cell, f"{book.name} cell {i} ({q})"
        assert "____" not in cell and f"{q}.check()" in cell
        if i in noted:  # a written answer: how to discuss it, in the next cell
            note = instructor.cells[at(i) + 1]
            assert note.cell_type == "markdown" and "For the instructor" in note.source
            assert all(c.point in note.source for c in p.rubric)
    for i, q in a.hint_cells.items():
        lines = instructor.cells[at(i)].source.split("\n")
        assert f"{q}.solution()" in lines and f"{q}.hint()" in lines
    assert instructor.metadata["course_edition"] == "instructor"


def test_every_problem_and_cell_is_found():
    """All imported problems have their exercise and hint cell, in every notebook."""
    found = {b.name: editions.anatomy(_read(b), b.name) for b in BOOKS}
    for name, a in found.items():
        assert a.problems and sorted(a.exercise_cells.values()) == sorted(a.problems), name
        assert sorted(a.hint_cells.values()) == sorted(a.problems), name
        for i, q in a.hint_cells.items():  # the hint cell follows its exercise
            assert a.exercise_cells.get(i - 1) == q, (name, i, q)


def _ruff(*args):
    return subprocess.run([str(RUFF), "check", "--no-cache", *args], capture_output=True,
                          text=True, cwd=ROOT)


def test_student_edition_is_lint_clean(built):
    out = _ruff(str(built / "student"))
    assert out.returncode == 0, out.stdout


def test_instructor_edition_has_no_undefined_names(built):
    """A reference solution that uses a name the notebook never imports fails when run there."""
    out = _ruff("--isolated", "--select", "F821", "--output-format", "concise",
                str(built / "instructor"))
    assert out.returncode == 0, out.stdout


def _anatomy_nb(setup, *cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 00 · T"), nbformat.v4.new_code_cell(setup)]
    nb.cells += [nbformat.v4.new_code_cell(c) for c in cells]
    return nb


SETUP = ("import sys\n\nif 'google.colab' in sys.modules:\n    %pip install x\n\n"
         "from course_lib.exercises import ____\nfrom course_lib.exercises.welcome import q1, q2"
         "\n\nenv = 1")


def test_editions_of_a_small_notebook():
    nb = _anatomy_nb(SETUP, "extra_rejections_per_year = ____\n\nq1.check()",
                     "# q1.hint()\n# q1.solution()",
                     "x = 1\nrecid_rate = ____  # a comment\n\nq2.check()",
                     "# q2.hint()\n# q2.hint(2)\n# q2.solution()")
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", text="Not yet")]
    s = editions.student(nb)
    assert s.cells[1].source.split("\n")[5:9] == [
        "from course_lib.exercises import ____, set_edition",
        "from course_lib.exercises.welcome import q1, q2", "", editions.STUDENT_SWITCH]
    assert s.cells[3].source == "# q1.hint()" and s.cells[2].outputs == []
    assert s.cells[5].source == "# q2.hint()\n# q2.hint(2)"
    t = editions.instructor(nb)
    assert t.cells[4].source.startswith("x = 1\nrecid_rate = compas[")
    assert t.cells[4].source.endswith("\n\nq2.check()") and "a comment" not in t.cells[4].source
    assert t.cells[5].source == "q2.hint()\nq2.hint(2)\nq2.solution()"
    assert nb.cells[3].source == "# q1.hint()\n# q1.solution()"  # the source is untouched


@pytest.mark.parametrize("cells, message", [
    (["q1.check()", "recid_rate = ____\nq2.check()"], "assign"),
    (["extra_rejections_per_year = ____\nq1.check()"], "q2 needs exactly one cell"),
    (["extra_rejections_per_year = ____\nq1.check()", "recid_rate = ____\nq2.check()",
      "q3.check()"], "imported in the setup cell"),
    (["extra_rejections_per_year = ____\nq1.check()\nq1.solution()",
      "recid_rate = ____\nq2.check()"], "outside a hint cell"),
])
def test_a_notebook_without_the_anatomy_is_an_error_naming_the_cell(cells, message):
    nb = _anatomy_nb(SETUP, *cells)
    with pytest.raises(editions.EditionError, match=message):
        editions.student(nb)
        editions.instructor(nb)


def test_main_writes_both_editions(tmp_path, capsys):
    assert editions.main([str(tmp_path), str(BOOKS[0])]) == 0
    assert (tmp_path / "student" / BOOKS[0].name).is_file()
    assert (tmp_path / "instructor" / BOOKS[0].name).is_file()
    assert "wrote 2 notebooks" in capsys.readouterr().out


# -- the editions run --------------------------------------------------------------------------
RUN = ["00_welcome.ipynb", "11_capstone_audit.ipynb"]


def _outputs_text(cell):
    return "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "")
                   for o in cell.get("outputs", []))


@pytest.mark.slow
@pytest.mark.parametrize("name", RUN)
def test_student_edition_executes_and_withholds_solutions(name, built, tmp_path, monkeypatch):
    monkeypatch.delenv(EDITION_ENV, raising=False)  # the notebook itself must switch
    nb = _read(built / "student" / name)
    a = editions.anatomy(nb, name)
    nb.cells.append(nbformat.v4.new_code_cell("\n".join(f"{q}.solution()" for q in a.problems)))
    path = tmp_path / name  # a copy: execute() writes its outputs there
    nbformat.write(nb, path)
    execute(path, write=True)
    ran = _read(path)
    for i in a.exercise_cells:
        assert "Not yet" in _outputs_text(ran.cells[i])
    shown = _outputs_text(ran.cells[-1])
    assert shown.count(STUDENT_SOLUTION_MESSAGE) == len(a.problems), shown


@pytest.mark.slow
@pytest.mark.parametrize("name", RUN)
def test_instructor_edition_executes_and_every_solution_passes(name, built, tmp_path,
                                                               monkeypatch):
    monkeypatch.delenv(EDITION_ENV, raising=False)
    path = tmp_path / name
    path.write_bytes((built / "instructor" / name).read_bytes())
    execute(path, write=True)
    ran = _read(path)
    a = editions.anatomy(_read(ROOT / "notebooks" / name), name)
    noted = [j for j, q in a.exercise_cells.items() if editions.instructor_note(a.problems[q])]
    at = lambda i: i + sum(j < i for j in noted)  # noqa: E731 - each note is a cell inserted
    for i, q in a.exercise_cells.items():
        out = _outputs_text(ran.cells[at(i)])
        passed = "✅ Correct" in out or "📝 Answer recorded" in out  # a reflection: its rubric
        assert passed and "Not yet" not in out, f"{name} {q}: {out}"
    for i, q in a.hint_cells.items():
        out = _outputs_text(ran.cells[at(i)])
        assert "💡 Hint 1 of" in out and "📖 Solution:" in out, f"{name} {q}: {out}"
        assert STUDENT_SOLUTION_MESSAGE not in out
