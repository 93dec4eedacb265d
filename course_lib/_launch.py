"""Where the course lives, and the launch badges and Colab set-up cell generated from it.

The repository URL is written here and nowhere else by hand: tests/test_notebooks.py checks that
every notebook's badges and set-up cell are exactly what these functions render.
"""

from __future__ import annotations

REPOSITORY = "responsible-dl/responsible-deep-learning"  # GitHub owner/name
BRANCH = "main"
CLONE_DIR = "/content/responsible-deep-learning"  # where the Colab set-up cell clones to


def repository_url() -> str:
    """The course repository's clone URL."""
    return f"https://github.com/{REPOSITORY}"


def binder_url(filename: str) -> str:
    """A Binder link that opens ``notebooks/<filename>`` in JupyterLab."""
    return (f"https://mybinder.org/v2/gh/{REPOSITORY}/{BRANCH}"
            f"?urlpath=lab/tree/notebooks/{filename}")


def colab_url(filename: str) -> str:
    """A Colab link that opens ``notebooks/<filename>`` from the repository."""
    return (f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}"
            f"/notebooks/{filename}")


def badges(filename: str) -> str:
    """The Binder and Colab badges (Markdown) for one notebook."""
    return (
        f"[![Launch on Binder](https://mybinder.org/badge_logo.svg)]({binder_url(filename)}) "
        f"[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
        f"({colab_url(filename)})"
    )


def colab_guard() -> str:
    """The first lines of every notebook's set-up cell: fetch the kit on Colab, else do nothing."""
    return (
        "# On Colab, fetch the course kit (course_lib and datasets/) once; elsewhere do nothing.\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        f"    !git clone --quiet --depth 1 {repository_url()}.git {CLONE_DIR}"
        " 2> /dev/null || true\n"
        f"    %pip install --quiet {CLONE_DIR}\n"
        f"    %cd {CLONE_DIR}/notebooks\n"
    )
