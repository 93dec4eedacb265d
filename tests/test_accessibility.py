"""Accessibility of every notebook: figure captions, heading order, image alt text, and colours
only from the course's colour-blind-safe palette (course_lib.plotting), checked in the code."""

import ast
import json
import re
from pathlib import Path

import matplotlib as mpl
import pytest

from course_lib import plotting

ROOT = Path(__file__).resolve().parents[1]
BOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
CAPTION = "*What the figure shows:*"
# An explorer's static default view is captioned as what the explorer shows (issue 18).
CAPTIONS = (CAPTION, "*What the explorer shows")
FIGURE_MIME = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")

# What a notebook may colour with: the palette (by name: PALETTE[...], COLORS, the cmaps), the
# course's colour maps, and neutral colours for reference lines, text and greyscale images.
PALETTE_NAMES = {"PALETTE", "COLORS", "SEQUENTIAL_CMAP", "DIVERGING_CMAP"}
NEUTRAL = {"grey", "gray", "black", "white", "none", "k", "w"}
CMAPS = {plotting.SEQUENTIAL_CMAP, plotting.DIVERGING_CMAP, "cividis", "gray", "grey", "Greys",
         "gray_r", "Greys_r"}
ALLOWED_COLOURS = {c.lower() for c in plotting.COLORS} | NEUTRAL
COLOUR_KWARGS = {"color", "colors", "c", "facecolor", "edgecolor", "facecolors", "edgecolors",
                 "cmap", "colormap", "ecolor", "mfc", "mec", "markerfacecolor",
                 "markeredgecolor"}
COLOUR_SETTERS = {"set_color", "set_facecolor", "set_edgecolor", "set_cmap"}
PLOT_FMT_CALLS = {"plot", "semilogx", "semilogy", "loglog", "step"}
STYLE_OVERRIDE = re.compile(r"^((plt|mpl|matplotlib)\.style\.use|(sns|seaborn)\.set\w*"
                            r"|.*\.set_prop_cycle)$")


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _src(cell):
    return "".join(cell["source"])


@pytest.fixture(params=BOOKS, ids=[p.name for p in BOOKS])
def book(request):
    return request.param


# -- (a) a caption after every figure ---------------------------------------------------------
def test_every_figure_is_followed_by_a_caption(book):
    cells = _cells(book)
    missing = []
    for i, cell in enumerate(cells):
        figures = [o for o in cell.get("outputs", [])
                   if any(m in o.get("data", {}) for m in FIGURE_MIME)]
        if not figures:
            continue
        nxt = cells[i + 1] if i + 1 < len(cells) else None
        if (nxt is None or nxt["cell_type"] != "markdown"
                or not any(c in _src(nxt) for c in CAPTIONS)):
            missing.append(f"cell {i} draws {len(figures)} figure(s); the next cell must be "
                           f"markdown with {CAPTION!r}")
    assert not missing, f"{book.name}:\n" + "\n".join(missing)


def test_the_caption_check_sees_the_committed_figures():
    """The notebooks are committed executed, so the check above has figures to look at."""
    assert sum(any(m in o.get("data", {}) for m in FIGURE_MIME)
               for b in BOOKS for c in _cells(b) for o in c.get("outputs", [])) >= 30


# -- (b) headings in order ---------------------------------------------------------------------
def _headings(markdown):
    """ATX headings (level, text) of a markdown cell, skipping fenced code blocks."""
    out, fenced = [], False
    for line in markdown.split("\n"):
        if re.match(r"^\s*(```|~~~)", line):
            fenced = not fenced
        elif not fenced and (m := re.match(r"^ {0,3}(#{1,6})(?:\s+(.*))?$", line)):
            out.append((len(m.group(1)), (m.group(2) or "").strip()))
    return out


def test_headings_are_in_order_with_one_title_in_the_first_cell(book):
    problems, seen, previous = [], [], 0
    for i, cell in enumerate(_cells(book)):
        if cell["cell_type"] != "markdown":
            continue
        src = _src(cell)
        if re.search(r"<h[1-6]\b", src, flags=re.IGNORECASE):
            problems.append(f"cell {i}: an HTML heading; use markdown #")
        if re.search(r"^\S.*\n={3,}\s*$", src, flags=re.MULTILINE):
            problems.append(f"cell {i}: a setext (underlined) heading; use markdown #")
        for level, text in _headings(src):
            seen.append((i, level, text))
            if not text:
                problems.append(f"cell {i}: an empty heading")
            if level > previous + 1:
                problems.append(f"cell {i}: {'#' * level} {text!r} follows a level-{previous} "
                                f"heading (level {previous + 1} skipped)")
            previous = level
    titles = [(i, t) for i, level, t in seen if level == 1]
    if len(titles) != 1 or titles[0][0] != 0 or seen[0][:2] != (0, 1):
        problems.append(f"exactly one '# ' title, as the first heading of cell 0; found {titles}")
    assert not problems, f"{book.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("markdown, expected", [
    ("# T\n## A\n### B\n## C", []),
    ("# T\n### B", ["level 2 skipped"]),
    ("# T\n```\n# not a heading\n```\n## A", []),
])
def test_heading_order_check_catches_a_skipped_level(markdown, expected, tmp_path):
    path = tmp_path / "00_x.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": "markdown", "source": markdown}]}))
    if expected:
        with pytest.raises(AssertionError, match=expected[0]):
            test_headings_are_in_order_with_one_title_in_the_first_cell(path)
    else:
        test_headings_are_in_order_with_one_title_in_the_first_cell(path)


# -- (c) alt text on every image ---------------------------------------------------------------
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)]*)\)")


def test_every_markdown_image_has_alt_text(book):
    problems = []
    for i, cell in enumerate(_cells(book)):
        if cell["cell_type"] != "markdown":
            continue
        src = _src(cell)
        for alt, url in IMAGE.findall(src):
            if not alt.strip():
                problems.append(f"cell {i}: image {url!r} has no alt text")
        for tag in re.findall(r"<img\b[^>]*>", src, flags=re.IGNORECASE):
            if not re.search(r'\balt\s*=\s*"[^"]*\S[^"]*"', tag):
                problems.append(f"cell {i}: {tag!r} has no alt text")
    assert not problems, f"{book.name}:\n" + "\n".join(problems)


def test_the_badges_are_images_with_alt_text():
    head = _src(_cells(BOOKS[0])[0])
    alts = [alt for alt, _ in IMAGE.findall(head)]
    assert len(alts) >= 2 and all(a.strip() for a in alts)


# -- (d) colours only from the palette ---------------------------------------------------------
def python_source(src):
    """A code cell as plain Python: each IPython ``!``/``%`` line becomes ``pass``."""
    out = []
    for line in src.split("\n"):
        stripped = line.lstrip()
        out.append(line[: len(line) - len(stripped)] + "pass"
                   if stripped.startswith(("!", "%")) else line)
    return "\n".join(out)


def _is_colour(s):
    try:
        return mpl.colors.is_color_like(s)
    except (ValueError, TypeError):
        return False


class ColourFlow:
    """Where each colour argument's value comes from, across all the code of one notebook.

    A colour argument is taken from the palette when the expressions it is built from (its own
    value, and what each name in it is bound to: assignments, for-loop and with targets,
    function returns, followed a few steps) name PALETTE, COLORS or a course colour map, or are
    neutral colours, and contain no other colour or colour-map literal. Dictionary keys are not
    colours (a mapping *from* a library's colour to the palette is fine).
    """

    DEPTH = 4

    def __init__(self, trees):
        self.bindings, self.returns = {}, {}
        for tree in trees:
            for node in ast.walk(tree):
                self._collect(node)

    def _bind(self, target, value):
        """Bind the names in ``target``, element by element where both sides are tuples."""
        seqs = ast.Tuple | ast.List
        if isinstance(target, seqs) and isinstance(value, seqs) \
                and len(target.elts) == len(value.elts) \
                and not any(isinstance(e, ast.Starred) for e in target.elts + value.elts):
            for t, v in zip(target.elts, value.elts, strict=True):
                self._bind(t, v)
            return
        for name in ast.walk(target):
            if isinstance(name, ast.Name):
                self.bindings.setdefault(name.id, []).append(value)

    def _bind_iter(self, target, it):
        """Bind a for-loop target to each element of ``it`` (a literal, or a zip of columns)."""
        if isinstance(it, ast.Tuple | ast.List | ast.Set):
            for element in it.elts:
                self._bind(target, element)
        elif (isinstance(it, ast.Call) and getattr(it.func, "id", None) == "zip"
              and isinstance(target, ast.Tuple) and len(target.elts) == len(it.args)
              and not any(isinstance(a, ast.Starred) for a in it.args)):
            for t, column in zip(target.elts, it.args, strict=True):
                self._bind_iter(t, column)
        else:
            self._bind(target, it)

    def _collect(self, node):
        if isinstance(node, ast.Assign):
            for t in node.targets:
                self._bind(t, node.value)
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and node.value is not None:
            self._bind(node.target, node.value)
        elif isinstance(node, ast.For | ast.comprehension):
            self._bind_iter(node.target, node.iter)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            self._bind(node.optional_vars, node.context_expr)
        elif isinstance(node, ast.FunctionDef):
            self.returns.setdefault(node.name, []).extend(
                r.value for r in ast.walk(node) if isinstance(r, ast.Return) and r.value)

    def leaves(self, expr, depth=0, seen=None):
        """(kind, value) pairs an expression's colour may come from: ``palette`` or ``literal``."""
        seen = set() if seen is None else seen
        found = []
        if isinstance(expr, ast.Dict):  # keys are not colours
            for v in expr.values:
                found += self.leaves(v, depth, seen)
            return found
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return [("literal", expr.value)]
        if isinstance(expr, ast.Compare | ast.BoolOp | ast.JoinedStr):
            return []  # a condition or a label, not a colour
        if isinstance(expr, ast.IfExp):
            return self.leaves(expr.body, depth, seen) + self.leaves(expr.orelse, depth, seen)
        if isinstance(expr, ast.Subscript):  # PALETTE["blue"], colours[name]: not the index
            return self.leaves(expr.value, depth, seen)
        if isinstance(expr, ast.Name):
            if expr.id in PALETTE_NAMES:
                return [("palette", expr.id)]
            if depth < self.DEPTH and expr.id not in seen:
                seen = seen | {expr.id}
                for value in self.bindings.get(expr.id, []) + self.returns.get(expr.id, []):
                    found += self.leaves(value, depth + 1, seen)
            return found
        if isinstance(expr, ast.Attribute):
            if expr.attr in PALETTE_NAMES:
                return [("palette", expr.attr)]
            if expr.attr in mpl.colormaps:  # plt.cm.viridis
                found.append(("literal", expr.attr))
        for child in ast.iter_child_nodes(expr):
            found += self.leaves(child, depth, seen)
        return found


def colour_arguments(tree):
    """(line, description, expression) of each explicit colour argument in a module."""
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", getattr(node.func, "id", ""))
        for kw in node.keywords:
            if kw.arg in COLOUR_KWARGS:
                out.append((kw.lineno, f"{kw.arg}={ast.unparse(kw.value)}", kw.value))
        if name in COLOUR_SETTERS and node.args:
            out.append((node.lineno, f"{name}({ast.unparse(node.args[0])})", node.args[0]))
    return out


def _fmt_colours(tree):
    """(line, fmt) of plot-format strings that set a colour (``"r--"``, ``"ko"``)."""
    from matplotlib.axes._base import _process_plot_format

    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in PLOT_FMT_CALLS:
            fmts = [a.value for a in node.args
                    if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            fmts += [k.value.value for k in node.keywords if k.arg == "fmt"
                     and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)]
            for fmt in fmts:
                try:
                    colour = _process_plot_format(fmt)[2]
                except ValueError:
                    continue
                if colour is not None and str(colour).lower() not in ALLOWED_COLOURS:
                    out.append((node.lineno, fmt))
    return out


def colour_problems(trees, where):
    """Every colour in ``trees`` (one module's or notebook's code) that is not the palette's."""
    flow, problems = ColourFlow([t for _, t in trees]), []
    for label, tree in trees:
        for line, text, expr in colour_arguments(tree):
            leaves = flow.leaves(expr)
            bad = sorted({v for kind, v in leaves if kind == "literal" and (
                (_is_colour(v) and v.lower() not in ALLOWED_COLOURS)
                or (v in mpl.colormaps and v not in CMAPS))})
            known = any(kind == "palette" or v.lower() in ALLOWED_COLOURS or v in CMAPS
                        for kind, v in leaves)
            if bad:
                problems.append(f"{where} {label} line {line}: {text} uses {bad}, not the "
                                "palette (course_lib.plotting.PALETTE / COLORS / the cmaps)")
            elif not known:
                problems.append(f"{where} {label} line {line}: {text} does not come from "
                                "PALETTE, COLORS or a course colour map")
        for line, fmt in _fmt_colours(tree):
            problems.append(f"{where} {label} line {line}: the format {fmt!r} sets a colour "
                            "outside the palette; pass color=PALETTE[...]")
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and STYLE_OVERRIDE.search(ast.unparse(node.func)):
                problems.append(f"{where} {label} line {node.lineno}: "
                                f"{ast.unparse(node.func)}() overrides the course style")
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) \
                    and "rcParams" in ast.unparse(node.value):
                problems.append(f"{where} {label} line {node.lineno}: rcParams set in code; "
                                "the course style comes from setup()")
    return problems


def _notebook_trees(book):
    return [(f"cell {i}", ast.parse(python_source(_src(c))))
            for i, c in enumerate(_cells(book)) if c["cell_type"] == "code"]


def test_every_colour_in_notebook_code_is_from_the_palette(book):
    problems = colour_problems(_notebook_trees(book), book.name)
    assert not problems, "\n".join(problems)


def test_every_colour_in_course_lib_is_from_the_palette():
    problems = []
    for path in sorted((ROOT / "course_lib").rglob("*.py")):
        if path.name == "plotting.py":
            continue  # where the palette is defined
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(ROOT))
        problems += colour_problems([("", tree)], where)
        for node in ast.walk(tree):  # hard-coded hex colours anywhere (HTML feedback, ...)
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                for hexa in re.findall(r"#[0-9A-Fa-f]{6}\b", node.value):
                    if hexa.lower() not in ALLOWED_COLOURS:
                        problems.append(f"{where} line {node.lineno}: {hexa} is not a palette "
                                        "colour")
    assert not problems, "\n".join(problems)


COLOUR_CASES = [
    ('ax.plot(x, y, color=PALETTE["blue"])', []),
    ('c = PALETTE["sky"]\nfor k, col in [("a", c), ("b", COLORS[1])]:\n    ax.plot(x, color=col)',
     []),
    ('ax.imshow(img, cmap="gray")\nax.axhline(0, color="grey")', []),
    ('def f(t):\n    return PALETTE["orange"] if t else PALETTE["sky"]\nax.bar(x, y, '
     'color=[f(t) for t in x])', []),
    ('M = {"#ff0051": PALETTE["blue"]}\npatch.set_facecolor(M.get(old, old))', []),
    ('for col, name in zip([PALETTE["blue"], "b"], names):\n    ax.plot(x, color=col)',
     ["'b'"]),
    ('ax.plot(x, y, color="red")', ["'red'"]),
    ('ax.plot(x, y, color="#ff7f0e")', ["'#ff7f0e'"]),
    ('styles = {"a": "tab:blue"}\nfor k, v in styles.items():\n    ax.plot(x, color=v)',
     ["'tab:blue'"]),
    ('ax.imshow(img, cmap="viridis")', ["'viridis'"]),
    ('ax.imshow(img, cmap=plt.cm.jet)', ["'jet'"]),
    ('ax.plot(x, y, "r--")', ["'r--'"]),
    ('ax.plot(x, y, color=library_colour())', ["does not come from"]),
    ('plt.style.use("ggplot")', ["overrides the course style"]),
    ('mpl.rcParams["axes.prop_cycle"] = cycler(color=COLORS[::-1])', ["rcParams set"]),
    ('ax.set_prop_cycle(color=COLORS)', ["overrides the course style"]),
]


@pytest.mark.parametrize("code, expected", COLOUR_CASES)
def test_the_colour_check_catches_colours_outside_the_palette(code, expected):
    problems = colour_problems([("cell", ast.parse(code))], "x")
    assert len(problems) == len(expected), problems
    for p, e in zip(problems, expected, strict=True):
        assert e in p


def test_setup_sets_the_palette_as_the_default_colour_cycle():
    import matplotlib.pyplot as plt

    before = mpl.rcParams.copy()
    try:
        mpl.rcdefaults()
        plotting.apply_style()
        assert mpl.rcParams["axes.prop_cycle"].by_key()["color"] == list(plotting.COLORS)
        assert mpl.rcParams["image.cmap"] == plotting.SEQUENTIAL_CMAP
        fig, ax = plt.subplots()
        lines = [ax.plot([0, 1], [0, i])[0] for i in range(3)]
        assert [ln.get_color() for ln in lines] == list(plotting.COLORS[:3])
        plt.close(fig)
    finally:
        mpl.rcParams.update(before)


def test_setup_applies_the_course_style():
    import torch

    from course_lib import setup

    before = mpl.rcParams.copy()
    try:
        mpl.rcdefaults()
        setup(verbose=False, threads=torch.get_num_threads())
        assert mpl.rcParams["axes.prop_cycle"].by_key()["color"] == list(plotting.COLORS)
    finally:
        mpl.rcParams.update(before)


def test_the_palette_is_okabe_ito():
    """Okabe & Ito (2008), Color Universal Design: the published eight colours."""
    okabe_ito = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00",
                 "#CC79A7"}
    assert set(plotting.COLORS) == okabe_ito and len(plotting.COLORS) == 8
    assert plotting.SEQUENTIAL_CMAP == "cividis" and plotting.DIVERGING_CMAP in mpl.colormaps


def test_the_colour_check_sees_the_notebooks_colours():
    """Swap the palette for a non-palette colour in each notebook: the check must notice."""
    for book in BOOKS:
        code = [(f"cell {i}", python_source(_src(c))) for i, c in enumerate(_cells(book))
                if c["cell_type"] == "code"]
        args = sum(len(colour_arguments(ast.parse(src))) for _, src in code)
        if not args:
            continue
        swapped = [(label, ast.parse(re.sub(r'PALETTE\[\s*"\w+"\s*\]', '"tab:red"', src)))
                   for label, src in code]
        problems = colour_problems(swapped, book.name)
        uses = sum(len(re.findall(r'PALETTE\[\s*"\w+"\s*\]', src)) for _, src in code)
        assert not uses or problems, f"{book.name}: {uses} palette colours swapped, none caught"
