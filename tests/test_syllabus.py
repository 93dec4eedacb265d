import re
from pathlib import Path

import pytest

from course_lib import syllabus

ROOT = Path(__file__).resolve().parents[1]


def test_syllabus_is_complete_and_ordered():
    entries = syllabus.load()
    assert [e.number for e in entries] == list(range(12))
    assert entries[0].slug == "00_welcome"
    assert all(e.minutes > 0 and e.topics for e in entries)
    assert syllabus.total_minutes() == sum(e.minutes for e in entries)


def test_readme_table_is_generated_not_retyped():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert syllabus.render_readme(readme) == readme, "run `make readme`"


def test_table_marks_what_is_not_there_yet():
    table = syllabus.markdown_table(links="notebooks/")
    assert "[Welcome: how this course works](notebooks/00_welcome.ipynb)" in table
    for e in syllabus.load():
        if not syllabus.available(e):
            assert f"{e.title} *(in preparation)*" in table


def test_entry_lookup():
    assert syllabus.entry("00_welcome.ipynb").minutes == syllabus.load()[0].minutes
    with pytest.raises(ValueError, match="no notebook 'nope'"):
        syllabus.entry("nope")


def test_render_readme_needs_markers():
    with pytest.raises(ValueError, match="lacks the markers"):
        syllabus.render_readme("# no table here\n")


def test_every_notebook_file_is_in_the_syllabus():
    slugs = {e.slug for e in syllabus.load()}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert re.fullmatch(r"\d\d_[a-z_]+", path.stem) and path.stem in slugs, path.name
