"""The offline guard: while ``COURSE_OFFLINE=1``, any attempt to reach the network fails loudly.

``make test`` puts a one-line ``.pth`` file into ``.venv`` that imports this module in every Python
process (pytest, and every notebook kernel) when ``COURSE_OFFLINE=1``. Loopback stays open: kernels
talk to their clients over it. Everything else raises ``NetworkBlockedError`` naming the host and
the code that tried, and is appended to the file named by ``COURSE_NETLOG`` so that ``make test``
fails even when a library swallows the error and falls back quietly.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
import traceback

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", ""}
_installed = False


class NetworkBlockedError(OSError):
    """A network connection was attempted while the course runs offline."""


def is_local(host: object) -> bool:
    """True for loopback addresses and names, this machine's hostname, and unix sockets."""
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if not isinstance(host, str):
        return True  # not an internet address (e.g. AF_UNIX path tuple)
    name = host.strip("[]").split("%", 1)[0].lower()
    if name in _LOCAL_NAMES or name == socket.gethostname().lower():
        return True
    try:
        return ipaddress.ip_address(name).is_loopback or ipaddress.ip_address(name).is_unspecified
    except ValueError:
        return False


def _culprit() -> str:
    """The innermost frame outside the standard library's networking modules."""
    skip = ("socket.py", "ssl.py", "connection.py", "client.py", "request.py", "_netguard.py",
            "connectionpool.py", "poolmanager.py", "sessions.py", "adapters.py", "api.py")
    for frame in reversed(traceback.extract_stack()[:-2]):
        if not frame.filename.endswith(skip):
            where = frame.filename.rsplit("site-packages/", 1)[-1]
            return f"{where}:{frame.lineno} in {frame.name}"
    return "unknown caller"


def _block(host: object, port: object) -> None:
    who = _culprit()
    msg = (f"course_lib offline guard: blocked a network connection to {host}:{port} "
           f"(attempted by {who}). The course must run offline: ship the data in datasets/ "
           "or generate it with course_lib.")
    log = os.environ.get("COURSE_NETLOG")
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(msg + "\n")
    print(msg, file=sys.stderr)
    raise NetworkBlockedError(msg)


def install() -> None:
    """Patch socket so that non-loopback connects and name lookups raise (idempotent)."""
    global _installed
    if _installed:
        return
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def _target(address: object) -> tuple[object, object]:
        if isinstance(address, tuple) and len(address) >= 2:
            return address[0], address[1]
        return None, None

    def connect(self, address):  # type: ignore[no-untyped-def]
        host, port = _target(address)
        if self.family in (socket.AF_INET, socket.AF_INET6) and not is_local(host):
            _block(host, port)
        return real_connect(self, address)

    def connect_ex(self, address):  # type: ignore[no-untyped-def]
        host, port = _target(address)
        if self.family in (socket.AF_INET, socket.AF_INET6) and not is_local(host):
            _block(host, port)
        return real_connect_ex(self, address)

    def getaddrinfo(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not is_local(host):
            _block(host, port)
        return real_getaddrinfo(host, port, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo
    _installed = True


if os.environ.get("COURSE_OFFLINE") == "1":
    install()
