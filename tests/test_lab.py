"""`make lab` serves JupyterLab on localhost, opening on the notebooks, with the printed URL."""

import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_lab_serves_jupyterlab():
    port = _free_port()
    proc = subprocess.Popen(["make", "-s", "lab", f"PORT={port}"], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        url = None
        deadline = time.monotonic() + 30
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            m = re.search(r"JupyterLab: (http://127\.0\.0\.1:\d+/lab\?token=\w+)", line)
            url = m.group(1) if m else None
        assert url and f":{port}/" in url, "make lab printed no URL"
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as resp:
                    assert resp.status == 200
                    page = resp.read().decode()
                break
            except OSError:
                assert proc.poll() is None, "JupyterLab exited"
                assert time.monotonic() < deadline, "JupyterLab did not answer within 90 s"
                time.sleep(0.5)
        assert "JupyterLab" in page
        tree = urllib.request.urlopen(url.replace("/lab?", "/api/contents?"), timeout=10).read()
        assert b"00_welcome.ipynb" in tree  # the server's root is notebooks/
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.stdout.close()
