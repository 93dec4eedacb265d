"""``course_lib.setup()``: seeds, threads, plot style, quiet logs, device, and one status line."""

from __future__ import annotations

import logging
import os
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

from course_lib import _lock

THREADS_ENV = "COURSE_THREADS"
# One torch thread for the course's small models, measured 2026-12-03 on this kit's 2-core test
# machine (torch 2.14.1; best of 2 runs after a warm-up; seconds with 1 thread vs 2), on the
# quietest machine seen / shared (load ~5.5) / plus 2 busy processes / plus 6:
#   fit_mlp 20-32-2, 5,000 rows, 20 epochs: 0.16 vs 0.19 / 0.39 vs 3.8 / 1.6 vs 10 / 2.4 vs 34
#   CNN, 2,000 32x32 images, 5 epochs:      1.8 vs 9.3 / 3.3 vs 13 / 7.1 vs 21
#   TinyTransformer, 2,000 x 32 tokens, 3 epochs: 2.5 vs 1.4 to 19 / 4.4 vs 24 / 6.4 vs > 50
# A second thread helped once (the transformer on a momentarily free core, 1.7x), made no
# difference to the MLP on the quiet machine, and otherwise cost 3-14x: torch's threads wait for
# each other at every operation, so one descheduled thread stalls them all. Raise this only
# with a measurement that shows more threads help.
SMALL_MODEL_THREADS = 1
# Where Linux says how much CPU time this process's control group may use (cgroup v2, v1).
CGROUP_V2_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")
CGROUP_V1_QUOTA = Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us")
CGROUP_V1_PERIOD = Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us")
_NOISY_LOGGERS = ("codecarbon", "numba", "shap", "matplotlib", "PIL", "opacus", "fairlearn")


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


def quota_cpus(quota: str, period: str) -> int | None:
    """Whole CPUs a CFS quota allows: max(1, floor(quota / period)); None when unlimited.

    ``quota`` is "max" (cgroup v2) or "-1" (v1) for no limit; text that is not a positive
    quota and period is read as no limit too (nothing is known, so nothing is assumed).
    """
    try:
        q, p = int(quota), int(period)
    except ValueError:
        return None
    if q <= 0 or p <= 0:
        return None
    return max(1, q // p)


def _read(path: Path) -> str | None:
    """A control-group file's text, or None where it does not exist or cannot be read."""
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None


def affinity_cpus() -> int:
    """CPUs the scheduler may run this process on: len(sched_getaffinity) (Linux), else
    os.cpu_count() (macOS, Windows), at least 1."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def available_cpus(*, affinity: int | None = None, cpu_max: Path = CGROUP_V2_CPU_MAX,
                   cfs_quota: Path = CGROUP_V1_QUOTA, cfs_period: Path = CGROUP_V1_PERIOD) -> int:
    """CPUs this process may really use: min(affinity, cgroup quota / period), at least 1.

    A container (Binder's pod, a Docker ``--cpus`` limit) sees every core of its node but may
    use only its quota: cgroup v2's ``cpu.max`` ("<quota> <period>" or "max <period>"), or v1's
    ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us``. Missing files mean no quota. ``affinity``
    (default: ``affinity_cpus()``) and the file paths are parameters so tests can inject them.
    """
    limits = [affinity_cpus() if affinity is None else affinity]
    v2 = _read(cpu_max)
    if v2 is not None and len(v2.split()) == 2:
        limits.append(quota_cpus(*v2.split()))
    v1_quota, v1_period = _read(cfs_quota), _read(cfs_period)
    if v1_quota is not None and v1_period is not None:
        limits.append(quota_cpus(v1_quota, v1_period))
    return max(1, min(n for n in limits if n is not None))


def default_threads(cpus: int | None = None) -> int:
    """Torch threads when ``COURSE_THREADS`` is not set: min(available CPUs,
    SMALL_MODEL_THREADS), i.e. one for the course's small models."""
    return max(1, min(available_cpus() if cpus is None else cpus, SMALL_MODEL_THREADS))


def threads_from_env() -> int:
    """Torch threads: ``COURSE_THREADS`` if set, else ``default_threads()``.

    An explicit ``COURSE_THREADS`` is honoured as asked, even above the CPUs available (to
    measure what more threads do); a bad value is a clear error.
    """
    raw = os.environ.get(THREADS_ENV, "").strip()
    if not raw:
        return default_threads()
    try:
        n = int(raw)
    except ValueError:
        raise ValueError(f"{THREADS_ENV} must be a whole number >= 1, got {raw!r}") from None
    if n < 1:
        raise ValueError(f"{THREADS_ENV} must be a whole number >= 1, got {raw!r}")
    return n


def device():
    """The torch device the course uses: always the CPU, GPU or not.

    The course's models are small (a GPU's start-up and copies would cost more than it saves)
    and its committed outputs must come out the same on every machine, so every model and
    tensor course_lib makes stays on the CPU.
    """
    import torch

    return torch.device("cpu")


def gpu_name() -> str | None:
    """The first CUDA GPU's name when torch sees one, else None."""
    import torch

    if not torch.cuda.is_available():
        return None
    try:
        return torch.cuda.get_device_name(0)
    except (RuntimeError, AssertionError):  # a GPU torch counts but cannot query
        return "(name unavailable)"


def device_label(gpu: str | None) -> str:
    """The device part of ``setup()``'s line: "CPU", naming a CUDA GPU found but not used."""
    if gpu is None:
        return "CPU"
    return f"CPU (CUDA GPU {gpu} found; the course's small models run on the CPU)"


def _quiet_logs() -> None:
    """Keep noisy libraries' INFO/WARNING log lines out of notebook output."""
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)


def setup(seed: int = 0, *, threads: int | None = None, verbose: bool = True) -> Environment:
    """Seed python, numpy and torch, set torch threads, style plots, quiet logs, report the device.

    ``threads`` (default ``threads_from_env()``) sets torch's intra-op and inter-op threads; only
    torch's: numpy's BLAS keeps its own (the course's arrays are small).
    """
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
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    if torch.get_num_interop_threads() != threads:
        try:
            torch.set_num_interop_threads(threads)
        except RuntimeError:  # only settable before the first parallel work; harmless after
            pass
    dev_name = device_label(gpu_name())
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
