"""requirements.lock (make, CI), environment.yml (Binder) and pyproject.toml (Colab) agree."""

import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

from course_lib import _lock

ROOT = Path(__file__).resolve().parents[1]
LOCK = _lock.read_pins((ROOT / "requirements.lock").read_text())
DIRECT = {"torch": "2.14.1", "torchvision": "0.29.1", "numpy": "2.4.6", "scipy": "1.17.1",
          "pandas": "3.1.1", "scikit-learn": "1.9.1", "matplotlib": "3.11.2", "shap": "0.51.0",
          "numba": "0.68.1", "llvmlite": "0.50.0", "captum": "0.9.0", "opacus": "1.6.0",
          "fairlearn": "0.15.0", "codecarbon": "3.3.2", "lime": "0.2.0.1",
          "scikit-image": "0.26.0", "tabulate": "0.10.0", "jupyterlab": "4.6.6",
          "ipykernel": "7.4.0", "ipywidgets": "8.1.9", "nbclient": "0.11.0",
          "nbconvert": "7.17.2", "nbformat": "5.11.1", "nbval": "0.11.0", "pytest": "9.2.0",
          "pytest-xdist": "3.8.0"}


def _environment_yml():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    return conda, pip


def test_lock_pins_the_verified_stack():
    for name, version in DIRECT.items():
        assert LOCK.get(name) == version, name
    assert all("==" in line or line.startswith("#") or not line.strip()
               for line in (ROOT / "requirements.lock").read_text().splitlines())


def test_environment_yml_installs_the_lock_with_a_cpu_torch():
    conda, pip = _environment_yml()
    assert "python=3.11" in conda and "pip" in conda
    pins = _lock.read_pins("\n".join(pip))
    assert pins.pop("torch") == LOCK["torch"] + "+cpu"
    assert pins.pop("torchvision") == LOCK["torchvision"] + "+cpu"
    expected = {n: v for n, v in LOCK.items()
                if n not in ("torch", "torchvision") and not _lock.is_cuda_only(n)}
    assert pins == expected
    extras = [line for line in pip if "==" not in line]
    assert extras == ["--extra-index-url https://download.pytorch.org/whl/cpu", "-e ."]


def test_the_lock_holds_the_cuda_build_only_through_torch():
    cuda = sorted(n for n in LOCK if _lock.is_cuda_only(n))
    assert "triton" in cuda and all(n.startswith(("nvidia-", "cuda-", "triton")) for n in cuda)


def test_course_lib_ranges_are_loose_and_admit_the_lock():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for dep in deps:
        req = Requirement(dep)
        assert "==" not in str(req.specifier), f"{dep}: course_lib's own ranges stay loose"
        name = _lock.normalize(req.name)
        assert name in LOCK, f"{dep} is not in requirements.lock"
        assert req.specifier.contains(LOCK[name]), f"{dep} excludes the locked {LOCK[name]}"
