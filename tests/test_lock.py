from course_lib import _lock


def test_read_pins_normalises_and_ignores_comments():
    text = "# a comment\nScikit_Learn==1.9.1   # direct\ntorch==2.14.1+cpu\n\n-e .\nfoo>=1\n"
    assert _lock.read_pins(text) == {"scikit-learn": "1.9.1", "torch": "2.14.1+cpu"}


def test_mismatches_find_wrong_and_missing_versions():
    pins = {"pytest": "0.0.1", "definitely-not-installed-pkg": "1.0",
            "nvidia-cublas": "99", "numpy": __import__("numpy").__version__}
    found = _lock.mismatches(pins)
    assert [(m.name, m.installed is None) for m in found] == \
        [("pytest", False), ("definitely-not-installed-pkg", True)]


def test_public_version_and_cuda_only():
    assert _lock.public_version("2.14.1+cpu") == "2.14.1"
    assert _lock.is_cuda_only("nvidia-cudnn-cu13") and _lock.is_cuda_only("triton")
    assert _lock.is_cuda_only("cuda-bindings")
    assert not _lock.is_cuda_only("nvidia-ml-py")  # codecarbon's, needed on the CPU too
    assert not _lock.is_cuda_only("torch")


def test_fix_command():
    found = [_lock.Mismatch("numpy", "2.4.6", "2.0.0")]
    assert _lock.fix_command(found) == '%pip install "numpy==2.4.6"'


def test_find_lock_finds_the_repository_lock():
    lock = _lock.find_lock()
    assert lock is not None and lock.name == "requirements.lock"
    assert _lock.read_pins(lock.read_text())["torch"] == "2.14.1"


def test_read_pins_keeps_only_the_pins_whose_marker_holds():
    text = ("a==1 ; sys_platform == 'win32' \\\n    --hash=sha256:00\n"
            "b==2 ; sys_platform == 'linux' or sys_platform == 'darwin'\n"
            "c==3 ; python_full_version < '3.12' \\\n"
            "c==4 ; python_full_version >= '3.12' \\\n    --hash=sha256:11\n")
    linux311 = {"sys_platform": "linux", "python_full_version": "3.11.9"}
    win313 = {"sys_platform": "win32", "python_full_version": "3.13.1"}
    assert _lock.read_pins(text, linux311) == {"b": "2", "c": "3"}
    assert _lock.read_pins(text, win313) == {"a": "1", "c": "4"}


def test_read_pins_of_the_generated_lock_match_this_interpreter():
    lock = _lock.find_lock()
    pins = _lock.read_pins(lock.read_text())
    assert "pywinpty" not in pins and "appnope" not in pins  # Windows' and macOS' only
    assert pins["numpy"] == __import__("numpy").__version__


def test_find_lock_never_searches_the_working_folder(tmp_path, monkeypatch):
    installed = tmp_path / "site-packages" / "course_lib"
    installed.mkdir(parents=True)
    (tmp_path / "requirements.lock").write_text("numpy==0.0.1\n")  # some other project's lock
    monkeypatch.setattr(_lock, "__file__", str(installed / "_lock.py"))
    monkeypatch.chdir(tmp_path)
    assert _lock.find_lock() is None
