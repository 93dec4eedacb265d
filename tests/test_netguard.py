import subprocess
import sys
import textwrap

import pytest

from course_lib import _netguard


@pytest.mark.parametrize("host, local", [
    ("127.0.0.1", True), ("::1", True), ("localhost", True), ("0.0.0.0", True), (None, True),
    ("example.org", False), ("8.8.8.8", False), ("download.pytorch.org", False),
    ("192.168.1.10", False),
])
def test_is_local(host, local):
    assert _netguard.is_local(host) is local


def _run(code, tmp_path):
    env = {"COURSE_OFFLINE": "1", "COURSE_NETLOG": str(tmp_path / "netlog.txt"),
           "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=60)


def test_blocks_and_names_a_hidden_download(tmp_path):
    out = _run("""
        import course_lib._netguard  # what the .pth file in .venv imports
        import urllib.request
        try:
            urllib.request.urlopen("http://example.org/data.csv", timeout=5)
        except Exception as exc:
            print(type(exc).__name__, exc)
        """, tmp_path)
    assert "blocked a network connection to example.org:80" in out.stdout + out.stderr
    log = (tmp_path / "netlog.txt").read_text()
    assert "example.org:80" in log and "attempted by <string>" in log


def test_loopback_stays_open(tmp_path):
    out = _run("""
        import course_lib._netguard, socket
        server = socket.create_server(("127.0.0.1", 0))
        client = socket.create_connection(server.getsockname(), timeout=5)
        print("connected")
        """, tmp_path)
    assert out.stdout.strip() == "connected", out.stderr
    assert not (tmp_path / "netlog.txt").exists()


def test_inactive_unless_asked(tmp_path):
    code = "import course_lib._netguard as g, socket; print(g._installed)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin"}, check=True)
    assert out.stdout.strip() == "False"
