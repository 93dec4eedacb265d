"""Where the course lives, which version a notebook belongs to, and the launch badges and Colab
set-up cell generated from them.

The repository URL is written here and nowhere else by hand: tests/test_notebooks.py checks that
every notebook's badges and set-up cell are exactly what these functions render.

``REF`` is the version of the course the notebooks belong to: a branch, a tag or a commit. The
Binder and Colab badges open the notebooks of that version, and the Colab set-up cell fetches
that version of the kit (course_lib and datasets/), so a notebook never runs against a newer or
older course_lib than its own. On the main branch it is ``"main"``. To make a release, set it to
the release's tag, regenerate the notebooks' launch parts and the README's badges with
``.venv/bin/python tests/tools/launch_cells.py notebooks/*.ipynb`` and ``make readme``, commit,
and tag that commit; then do the same with ``"main"`` on the main branch.
"""

from __future__ import annotations

REPOSITORY = "responsible-dl/responsible-deep-learning"  # GitHub owner/name
REF = "main"  # the branch, tag or commit the notebooks belong to (see above)
CLONE_DIR = "/content/responsible-deep-learning"  # where the Colab set-up cell clones to


def repository_url() -> str:
    """The course repository's clone URL."""
    return f"https://github.com/{REPOSITORY}"


def binder_url(filename: str) -> str:
    """A Binder link that opens ``notebooks/<filename>`` in JupyterLab."""
    return (f"https://mybinder.org/v2/gh/{REPOSITORY}/{REF}"
            f"?urlpath=lab/tree/notebooks/{filename}")


def colab_url(filename: str) -> str:
    """A Colab link that opens ``notebooks/<filename>`` from the repository."""
    return (f"https://colab.research.google.com/github/{REPOSITORY}/blob/{REF}"
            f"/notebooks/{filename}")


def badges(filename: str) -> str:
    """The Binder and Colab badges (Markdown) for one notebook."""
    return (
        f"[![Launch on Binder](https://mybinder.org/badge_logo.svg)]({binder_url(filename)}) "
        f"[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
        f"({colab_url(filename)})"
    )


# The set-up cell's first lines; @CLONE_DIR@, @URL@ and @REF@ are filled in by colab_guard().
_GUARD = r"""# On Colab, fetch this notebook's version of the course kit (course_lib, datasets/).
import sys

if "google.colab" in sys.modules:
    import os
    import subprocess

    def _run(*cmd, check=True):  # a failed step stops the cell, saying what failed
        done = subprocess.run(cmd, capture_output=True, text=True)
        if check and done.returncode:
            raise RuntimeError(f"Course set-up failed: {' '.join(cmd)}\n{done.stderr[-800:]}\n"
                               "Try: Runtime > Restart session, then run this cell again.")
        return done.stdout.strip()

    kit = "@CLONE_DIR@"  # a reused runtime keeps it: updated below
    url = "@URL@"
    _run("git", "init", "--quiet", kit)
    before = _run("git", "-C", kit, "rev-parse", "--verify", "--quiet", "HEAD", check=False)
    _run("git", "-C", kit, "fetch", "--quiet", "--depth", "1", url, "@REF@")
    _run("git", "-C", kit, "checkout", "--quiet", "--force", "FETCH_HEAD")
    if "course_lib" in sys.modules and _run("git", "-C", kit, "rev-parse", "HEAD") != before:
        raise RuntimeError("The kit changed after course_lib was imported: Runtime > Restart "
                           "session, then run this cell again.")
    _run(sys.executable, "-m", "pip", "install", "--quiet", kit)
    os.chdir(f"{kit}/notebooks")
"""


def colab_guard() -> str:
    """The first lines of every notebook's set-up cell: on Colab, fetch the kit at ``REF``.

    Plain Python, so that a failed step raises: it fetches ``REF`` into ``CLONE_DIR`` (a new
    clone, or an update of the one a reused runtime kept), ``pip install``s course_lib from it
    and changes into its notebooks/ folder. An error names the failed command, the end of its
    stderr and the one thing to try. Elsewhere it does nothing. The URL and ``CLONE_DIR`` are
    plain literals, so a test can point the cell at a local clone by replacing them.
    """
    return (_GUARD.replace("@CLONE_DIR@", CLONE_DIR).replace("@URL@", repository_url())
            .replace("@REF@", REF))
