"""Write the student and instructor editions of the course notebooks from the single sources.

    python tests/tools/editions.py build/editions                  # every notebook
    python tests/tools/editions.py build/editions notebooks/03_fairness_metrics.ipynb

writes OUTDIR/student/<name>.ipynb and OUTDIR/instructor/<name>.ipynb. Which problem belongs to
which cell comes from the setup cell's ``from course_lib.exercises.<module> import q1, ...`` and
the exercise cells' ``qN.check()`` calls; a notebook that does not follow that anatomy is an
error naming the cell, never a silently incomplete edition.

- **student**: the commented ``# qN.solution()`` lines are removed from the hint cells (no code
  cell calls ``.solution()``), the exercise cells' outputs are cleared, and the setup cell calls
  ``set_edition("student")``, so ``qN.solution()`` answers "The solutions are in the instructor
  edition; ask your instructor" (course_lib/exercises/_core.py). Hints stay.
- **instructor**: each exercise cell's ``____`` answer is replaced by the problem's reference
  solution (``Problem.solution_code``) and the hint cells' calls are uncommented, so running the
  notebook shows the check passing, the hints and the solution. Outputs of those cells are
  cleared (they would be stale); execute the edition to fill them.
"""

from __future__ import annotations

import argparse
import ast
import copy
import importlib
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "notebooks"
EDITIONS = ("student", "instructor")
CHECK = re.compile(r"\b(q\d+)\.check\(\)")
HINT_LINE = re.compile(r"^\s*#\s*(q\d+)\.(hint|solution)\((\d*)\)\s*$")
SOLUTION_CALL = re.compile(r"\.solution\(")
STUDENT_SWITCH = ('set_edition("student")  # the student edition: solution() points to the '
                  "instructor edition")


class EditionError(ValueError):
    """A source notebook that does not have the anatomy the editions are made from."""


def python_source(src: str) -> str:
    """A code cell's source as plain Python: each IPython ``!``/``%`` line becomes ``pass``."""
    lines = []
    for line in src.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith(("!", "%")):
            line = line[: len(line) - len(stripped)] + "pass"
        lines.append(line)
    return "\n".join(lines)


@dataclass(frozen=True)
class Anatomy:
    """Where a notebook's exercises are: the setup cell, the problems, their cells."""

    module: str  # course_lib.exercises.<module>
    setup_index: int
    problems: dict  # "q1" -> Problem
    exercise_cells: dict  # cell index -> "q1"
    hint_cells: dict  # cell index -> "q1"


def anatomy(nb, name: str = "notebook") -> Anatomy:
    """Find the setup cell's exercise import, the ``qN.check()`` cells and the hint cells."""
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    if not code:
        raise EditionError(f"{name}: no code cell")
    setup = code[0]
    tree = ast.parse(python_source(nb.cells[setup].source))
    imports = [s for s in tree.body if isinstance(s, ast.ImportFrom) and s.module
               and s.module.startswith("course_lib.exercises.")]
    if len(imports) != 1:
        raise EditionError(f"{name}: cell {setup} (setup) needs exactly one "
                           "`from course_lib.exercises.<module> import q1, ...`")
    module = imports[0].module
    names = [a.name for a in imports[0].names if re.fullmatch(r"q\d+", a.name)]
    mod = importlib.import_module(module)
    problems = {q: getattr(mod, q) for q in names}
    exercise, hints = {}, {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or i == setup:
            continue
        checked = set(CHECK.findall(cell.source))
        lines = [ln for ln in cell.source.split("\n") if ln.strip()]
        hinted = {m.group(1) for m in map(HINT_LINE.match, lines) if m}
        if checked:
            if len(checked) > 1 or not checked <= set(problems):
                raise EditionError(f"{name}: cell {i} checks {sorted(checked)}; one problem per "
                                   f"cell, imported in the setup cell ({sorted(problems)})")
            exercise[i] = checked.pop()
        elif hinted and all(HINT_LINE.match(ln) for ln in lines):
            if len(hinted) > 1 or not hinted <= set(problems):
                raise EditionError(f"{name}: hint cell {i} is for {sorted(hinted)}")
            hints[i] = hinted.pop()
    for q in problems:
        if list(exercise.values()).count(q) != 1:
            raise EditionError(f"{name}: {q} needs exactly one cell calling {q}.check()")
    return Anatomy(module, setup, problems, exercise, hints)


def _clear(cell) -> None:
    cell.outputs = []
    cell.execution_count = None


def _isort_names(names: list[str]) -> list[str]:
    """Names in a ``from x import ...`` in ruff's isort order: CONSTANTS, Classes, others."""
    def kind(n: str) -> int:
        if n.isupper() and len(n) > 1:
            return 0
        return 1 if n[:1].isupper() else 2
    return sorted(set(names), key=lambda n: (kind(n), n))


def _add_student_switch(src: str) -> str:
    """The setup cell with ``set_edition`` imported and called right after its imports."""
    lines = src.split("\n")
    tree = ast.parse(python_source(src))
    top_imports = [s for s in tree.body if isinstance(s, ast.Import | ast.ImportFrom)]
    plain = [s for s in top_imports if isinstance(s, ast.ImportFrom)
             and s.module == "course_lib.exercises" and s.lineno == s.end_lineno]
    last = max(s.end_lineno for s in top_imports)  # 1-based line of the last import
    if plain:
        s = plain[0]
        names = _isort_names([a.name for a in s.names] + ["set_edition"])
        lines[s.lineno - 1] = f"from course_lib.exercises import {', '.join(names)}"
    else:
        exercises = next(s for s in top_imports if isinstance(s, ast.ImportFrom) and s.module
                         and s.module.startswith("course_lib.exercises."))
        lines.insert(exercises.lineno - 1, "from course_lib.exercises import set_edition")
        last += 1
    lines[last:last] = ["", STUDENT_SWITCH]
    return "\n".join(lines)


def student(nb, name: str = "notebook"):
    """The student edition: no solution in any cell, solution() withheld, answers cleared."""
    a = anatomy(nb, name)
    out = copy.deepcopy(nb)
    out.cells[a.setup_index].source = _add_student_switch(out.cells[a.setup_index].source)
    for i, cell in enumerate(out.cells):
        if cell.cell_type != "code":
            continue
        if i in a.hint_cells:
            cell.source = "\n".join(ln for ln in cell.source.split("\n")
                                    if not (HINT_LINE.match(ln)
                                            and HINT_LINE.match(ln).group(2) == "solution"))
            _clear(cell)
        elif SOLUTION_CALL.search(cell.source):
            raise EditionError(f"{name}: cell {i} calls .solution() outside a hint cell")
        if i in a.exercise_cells:
            _clear(cell)
    out.metadata["course_edition"] = "student"
    return out


def _answer_span(src: str, variables: tuple[str, ...], where: str) -> tuple[int, int]:
    """The 0-based line range [start, end) of the top-level answer statements: ``name = ...``
    for each answer variable, or ``def name(...):`` for a function the learner writes."""
    tree = ast.parse(src)
    answers = []
    for s in tree.body:
        if isinstance(s, ast.FunctionDef) and s.name in variables:
            answers.append(s)
            continue
        targets = s.targets if isinstance(s, ast.Assign) else []
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        if names and len(names) == len(targets) and set(names) <= set(variables):
            answers.append(s)
    assigned = {s.name if isinstance(s, ast.FunctionDef) else t.id
                for s in answers for t in (getattr(s, "targets", None) or [s])}
    if assigned != set(variables):
        raise EditionError(f"{where}: the answer statements assign {sorted(assigned)}, the "
                           f"problem's variables are {sorted(variables)}")
    body = tree.body
    first, last = body.index(answers[0]), body.index(answers[-1])
    if body[first:last + 1] != answers:
        raise EditionError(f"{where}: the answer statements must be consecutive")
    start = min([answers[0].lineno] + [d.lineno for d in getattr(answers[0], "decorator_list", [])])
    return start - 1, answers[-1].end_lineno


def instructor(nb, name: str = "notebook"):
    """The instructor edition: every answer is the reference solution; hints and solution run."""
    a = anatomy(nb, name)
    out = copy.deepcopy(nb)
    for i, q in a.exercise_cells.items():
        cell, p = out.cells[i], a.problems[q]
        start, end = _answer_span(cell.source, p.variables, f"{name}: cell {i} ({q})")
        lines = cell.source.split("\n")
        solution = textwrap.dedent(p.solution_code).strip("\n").split("\n")
        cell.source = "\n".join(lines[:start] + solution + lines[end:])
        _clear(cell)
    notes = {i: instructor_note(a.problems[q]) for i, q in a.exercise_cells.items()}
    for i in sorted((i for i, note in notes.items() if note), reverse=True):
        out.cells.insert(i + 1, nbformat.v4.new_markdown_cell(notes[i]))
    for i in a.hint_cells:
        i += sum(1 for j, note in notes.items() if note and j < i)
        cell = out.cells[i]
        cell.source = "\n".join(re.sub(r"^(\s*)#\s*", r"\1", ln) if HINT_LINE.match(ln) else ln
                                for ln in cell.source.split("\n"))
        _clear(cell)
    out.metadata["course_edition"] = "instructor"
    return out


def instructor_note(problem) -> str:
    """For a written answer: how to discuss it in class (the instructor edition's extra cell)."""
    from course_lib.exercises import ReflectionProblem

    if not isinstance(problem, ReflectionProblem):
        return ""
    points = "\n".join(f"- {c.point}" for c in problem.rubric)
    talk = f"\n\n**Discuss:** {problem.discussion}" if problem.discussion else ""
    return (f"**For the instructor ({problem.id}):** nothing scores this answer. Pair learners: "
            "each reads the other's answer and ticks the rubric points it makes *with a reason*, "
            "then they compare with the model answer and name one point to add. Rubric:\n\n"
            f"{points}{talk}\n\n{PEER_REVIEW_LINK}")


PEER_REVIEW_LINK = ("See instructors/README.md, *Discussing written answers*, for running this "
                    "as a peer review.")

MAKERS = {"student": student, "instructor": instructor}


def write_editions(outdir: Path, notebooks: list[Path] | None = None) -> list[Path]:
    """Write both editions of ``notebooks`` (default: every course notebook) under ``outdir``."""
    notebooks = notebooks or sorted(SOURCES.glob("[0-9][0-9]_*.ipynb"))
    written = []
    for edition in EDITIONS:
        (outdir / edition).mkdir(parents=True, exist_ok=True)
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        for edition in EDITIONS:
            made = MAKERS[edition](nb, path.name)
            nbformat.validate(made)
            target = outdir / edition / path.name
            nbformat.write(made, target)
            written.append(target)
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every course notebook")
    args = parser.parse_args(argv)
    try:
        written = write_editions(args.outdir, args.notebooks)
    except EditionError as exc:
        print(f"editions: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(written)} notebooks: {args.outdir}/student and {args.outdir}/instructor")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
