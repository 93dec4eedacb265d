"""`make lab` serves JupyterLab on localhost, opening on the notebooks, with the printed URL."""

import urllib.request

from _lab import running_lab


def test_make_lab_serves_jupyterlab():
    with running_lab(answer_s=90) as (url, _):
        with urllib.request.urlopen(url, timeout=10) as resp:
            assert resp.status == 200
            page = resp.read().decode()
        assert "JupyterLab" in page
        tree = urllib.request.urlopen(url.replace("/lab?", "/api/contents?"), timeout=10).read()
        assert b"00_welcome.ipynb" in tree  # the server's root is notebooks/
