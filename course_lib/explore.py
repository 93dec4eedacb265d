"""Explorers: one knob-turning widget per notebook, on ipywidgets 7 and 8, tested without a browser.

A topic module writes a pure *view function* from the knobs' values to a ``View`` (the numbers
as a table, an optional figure, a line of text) and returns ``explorer(view, controls)``. The
notebook calls that in one line and displays it; a static copy of its default state comes from
``explorer.view`` (a View displays as its table's text and, where it has one, a PNG of its
figure), so the rendered site and a reader without a kernel still see it. Tests drive it with
``explorer.set(name=value)`` and read ``explorer.view``; tests/tools/explorer_check.py moves the
same controls through a real kernel, as JupyterLab and Colab do. Slow work is precomputed by
the topic function before the explorer is built, so an update stays within 0.2 s.

Figures are ``matplotlib.figure.Figure`` objects, not pyplot ones: pyplot would show every open
figure again at the end of the cell, and keep each one in memory.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets

DPI = 80  # small PNGs: a committed notebook stays well under 3 MB
_NO_LAYOUT_RC = {"figure.autolayout": False, "figure.constrained_layout.use": False}


@dataclass
class View:
    """What an explorer shows at one setting of its knobs."""

    table: Any = None  # a pandas DataFrame of the numbers the knobs move
    figure: Any = None  # a matplotlib.figure.Figure, or None
    note: str = ""  # one or two lines: what the numbers say at this setting
    values: Mapping[str, Any] = field(default_factory=dict)  # the knobs' values

    def text(self) -> str:
        """The note and the table as stable text (what nbval compares)."""
        parts = [self.note] if self.note else []
        if self.table is not None:
            parts.append(self.table.to_string() if hasattr(self.table, "to_string")
                         else str(self.table))
        return "\n".join(parts)

    def __repr__(self) -> str:
        return self.text()

    def _repr_png_(self) -> bytes | None:
        if self.figure is None:
            return None
        import matplotlib as mpl

        buf = io.BytesIO()
        # savefig restores a figure's engine with set_layout_engine(old): for a figure with none
        # (a later view, see Explorer), None means the rc default, so keep the default "none"
        # here or the next draw is doubled again. No bbox_inches="tight": it draws twice.
        with mpl.rc_context(_NO_LAYOUT_RC):
            self.figure.savefig(buf, format="png", dpi=DPI)
        return buf.getvalue()


def figure(width: float = 6.0, height: float = 3.2, ncols: int = 1):
    """A new (figure, axes) not registered with pyplot: for a View."""
    from matplotlib.figure import Figure

    from course_lib.plotting import apply_style

    apply_style()
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    axes = fig.subplots(1, ncols)
    return fig, axes


def slider(lo: float, hi: float, step: float, value: float, label: str,
           fmt: str | None = None) -> widgets.Widget:
    """A slider that updates on release (an int slider when all four numbers are ints)."""
    common = dict(min=lo, max=hi, step=step, value=value, description=label,
                  continuous_update=False, style={"description_width": "initial"},
                  layout=widgets.Layout(width="420px"))
    if all(isinstance(x, int) and not isinstance(x, bool) for x in (lo, hi, step, value)):
        return widgets.IntSlider(**common)
    return widgets.FloatSlider(readout_format=fmt or ".2f", **common)


def choice(options: Sequence[Any] | Mapping[str, Any], value: Any, label: str) -> widgets.Widget:
    """A drop-down of ``options`` (a sequence, or a mapping label -> value)."""
    opts = list(options.items()) if isinstance(options, Mapping) else list(options)
    return widgets.Dropdown(options=opts, value=value, description=label,
                            style={"description_width": "initial"})


class Explorer(widgets.interactive):
    """``widgets.interactive`` over a view function; ``view`` is what it shows now."""

    def __init__(self, view: Callable[..., View], controls: Mapping[str, widgets.Widget]):
        def compute(**values: Any) -> View:
            shown = view(**values)
            shown.values = dict(values)
            self._reuse_layout(shown.figure)
            return shown

        def show(**values: Any) -> View:
            from IPython.display import display

            shown = compute(**values)
            if not self._building:  # a move: the output widget's model exists by now
                for part in _parts(shown):
                    display(part)
            return shown

        show.__name__ = getattr(view, "__name__", "view")
        self._positions: list | None = None  # the axes' places, laid out at the first view
        self._building = True  # ipywidgets 8 runs show() once here
        super().__init__(show, **controls)
        self._building = False
        self.view_function = view
        # The first view goes into the output widget's state (ipywidgets 7 and 8 both sync
        # `outputs`), computed once, rather than printed while the widget is being built.
        first = getattr(self, "result", None)
        if not isinstance(first, View):  # ipywidgets 7 (it runs show() when displayed)
            self.kwargs = {w._kwarg: w.get_interact_value() for w in self.kwargs_widgets}
            self.result = first = compute(**self.kwargs)
        self.out.outputs = tuple(_display_data(part) for part in _parts(first))

    def _reuse_layout(self, fig) -> None:
        """Lay out the first view's figure (constrained layout) and place every later figure's
        axes where that one's went: the layout costs more than the drawing, and the knobs move
        numbers and lines, not labels. A figure with other axes gets its own layout."""
        if fig is None or fig.get_layout_engine() is None:
            return
        if self._positions is not None and len(self._positions) == len(fig.axes):
            import matplotlib as mpl

            # No engine at all ("none" keeps a placeholder, and savefig draws twice with one);
            # None means the rc default, constrained in the course style, so override it here.
            with mpl.rc_context(_NO_LAYOUT_RC):
                fig.set_layout_engine(None)
            for ax, position in zip(fig.axes, self._positions, strict=True):
                ax.set_position(position)
        elif self._positions is None:
            fig.get_layout_engine().execute(fig)
            self._positions = [ax.get_position(original=False) for ax in fig.axes]

    @property
    def view(self) -> View:
        """The View at the controls' current values."""
        return self.result

    @property
    def controls(self) -> dict[str, widgets.Widget]:
        """Each control by its argument name."""
        return {w._kwarg: w for w in self.kwargs_widgets}

    def set(self, **values: Any) -> View:
        """Move controls as a learner would (each move updates the view) and return the view."""
        controls = self.controls
        unknown = sorted(set(values) - set(controls))
        if unknown:
            raise ValueError(f"unknown control(s) {', '.join(unknown)}; this explorer has "
                             f"{', '.join(sorted(controls))}")
        for name, value in values.items():
            controls[name].value = value
        return self.view


def _parts(view: View) -> list:
    """What the live explorer shows: the note and table as text, then the figure. Two outputs,
    because JupyterLab and Colab show only the richest type of one output: a View's PNG would
    hide its numbers (found by tests/test_browser.py)."""
    from IPython.display import Image, Pretty

    parts = [Pretty(view.text())]
    png = view._repr_png_()
    if png is not None:
        parts.append(Image(data=png, format="png"))
    return parts


def _display_data(obj: Any) -> dict:
    """``obj`` as a display_data output (notebook JSON: a PNG as base64 text)."""
    import base64

    from IPython.core.formatters import DisplayFormatter

    data, metadata = DisplayFormatter().format(obj)
    data = {mime: base64.b64encode(v).decode("ascii") if isinstance(v, bytes) else v
            for mime, v in data.items()}
    return {"output_type": "display_data", "data": data, "metadata": metadata}


def explorer(view: Callable[..., View], controls: Mapping[str, widgets.Widget]) -> Explorer:
    """An Explorer: ``controls`` maps each argument of ``view`` to its widget."""
    if not callable(view):
        raise TypeError(f"view must be a function returning a View, got {type(view).__name__}")
    if not controls:
        raise ValueError("controls must name at least one widget")
    return Explorer(view, controls)


__all__ = ["DPI", "Explorer", "View", "choice", "explorer", "figure", "slider"]
