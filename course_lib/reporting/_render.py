"""Documents as sections of blocks, rendered to Markdown or to escaped, well-formed HTML."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

__all__: list[str] = []


@dataclass(frozen=True)
class Block:
    """One block: ``kind`` "p" (text, optionally a link), "ul" (items) or "table" (rows)."""

    kind: str
    text: str = ""
    items: tuple[str, ...] = ()
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    href: str = ""


def para(text: str, href: str = "") -> Block:
    return Block("p", text=text, href=href)


def bullets(items: Sequence[str]) -> Block:
    return Block("ul", items=tuple(items))


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> Block:
    return Block("table", header=tuple(header), rows=tuple(tuple(r) for r in rows))


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def block_markdown(b: Block) -> str:
    """A block as Markdown (table cells escape "|")."""
    if b.kind == "p":
        return f"{b.text} [{b.href}]({b.href})" if b.href else b.text
    if b.kind == "ul":
        return "\n".join(f"- {item}" for item in b.items)
    lines = ["| " + " | ".join(map(_md_cell, b.header)) + " |",
             "|" + "|".join("---" for _ in b.header) + "|"]
    lines += ["| " + " | ".join(map(_md_cell, r)) + " |" for r in b.rows]
    return "\n".join(lines)


def block_html(b: Block) -> str:
    """A block as HTML, every text escaped with ``html.escape``."""
    e = html.escape
    if b.kind == "p":
        link = f' <a href="{e(b.href)}">{e(b.href)}</a>' if b.href else ""
        return f"<p>{e(b.text)}{link}</p>"
    if b.kind == "ul":
        return "<ul>\n" + "\n".join(f"<li>{e(i)}</li>" for i in b.items) + "\n</ul>"
    head = "<tr>" + "".join(f"<th>{e(h)}</th>" for h in b.header) + "</tr>"
    body = "\n".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in b.rows)
    return f"<table>\n<thead>{head}</thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def to_markdown(title: str, sections: Sequence[tuple[str, Sequence[Block]]]) -> str:
    """``# title`` then one ``## section`` per section, blocks separated by blank lines."""
    parts = [f"# {title}"]
    for name, blocks in sections:
        parts.append(f"## {name}")
        parts += [block_markdown(b) for b in blocks]
    return "\n\n".join(parts) + "\n"


def to_html(title: str, sections: Sequence[tuple[str, Sequence[Block]]]) -> str:
    """A standalone HTML5 document: ``<h1>`` title, one ``<section>`` with ``<h2>`` per section."""
    e = html.escape
    body = [f"<h1>{e(title)}</h1>"]
    for name, blocks in sections:
        inner = "\n".join(block_html(b) for b in blocks)
        body.append(f"<section>\n<h2>{e(name)}</h2>\n{inner}\n</section>")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{e(title)}</title>\n</head>\n<body>\n" + "\n".join(body)
            + "\n</body>\n</html>\n")


def pick(sections: Sequence[tuple[str, Sequence[Block]]], only: Sequence[str] | None,
         exclude: Sequence[str] = ()) -> list[tuple[str, Sequence[Block]]]:
    """The sections named in ``only`` (all if None) minus ``exclude``; unknown names are errors."""
    names = [n for n, _ in sections]
    for arg, chosen in (("sections", only or ()), ("exclude", exclude)):
        if isinstance(chosen, str):
            raise TypeError(f"{arg} must be a list of section titles, not one string")
        unknown = [c for c in chosen if c not in names]
        if unknown:
            raise ValueError(f"{arg} must name sections among {names}, got {unknown}")
    keep = names if only is None else list(only)
    return [(n, b) for n, b in sections if n in keep and n not in exclude]
