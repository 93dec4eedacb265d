"""tests/tools/launch_cells.py: rewrites a notebook's badges and Colab guard, nothing else."""

import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from course_lib import _launch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "tools"))

import launch_cells  # noqa: E402

OLD_GUARD = (
    "# On Colab, fetch the course kit (course_lib and datasets/) once; elsewhere do nothing.\n"
    "import sys\n\nif \"google.colab\" in sys.modules:\n"
    "    !git clone --quiet --depth 1 https://github.com/x/y.git /content/y 2> /dev/null || true\n"
    "    %pip install --quiet /content/y\n    %cd /content/y/notebooks\n\n"
)
REST = "from course_lib import setup\n\nenv = setup()"


def test_relaunch_replaces_an_old_guard_and_badges_only():
    md = "# Title\n\n[![Launch on Binder](old)](old) [![Open in Colab](old)](old)\n\nText."
    new_md, new_code = launch_cells.relaunch(md, OLD_GUARD + REST, "00_welcome.ipynb")
    assert new_md == f"# Title\n\n{_launch.badges('00_welcome.ipynb')}\n\nText."
    assert new_code == _launch.colab_guard() + "\n" + REST
    assert launch_cells.relaunch(new_md, new_code, "00_welcome.ipynb") == (new_md, new_code)


def test_relaunch_refuses_a_cell_without_guard_or_badges():
    with pytest.raises(ValueError, match="Colab guard"):
        launch_cells.relaunch("[![Launch on Binder](a)](b)", REST, "x.ipynb")
    with pytest.raises(ValueError, match="badges"):
        launch_cells.relaunch("# no badges", OLD_GUARD + REST, "x.ipynb")


def test_committed_notebooks_are_what_the_tool_writes_and_outputs_are_kept(tmp_path):
    book = tmp_path / "00_welcome.ipynb"
    shutil.copy(ROOT / "notebooks" / book.name, book)
    assert launch_cells.rewrite(book) is False  # already current
    nb = nbformat.read(book, as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.source = OLD_GUARD + code.source.removeprefix(_launch.colab_guard() + "\n")
    nbformat.write(nb, book)
    assert launch_cells.rewrite(book) is True
    assert book.read_text(encoding="utf-8") == (ROOT / "notebooks" / book.name).read_text(
        encoding="utf-8")
