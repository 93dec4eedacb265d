"""A learner's view: `make lab` in a real browser opens every notebook with no frontend error,
runs the welcome notebook's first cells through the UI, and leaves a screenshot in
build/screenshots/.

Debian's chromium (``apt-get install chromium``, /usr/bin/chromium) driven by Python's playwright.
The browser may reach only the server on 127.0.0.1: every other request is aborted and recorded,
and only the two launch badges' images (the Binder and Colab links in each notebook's first cell)
are allowed to be asked for. The test never writes to notebooks/: autosave is off in a throw-away
settings folder and any request that would change a file on the server is aborted.
"""

import contextlib
import json
import os
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from _lab import running_lab

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SCREENSHOT = ROOT / "build" / "screenshots" / "welcome.png"
CHROMIUM = Path("/usr/bin/chromium")
# Chromium's flags for a clean, quiet headless run: without the background-networking ones it
# keeps trying to reach Google's services (updates, sync, field trials).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# The only outside addresses a notebook refers to: the launch badges (course_lib/_launch.py). The
# browser is not allowed to fetch them (offline, and a test must not reach out); their <img> loads
# fail, and chromium logs exactly one console error per failed load, naming the URL.
BADGES = {"https://mybinder.org/badge_logo.svg",
          "https://colab.research.google.com/assets/colab-badge.svg"}
# Requests that would change a notebook on the server (save, rename, delete, upload, new file).
# Opening a notebook POSTs .../checkpoints: a copy in notebooks/.ipynb_checkpoints/ (git-ignored),
# as JupyterLab always does; that one is let through.
WRITES = {"PUT", "PATCH", "DELETE", "POST"}
LOAD_TIMEOUT_MS = 120_000  # JupyterLab's first load takes 20-40 s on a busy 2-core machine
RUN_TIMEOUT_MS = 120_000   # the set-up cell imports torch, pandas and course_lib

pytestmark = pytest.mark.slow

if not CHROMIUM.exists():
    pytest.skip(f"no chromium at {CHROMIUM}: install Debian's chromium (as root: apt-get update && "
                "apt-get install -y chromium) to run the browser test", allow_module_level=True)
sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="playwright is not installed in .venv: it is pinned in requirements.lock (pip install "
           "-r requirements.lock); it drives the system chromium, no `playwright install` needed")


def _code_cells(nb_path: Path) -> list[dict]:
    return [c for c in json.loads(nb_path.read_text())["cells"] if c["cell_type"] == "code"]


def _first_output_line(cell: dict) -> str | None:
    """The first non-blank line of a committed cell's stream output, if it has one."""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            text = "".join(out["text"]) if isinstance(out["text"], list) else out["text"]
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            if lines:
                return lines[0]
    return None


@pytest.fixture
def lab(tmp_path):
    """`make -s lab` on a free port with a throw-away user settings and workspaces folder; yields
    the printed URL (with its token) and stops the whole process group afterwards."""
    settings = tmp_path / "lab-settings"
    for plugin, values in {
        # Never save: the test clears outputs in the UI, and notebooks/ is committed executed.
        "docmanager-extension/plugin": {"autosave": False},
        # No "get Jupyter news?" toast over the screenshot (it would ask to reach jupyter.org).
        "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    }.items():
        file = settings / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(json.dumps(values))
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(settings),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "lab-workspaces"))
    with running_lab(env) as (url, _):
        yield url


@contextlib.contextmanager
def _browser(lab: str, tmp_path: Path):
    """Chromium on a fresh profile, allowed to reach only the lab; yields (page, base URL, token,
    errors). Afterwards: no request tried to change a file, none left for an outside host."""
    base, token = lab.split("/lab?token=")
    host = urlsplit(base).netloc

    errors: list[str] = []     # console errors, uncaught exceptions, failed page loads
    outside: list[str] = []    # requests to anything but the server (all aborted)
    blocked: list[str] = []    # requests that would have changed a file on the server (aborted)

    def route(r):
        req = r.request
        if urlsplit(req.url).netloc != host:
            outside.append(req.url)
            return r.abort("blockedbyclient")
        path = urlsplit(req.url).path
        if (req.method in WRITES and path.startswith("/api/contents")
                and not (req.method == "POST" and path.endswith("/checkpoints"))):
            blocked.append(f"{req.method} {req.url}")
            return r.abort("blockedbyclient")
        return r.continue_()

    def on_console(msg):
        if msg.type != "error":
            return
        where = (msg.location or {}).get("url", "")
        if where in BADGES and msg.text.startswith("Failed to load resource"):
            return  # the badge image we aborted above, nothing else
        errors.append(f"console: {msg.text} ({where})")

    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),  # a fresh profile, removed with tmp_path
            executable_path=str(CHROMIUM), headless=True, chromium_sandbox=False,
            args=CHROMIUM_ARGS, viewport={"width": 1400, "height": 1000}, service_workers="block")
        try:
            context.set_default_timeout(LOAD_TIMEOUT_MS)
            context.route("**/*", route)
            page = context.pages[0] if context.pages else context.new_page()
            page.on("console", on_console)
            page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
            page.on("requestfailed", lambda req: None if urlsplit(req.url).netloc != host else
                    errors.append(f"request failed: {req.method} {req.url} {req.failure}"))
            page.on("response", lambda resp: None if resp.status < 400 else
                    errors.append(f"HTTP {resp.status}: {resp.request.method} {resp.url}"))
            yield page, base, token, errors
        finally:
            context.close()
    assert not blocked, f"the frontend tried to change files on the server: {blocked}"
    assert set(outside) <= BADGES, f"the browser asked for outside hosts: {sorted(set(outside))}"


def test_jupyterlab_in_chromium(lab, tmp_path):
    assert NOTEBOOKS and NOTEBOOKS[0].name == "00_welcome.ipynb"
    with _browser(lab, tmp_path) as (page, base, token, errors):
        # The welcome notebook by its URL, as the Binder badge opens it.
        page.goto(f"{base}/lab/tree/{NOTEBOOKS[0].name}?token={token}",
                  timeout=LOAD_TIMEOUT_MS)
        _check_open(page, NOTEBOOKS[0])
        # Every other notebook from the file browser, as a learner would.
        page.locator(".jp-DirListing-item").first.wait_for()
        for nb_path in NOTEBOOKS[1:]:
            page.locator(f'.jp-DirListing-item[title^="Name: {nb_path.name}"]').dblclick()
            _check_open(page, nb_path)
        assert not errors, "frontend errors while opening the notebooks:\n" + "\n".join(errors)
        dirty = page.locator('.lm-TabBar-tab.jp-mod-dirty[data-type="document-title"]')
        assert dirty.count() == 0, (
            f"JupyterLab marks {dirty.all_inner_texts()} modified as soon as it opens: their "
            "metadata is not what JupyterLab writes (e.g. the kernelspec's display_name), so a "
            "learner's autosave rewrites the committed file")

        page.locator(f'.lm-TabBar-tab[data-type="document-title"]:has-text("{NOTEBOOKS[0].name}")'
                     ).click()
        _run_first_cells(page, NOTEBOOKS[0])
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT))
        assert not errors, "frontend errors while running cells:\n" + "\n".join(errors)
    _check_png(SCREENSHOT)


# Issue 18: three explorers driven in JupyterLab, each notebook run through the UI first.
EXPLORER_NOTEBOOKS = ("03_fairness_metrics.ipynb", "04_bias_mitigation.ipynb",
                      "10_accountability_and_regulation.ipynb")
# Run All Cells, under the rest of `make test` on 2 cores: each notebook takes <= 60 s alone.
RUN_ALL_TIMEOUT_S = 300
MOVE_TIMEOUT_S = 30
# JupyterLab's default windowing ("contentVisibility") skips rendering cells outside the
# viewport, and a skipped element's innerText is empty; textContent does not depend on layout.
SHOWN_JS = "el => el.textContent"


def test_explorers_respond_in_jupyterlab(lab, tmp_path):
    """Clear the outputs, Run All Cells and wait for the last cell, as a learner would; then move
    the explorer's first slider with the keyboard and see what the explorer shows change, with no
    frontend error."""
    sys.path.insert(0, str(ROOT / "tests" / "tools"))
    import explorer_check
    import nbformat

    with _browser(lab, tmp_path) as (page, base, token, errors):
        for name in EXPLORER_NOTEBOOKS:
            nb_path = ROOT / "notebooks" / name
            nb = nbformat.read(nb_path, as_version=4)
            found = explorer_check.find_explorers(nb)
            assert found, f"{name} builds no explorer"
            k = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"].index(found[0].cell)
            page.goto(f"{base}/lab/tree/{name}?token={token}", timeout=LOAD_TIMEOUT_MS)
            _check_open(page, nb_path)
            _run_and_move(page, name, k)
            _check_no_dialog(page, name)
            assert not errors, f"{name}: frontend errors:\n" + "\n".join(errors)


def _run_and_move(page, name: str, k: int) -> None:
    """In the open notebook: clear, Run All Cells, wait for the last cell; then the k-th code
    cell's explorer shows something, and something else after five ArrowRight presses."""
    code = _panel(page).locator(".jp-Notebook .jp-Cell.jp-CodeCell")
    _menu(page, "Edit", "Clear Outputs of All Cells")
    assert code.locator(".jp-OutputArea-output").count() == 0, f"{name}: not cleared"
    # Clearing also blanks the execution counts: every code cell ran once the last one shows its
    # count again.
    last = code.last.locator(".jp-InputArea-prompt")
    assert not re.search(r"\d", last.text_content()), f"{name}: counts not cleared"
    _menu(page, "Run", "Run All Cells")
    _wait_until(lambda: re.fullmatch(r"\[\d+\]:", last.text_content().strip()),
                RUN_ALL_TIMEOUT_S, f"{name}: Run All Cells did not reach the last cell")
    cell = code.nth(k)
    cell.scroll_into_view_if_needed()
    shown = cell.locator(".widget-output").first
    _wait_until(lambda: shown.count() and shown.evaluate(SHOWN_JS).strip(), MOVE_TIMEOUT_S,
                lambda: f"{name}: the explorer shows nothing after Run All Cells; its cell "
                        f"has {shown.count()} output widget(s) and shows "
                        f"{cell.locator('.jp-OutputArea').first.text_content()[:400]!r}")
    before = shown.evaluate(SHOWN_JS)
    handle = cell.locator(".noUi-handle").first
    handle.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    _wait_until(lambda: shown.evaluate(SHOWN_JS) not in ("", before), MOVE_TIMEOUT_S,
                f"{name}: what the explorer shows did not change after a slider move")
    assert code.locator('[data-mime-type="application/vnd.jupyter.stderr"]').count() == 0, \
        f"{name}: a cell wrote to stderr"


def _wait_until(ok, timeout_s: float, message) -> None:
    """Poll ok() (locators are looked up afresh each time) until it is truthy or time runs out;
    then fail with ``message`` (or what ``message()`` says then)."""
    deadline = time.monotonic() + timeout_s
    while not ok():
        if time.monotonic() > deadline:
            pytest.fail(message() if callable(message) else message)
        time.sleep(0.25)


def _menu(page, menu: str, item: str) -> None:
    """Click a menu bar entry, then an item of its menu."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{item}$")).click()


def _panel(page):
    """The notebook in the main area's current tab."""
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")


def _check_open(page, nb_path: Path) -> None:
    """The notebook is the current tab, every cell rendered, its kernel started, no dialog."""
    cells = json.loads(nb_path.read_text())["cells"]
    tab = page.locator('.lm-TabBar-tab.lm-mod-current[data-type="document-title"]')
    tab.filter(has_text=nb_path.name).wait_for()
    panel = _panel(page)
    panel.locator(".jp-Notebook .jp-Cell").nth(len(cells) - 1).wait_for(state="attached")
    assert panel.locator(".jp-Notebook .jp-Cell").count() == len(cells), nb_path.name
    title = next(line for line in "".join(cells[0]["source"]).splitlines() if line.startswith("# "))
    heading = panel.locator(".jp-MarkdownCell .jp-RenderedMarkdown h1").first
    assert heading.inner_text().strip().rstrip("¶").strip() == title[2:].strip(), nb_path.name
    assert panel.locator(".jp-RenderedMarkdown img").count() >= len(BADGES), nb_path.name
    page.wait_for_function(
        """() => {const s = document.querySelector(
               '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');
             return s && s.getAttribute('data-status') === 'idle';}""",
        timeout=LOAD_TIMEOUT_MS)
    _check_no_dialog(page, nb_path.name)


def _check_no_dialog(page, where: str) -> None:
    dialogs = page.locator(".jp-Dialog")
    if dialogs.count():
        pytest.fail(f"{where}: JupyterLab opened a dialog: {dialogs.first.inner_text()!r}")
    toasts = page.locator(".Toastify__toast--error")
    if toasts.count():
        pytest.fail(f"{where}: JupyterLab showed an error: {toasts.first.inner_text()!r}")


def _run_first_cells(page, nb_path: Path, n: int = 3) -> None:
    """Clear every output, then run the first `n` code cells with Shift+Enter and check their
    output: the set-up cell's line, and each cell's committed first printed line if it has one."""
    panel = _panel(page)
    _menu(page, "Edit", "Clear Outputs of All Cells")
    code = panel.locator(".jp-Notebook .jp-Cell.jp-CodeCell")
    assert code.locator(".jp-OutputArea-output").count() == 0, "outputs were not cleared"
    committed = _code_cells(nb_path)[:n]
    for i, cell in enumerate(committed):
        code.nth(i).locator(".jp-InputPrompt").click()
        page.keyboard.press("Shift+Enter")
        prompt = code.nth(i).locator(".jp-InputArea-prompt")
        page.wait_for_function(
            "el => /^\\[\\d+\\]:$/.test(el.innerText.trim())", arg=prompt.element_handle(),
            timeout=RUN_TIMEOUT_MS)
        out = code.nth(i).locator(".jp-OutputArea")
        assert out.locator('[data-mime-type="application/vnd.jupyter.stderr"]').count() == 0, \
            f"code cell {i} wrote to stderr: {out.inner_text()!r}"
        assert out.locator(".jp-OutputArea-output").count() > 0, f"code cell {i} showed no output"
        text = out.inner_text()
        if i == 0:
            assert "course_lib ready" in text, f"the set-up cell printed {text!r}"
        expected = _first_output_line(cell)
        if expected:
            assert expected in text, f"code cell {i}: expected {expected!r}, got {text!r}"
    page.wait_for_function(
        """() => document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) '
               + '.jp-Notebook-ExecutionIndicator').getAttribute('data-status') === 'idle'""",
        timeout=RUN_TIMEOUT_MS)
    code.nth(0).locator(".jp-InputPrompt").click()  # back to the top for the screenshot
    panel.locator(".jp-WindowedPanel-outer").evaluate("el => el.scrollTo(0, 0)")
    _check_no_dialog(page, nb_path.name)


def _check_png(path: Path) -> None:
    """A real screenshot: a PNG of the viewport's size with many colours (text, syntax, output)."""
    from PIL import Image

    with Image.open(path) as img:
        assert img.format == "PNG" and img.size == (1400, 1000), (img.format, img.size)
        colours = img.convert("RGB").getcolors(maxcolors=1 << 20)
    assert path.stat().st_size > 30_000, path.stat().st_size
    assert colours is not None and len(colours) > 200, "the screenshot is nearly blank"
