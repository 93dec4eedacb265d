import warnings

from course_lib import _warnings


def test_every_filter_has_a_reason_and_an_exact_message():
    for f in (*_warnings.POLICY, *_warnings.SCOPED.values()):
        assert len(f.reason) > 40 and len(f.message) > 19 and f.module


def test_the_prv_domain_filter_hides_opacus_rdp_warning_only_inside_its_scope():
    msg = "Optimal order is the largest alpha. Please consider expanding the range of alphas"
    mod = "opacus.accountants.analysis.rdp"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with _warnings.scoped("prv-domain"):
            warnings.warn_explicit(msg, UserWarning, "rdp.py", 1, module=mod)
            warnings.warn_explicit(msg, UserWarning, "x.py", 1, module="mycode")
        warnings.warn_explicit(msg, UserWarning, "rdp.py", 1, module=mod)
    assert [w.filename for w in caught] == ["x.py", "rdp.py"]


def test_the_opacus_filter_matches_the_real_warning_and_only_it():
    from opacus import PrivacyEngine

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        PrivacyEngine()
    assert any(str(w.message).startswith("Secure RNG turned off") for w in seen)

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        _warnings.install()
        PrivacyEngine()
        warnings.warn("Secure RNG turned off elsewhere", UserWarning, stacklevel=1)
    messages = [str(w.message) for w in seen]
    assert not any("retrain one last time" in m for m in messages)
    assert messages == ["Secure RNG turned off elsewhere"]  # other modules' warnings still show


def test_fairlearn_filters_hide_only_fairlearns_messages():
    msg = "Setting an item of incompatible dtype is deprecated and will raise in pandas 4"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _warnings.install()
        warnings.warn_explicit(msg, FutureWarning, "x.py", 1, module="fairlearn.reductions._x")
        warnings.warn_explicit(msg, FutureWarning, "x.py", 1, module="mycode")
        warnings.warn_explicit("something else", FutureWarning, "x.py", 1,
                               module="fairlearn.reductions._x")
    assert [str(w.message) for w in caught] == [msg, "something else"]
