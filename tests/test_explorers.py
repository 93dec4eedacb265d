"""The notebooks' explorers and progress bars in a real kernel (tests/tools/explorer_check.py).

Here in the lock's kernel (ipywidgets 8); `make colab-check` runs the same check in the Colab
twin's (ipywidgets 7.7).
"""

import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "tools"))
import explorer_check  # noqa: E402

NB04 = ROOT / "notebooks" / "04_bias_mitigation.ipynb"


def _nb(*sources: str):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# t")] + [nbformat.v4.new_code_cell(s)
                                                         for s in sources]
    return nb


def test_find_explorers_finds_04s_and_only_interactive_assignments():
    assert explorer_check.find_explorers(nbformat.read(NB04, as_version=4)) == [
        explorer_check.Explorer(49, "explorer")]
    nb = _nb("import ipywidgets as widgets", "e = widgets.interactive(f, x=1)\nw = interactive(g)",
             "print('systems that interact with people')")
    assert explorer_check.find_explorers(nb) == [explorer_check.Explorer(2, "e"),
                                                 explorer_check.Explorer(2, "w")]


@pytest.mark.parametrize("source", ["widgets.interact(f, x=1)", "@interact\ndef f(x=1):\n  pass",
                                    "from ipywidgets import interact_manual\ninteract_manual(f)"])
def test_find_explorers_rejects_interact_which_keeps_no_handle(source):
    with pytest.raises(ValueError, match="cell 1 uses interact"):
        explorer_check.find_explorers(_nb(source))


def test_names_keeps_a_functions_parameters_and_loop_variables_its_own():
    defined, used = explorer_check.names(
        "import numpy as np\n%matplotlib inline\n"
        "def f(a, b=c):\n    t = a + b + d\n    return t\n"
        "rows[k] = [g for g in gs]\n")
    assert defined == {"np", "f", "g"}
    assert used == {"c", "d", "rows", "k", "gs", "g"}


def test_needed_cells_takes_the_set_up_cell_and_what_the_target_reads():
    nb = _nb("import os", "x = 1", "y = 2\ng = 5", "z = x + 1", "for g in range(3):\n  total = g",
             "def show(a=0.5):\n    print(a, z, total)\n")
    assert explorer_check.needed_cells(nb, 6) == [1, 2, 4, 5, 6]  # not y's and g's: g is 5's own


def test_judge_move_names_an_error_stderr_no_claim_and_a_wrong_or_unchanged_result():
    def msg(kind, **content):
        return {"msg_type": kind, "content": content, "sent": "m1", "header": {"msg_type": kind},
                "parent_header": {}, "metadata": {}}

    claim = msg("comm_msg", comm_id="out", data={"state": {"msg_id": "m1"}})
    table = msg("display_data", data={"text/plain": "table 2"}, metadata={})
    good = [claim, msg("clear_output", wait=True), table]
    assert explorer_check.judge_move(good, "out", "table 2\n", "table 1\n") == []
    assert explorer_check.judge_move(good, "out", "table 2\n", "table 2\n") == [
        "what the explorer shows did not change"]
    bad = explorer_check.judge_move([msg("stream", name="stderr", text="Warning: x\n"),
                                     msg("error", ename="KeyError", evalue="'B'", traceback=[])],
                                    "out", "table 2\n", "table 1\n")
    assert bad == ["the kernel raised KeyError: 'B'", "stderr: Warning: x",
                   "the explorer's Output widget did not claim the update's output (msg_id)",
                   "the explorer showed nothing"]
    wrong = explorer_check.judge_move([claim, table], "out", "table 3\n", "table 1\n")
    assert wrong == ["showed 'table 2\\n', not its function at the new values: 'table 3\\n'"]


def test_judge_progress_wants_a_widget_bar_and_no_stderr():
    bar = nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "x"}, "text/plain": "bar"})
    text_bar = nbformat.v4.new_output("stream", name="stderr", text="explorer check: 100%|##|\n")
    assert explorer_check.judge_progress([bar]) == []
    assert explorer_check.judge_progress([text_bar]) == [
        "the progress bar wrote to stderr: explorer check: 100%|##|",
        "fit_mlp(progress=True) showed no widget progress bar"]


@pytest.mark.slow
def test_04s_explorer_and_a_progress_bar_work_in_the_locks_kernel():
    """Each slider moved as a browser moves it changes the table; fit_mlp's bar is a widget."""
    assert explorer_check.check_notebook(NB04) == []


@pytest.mark.slow
def test_the_check_fails_an_explorer_that_shows_nothing(tmp_path):
    """widgets.interactive shows no return value (no auto_display): 04's first version."""
    nb = _nb("import ipywidgets as widgets",
             "def table(x=0.5):\n    return f'x is {x:.2f}'\n\n\n"
             "e = widgets.interactive(table, x=widgets.FloatSlider(min=0, max=1, value=0.5))")
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    problems = explorer_check.check_notebook(path)
    assert problems == ["e, slider x 0.5 -> 0.2: the explorer showed nothing"]


@pytest.mark.slow
def test_a_slider_update_the_kernel_never_finishes_fails_saying_so(tmp_path, monkeypatch):
    monkeypatch.setattr(explorer_check, "MOVE_TIMEOUT_S", 1)
    nb = _nb("import time\nimport ipywidgets as widgets",
             "def slow(n=1):\n    if n != 1:\n        time.sleep(3)\n    print(n)\n\n\n"
             "e = widgets.interactive(slow, n=widgets.IntSlider(min=0, max=8, value=1))")
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    assert explorer_check.check_notebook(path) == [
        "e, slider n 1 -> 2: the kernel did not finish handling a slider update within 1 s"]
