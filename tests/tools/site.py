"""Render the course as a static website from the committed notebooks, executing nothing.

    python tests/tools/site.py OUTDIR                    # what `make site` runs
    python tests/tools/site.py OUTDIR --mathjax-url URL  # typeset the formulas with your MathJax 2

OUTDIR gets ``index.html`` (the course title and the syllabus, each notebook linked to its page),
``glossary.html`` (every term of course_lib/glossary.toml, linked to the sections of the pages
that demonstrate it) and one page per notebook: nbconvert's lab template with the code, the
committed outputs and the figures embedded in the page. The pages load nothing from the network:
nbconvert's CDN scripts (require.js, MathJax, mermaid, the widgets manager) are left out, so
formulas show as their TeX source unless ``--mathjax-url`` names a MathJax 2 you serve yourself,
and the launch badges' remote images become text (the links to Binder and Colab stay).
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import mistune
import nbformat
from jinja2 import DictLoader
from nbconvert import HTMLExporter

from course_lib import _glossary, syllabus

ROOT = Path(__file__).resolve().parents[2]
MARKER = ".course-site"  # marks a folder this tool wrote, which it may clear and rewrite

# nbconvert's lab page, minus everything it would fetch from a CDN, plus the course's navigation.
PAGE_TEMPLATE = """\
{%- extends 'index.html.j2' -%}
{% from 'mathjax.html.j2' import mathjax %}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js_mathjax -%}
{%- if resources.course_mathjax_url -%}{{ mathjax(resources.course_mathjax_url) }}{%- endif -%}
{%- endblock html_head_js_mathjax -%}
{%- block html_head_css -%}
<style type="text/css">
nav.course-nav { font: 14px/1.6 sans-serif; padding: 6px 0 12px; border-bottom: 1px solid #ccc;
                 margin-bottom: 12px; }
nav.course-nav a { margin-right: 1em; }
span.course-badge { border: 1px solid #888; border-radius: 3px; padding: 0 4px; }
</style>
{%- endblock html_head_css -%}
{%- block body_header -%}
{{ super() }}
<nav class="course-nav">{{ resources.course_nav }}</nav>
{%- endblock body_header -%}
{% block body_footer %}
<nav class="course-nav">{{ resources.course_nav }}</nav>
{{ super() }}
{% endblock body_footer %}
"""

STYLE = """\
body { font: 16px/1.5 sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em;
       color: #1a1a1a; }
table { border-collapse: collapse; }
th, td { border-bottom: 1px solid #ccc; padding: 4px 10px; text-align: left; vertical-align: top; }
td.num { text-align: right; }
dt { font-weight: bold; margin-top: 1em; }
dd { margin-left: 1.5em; }
.see { color: #444; }
nav a { margin-right: 1em; }
"""


@dataclass(frozen=True)
class Page:
    """One notebook's page: its syllabus entry, file name, and heading ids by heading text."""

    entry: syllabus.Entry
    filename: str
    anchors: dict[str, str]


def _plain(text: str) -> str:
    """Heading text as rendered and as written compare equal: no Markdown marks, single spaces."""
    return " ".join(re.sub(r"[`*]", "", text).split())


class _Headings(HTMLParser):
    """The id and text of every heading inside a Markdown cell of an nbconvert lab page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.divs: list[bool] = []  # for each open <div>: is it a Markdown cell?
        self.current: tuple[str, str, list[str]] | None = None  # (tag, id, text so far)
        self.in_anchor_link = False
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "div":
            self.divs.append("jp-MarkdownCell" in classes)
        elif re.fullmatch(r"h[1-6]", tag) and a.get("id") and any(self.divs):
            self.current = (tag, a["id"] or "", [])
        elif tag == "a" and "anchor-link" in classes:
            self.in_anchor_link = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self.divs:
            self.divs.pop()
        elif tag == "a":
            self.in_anchor_link = False
        elif self.current and tag == self.current[0]:
            self.found.append((_plain("".join(self.current[2])), self.current[1]))
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.current and not self.in_anchor_link:
            self.current[2].append(data)


def heading_anchors(page_html: str) -> dict[str, str]:
    """Heading text -> id for the Markdown cells' headings of a page (the first of a repeat)."""
    parser = _Headings()
    parser.feed(page_html)
    parser.close()
    anchors: dict[str, str] = {}
    for text, anchor in parser.found:
        anchors.setdefault(text, anchor)
    return anchors


def _offline_images(page_html: str) -> str:
    """Replace every <img> whose source is on the web by its alt text (the link around stays)."""

    def text(m: re.Match) -> str:
        alt = re.search(r'\balt\s*=\s*"([^"]*)"', m.group(0))
        return f'<span class="course-badge">{alt.group(1) if alt else "image"}</span>'

    return re.sub(r"""<img\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?//[^>]*>""", text, page_html,
                  flags=re.IGNORECASE)


def _nav(entries: tuple[syllabus.Entry, ...], i: int, built: set[str]) -> str:
    links = ['<a href="index.html">Course home</a>', '<a href="glossary.html">Glossary</a>']
    for label, j in (("Previous", i - 1), ("Next", i + 1)):
        if 0 <= j < len(entries) and entries[j].slug in built:
            e = entries[j]
            links.append(f'<a href="{e.slug}.html">{label}: {e.number:02d} · '
                         f"{html.escape(e.title)}</a>")
    return " ".join(links)


def _exporter(mathjax_url: str | None) -> HTMLExporter:
    exporter = HTMLExporter(template_name="lab", extra_loaders=[DictLoader(
        {"course_page.html.j2": PAGE_TEMPLATE})])
    exporter.template_file = "course_page.html.j2"
    exporter.embed_images = True
    exporter.mathjax_url = mathjax_url or ""
    return exporter


def render_notebooks(outdir: Path, notebooks: Path, mathjax_url: str | None = None
                     ) -> dict[str, Page]:
    """Convert every notebook of the syllabus found in ``notebooks`` to ``outdir/<slug>.html``."""
    entries = syllabus.load()
    present = [e for e in entries if (notebooks / e.filename).is_file()]
    built = {e.slug for e in present}
    exporter = _exporter(mathjax_url)
    pages = {}
    for e in present:
        nb = nbformat.read(notebooks / e.filename, as_version=4)  # as committed: not executed
        resources = {
            "metadata": {"name": f"{e.number:02d} · {e.title}", "path": str(notebooks)},
            "course_nav": _nav(entries, e.number, built),
            "course_mathjax_url": mathjax_url,
        }
        body, _ = exporter.from_notebook_node(nb, resources=resources)
        body = _offline_images(body)
        filename = f"{e.slug}.html"
        (outdir / filename).write_text(body, encoding="utf-8")
        pages[e.slug] = Page(e, filename, heading_anchors(body))
    return pages


def _document(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
            f"<title>{html.escape(title)}</title>\n<style>\n{STYLE}</style>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")


def course_title() -> str:
    """The course's title: the README's first heading, up to its colon."""
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].split(":")[0].strip()
    raise ValueError("README.md has no '# ' title line")


def _readme_intro() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    after_title = text.split("\n", 1)[1].strip()
    return after_title.split("\n\n", 1)[0]


def index_html(pages: dict[str, Page]) -> str:
    """The home page: title, the README's opening paragraph, and the syllabus table."""
    rows = []
    for e in syllabus.load():
        title = html.escape(e.title)
        if e.slug in pages:
            title = f'<a href="{pages[e.slug].filename}">{title}</a>'
        else:
            title += " <em>(in preparation)</em>"
        rows.append(f'<tr><td>{e.number:02d}</td><td>{title}</td>'
                    f"<td>{html.escape(', '.join(e.topics))}</td>"
                    f'<td class="num">{e.minutes}</td></tr>')
    rows.append(f'<tr><td></td><td><strong>Total</strong></td><td></td>'
                f'<td class="num"><strong>{syllabus.total_minutes()}</strong></td></tr>')
    title = course_title()
    body = (f"<h1>{html.escape(title)}</h1>\n{mistune.html(_readme_intro())}\n"
            f'<nav><a href="glossary.html">Glossary</a></nav>\n<h2 id="syllabus">Syllabus</h2>\n'
            "<p>Minutes are for reading and exercises. Each page shows a notebook as committed, "
            "with its outputs; to run it, open it on Binder or Colab from the page's first cell, "
            "or on your own machine with <code>make lab</code>.</p>\n"
            "<table>\n<thead><tr><th>#</th><th>Notebook</th><th>Topics</th><th>Minutes</th></tr>"
            "</thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>")
    return _document(title, body)


def glossary_html(pages: dict[str, Page]) -> str:
    """The glossary page: every term, its definition and links to the sections that show it."""
    terms = _glossary.load()
    letters: dict[str, str] = {}
    items = []
    for t in terms:
        letter = t.anchor.removeprefix("term-")[:1].upper()
        letters.setdefault(letter, t.anchor)
        places = []
        for link in t.see:
            label = html.escape(", ".join(filter(None, (link.notebook_label,
                                                        link.section_label))))
            page = pages.get(link.notebook)
            if page is None:
                places.append(f"{label} <em>(in preparation)</em>")
                continue
            anchor = page.anchors.get(_plain(link.section))
            if anchor is None:
                raise ValueError(f"glossary.toml: {t.name!r} links to the section "
                                 f"{link.section!r}, which is not a heading of {page.filename}")
            href = f"{page.filename}#{anchor}"
            places.append(f'<a href="{html.escape(href)}">{label}</a>')
        items.append(f'<dt id="{t.anchor}">{html.escape(t.name)}</dt>\n'
                     f"<dd>{html.escape(t.definition)}<br>\n"
                     f'<span class="see">See: {"; ".join(places)}.</span></dd>')
    jump = " ".join(f'<a href="#{a}">{letter}</a>' for letter, a in letters.items())
    body = (f'<nav><a href="index.html">Course home</a></nav>\n<h1>Glossary</h1>\n'
            f"<p>{len(terms)} terms of the course, each with the sections that demonstrate "
            f"it.</p>\n<p>{jump}</p>\n<dl>\n" + "\n".join(items) + "\n</dl>")
    return _document(f"Glossary · {course_title()}", body)


def _prepare(outdir: Path) -> None:
    """Create ``outdir``, or clear the pages of a previous build; refuse any other folder."""
    if outdir.exists() and not outdir.is_dir():
        raise ValueError(f"OUTDIR {outdir} is a file, not a folder")
    if outdir.is_dir() and any(outdir.iterdir()):
        if not (outdir / MARKER).is_file():
            raise ValueError(f"OUTDIR {outdir} is not empty and was not written by this tool; "
                             "give a new or empty folder")
        for old in outdir.glob("*.html"):
            old.unlink()
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / MARKER).write_text("written by tests/tools/site.py\n", encoding="utf-8")


def build(outdir: Path, notebooks: Path | None = None, mathjax_url: str | None = None
          ) -> dict[str, Page]:
    """Write the whole site into ``outdir``; return the notebook pages written, by slug."""
    outdir = Path(outdir)
    _prepare(outdir)
    pages = render_notebooks(outdir, Path(notebooks or syllabus.notebooks_dir()), mathjax_url)
    (outdir / "index.html").write_text(index_html(pages), encoding="utf-8")
    (outdir / "glossary.html").write_text(glossary_html(pages), encoding="utf-8")
    return pages


def main(argv: list[str] | None = None) -> int:
    """Build the site into the folder given on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("outdir", type=Path, help="folder to write the site into")
    parser.add_argument("--mathjax-url", default=None,
                        help="a MathJax 2 script to load in the notebook pages (none by default: "
                             "the pages then load nothing from anywhere)")
    args = parser.parse_args(argv)
    try:
        pages = build(args.outdir, mathjax_url=args.mathjax_url)
    except ValueError as exc:
        print(f"site: {exc}", file=sys.stderr)
        return 1
    print(f"site: {len(pages)} notebook pages, index.html and glossary.html in {args.outdir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
