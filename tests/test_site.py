"""`make site` (tests/tools/site.py): the course as static pages, built offline, run by nothing."""

import html
import importlib.util
import json
import re
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from course_lib import _glossary, syllabus

ROOT = Path(__file__).resolve().parents[1]
BOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr"}
# Attributes that make a browser fetch something when the page opens (<a href> only on a click).
FETCHING = {"src", "srcset", "data", "poster", "background", "href"}
REMOTE = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)
REMOTE_CSS = re.compile(r"url\(\s*['\"]?\s*(?:https?:)?//|@import\s+['\"]?\s*(?:https?:)?//",
                        re.IGNORECASE)
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _load_tool():
    spec = importlib.util.spec_from_file_location("course_site_tool", ROOT / "tests/tools/site.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


site = _load_tool()


class Page(HTMLParser):
    """What the tests need from a page: structure errors, ids, links, remote loads, outputs."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: dict[str, int] = {}
        self.ids: list[str] = []
        self.links: list[str] = []
        self.remote: list[str] = []
        self.divs: list[str] = []  # class of each open <div>
        self.outputs: list[str] = []  # text of <pre> blocks inside output areas
        self.prompts: list[str] = []  # text of the "In [n]:" prompts
        self._pre: list[str] | None = None
        self._prompt: list[str] | None = None
        self._raw: str | None = None  # "script" or "style" while inside one
        self.feed(text)
        self.close()
        if self.stack:
            self.errors.append(f"unclosed at the end: {self.stack[-5:]}")

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag not in VOID:
            self.stack.append(tag)
        if "id" in a:
            self.ids.append(a["id"])
        for name, value in a.items():
            if name in FETCHING and REMOTE.match(value) and tag != "a":
                self.remote.append(f"<{tag} {name}={value!r}>")
            if name == "style" and REMOTE_CSS.search(value):
                self.remote.append(f"<{tag} style={value!r}>")
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        self._raw = tag if tag in {"script", "style"} else None
        if tag == "div":
            self.divs.append(a.get("class", ""))
            if "jp-InputPrompt" in a.get("class", ""):
                self._prompt = []
        if tag == "pre" and any("jp-OutputArea-output" in c for c in self.divs):
            self._pre = []

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        else:
            self.errors.append(f"</{tag}> at line {self.getpos()[0]} closes {self.stack[-3:]}")
        self._raw = None
        if tag == "pre" and self._pre is not None:
            self.outputs.append("".join(self._pre))
            self._pre = None
        if tag == "div" and self.divs:
            if self._prompt is not None and "jp-InputPrompt" in self.divs[-1]:
                self.prompts.append(" ".join("".join(self._prompt).split()))
                self._prompt = None
            self.divs.pop()

    def handle_data(self, data):
        # a style sheet's comments may name web pages; url() and @import would fetch them
        if (self._raw == "style" and REMOTE_CSS.search(data)) or (
                self._raw == "script" and re.search(r"(?:https?:)?//", data)):
            self.remote.append(f"inline <{self._raw}>: {data.strip()[:80]!r}")
        if self._pre is not None:
            self._pre.append(data)
        if self._prompt is not None:
            self._prompt.append(data)


def _calls_recorder(calls):
    def refuse(*args, **kwargs):
        calls.append("a kernel or an execution was started")
        raise RuntimeError("the site build must not start a kernel or execute a notebook")

    return refuse


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The whole site, built once, with every way to start a kernel or execute refused."""
    import jupyter_client.manager
    import nbclient
    from nbconvert.preprocessors import ExecutePreprocessor

    calls: list[str] = []
    refuse = _calls_recorder(calls)
    out = tmp_path_factory.mktemp("site")
    with pytest.MonkeyPatch.context() as mp:
        for cls, name in ((jupyter_client.manager.KernelManager, "start_kernel"),
                          (jupyter_client.manager.KernelManager, "_async_start_kernel"),
                          (jupyter_client.manager.AsyncKernelManager, "start_kernel"),
                          (nbclient.NotebookClient, "execute"),
                          (nbclient.NotebookClient, "async_execute"),
                          (ExecutePreprocessor, "preprocess")):
            mp.setattr(cls, name, refuse)
        assert site.main([str(out)]) == 0
    assert calls == []
    return out


def _page(out: Path, name: str) -> Page:
    return Page((out / name).read_text(encoding="utf-8"))


@pytest.mark.slow
def test_every_notebook_has_a_page_titled_from_the_syllabus(built):
    assert {p.name for p in built.glob("*.html")} == (
        {f"{b.stem}.html" for b in BOOKS} | {"index.html", "glossary.html"})
    for book in BOOKS:
        e = syllabus.entry(book.stem)
        text = (built / f"{book.stem}.html").read_text(encoding="utf-8")
        assert f"<title>{e.number:02d} · {html.escape(e.title, quote=False)}</title>" in text


@pytest.mark.slow
def test_index_links_to_every_notebook_and_the_glossary(built):
    index = _page(built, "index.html")
    assert index.tags.get("h1") == 1 and site.course_title() == "Responsible Deep Learning"
    assert "Responsible Deep Learning</h1>" in (built / "index.html").read_text(encoding="utf-8")
    local = {h for h in index.links if not REMOTE.match(h)}
    assert local == {f"{b.stem}.html" for b in BOOKS} | {"glossary.html"}
    assert "(in preparation)" not in (built / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_glossary_links_resolve_to_the_sections_anchors(built):
    glossary = _page(built, "glossary.html")
    terms = _glossary.load()
    assert len(set(glossary.ids)) == len(glossary.ids) == len(terms)
    pages = {}
    links = [h for h in glossary.links if not h.startswith("#") and h != "index.html"]
    assert len(links) == sum(len(t.see) for t in terms)
    for href in links:
        parts = urlsplit(href)
        assert parts.scheme == "" and parts.fragment, href
        if parts.path not in pages:
            pages[parts.path] = _page(built, parts.path)
        page = pages[parts.path]
        # a browser matches the fragment against the ids as written first
        assert page.ids.count(parts.fragment) == 1, f"{href}: no single element with that id"
    for href in (h for h in glossary.links if h.startswith("#")):
        assert href[1:] in glossary.ids
    # every section of the TOML is reached: SHAP's first section is 06's section 2
    (shap,) = _glossary.lookup("SHAP")
    anchor = site.heading_anchors((built / "06_explainability_tabular_text.html").read_text(
        encoding="utf-8"))[shap.see[0].section]
    assert f"06_explainability_tabular_text.html#{anchor}" in links


@pytest.mark.slow
def test_pages_load_nothing_from_the_network(built):
    for path in sorted(built.glob("*.html")):
        page = _page(built, path.name)
        assert page.remote == [], f"{path.name} fetches from the network: {page.remote[:3]}"
        assert page.tags.get("script", 0) == 0, f"{path.name} has scripts"
    # the badges stay as links to Binder and Colab, without their remote images
    welcome = _page(built, "00_welcome.html")
    assert any(h.startswith("https://mybinder.org/") for h in welcome.links)
    assert any(h.startswith("https://colab.research.google.com/") for h in welcome.links)


@pytest.mark.slow
def test_pages_are_well_formed(built):
    for path in sorted(built.glob("*.html")):
        page = _page(built, path.name)
        assert page.errors == [], f"{path.name}: {page.errors[:3]}"
        for tag in ("html", "head", "title", "body"):
            assert page.tags.get(tag) == 1, f"{path.name} has {page.tags.get(tag)} <{tag}>"
        assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.slow
def test_pages_show_the_committed_outputs_and_code_nothing_re_executed(built):
    for book in BOOKS:
        nb = json.loads(book.read_text(encoding="utf-8"))
        page = _page(built, f"{book.stem}.html")
        shown = "\n".join(page.outputs)
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        # the prompts carry the committed execution counts
        assert [p for p in page.prompts if p] == [
            "In [ ]:" if c["execution_count"] is None else f"In [{c['execution_count']}]:"
            for c in code]
        for cell in code:
            for o in cell.get("outputs", []):
                text = "".join(o.get("text", "")) if o["output_type"] == "stream" else ""
                for line in ANSI.sub("", text).splitlines():
                    assert line.strip() in shown, f"{book.name}: output {line!r} not on its page"
        source = (built / f"{book.stem}.html").read_text(encoding="utf-8")
        assert "jp-mod-noInput" not in source, "the code must stay visible"
    welcome = "\n".join(_page(built, "00_welcome.html").outputs)
    assert "the model's gap harms 10,000 times as many people" in welcome


@pytest.mark.slow
def test_partial_course_and_optional_mathjax(tmp_path):
    books = tmp_path / "notebooks"
    books.mkdir()
    shutil.copy(ROOT / "notebooks" / "00_welcome.ipynb", books)
    out = tmp_path / "site"
    pages = site.build(out, notebooks=books, mathjax_url="mathjax/MathJax.js")
    assert list(pages) == ["00_welcome"]
    index = (out / "index.html").read_text(encoding="utf-8")
    for e in syllabus.load()[1:]:
        assert f"{html.escape(e.title, quote=False)} <em>(in preparation)</em>" in index
        assert f"{e.slug}.html" not in index
    assert "06 · Explaining tabular and text models, “2 · SHAP on the torch model” <em>(in " \
           "preparation)</em>" in (out / "glossary.html").read_text(encoding="utf-8")
    glossary = _page(out, "glossary.html")
    assert {urlsplit(h).path for h in glossary.links if not h.startswith("#")} == {
        "index.html", "00_welcome.html"}
    assert '<script src="mathjax/MathJax.js">' in (out / "00_welcome.html").read_text(
        encoding="utf-8")
    # a rebuild into the same folder clears its old pages
    site.build(out, notebooks=tmp_path / "empty")
    assert sorted(p.name for p in out.glob("*.html")) == ["glossary.html", "index.html"]


def test_glossary_needs_the_sections_on_the_pages():
    (shap,) = _glossary.lookup("SHAP")
    e = shap.see[0].entry
    with pytest.raises(ValueError, match="not a heading of 06_explainability_tabular_text.html"):
        site.glossary_html({e.slug: site.Page(e, f"{e.slug}.html", {})})


def test_refuses_a_folder_it_did_not_write(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ValueError, match="not written by this tool"):
        site.build(tmp_path)
    assert (tmp_path / "notes.txt").exists()
    assert site.main([str(tmp_path / "notes.txt")]) == 1
    assert "is a file, not a folder" in capsys.readouterr().err


def test_heading_anchors_only_from_markdown_cells():
    page = ('<div class="jp-Cell jp-MarkdownCell"><div><h2 id="A-b">A <code>b</code>'
            '<a class="anchor-link" href="#A-b">¶</a></h2></div></div>'
            '<div class="jp-OutputArea-output"><h2 id="Out">Summary</h2></div>'
            '<div class="jp-MarkdownCell"><h3 id="Summary">Summary</h3></div>')
    assert site.heading_anchors(page) == {"A b": "A-b", "Summary": "Summary"}
