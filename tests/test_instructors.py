import importlib.util
import json
import math
import re
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from course_lib import _instructors as ins
from course_lib import syllabus
from course_lib.exercises import NOTEBOOK_MODULES, registry

ROOT = Path(__file__).resolve().parents[1]
KIT = ROOT / "instructors"
CASES = sorted((KIT / "cases").glob("*.md"))
ROLES = ("Data collector", "Model builder", "Deployer", "Affected person", "Regulator")
BENCH = ins.load_bench()
_spec = importlib.util.spec_from_file_location("course_bench", ROOT / "tests/tools/bench.py")
BENCH_TOOL = sys.modules.setdefault("course_bench", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(BENCH_TOOL)  # the budgets, where make bench keeps them
NUMBER = re.compile(r"\d+(?:,\d{3})+|\d+\.\d+%?|\d+%")


def _notebook_text(number: int) -> tuple[str, list[str]]:
    """A notebook's sources and outputs as one text, and its section headings."""
    path = ROOT / "notebooks" / syllabus.load()[number].filename
    nb = json.loads(path.read_text(encoding="utf-8"))
    parts, heads = [], []
    for c in nb["cells"]:
        src = "".join(c["source"])
        parts.append(src)
        heads += [line[3:] for line in src.splitlines() if line.startswith("## ")]
        for o in c.get("outputs", []):
            parts.append("".join(o.get("text", "")))
            parts.append("".join(o.get("data", {}).get("text/plain", "")))
    return "\n".join(parts), heads


# -- the benchmark parser ---------------------------------------------------------------------

def test_bench_is_parsed_from_the_committed_table():
    text = ins.BENCH_FILE.read_text(encoding="utf-8")
    assert (BENCH.budget_s, BENCH.budget_mb) == (BENCH_TOOL.BUDGET_S, BENCH_TOOL.BUDGET_MB)
    for line in text.splitlines():
        m = re.match(r"\| (\d\d_\w+)\.ipynb \| ([\d.]+) \| (\d+) \|", line)
        if m:
            assert BENCH.runs[m[1]] == ins.Run(float(m[2]), float(m[3]))
    assert "whole course" not in " ".join(BENCH.runs)
    assert BENCH.largest()[1].peak_mb == max(r.peak_mb for r in BENCH.runs.values())


def test_bench_parser_rejects_what_it_cannot_read():
    with pytest.raises(ValueError, match="Budgets"):
        ins.parse_bench("| notebook | wall s |\n|---|---|\n")
    with pytest.raises(ValueError, match="peak RSS MB"):
        ins.parse_bench("Budgets: 90 s and 1536 MB\n| notebook | wall s |\n|---|---|\n")
    with pytest.raises(ValueError, match="00_x.ipynb"):
        ins.parse_bench("Budgets: 90 s and 1536 MB\n| notebook | wall s | peak RSS MB |\n"
                        "|---|---|---|\n| 00_x.ipynb | fast | 700 |\n")
    with pytest.raises(TypeError, match="text"):
        ins.parse_bench(None)


def test_run_minutes_allow_twice_the_measured_time_and_the_budget_when_unmeasured():
    bench = ins.Bench(90.0, 1536.0, {"a": ins.Run(36.4, 1000.0), "b": ins.Run(1.0, 500.0)})
    assert bench.run_minutes("a") == math.ceil(2 * 36.4 / 60) == 2
    assert bench.run_minutes("b") == 1  # never less than a minute
    assert bench.run_minutes("unmeasured") == 3  # 2 × 90 s


# -- schedules --------------------------------------------------------------------------------

@pytest.fixture(params=sorted(ins.PLANS))
def kind(request):
    return request.param


def test_three_schedules_are_promised():
    assert set(ins.SCHEDULES) == {"workshop", "day", "weekly"} <= set(ins.PLANS)
    assert ins.PLANS["workshop"].session_minutes == 180
    assert ins.PLANS["weekly"].sessions == 6


def test_sessions_fit_their_length_with_breaks(kind):
    plan, sessions = ins.PLANS[kind], ins.schedule(kind)
    assert len(sessions) == plan.sessions
    for s in sessions:
        assert s.length == plan.session_minutes
        assert s.used <= s.length, s.title
        assert sum(b.minutes for b in s.blocks) == s.length  # spare time fills the rest
        work = s.used - sum(b.minutes for b in s.blocks if b.kind == "break")
        if work > ins.BREAK_AFTER:
            assert any(b.kind == "break" for b in s.blocks), s.title
            assert max(s.stretches()) < work
        for b in s.blocks:
            if b.kind == "break":
                assert b.minutes == plan.break_minutes


def test_schedules_cover_what_they_say_with_the_syllabus_minutes(kind):
    plan, sessions = ins.PLANS[kind], ins.schedule(kind)
    covered = [n for s in sessions for n in s.notebooks]
    assert covered == list(plan.notebooks)  # each once, in course order
    entries = syllabus.load()
    for s in sessions:
        for b in s.blocks:
            if b.kind == "notebook" and not b.part:
                e = entries[b.number]
                assert b.reading == e.minutes
                assert b.run == BENCH.run_minutes(e.slug)
                assert b.minutes == e.minutes + b.run
    halves = [b for s in sessions for b in s.blocks if b.part]
    for first, second in zip(halves[::2], halves[1::2], strict=True):
        e = entries[first.number]
        assert first.reading + second.reading == e.minutes
        assert first.minutes + second.minutes == e.minutes + BENCH.run_minutes(e.slug)
    discussions = [b for s in sessions for b in s.blocks if b.kind == "discussion"]
    assert len(discussions) == len(plan.discussions)
    for b in discussions:
        assert all((KIT / "cases" / f"{p}.md").is_file() for p in b.packs)


def test_every_plan_respects_the_prerequisites(kind):
    plan = ins.PLANS[kind]
    for n in plan.notebooks:
        assert set(ins.REQUIRES[n]) <= set(plan.notebooks), (kind, n)
        assert all(plan.notebooks.index(r) < plan.notebooks.index(n) for r in ins.REQUIRES[n])


def test_prerequisites_are_the_ones_each_notebook_names():
    for e in syllabus.load():
        text, _ = _notebook_text(e.number)
        line = re.search(r"\*\*Prerequisites:\*\*(.*?)(?:\n\n|$)", text, re.S)[1]
        named = set()
        for a, b in re.findall(r"(\d\d)(?:-(\d\d))?", line):
            named |= set(range(int(a), int(b or a) + 1))
        assert set(ins.REQUIRES[e.number]) <= named, (e.slug, line)


def test_every_notebook_is_in_the_one_day_or_weekly_schedule():
    covered = {n for k in ("day", "weekly") for s in ins.schedule(k) for n in s.notebooks}
    assert covered == {e.number for e in syllabus.load()}


def test_the_workshop_is_a_subset_because_the_course_does_not_fit():
    assert syllabus.total_minutes() > ins.PLANS["workshop"].session_minutes
    (session,) = ins.schedule("workshop")
    assert session.notebooks[0] == 0 and len(session.notebooks) < len(syllabus.load())


def test_a_plan_that_does_not_fit_is_refused():
    tight = replace(ins.PLANS["weekly"], session_minutes=120)
    with pytest.raises(ValueError, match="'weekly'.*do not fit 6 sessions of 120 min"):
        ins.schedule("weekly", plan=tight)
    orphan = replace(ins.PLANS["workshop"], notebooks=(0, 2))
    with pytest.raises(ValueError, match="notebook 02 needs \\[1\\]"):
        ins.schedule("workshop", plan=orphan)
    with pytest.raises(ValueError, match="kind must be one of"):
        ins.schedule("fortnightly")


def test_partition_is_the_most_even_split_that_fits():
    # [30, 30 | 30, 30] is more even than [30 | 30, 30, 30], and both fit 100
    assert ins._partition([30, 30, 30, 30], 2, 100, 10) == [2, 4]
    assert ins._partition([50, 10, 10, 50], 2, 200, 10) == [2, 4]


def test_a_lone_long_notebook_is_halved_by_its_break():
    # the capstone (90 min of reading and exercises, plus its run time) alone in a session
    (capstone,) = [ins._notebook_block(e, BENCH) for e in syllabus.load() if e.number == 11]
    assert capstone.minutes > ins.BREAK_AFTER
    blocks = ins._with_break([capstone], 15)
    assert [b.kind for b in blocks] == ["notebook", "break", "notebook"]
    assert [b.part for b in blocks if b.kind == "notebook"] == ["first half", "second half"]
    assert blocks[0].minutes + blocks[2].minutes == capstone.minutes
    assert blocks[0].reading == 45 and blocks[2].run == capstone.run  # the run goes with part 2
    # and every halved notebook in the committed schedules is split this way
    for kind in ins.SCHEDULES:
        for session in ins.schedule(kind):
            parts = [b.part for b in session.blocks if b.kind == "notebook" and b.part]
            assert parts in ([], ["first half", "second half"]), (kind, session.title)


# -- the committed guide ----------------------------------------------------------------------

def test_the_committed_guide_is_what_the_generator_writes_now():
    text = (KIT / ins.GUIDE).read_text(encoding="utf-8")
    assert ins.render_guide(text) == text, f"run `{ins.COMMAND}`"
    for name in ins.BLOCKS:
        start, end = ins._marker(name)
        assert "generated by" in start and text.count(start) == text.count(end) == 1


def test_the_guide_needs_its_markers():
    with pytest.raises(ValueError, match="lacks the markers"):
        ins.render_guide("# no blocks\n")


def test_the_command_rewrites_the_guide(tmp_path, capsys):
    text = (KIT / ins.GUIDE).read_text(encoding="utf-8")
    start, end = ins._marker("scale")
    stale = text.split(start)[0] + start + "\nstale\n" + end + text.split(end)[1]
    (tmp_path / ins.GUIDE).write_text(stale, encoding="utf-8")
    assert ins.main(["prog", str(tmp_path)]) == 0
    assert (tmp_path / ins.GUIDE).read_text(encoding="utf-8") == text
    assert ins.main(["prog"]) == 2
    assert ins.main(["prog", str(tmp_path / "nowhere")]) == 2
    assert "usage" in capsys.readouterr().err


def test_the_schedules_render_every_session_with_times():
    block = ins.render_schedules()
    for kind in ins.PLANS:
        assert f"### {ins.PLANS[kind].title}" in block
    assert "| 09:00 | [00 Welcome" in block and "| 17:00 | *end* |" in block  # the day's clock
    for e in syllabus.load():
        assert f"]({'../notebooks/'}{e.filename})" in block


# -- solutions --------------------------------------------------------------------------------

def test_the_solutions_list_names_every_registered_exercise():
    block = ins.render_solutions()
    by_notebook = ins.exercises_by_notebook()
    assert [m for _, m, _ in by_notebook] == list(NOTEBOOK_MODULES)
    ids = set(registry())
    assert ids and all(f"`{pid}`" in block for pid in ids)
    assert sum(len(p) for _, _, p in by_notebook) == len(ids)
    assert f"{len(ids)} exercises in all." in block
    for _, module, probs in by_notebook:
        assert (ROOT / "course_lib" / "exercises" / f"{module}.py").is_file()
        assert probs, module
        numbers = [int(p.id.split(".q")[1]) for p in probs]
        assert numbers == sorted(numbers)


# -- a class at scale -------------------------------------------------------------------------

def test_memory_per_learner_is_the_largest_peak_plus_headroom():
    limit, (_, run) = ins.memory_limit_mb(BENCH), BENCH.largest()
    assert limit % ins.MEMORY_STEP_MB == 0
    assert run.peak_mb * 1.2 <= run.peak_mb * (1 + ins.HEADROOM) <= limit  # TLJH: 20-40%
    assert limit - ins.MEMORY_STEP_MB < run.peak_mb * (1 + ins.HEADROOM)


def test_sizing_table_for_10_30_100_learners():
    text = ins.FOOTPRINT_FILE.read_text(encoding="utf-8")
    cores = ins.parse_cores(text)
    row = next(line.split(",") for line in text.splitlines()
               if line.startswith("02_case_studies.ipynb,"))
    assert cores["02_case_studies"] == pytest.approx(float(row[2]) / float(row[1]))  # cpu / wall
    rows = ins.sizing(BENCH, cores)
    limit = ins.memory_limit_mb(BENCH)
    assert [r[0] for r in rows] == [10, 30, 100]
    for n, ram, cpu, where in rows:
        assert ram == n * limit + 128
        assert cpu == pytest.approx(n * max(cores.values()) + 0.2)
        assert ("TLJH" in where) and (("Kubernetes" in where) == (n > 50))
    block = ins.render_scale(BENCH, cores)
    assert f"limits.memory {limit}M" in block and f"limit: {limit}M" in block
    with pytest.raises(ValueError, match="numeric wall_s"):
        ins.parse_cores("notebook,wall_s,cpu_s\nx,fast,1\n")


# -- facilitation packs -----------------------------------------------------------------------

def test_there_is_a_pack_for_each_contested_case():
    assert [p.stem for p in CASES] == sorted(ins.CASES)


@pytest.fixture(params=CASES, ids=[p.stem for p in CASES])
def pack(request):
    return request.param.read_text(encoding="utf-8")


def test_pack_has_questions_five_role_cards_and_a_rubric(pack):
    questions = pack.split("## Discussion questions")[1].split("\n## ")[0]
    assert len(re.findall(r"^\d+\. ", questions, re.M)) >= 4
    cards = re.split(r"^### Role: ", pack.split("## Role cards")[1].split("\n## ")[0], flags=re.M)
    assert [c.splitlines()[0] for c in cards[1:]] == list(ROLES)
    for card in cards[1:]:
        for field in ("**Goals:**", "**What you know:**", "**What you must decide:**"):
            assert card.count(field) == 1, (card.splitlines()[0], field)
    rubric = pack.split("## Rubric")[1]
    assert "Several answers can earn full marks" in rubric
    rows = [r for r in rubric.splitlines() if r.startswith("| ") and "---" not in r]
    assert rows[0] == "| Criterion | Beginning | Developing | Strong |"
    assert len(rows) - 1 >= 4  # criteria
    assert all(len([c for c in r.strip("|").split("|") if c.strip()]) == 4 for r in rows)


def test_pack_names_real_notebook_sections(pack):
    refs = re.findall(r'(\d\d) §(\d+) "([^"]+)"', pack)
    assert any(nb == "02" for nb, _, _ in refs)
    for nb, section, title in refs:
        _, heads = _notebook_text(int(nb))
        assert f"{section} · {title}" in heads, (nb, section, title)


def test_pack_quotes_only_numbers_notebook_02_prints_or_cites(pack):
    text, _ = _notebook_text(2)
    known = set(NUMBER.findall(text))
    assert sorted(set(NUMBER.findall(pack)) - known) == []
    assert len(set(NUMBER.findall(pack))) >= 5  # it does quote the notebook


def test_the_case_packs_name_exercises_that_exist():
    """A pack's hand-written pointer to an exercise (ids move when exercises are added)."""
    import re
    from pathlib import Path

    from course_lib._instructors import exercises_by_notebook

    ids = {p.id for _, _, probs in exercises_by_notebook() for p in probs}
    cases = Path(__file__).resolve().parents[1] / "instructors" / "cases"
    named = {m for f in cases.glob("*.md") for m in re.findall(r"`(\w+\.q\d+)`", f.read_text())}
    assert named and named <= ids, sorted(named - ids)
