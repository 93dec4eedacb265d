"""course_lib.explore: the explorers' base, driven without a browser."""

import ipywidgets as widgets
import pandas as pd
import pytest

from course_lib.explore import View, choice, explorer, figure, slider


def _view(rate=0.5, group="A"):
    fig, ax = figure()
    ax.bar(["selected", "rejected"], [rate, 1 - rate])
    ax.set_ylabel("share")
    return View(table=pd.DataFrame({"rate": [rate]}, index=[group]), figure=fig,
                note=f"group {group} at {rate:.2f}")


def _explorer():
    return explorer(_view, {"rate": slider(0.0, 1.0, 0.05, 0.5, "rate"),
                            "group": choice({"group A": "A", "group B": "B"}, "A", "group")})


def test_the_view_follows_the_controls(capsys):
    ex = _explorer()
    assert ex.view.table.loc["A", "rate"] == 0.5 and ex.view.values == {"rate": 0.5, "group": "A"}
    ex.set(rate=0.25)
    assert ex.view.table.loc["A", "rate"] == 0.25
    ex.controls["group"].value = "B"  # a learner's move, as the widget sees it
    assert list(ex.view.table.index) == ["B"] and ex.view.note == "group B at 0.25"
    with pytest.raises(ValueError, match="unknown control"):
        ex.set(threshold=0.3)


def test_a_view_shows_as_stable_text_and_a_png():
    view = _explorer().view
    assert repr(view) == "group A at 0.50\n   rate\nA   0.5"
    assert view._repr_png_().startswith(b"\x89PNG")
    assert View(table=None, note="only text")._repr_png_() is None


def test_controls_are_sliders_that_update_on_release_and_drop_downs():
    s, i = slider(0.0, 1.0, 0.05, 0.5, "x"), slider(1, 10, 1, 5, "n")
    assert isinstance(s, widgets.FloatSlider) and isinstance(i, widgets.IntSlider)
    assert not s.continuous_update and not i.continuous_update
    d = choice(["a", "b"], "b", "pick")
    assert isinstance(d, widgets.Dropdown) and d.value == "b"


def test_the_figure_is_not_pyplots():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    _explorer().set(rate=0.75)
    assert plt.get_fignums() == before


def test_bad_arguments_are_refused():
    with pytest.raises(TypeError, match="view must be a function"):
        explorer("not a function", {"x": slider(0.0, 1.0, 0.1, 0.5, "x")})
    with pytest.raises(ValueError, match="at least one widget"):
        explorer(_view, {})


def test_later_views_reuse_the_first_views_layout_and_draw_once(monkeypatch):
    """The first view is laid out (constrained layout); a later one puts its axes in the same
    places with no layout engine, so savefig draws it once instead of twice."""
    from matplotlib.figure import Figure

    ex = _explorer()
    first = ex.view.figure
    assert first.get_layout_engine() is not None
    laid_out = [b for ax in first.axes for b in ax.get_position(original=False).bounds]
    assert laid_out != pytest.approx([0.125, 0.11, 0.775, 0.77])  # not matplotlib's default
    later = ex.set(rate=0.8).figure
    assert later.get_layout_engine() is None
    assert [b for ax in later.axes for b in ax.get_position().bounds] == pytest.approx(laid_out)
    draws = []
    real = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, r: draws.append(1) or real(self, r))
    ex.view._repr_png_()
    assert len(draws) == 1
