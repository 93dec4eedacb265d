"""`make lab` as the tests start it: on a free port, its printed URL read back, the process group
stopped afterwards (tests/test_lab.py, tests/test_browser.py)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
URL = re.compile(r"JupyterLab: (http://127\.0\.0\.1:\d+/lab\?token=\w+)")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_lab(env: dict[str, str] | None = None, *, url_s: float = 60,
                answer_s: float = 120) -> Iterator[tuple[str, list[str]]]:
    """Run `make -s lab` until the block ends; yield (its URL with the token, its log so far).

    Waits up to ``url_s`` for the printed URL and ``answer_s`` for the server to answer it with
    200; keeps reading the log so the pipe never fills; stops the whole process group after.
    """
    port = free_port()
    proc = subprocess.Popen(["make", "-s", "lab", f"PORT={port}"], cwd=ROOT, text=True,
                            env=env if env is not None else dict(os.environ),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    log: list[str] = []
    reader = None
    try:
        url = None
        deadline = time.monotonic() + url_s
        while url is None and time.monotonic() < deadline and proc.poll() is None:
            line = proc.stdout.readline()
            log.append(line)
            m = URL.search(line)
            url = m.group(1) if m else None
        assert url and f":{port}/" in url, "make lab printed no URL:\n" + "".join(log)
        reader = threading.Thread(target=lambda: log.extend(proc.stdout), daemon=True)
        reader.start()
        deadline = time.monotonic() + answer_s
        while True:
            try:
                with urllib.request.urlopen(url, timeout=10) as resp:
                    assert resp.status == 200
                break
            except OSError:
                assert proc.poll() is None, "JupyterLab exited:\n" + "".join(log)
                assert time.monotonic() < deadline, (
                    f"JupyterLab did not answer within {answer_s:.0f} s")
                time.sleep(0.5)
        yield url, log
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        if reader is not None:
            reader.join(timeout=10)
        proc.stdout.close()
