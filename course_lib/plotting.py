"""The course plot style: a colour-blind-safe palette, readable sizes, modest resolution."""

from __future__ import annotations

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision
# deficiency. Ordered so the first two (used for two-group comparisons) differ in lightness too.
PALETTE: dict[str, str] = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
COLORS: tuple[str, ...] = tuple(PALETTE.values())
SEQUENTIAL_CMAP = "cividis"  # perceptually uniform and colour-blind-safe
DIVERGING_CMAP = "PuOr"  # colour-blind-safe diverging map, for signed attributions

STYLE: dict[str, object] = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 80,  # modest, so committed notebooks stay small
    "savefig.dpi": 100,
    "figure.constrained_layout.use": True,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "image.cmap": SEQUENTIAL_CMAP,
    "lines.linewidth": 2.0,
}


def apply_style() -> None:
    """Apply the course style to matplotlib's rcParams (idempotent)."""
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update(STYLE)
    mpl.rcParams["axes.prop_cycle"] = cycler(color=list(COLORS))
