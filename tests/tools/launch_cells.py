"""Rewrite notebooks' launch parts (badges, Colab guard) to what course_lib._launch renders now.

    python tests/tools/launch_cells.py notebooks/*.ipynb

Run it after changing ``course_lib/_launch.py`` (its ``REF`` for a release, the URL, the guard).
Only the badges line of the first (markdown) cell and the guard at the top of the first code cell
change; outputs, execution counts and metadata are kept, so nbval's comparison is unaffected.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

from course_lib import _launch

# The old guard: the first code cell's lines up to the first blank line after the `if` block.
_GUARD = re.compile(r"\A# On Colab,[^\n]*\n(?:[^\n]*\n)*?if \"google\.colab\" in sys\.modules:\n"
                    r"(?:(?:    [^\n]*)?\n)*?(?=\S)")
_BADGES = re.compile(r"^\[!\[Launch on Binder\].*$", re.MULTILINE)


def relaunch(source_md: str, source_code: str, filename: str) -> tuple[str, str]:
    """The first markdown cell and first code cell with ``_launch``'s badges and guard."""
    if not _BADGES.search(source_md):
        raise ValueError(f"{filename}: its first cell has no launch badges line")
    md = _BADGES.sub(lambda _: _launch.badges(filename), source_md, count=1)
    match = _GUARD.match(source_code)
    if not match:
        raise ValueError(f"{filename}: its first code cell does not start with a Colab guard")
    rest = source_code[match.end():]
    return md, _launch.colab_guard() + "\n" + rest


def rewrite(path: Path) -> bool:
    """Rewrite one notebook's launch parts in place; True if it changed."""
    raw = path.read_text(encoding="utf-8")
    nb = nbformat.reads(raw, as_version=4)
    first_md = next(c for c in nb.cells if c.cell_type == "markdown")
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    first_md.source, first_code.source = relaunch(first_md.source, first_code.source, path.name)
    out = nbformat.writes(nb) + "\n"
    if out == raw:
        return False
    path.write_text(out, encoding="utf-8")
    return True


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    for name in argv:
        changed = rewrite(Path(name))
        print(f"{name}: {'rewritten' if changed else 'unchanged'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
