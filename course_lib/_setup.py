"""``course_lib.setup()``: seeds, threads, plot style, quiet logs, device, and one status line."""

from __future__ import annotations

import logging
import os
import random
import sys
from dataclasses import dataclass, field

from course_lib import _lock

THREADS_ENV = "COURSE_THREADS"
DEFAULT_THREADS = 2
_NOISY_LOGGERS = ("codecarbon", "numba", "shap", "matplotlib", "PIL", "opacus", "fairlearn")
_state: dict[str, object] = {}


@dataclass(frozen=True)
class Environment:
    """What ``setup()`` found and did: where, device, threads, seed, and lock mismatches."""

    where: str
    device: str
    threads: int
    seed: int
    mismatches: tuple[_lock.Mismatch, ...] = field(default_factory=tuple)

    def summary(self) -> str:
        """The one line ``setup()`` prints."""
        plural = "" if self.threads == 1 else "s"
        head = (f"course_lib ready: {self.where} · {self.device} · {self.threads} torch "
                f"thread{plural} · seed {self.seed}")
        if self.where == "Colab":
            return head + " · using Colab's preinstalled libraries (see the README for versions)"
        if not self.mismatches:
            return head + " · packages match the course lock"
        found = list(self.mismatches)
        shown = ", ".join(m.describe() for m in found[:5])
        more = f" and {len(found) - 5} more" if len(found) > 5 else ""
        return (f"{head} · differs from the course lock: {shown}{more}. "
                f"Fix: {_lock.fix_command(found)} then restart the kernel "
                "(or run `make lab`, which rebuilds .venv from the lock)")


def where() -> str:
    """Where the notebook runs: ``Colab``, ``Binder`` or ``local``."""
    if "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ:
        return "Colab"
    if any(k in os.environ for k in ("BINDER_REQUEST", "BINDER_REPO_URL", "BINDER_LAUNCH_HOST")):
        return "Binder"
    return "local"


def threads_from_env() -> int:
    """Torch threads from ``COURSE_THREADS`` (default 2); a clear error for a bad value."""
    raw = os.environ.get(THREADS_ENV, "").strip()
    if not raw:
        return DEFAULT_THREADS
    try:
        n = int(raw)
    except ValueError:
        raise ValueError(f"{THREADS_ENV} must be a whole number >= 1, got {raw!r}") from None
    if n < 1:
        raise ValueError(f"{THREADS_ENV} must be a whole number >= 1, got {raw!r}")
    return n


def device():
    """The torch device the course uses: CUDA when present, else the CPU."""
    if "device" not in _state:
        import torch

        _state["device"] = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return _state["device"]


def _quiet_logs() -> None:
    """Keep noisy libraries' INFO/WARNING log lines out of notebook output."""
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)


def setup(seed: int = 0, *, threads: int | None = None, verbose: bool = True) -> Environment:
    """Seed python, numpy and torch, set torch threads, style plots, quiet logs, pick the device."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be in [0, 2**32), got {seed}")
    if threads is None:
        threads = threads_from_env()
    elif isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be an int >= 1, got {threads!r}")
    if not isinstance(verbose, bool):
        raise TypeError(f"verbose must be True or False, got {verbose!r}")

    import numpy as np
    import torch

    from course_lib import plotting

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    torch.set_num_threads(threads)
    if torch.get_num_interop_threads() != threads:
        try:
            torch.set_num_interop_threads(threads)
        except RuntimeError:  # only settable before the first parallel work; harmless after
            pass
    dev = device()
    if dev.type == "cuda":
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
        dev_name = f"CUDA ({torch.cuda.get_device_name(0)})"
    else:
        dev_name = "CPU"
    plotting.apply_style()
    _quiet_logs()

    place = where()
    found: tuple[_lock.Mismatch, ...] = ()
    if place != "Colab":  # Colab keeps its own torch on purpose: the lock is not its yardstick
        lock = _lock.find_lock()
        if lock is not None:
            found = tuple(_lock.mismatches(_lock.read_pins(lock.read_text())))
    env = Environment(where=place, device=dev_name, threads=threads, seed=seed, mismatches=found)
    if verbose:
        print(env.summary())
    return env
