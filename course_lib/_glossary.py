"""The course glossary (``glossary.toml``): each term, its definition, and the notebook sections
that demonstrate it; with the readers of a notebook's headings and "## Key terms" it is checked
against (tests/test_glossary.py), and a Markdown rendering.
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from course_lib import syllabus

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


@dataclass(frozen=True)
class Link:
    """A section that demonstrates a term: the notebook's slug and the heading's text."""

    notebook: str
    section: str

    @property
    def entry(self) -> syllabus.Entry:
        """The notebook's syllabus entry."""
        return syllabus.entry(self.notebook)

    @property
    def notebook_label(self) -> str:
        """The notebook's number and title, ``06 · Explaining tabular and text models``."""
        e = self.entry
        return f"{e.number:02d} · {e.title}"

    @property
    def section_label(self) -> str:
        """The section's heading in quotes, or nothing when it is the notebook's title."""
        return "" if self.section == self.notebook_label else f"“{self.section}”"


@dataclass(frozen=True)
class Term:
    """One glossary entry: name, definition, where it is demonstrated, and other names for it."""

    name: str
    definition: str
    see: tuple[Link, ...]
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """The name and the aliases."""
        return (self.name, *self.aliases)

    @property
    def notebooks(self) -> tuple[str, ...]:
        """The slugs of the notebooks that demonstrate the term, in order, without repeats."""
        return tuple(dict.fromkeys(link.notebook for link in self.see))

    @property
    def anchor(self) -> str:
        """An id for the term in a page: ``term-`` and its name in lower case, ASCII, hyphens."""
        return "term-" + "-".join(re.findall(r"[a-z0-9]+", sort_key(self.name)))


def sort_key(name: str) -> str:
    """The key the glossary is sorted by: the name without accents, case-folded."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _text(raw: dict, key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"glossary.toml: {where} has no {key!r} (a non-empty string)")
    return value.strip()


def load() -> tuple[Term, ...]:
    """Every glossary entry, in file order (validated: names, definitions, known notebooks)."""
    raw = tomllib.loads(Path(__file__).with_name("glossary.toml").read_text(encoding="utf-8"))
    slugs = {e.slug for e in syllabus.load()}
    terms = []
    for i, item in enumerate(raw.get("term", [])):
        name = _text(item, "term", f"entry {i}")
        where = f"term {name!r}"
        see = tuple(
            Link(_text(link, "notebook", where), _text(link, "section", where))
            for link in item.get("see", [])
        )
        if not see:
            raise ValueError(f"glossary.toml: {where} links to no notebook section ('see')")
        for link in see:
            if link.notebook not in slugs:
                raise ValueError(f"glossary.toml: {where} links to {link.notebook!r}, which is "
                                 "not in the syllabus")
        aliases = tuple(a.strip() for a in item.get("aliases", []))
        if not all(aliases):
            raise ValueError(f"glossary.toml: {where} has an empty alias")
        terms.append(Term(name, _text(item, "definition", where), see, aliases))
    seen: dict[str, str] = {}
    for t in terms:
        for key in (sort_key(t.name), t.anchor):
            if key in seen:
                raise ValueError(f"glossary.toml: {t.name!r} and {seen[key]!r} are one entry twice")
            seen[key] = t.name
    return tuple(terms)


def lookup(name: str) -> tuple[Term, ...]:
    """The entries called ``name`` (by name or alias, ignoring case and accents); may be several."""
    key = sort_key(name.strip())
    return tuple(t for t in load() if key in {sort_key(n) for n in t.names})


def _markdown_cells(path: Path) -> list[str]:
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]


def sections(path: Path) -> tuple[str, ...]:
    """The text of every heading (any level) in a notebook's Markdown cells, in order."""
    found = []
    for source in _markdown_cells(path):
        fenced = False
        for line in source.splitlines():
            if line.lstrip().startswith("```"):
                fenced = not fenced
            elif not fenced and (m := _HEADING.match(line)):
                found.append(m.group(2))
    return tuple(found)


def key_terms(path: Path) -> tuple[str, ...]:
    """Every term a notebook's "## Key terms" section sets in bold (a trailing colon dropped)."""
    text = "\n\n".join(_markdown_cells(path))
    parts = re.split(r"^## Key terms[ \t]*$", text, maxsplit=1, flags=re.MULTILINE)
    if len(parts) != 2:
        raise ValueError(f"{Path(path).name} has no '## Key terms' section")
    section = re.split(r"^#{1,2} ", parts[1], maxsplit=1, flags=re.MULTILINE)[0]
    return tuple(dict.fromkeys(m.group(1).strip().rstrip(":").strip()
                               for m in _BOLD.finditer(section)))


def markdown(*, links: str | None = None) -> str:
    """The glossary as a Markdown list; ``links`` is a path prefix for links to the notebooks."""
    rows = []
    for t in load():
        places = []
        for link in t.see:
            e = link.entry
            label = link.notebook_label
            if not syllabus.available(e):
                label += " *(in preparation)*"
            elif links is not None:
                label = f"[{label}]({links}{e.filename})"
            places.append(", ".join(filter(None, (label, link.section_label))))
        rows.append(f"- **{t.name}:** {t.definition} *See* {'; '.join(places)}.")
    return "\n".join(rows)
