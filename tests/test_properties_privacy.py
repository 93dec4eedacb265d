"""Property-based bad-input tests for course_lib.privacy (tests/_properties.py): accounting
parameters, per-example gradients, canaries, membership scores, model inversion, federated
learning and k-anonymity each reject NaN/inf, wrong lengths, strings, meta tensors, empty input
and bad scalars with a ValueError/TypeError naming the argument."""

from __future__ import annotations

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
import torch
from _properties import (
    FAST,
    KINDS,
    SCORES,
    TENSOR,
    Case,
    assert_rejects,
    package_api,
    property_tests,
    public_functions,
)
from hypothesis import given, settings

from course_lib import privacy as P
from course_lib.models import MLP

pytestmark = pytest.mark.usefixtures("one_torch_thread")


# ---------------------------------------------------------------- corruptions used only here
def _bad_orders(value):
    """RDP orders that are empty, <= 1, NaN, 2-D or strings."""
    return st.sampled_from([[], [0.5, 2.0], [2.0, float("nan")], [[2.0, 3.0]], ["a", "b"], "x"])


def _bad_text(value):
    """Not a str."""
    return st.sampled_from([3, None, b"abc", ["a", "b"]])


def _bad_lines(value):
    """Not a list of str."""
    return st.sampled_from(["one line", [1, 2], None, ("a", "b")])


def _bad_canaries(value):
    """Not a {copies: (prefix, secret)} dict: empty, a negative or string key, a bad pair."""
    (copies, pair), = list(value.items())[:1]
    return st.sampled_from([{}, None, {-1: pair}, {"1": pair}, {copies: "secret"},
                            {copies: (pair[0], 1234)}])


_NOT_PINS = ("12a4", "", "²³", " 12", "1.5")


def _pin_corruptions(value) -> list:
    """A str that is not a string of ASCII digits (the exposure ranks it among all PINs)."""
    return list(_NOT_PINS)


def _secrets_corruptions(value) -> list:
    """Canaries whose secret is not a string of ASCII digits."""
    (copies, pair), = list(value.items())[:1]
    return [{copies: (pair[0], s)} for s in _NOT_PINS]


def _bad_indices(value):
    """Candidate indices that are fractional, negative, too large, 2-D, strings or NaN."""
    arr = np.asarray(value)
    return st.sampled_from([arr + 0.5, np.r_[arr, -1], np.r_[arr, 10 ** 6], arr[None],
                            arr.astype(str), np.r_[arr.astype(float), np.nan]])


def _bad_client_data(value):
    """Not a list of (inputs, target) pairs of matching rows."""
    x, y = value[0]
    return st.sampled_from([[], None, [(x,)], [(x, y[:-1])], [(x, y.float() + 0.5)],
                            [(torch.full_like(x, float("nan")), y)], [(x, y + 2)],
                            [value[0], (x, y - 1)]])


def _bad_frame_qi(value):
    """Quasi-identifiers that are empty, not a list, or name a column the frame lacks."""
    return st.sampled_from([[], "zip", ["no_such_column"], None, [3], [["zip"]]])


def _bad_shape(value):
    """A shape with a zero, negative, fractional or string entry, or not a sequence."""
    return st.sampled_from([(0, 4), (-1, 4), (1.5,), ("4",), 4, None])


def _bad_generator(value):
    """Not a torch.Generator."""
    return st.sampled_from([0, "gen", np.random.default_rng(0)])


def _on_corruptions(value) -> list:
    """Join columns that are empty, not a list, or missing from one of the two frames ("name"
    is only in auxiliary, "diagnosis" only in released)."""
    return [[], "zip", None, ["no_such_column"], [*value, "name"], [*value, "diagnosis"], [3],
            [["zip"]]]


def _grads_corruptions(value) -> list:
    """Not a dict of per-example gradient tensors of one batch size: not a dict, an array, NaN or
    ±inf in one, fewer examples in one, a meta / integer / complex / 0-d tensor."""
    out: list = [None, {}, list(value.values())]
    for key, g in value.items():
        bad = []
        for v in (float("nan"), float("inf"), float("-inf")):
            b = g.detach().clone()
            b.reshape(-1)[0] = v
            bad.append(b)
        bad += [g.detach().numpy(), g[:1], torch.empty(g.shape, device="meta"), g.long(),
                g.to(torch.complex64), g.sum()]
        out += [{**value, key: b} for b in bad]
    return out


def _levels_corruptions(value) -> list:
    """Levels that are not a dict, name a column that is not in df or has no hierarchy, or give
    a negative, too large (zip has 5 levels), fractional, string, bool or missing level."""
    return [None, ["zip"], "zip", {"no_such_column": 0}, {**value, "name": 0},
            *({**value, "zip": lv} for lv in (-1, 5, 99, 1.5, "1", True, None))]


def _hierarchies_corruptions(value) -> list:
    """Not a {column: list of functions} dict: not a dict, a hierarchy that is a string, empty,
    a bare function or holds a non-function, or no hierarchy for zip."""
    steps = value["zip"]
    return [None, "zip", list(value.values()), {k: v for k, v in value.items() if k != "zip"},
            *({**value, "zip": bad} for bad in ("abcde", [], steps[0], [None],
                                                [*steps[:-1], 3], None))]


def _split_labels_corruptions(value) -> list:
    """Labels as a meta tensor (no values) or a complex tensor."""
    return [torch.empty(len(value), dtype=torch.long, device="meta"),
            torch.zeros(len(value), dtype=torch.complex64)]


def _label_range_corruptions(value) -> list:
    """0/1 labels with a class the 2-output model has none for: 2, 3, -1, or cross-entropy's
    ignore_index -100 (which it would skip silently)."""
    out = []
    for i, v in ((0, 2), (-1, 3), (0, -1), (-1, -100)):
        b = value.clone()
        b[i] = v
        out.append(b)
    return out


def _attacks_corruptions(value) -> list:
    """Not a non-empty {name: AttackResult} dict: empty, None, a list, a name mapped to a string
    or to the scores."""
    name, res = next(iter(value.items()))
    return [{}, None, [res], "attacks", {name: "result"}, {name: res.member_scores}]


def _epochs_corruptions(value) -> list:
    """Epoch counts that are empty, zero, fractional, strings, None, 2-D or booleans."""
    return [(), (0,), (1.5,), ("3",), None, [[1]], (True,), -1]


def _setting_corruptions(value) -> list:
    """Not a dict of DPSGD_SETTING keys with usable values: a string, a list of pairs, an unknown
    key, a NaN lr, a zero batch size, a string or zero hidden layer, δ = 1, a fractional size."""
    return ["x", [("lr", 0.1)], {"no_such_key": 1}, {"lr": float("nan")}, {"batch_size": 0},
            {"hidden": "64"}, {"hidden": (0,)}, {"delta": 1.0}, {"n_members": 1.5},
            {"random_state": -1}]


def _grid_corruptions(value) -> list:
    """A grid the explorer cannot read: a needed column dropped, NaN or inf or text in one,
    σ = 0, a sampling rate above 1, a duplicated row, steps that are not epochs × one rate."""
    out = [value.drop(columns="advantage"), pd.concat([value, value.head(1)])]
    for col, v in (("train_acc", np.nan), ("advantage", np.inf), ("sigma", 0.0),
                   ("sample_rate", 1.5), ("steps", 41)):
        bad = value.copy()
        bad.loc[bad.index[0], col] = v
        out.append(bad)
    out.append(value.assign(test_acc=value["test_acc"].astype(str)))
    return out


def _listed(corruptions):
    """A kind drawing one of ``corruptions(value)``; tests below also try every one of them."""
    return lambda value: st.sampled_from(corruptions(value))


def _unknown_chars(value):
    """Text with a character the vocabulary lacks (a canary's text as a (prefix, secret) dict)."""
    if isinstance(value, dict):
        return st.just({c: ("PIN? ", s) for c, (_, s) in value.items()})
    return st.just(value + "Z?")


_LOCAL = {"orders": _bad_orders, "unknown_chars": _unknown_chars, "text": _bad_text,
          "lines": _bad_lines,
          "canaries": _bad_canaries, "secrets": _listed(_secrets_corruptions),
          "pin": _listed(_pin_corruptions),
          "indices": _bad_indices,
          "client_data": _bad_client_data, "qi": _bad_frame_qi, "shape": _bad_shape,
          "generator": _bad_generator, "on": _listed(_on_corruptions),
          "grads": _listed(_grads_corruptions), "levels": _listed(_levels_corruptions),
          "hierarchies": _listed(_hierarchies_corruptions),
          "split_labels": _listed(_split_labels_corruptions),
          "class_range": _listed(_label_range_corruptions),
          "attacks": _listed(_attacks_corruptions), "epochs": _listed(_epochs_corruptions),
          "setting": _listed(_setting_corruptions), "grid": _listed(_grid_corruptions)}
for _name, _kind in _LOCAL.items():
    assert KINDS.setdefault(f"privacy_{_name}", _kind) is _kind
_P = {name: f"privacy_{name}" for name in _LOCAL}

# ---------------------------------------------------------------- valid data
_INPUTS = (*TENSOR, "strings", "length")
_TARGET = ("nonbinary", "length", "meta", "float_tensor", "strings", _P["class_range"])
_SCORES = tuple(k for k in SCORES if k != "length")  # members and non-members differ in number
_SEED = st.integers(0, 3)


def _mlp(seed: int = 0) -> MLP:
    torch.manual_seed(seed)
    return MLP(4, hidden=(4,))


@st.composite
def _xy(draw, n_min=2, n_max=10):
    n = draw(st.integers(n_min, n_max))
    g = np.random.default_rng(draw(_SEED))
    x = torch.from_numpy(g.normal(size=(n, 4)).astype(np.float32))
    y = torch.from_numpy(np.r_[0, 1, g.integers(0, 2, n - 2)])
    return x, y


def _model_xy(**extra):
    return _xy().map(lambda t: dict(model=_mlp(), inputs=t[0], target=t[1], **extra))


@st.composite
def _scores(draw, **extra):
    a = draw(st.lists(st.floats(-5, 5), min_size=1, max_size=8))
    b = draw(st.lists(st.floats(-5, 5), min_size=1, max_size=8))
    return dict(member_scores=np.array(a), nonmember_scores=np.array(b), **extra)


@st.composite
def _attack(draw):
    (xm, ym), (xn, yn) = draw(_xy()), draw(_xy())
    return dict(model=_mlp(), member_inputs=xm, member_target=ym, nonmember_inputs=xn,
                nonmember_target=yn)


@st.composite
def _shadow(draw):
    out = draw(_attack())
    sx, sy = draw(_xy(8, 12))
    return dict(out, shadow_inputs=sx, shadow_target=sy, n_shadows=1, hidden=(4,), epochs=1,
                random_state=0)


_VOCAB = " 0123456789:abcdeinoprst"


def _char_model(context: int = 3) -> P.CharMLP:
    torch.manual_seed(0)
    return P.CharMLP(len(_VOCAB), context=context, embed_dim=2, hidden=4)


_TEXT = st.text(alphabet=sorted(set(_VOCAB)), min_size=1, max_size=12)
_DIGITS = st.text(alphabet="0123456789", min_size=2, max_size=2)
_CANARIES = st.builds(lambda c, s: {c: ("pin: ", s)}, st.integers(0, 3), _DIGITS)
_LINES = st.lists(_TEXT, max_size=5)


def _population(n: int, seed: int = 0) -> pd.DataFrame:
    return P.make_population(n, n_zips=3, random_state=seed)


_QI = ["zip", "sex", "birth_date"]
_POP = st.builds(_population, st.integers(3, 25), _SEED)


def _clients(seed: int):
    g = torch.Generator().manual_seed(seed)
    return [(torch.randn(6, 4, generator=g), torch.tensor([0, 1, 0, 1, 1, 0]))
            for _ in range(2)]


CASES = {
    # accounting
    "rdp_subsampled_gaussian": Case(P.rdp_subsampled_gaussian, st.fixed_dictionaries({
        "sample_rate": st.floats(0, 1), "noise_multiplier": st.floats(0.5, 4),
        "steps": st.integers(0, 100), "orders": st.sampled_from([None, [1.5, 2, 8, 32]])}),
        {"sample_rate": ("real_inf",), "noise_multiplier": ("real",), "steps": ("int",),
         "orders": (_P["orders"],)}),
    "rdp_to_epsilon": Case(P.rdp_to_epsilon, st.builds(
        lambda r, d: dict(orders=[2.0, 4.0, 8.0], rdp=np.array(r), delta=d),
        st.lists(st.floats(0, 10), min_size=3, max_size=3), st.floats(1e-6, 0.1)),
        {"orders": (_P["orders"],), "rdp": ("length", "strings", "2d"),
         "delta": ("real_inf",)}),
    "dp_epsilon": Case(P.dp_epsilon, st.fixed_dictionaries({
        "sample_rate": st.floats(0.001, 0.1), "noise_multiplier": st.floats(0.5, 4),
        "steps": st.integers(1, 100), "delta": st.floats(1e-6, 1e-3),
        "accountant": st.sampled_from(P.ACCOUNTANTS)}),
        {"sample_rate": ("real_inf",), "noise_multiplier": ("real",), "steps": ("int",),
         "delta": ("real_inf",), "accountant": ("str",)}),
    "noise_multiplier_for": Case(P.noise_multiplier_for, st.fixed_dictionaries({
        "target_epsilon": st.floats(1, 8), "sample_rate": st.floats(0.001, 0.05),
        "steps": st.integers(1, 50), "delta": st.just(1e-5), "tolerance": st.just(0.05)}),
        {"target_epsilon": ("real",), "sample_rate": ("real_inf",), "steps": ("int",),
         "delta": ("real_inf",), "tolerance": ("real_inf",)}),
    "group_privacy": Case(P.group_privacy, st.fixed_dictionaries({
        "epsilon": st.floats(0, 5), "delta": st.floats(0, 1e-3), "k": st.integers(1, 5)}),
        {"epsilon": ("real",), "delta": ("real_inf",), "k": ("int",)}),
    # DP-SGD
    "per_example_gradients": Case(P.per_example_gradients, _model_xy(),
                                  {"model": ("module",), "inputs": _INPUTS,
                                   "target": _TARGET}),
    "clip_gradients": Case(P.clip_gradients, _model_xy().map(lambda d: dict(
        grads=P.per_example_gradients(**d), max_grad_norm=0.5)),
        {"grads": (_P["grads"],), "max_grad_norm": ("real",)}),
    "noisy_gradient": Case(P.noisy_gradient, _model_xy(
        max_grad_norm=1.0, noise_multiplier=1.0, expected_batch_size=4.0,
        generator=torch.Generator().manual_seed(0)),
        {"model": ("module",), "inputs": _INPUTS, "target": _TARGET,
         "max_grad_norm": ("real",), "noise_multiplier": ("real",),
         "expected_batch_size": ("real",), "generator": (_P["generator"],)}),
    "dp_sgd_step": Case(P.dp_sgd_step, _model_xy(
        lr=0.1, max_grad_norm=1.0, noise_multiplier=1.0, expected_batch_size=4.0,
        generator=torch.Generator().manual_seed(0)),
        {"model": ("module",), "inputs": _INPUTS, "target": _TARGET, "lr": ("real",),
         "max_grad_norm": ("real",), "noise_multiplier": ("real",),
         "expected_batch_size": ("real",)}),
    "train_dp": Case(P.train_dp, _model_xy(
        noise_multiplier=1.0, max_grad_norm=1.0, batch_size=4, epochs=1, random_state=0),
        {"model": ("module",), "inputs": (*_INPUTS, "empty"), "target": _TARGET,
         "noise_multiplier": ("real",), "max_grad_norm": ("real",), "batch_size": ("int",),
         "epochs": ("int",), "lr": ("real",), "delta": ("real_inf",),
         "random_state": ("int",)}, slow=True),
    "train_opacus": Case(P.train_opacus, _model_xy(
        noise_multiplier=1.0, max_grad_norm=1.0, batch_size=4, epochs=1, random_state=0),
        {"model": ("module",), "inputs": (*_INPUTS, "empty"), "target": _TARGET,
         "noise_multiplier": ("real",), "max_grad_norm": ("real",), "batch_size": ("int",),
         "epochs": ("int",), "delta": ("real_inf",), "random_state": ("int",)}, slow=True),
    # canaries
    "make_vocab": Case(P.make_vocab, _TEXT.map(lambda t: dict(text=t)),
                       {"text": (_P["text"],)}),
    "encode": Case(P.encode, _TEXT.map(lambda t: dict(text=t, vocab=_VOCAB)),
                   {"text": (_P["text"],), "vocab": (_P["text"],)}),
    "char_windows": Case(P.char_windows, st.builds(
        lambda t, k: dict(text=t, vocab=_VOCAB, context=k), _TEXT, st.integers(1, 4)),
        {"text": (_P["text"],), "vocab": (_P["text"],), "context": ("int",)}),
    "insert_canary": Case(P.insert_canary, st.builds(
        lambda lines, c, r, s: dict(lines=lines, canary=c, repeats=r, random_state=s),
        _LINES, _TEXT, st.integers(0, 3), _SEED),
        {"lines": (_P["lines"],), "canary": (_P["text"],), "repeats": ("int",),
         "random_state": ("int",)}),
    "deduplicate_lines": Case(P.deduplicate_lines, _LINES.map(lambda x: dict(lines=x)),
                              {"lines": (_P["lines"],)}),
    "digit_candidates": Case(P.digit_candidates, st.builds(
        lambda idx, d: dict(indices=np.array(idx, dtype=np.int64), digits=d),
        st.lists(st.integers(0, 99), min_size=1, max_size=5), st.integers(2, 4)),
        {"indices": (_P["indices"],), "digits": ("int",)}),
    "sequence_log_likelihood": Case(P.sequence_log_likelihood, st.builds(
        lambda p, c: dict(model=_char_model(), prefix=p, candidates=c, vocab=_VOCAB),
        _TEXT, st.lists(_DIGITS, min_size=1, max_size=4)),
        {"prefix": (_P["text"], _P["unknown_chars"]), "vocab": (_P["text"],)}),
    "exposure": Case(P.exposure, st.builds(
        lambda n, s, c: dict(score_fn=lambda i: -np.abs(i - 3.0), secret_index=s % n,
                             n_candidates=n, chunk_size=c),
        st.integers(1, 50), st.integers(0, 49), st.integers(1, 16)),
        {"score_fn": ("callable",), "secret_index": ("int",), "n_candidates": ("int",),
         "chunk_size": ("int",)}),
    "canary_exposure": Case(P.canary_exposure, st.builds(
        lambda s: dict(model=_char_model(), prefix="pin: ", secret=s, vocab=_VOCAB), _DIGITS),
        {"model": ("module",), "prefix": (_P["text"], _P["unknown_chars"]),
         "secret": (_P["text"], _P["pin"]),
         "vocab": (_P["text"],), "chunk_size": ("int",)}),
    "canary_exposures": Case(P.canary_exposures, _CANARIES.map(
        lambda c: dict(model=_char_model(), canaries=c, vocab=_VOCAB)),
        {"model": ("module",), "canaries": (_P["canaries"], _P["secrets"],
                                             _P["unknown_chars"]),
         "vocab": (_P["text"],)}),
    "course_canaries": Case(P.course_canaries, st.fixed_dictionaries(
        {"per_copy": st.integers(1, 4)}), {"per_copy": ("int",)}),
    "plant_canaries": Case(P.plant_canaries, st.builds(
        lambda lines, c, s: dict(lines=lines, canaries=c, random_state=s),
        _LINES, _CANARIES, _SEED),
        {"lines": (_P["lines"],), "canaries": (_P["canaries"],), "random_state": ("int",)}),
    "medical_records": Case(P.medical_records, st.fixed_dictionaries(
        {"n": st.integers(1, 20), "random_state": _SEED}),
        {"n": ("int",), "random_state": ("int",)}),
    # membership inference
    "adult_features": Case(P.adult_features, st.integers(2, 40).map(
        lambda n: dict(df=_adult().head(n))), {"df": ("frame", "empty")}),
    "membership_splits": Case(P.membership_splits, st.builds(
        lambda n, m, s: dict(n_rows=n, n_target=1 + m % ((n - 1) // 2), random_state=s),
        st.integers(3, 60), st.integers(0, 30), _SEED),
        {"n_rows": ("int",), "n_target": ("int",), "random_state": ("int",)}),
    "per_example_loss": Case(P.per_example_loss, _model_xy(),
                             {"inputs": _INPUTS, "target": _TARGET}),
    "attack_roc": Case(P.attack_roc, _scores(),
                       {"member_scores": _SCORES, "nonmember_scores": _SCORES}),
    "membership_advantage": Case(P.membership_advantage, _scores(
        threshold=0.0), {"member_scores": _SCORES, "nonmember_scores": _SCORES,
                         "threshold": ("real",)}),
    "advantage_chance_level": Case(P.advantage_chance_level, st.fixed_dictionaries({
        "n_members": st.integers(1, 20), "n_nonmembers": st.integers(1, 20),
        "quantile": st.floats(0, 1), "n_draws": st.integers(1, 20), "random_state": _SEED}),
        {"n_members": ("int",), "n_nonmembers": ("int",), "quantile": ("real_inf",),
         "n_draws": ("int",), "random_state": ("int",)}),
    "tpr_at_fpr": Case(P.tpr_at_fpr, _scores(fpr=0.1),
                       {"member_scores": _SCORES, "nonmember_scores": _SCORES,
                        "fpr": ("real_inf",)}),
    "evaluate_attack": Case(P.evaluate_attack, _scores(),
                            {"member_scores": _SCORES, "nonmember_scores": _SCORES}),
    "loss_threshold_attack": Case(P.loss_threshold_attack, _attack(),
                                  {"member_inputs": _INPUTS, "member_target": _TARGET,
                                   "nonmember_inputs": _INPUTS,
                                   "nonmember_target": _TARGET}),
    "shadow_attack": Case(P.shadow_attack, _shadow(),
                          {"member_inputs": _INPUTS, "member_target": _TARGET,
                           "shadow_inputs": (*_INPUTS, "empty"),
                           "shadow_target": ("nonbinary", "length", "meta", "strings"),
                           "n_shadows": ("int",), "random_state": ("int",)}, slow=True,
                          names={"member_inputs": ("member_target",)}),
    # model inversion
    "query_api": Case(P.query_api, st.builds(
        lambda t, o: dict(model=_mlp(), inputs=t[0], output=o, decimals=1, noise_scale=0.1,
                          generator=torch.Generator().manual_seed(0)),
        _xy(), st.sampled_from(["probs", "rounded", "noisy", "label"])),
        {"model": ("module",), "inputs": (*TENSOR, "strings", "empty"), "output": ("str",)}),
    "invert_class": Case(P.invert_class, st.builds(
        lambda t, m: dict(model=_mlp(), target=t, shape=(4,), method=m, steps=3,
                          random_state=0), st.integers(0, 1), st.sampled_from(["gradient",
                                                                              "search"])),
        {"model": ("module",), "target": ("int",), "shape": (_P["shape"],),
         "method": ("str",), "output": ("str",), "steps": ("int",), "random_state": ("int",)}),
    # federated learning
    "split_clients": Case(P.split_clients, st.builds(
        lambda n, k, sc, s: dict(target=np.arange(n) % 3, n_clients=1 + k % (n // 2),
                                 scheme=sc, shards_per_client=2, random_state=s),
        st.integers(4, 30), st.integers(0, 9), st.sampled_from(["iid", "label_skew"]), _SEED),
        {"target": ("empty", "2d", "nonfinite", "strings", "missing", "float_tensor",
                    _P["split_labels"]), "n_clients": ("int",),
         "scheme": ("str",), "shards_per_client": ("int",), "random_state": ("int",)}),
    "local_sgd": Case(P.local_sgd, _model_xy(
        epochs=1, lr=0.1, batch_size=4, generator=torch.Generator().manual_seed(0)),
        {"model": ("module",), "inputs": _INPUTS, "target": _TARGET, "epochs": ("int",),
         "lr": ("real",), "batch_size": ("int",), "generator": (_P["generator"],)}),
    "fedavg": Case(P.fedavg, _SEED.map(lambda s: dict(
        model_fn=_mlp, client_data=_clients(s), rounds=1, fraction=1.0, local_epochs=1,
        lr=0.1, batch_size=4, random_state=s)),
        {"model_fn": ("callable",), "client_data": (_P["client_data"],), "rounds": ("int",),
         "fraction": ("real_inf",), "local_epochs": ("int",), "lr": ("real",),
         "batch_size": ("int",), "random_state": ("int",)}, slow=True),
    "linear_gradient_leak": Case(P.linear_gradient_leak, _xy(2, 2).map(lambda t: (lambda g: dict(
        grad_weight=list(g.values())[-2], grad_bias=list(g.values())[-1]))(
        P.client_gradient(_mlp(), t[0][:1], t[1][:1]))),
        {"grad_weight": TENSOR, "grad_bias": TENSOR}),
    "client_gradient": Case(P.client_gradient, _model_xy(),
                            {"model": ("module",), "inputs": _INPUTS, "target": _TARGET}),
    # k-anonymity
    "equivalence_class_sizes": Case(P.equivalence_class_sizes, _POP.map(
        lambda df: dict(df=df, quasi_identifiers=_QI)),
        {"df": ("frame",), "quasi_identifiers": (_P["qi"],)}),
    "k_anonymity": Case(P.k_anonymity, _POP.map(lambda df: dict(df=df, quasi_identifiers=_QI)),
                        {"df": ("frame", "empty"), "quasi_identifiers": (_P["qi"],)}),
    "uniqueness": Case(P.uniqueness, _POP.map(lambda df: dict(df=df, quasi_identifiers=_QI)),
                       {"df": ("frame", "empty"), "quasi_identifiers": (_P["qi"],)}),
    "generalize_zip": Case(P.generalize_zip, st.builds(
        lambda df, d: dict(zips=df["zip"], digits=d), _POP, st.integers(0, 5)),
        {"digits": ("int",)}),
    "generalize_age": Case(P.generalize_age, st.builds(
        lambda a, w: dict(ages=pd.Series(a), width=w),
        st.lists(st.integers(0, 99), min_size=1, max_size=8), st.integers(1, 20)),
        {"ages": ("strings", "missing", "nonfinite"), "width": ("int",)}),
    "generalize_date": Case(P.generalize_date, st.builds(
        lambda df, lv: dict(dates=df["birth_date"], level=lv), _POP,
        st.sampled_from(["month", "year", "decade"])), {"level": ("str",)}),
    "apply_generalization": Case(P.apply_generalization, st.builds(
        lambda df, z, s: dict(df=df, hierarchies=P.population_hierarchies(),
                              levels={"zip": z, "sex": s}), _POP, st.integers(0, 4),
        st.integers(0, 1)),
        {"df": ("frame",), "hierarchies": (_P["hierarchies"],), "levels": (_P["levels"],)}),
    "generalize_to_k": Case(P.generalize_to_k, st.builds(
        lambda df, k: dict(df=df, quasi_identifiers=_QI, k=1 + k % len(df),
                           hierarchies=P.population_hierarchies()), _POP, st.integers(0, 5)),
        {"df": ("frame",), "quasi_identifiers": (_P["qi"],), "k": ("int",),
         "hierarchies": (_P["hierarchies"],)}),
    "make_population": Case(P.make_population, st.fixed_dictionaries({
        "n": st.integers(1, 30), "n_zips": st.integers(1, 10), "random_state": _SEED}),
        {"n": ("int",), "n_zips": ("int",), "random_state": ("int",)}),
    "linkage_attack": Case(P.linkage_attack, st.builds(
        lambda df: dict(released=df.drop(columns="name"), auxiliary=df.drop(
            columns="diagnosis"), on=_QI), _POP),
        {"released": ("frame",), "auxiliary": ("frame",), "on": (_P["on"],)}),
    # explorers (notebooks 07 and 08) and the grid of trained models behind 08's
    "explore_membership_threshold": Case(P.explore_membership_threshold, st.builds(
        lambda d, v: dict(attacks={"target": P.evaluate_attack(**d)}, value=v), _scores(),
        st.floats(0, 2)), {"attacks": (_P["attacks"],), "value": ("real_inf",)}),
    "dpsgd_grid": Case(P.dpsgd_grid, st.builds(
        lambda sigma, seed: dict(sigmas=(sigma,), epochs=(1,), setting=dict(
            n_members=8, features=3, hidden=(4,), batch_size=4, random_state=seed)),
        st.sampled_from([0.5, 1.0, 4.0]), _SEED),
        {"sigmas": ("nonfinite", "strings", "empty", "2d"), "epochs": (_P["epochs"],),
         "setting": (_P["setting"],)}),
    "explore_dpsgd": Case(P.explore_dpsgd, st.builds(
        lambda sigmas, epochs, chance: dict(grid=_grid(sigmas, epochs), chance=chance),
        st.lists(st.sampled_from([0.5, 1.0, 2.0, 4.0]), min_size=1, max_size=1),  # ε: 0.1-0.3 s a σ
        st.lists(st.sampled_from([10, 30, 60]), min_size=1, max_size=2, unique=True),
        st.one_of(st.none(), st.floats(0, 0.5))),
        {"grid": ("frame", "empty", _P["grid"]), "chance": ("real", "real_inf")}),
}


def _grid(sigmas, epochs) -> pd.DataFrame:
    """The rows of the stored DP-SGD grid at these σ and epochs (a complete smaller grid)."""
    grid = P.dpsgd_grid_table()
    return grid[grid["sigma"].isin(sigmas) & grid["epochs"].isin(epochs)].reset_index(drop=True)

EXEMPT = {"population_hierarchies": "no arguments", "dpsgd_grid_table": "no arguments"}

_ADULT: list[pd.DataFrame] = []


def _adult() -> pd.DataFrame:
    if not _ADULT:
        from course_lib.data import load_adult

        _ADULT.append(load_adult().head(200))
    return _ADULT[0]


def test_every_public_function_is_covered():
    """A new public function must get a Case here (or an exemption with a reason)."""
    assert public_functions(package_api(P), EXEMPT) == sorted(CASES)


(test_valid_input_is_accepted, test_bad_input_is_rejected_naming_the_argument,
 test_bad_input_is_rejected_naming_the_argument_slow) = property_tests(CASES)

# a hypothesis draw of a listed kind picks one corruption per example: try every one here
_LISTED = {kind: fn for kind, fn in (
    ("class_range", _label_range_corruptions), ("grads", _grads_corruptions),
    ("on", _on_corruptions), ("levels", _levels_corruptions),
    ("hierarchies", _hierarchies_corruptions), ("secrets", _secrets_corruptions),
    ("pin", _pin_corruptions), ("split_labels", _split_labels_corruptions),
    ("attacks", _attacks_corruptions), ("epochs", _epochs_corruptions),
    ("setting", _setting_corruptions), ("grid", _grid_corruptions))}


@pytest.mark.parametrize(("name", "arg", "kind"), [
    pytest.param(name, arg, kind, id=f"{name}-{arg}-{kind}")
    for name, case in CASES.items() for arg, kinds in case.bad.items()
    for kind in kinds if kind.removeprefix("privacy_") in _LISTED])
@settings(FAST, max_examples=1)
@given(data=st.data())
def test_every_listed_corruption_is_rejected_naming_the_argument(name, arg, kind, data):
    case = CASES[name]
    kwargs = dict(data.draw(case.valid, label="valid"))
    for bad in _LISTED[kind.removeprefix("privacy_")](kwargs[arg]):
        assert_rejects(case, {**kwargs, arg: bad}, arg)


# ---------------------------------------------------------------- regressions (bugs found here)
def test_infinite_membership_scores_are_rejected_by_name():
    """Before: an inf score reached sklearn's roc_curve ("Input contains infinity", no name)."""
    with pytest.raises(ValueError, match="member_scores contains infinite values"):
        P.evaluate_attack(np.array([1.0, np.inf]), np.array([0.0, 0.5]))


def test_loss_threshold_attack_names_which_argument_is_bad():
    """Before: a NaN in nonmember_inputs was reported as "inputs contains NaN"."""
    x, y = torch.randn(4, 4), torch.tensor([0, 1, 0, 1])
    bad = x.clone()
    bad[0, 0] = float("nan")
    with pytest.raises(ValueError, match="nonmember_inputs contains NaN"):
        P.loss_threshold_attack(_mlp(), x, y, bad, y)
    with pytest.raises(ValueError, match="member_target must hold class indices 0..1"):
        P.loss_threshold_attack(_mlp(), x, torch.tensor([0, 1, 2, 1]), x, y)


def test_shadow_attack_rejects_a_label_the_model_has_no_output_for():
    """Before: member_target 2 for a 2-class model silently scored 0.5 ("no information")."""
    x, y = torch.randn(12, 4), torch.tensor([0, 1] * 6)
    with pytest.raises(ValueError, match="member_target must hold class indices 0..1"):
        P.shadow_attack(_mlp(), x[:4], torch.tensor([0, 1, 2, 1]), x[:4], y[:4], x, y,
                        n_shadows=1, hidden=(4,), epochs=1)


def test_rdp_accounting_rejects_strings_and_nan():
    """Before: orders=["a"] and rdp="x" raised numpy's "could not convert string to float"
    naming nothing, rdp=["1", "2"] was read as numbers, and a NaN rdp was skipped silently."""
    with pytest.raises(TypeError, match="orders must be numbers"):
        P.rdp_subsampled_gaussian(0.01, 1.0, 10, orders=["a", "b"])
    with pytest.raises(TypeError, match="rdp must be numbers"):
        P.rdp_to_epsilon([2.0, 4.0], ["1", "2"], 1e-5)
    with pytest.raises(ValueError, match="rdp must be >= 0 and not NaN"):
        P.rdp_to_epsilon([2.0, 4.0], [float("nan"), 1.0], 1e-5)
    assert P.rdp_to_epsilon([2.0, 4.0], [np.inf, np.inf], 1e-5)[0] == np.inf  # still allowed


def test_digit_candidates_does_not_truncate_fractions():
    """Before: index 1.5 was written as "0001"."""
    with pytest.raises(ValueError, match="indices must be a 1-D array of integers"):
        P.digit_candidates(np.array([1.5]), 4)
    assert P.digit_candidates(np.array([42]), 4) == ["0042"]


def test_model_none_is_named():
    """Before: noisy_gradient(None, ...) raised AttributeError; canary_exposure(None, ...) blamed
    context."""
    x, y = torch.randn(4, 4), torch.tensor([0, 1, 0, 1])
    with pytest.raises(TypeError, match="model must be a torch nn.Module"):
        P.noisy_gradient(None, x, y, max_grad_norm=1.0, noise_multiplier=1.0,
                         expected_batch_size=4.0)
    with pytest.raises(TypeError, match="model must be a torch nn.Module"):
        P.canary_exposure(None, "pin: ", "12", _VOCAB)


def test_tensor_inputs_are_checked_before_torch_sees_them():
    """Before: query_api, local_sgd, linear_gradient_leak and invert_class(init=) passed a meta,
    NaN or complex tensor on to torch (RuntimeError, or NaN results)."""
    model = _mlp()
    meta = torch.empty(3, 4, device="meta")
    with pytest.raises(ValueError, match="inputs is a tensor on the 'meta' device"):
        P.query_api(model, meta)
    with pytest.raises(ValueError, match="inputs must be a non-empty batch"):
        P.query_api(model, torch.empty(0, 4))
    with pytest.raises(ValueError, match="inputs contains NaN"):
        P.local_sgd(model, torch.full((4, 4), float("nan")), torch.tensor([0, 1, 0, 1]),
                    epochs=1, lr=0.1, batch_size=2, generator=torch.Generator())
    with pytest.raises(ValueError, match="grad_weight contains NaN"):
        P.linear_gradient_leak(torch.full((2, 4), float("nan")), torch.ones(2))
    with pytest.raises(ValueError, match="init is a tensor on the 'meta' device"):
        P.invert_class(model, 0, (4,), init=torch.empty(4, device="meta"), steps=1)
    with pytest.raises(TypeError, match="shape must be a sequence"):
        P.invert_class(model, 0, None, steps=1)


def test_adult_features_of_a_sample_with_a_constant_column_is_not_nan():
    """Before: a sample where capital_loss is always 0 gave NaN features (0/0) and a warning."""
    from course_lib.data import load_adult

    df = load_adult().head(20)
    assert df["capital_loss"].nunique() == 1
    x, _ = P.adult_features(df)
    assert np.isfinite(x).all()
    with pytest.raises(ValueError, match="df is empty"):
        P.adult_features(df.head(0))


def test_generalize_age_rejects_infinite_ages():
    """Before: an infinite age overflowed the int cast (a huge negative band, and a warning)."""
    with pytest.raises(ValueError, match="ages contains infinite values"):
        P.generalize_age(pd.Series([30.0, np.inf]), 10)


def test_a_label_the_model_has_no_output_for_is_named_before_training():
    """Before: a label 2 or -1 for a 2-output model reached cross-entropy (RuntimeError "index 2
    is out of bounds for dimension 2" from inside vmap, or IndexError "Target 2 is out of
    bounds"), after train_opacus had wrapped the model; -100 (cross-entropy's ignore_index) was
    skipped silently. Now a ValueError naming target, and the model is left as it was."""
    x = torch.randn(6, 4)
    dp = dict(max_grad_norm=1.0, noise_multiplier=1.0)
    calls = {
        "per_example_gradients": lambda m, y: P.per_example_gradients(m, x, y),
        "noisy_gradient": lambda m, y: P.noisy_gradient(m, x, y, expected_batch_size=4.0, **dp),
        "dp_sgd_step": lambda m, y: P.dp_sgd_step(m, x, y, lr=0.1, expected_batch_size=4.0,
                                                  **dp),
        "train_dp": lambda m, y: P.train_dp(m, x, y, batch_size=2, epochs=1, **dp),
        "train_opacus": lambda m, y: P.train_opacus(m, x, y, batch_size=2, epochs=1, **dp),
        "local_sgd": lambda m, y: P.local_sgd(m, x, y, epochs=1, lr=0.1, batch_size=2,
                                              generator=torch.Generator()),
        "client_gradient": lambda m, y: P.client_gradient(m, x, y),
    }
    for name, call in calls.items():
        for bad, got in ((2, "0, 2"), (-1, "-1, 1"), (-100, "-100, 1")):
            model = _mlp()
            before = {k: v.clone() for k, v in model.state_dict().items()}
            y = torch.tensor([0, 1, bad, 1, 0, 1])
            message = (rf"^target must hold class indices 0\.\.1 \(the model has 2 outputs\), "
                       rf"got values in \[{got}\]$")
            with pytest.raises(ValueError, match=message):
                call(model, y)
            after = model.state_dict()
            assert before.keys() == after.keys(), name
            assert all(torch.equal(before[k], after[k]) for k in before), name
            assert not any(m._forward_hooks or m._backward_hooks for m in model.modules()), name
    with pytest.raises(ValueError, match=r"client_data\[1\] target must hold class indices 0\.\.1"):
        P.fedavg(_mlp, [(x, torch.tensor([0, 1] * 3)), (x, torch.tensor([0, 1, 2] * 2))])
    # the check is cross-entropy's: a loss of the caller's own decides what its target means
    def bce(out, t):
        return torch.nn.functional.binary_cross_entropy_with_logits(out[:, 0], t.float())

    one_output = torch.nn.Linear(4, 1)
    grads = P.per_example_gradients(one_output, x, torch.tensor([0, 1] * 3), loss_fn=bce)
    assert grads["weight"].shape == (6, 1, 4)


def test_split_clients_rejects_labels_that_are_not_class_labels():
    """Before: NaN, inf, text and fractions were sorted as labels and split silently, None gave
    "'<' not supported between 'int' and 'NoneType'", a meta tensor NotImplementedError."""
    bad = {"target contains NaN or infinite values": [np.array([0.0, np.nan, 1, 2]),
                                                        np.array([0.0, np.inf, 1, 2])],
           "target must hold whole numbers": [[0, 0.5, 1, 1]],
           "target must hold class labels": [["a", "b", "a", "b"],
                                             np.array([0, None, 1, 1], dtype=object),
                                             torch.zeros(4, dtype=torch.complex64)],
           "target is a tensor on the 'meta' device": [torch.empty(4, device="meta")]}
    for message, values in bad.items():
        for y in values:
            with pytest.raises((ValueError, TypeError), match=message):
                P.split_clients(y, 2, scheme="label_skew", shards_per_client=1)
    # whole-number floats, ints in an object array, a tensor, a list or a Series split as the
    # ints do, and booleans (a tensor too) as 0/1
    y = np.arange(12) % 3
    for scheme in ("iid", "label_skew"):
        want = [a.tolist() for a in P.split_clients(y, 3, scheme=scheme, random_state=1)]
        for same in (y.astype(float), y.astype(object), torch.from_numpy(y), y.tolist(),
                     pd.Series(y)):
            assert [a.tolist() for a in P.split_clients(same, 3, scheme=scheme,
                                                        random_state=1)] == want
        want = [a.tolist() for a in P.split_clients(y % 2, 3, scheme=scheme, random_state=1)]
        for same in (y % 2 == 1, torch.from_numpy(y % 2 == 1)):
            assert [a.tolist() for a in P.split_clients(same, 3, scheme=scheme,
                                                        random_state=1)] == want


def test_generalization_names_malformed_levels_and_hierarchies():
    """Before: levels=None raised AttributeError, hierarchies=None "argument of type 'NoneType'
    is not iterable", a hierarchy "abcde" "'str' object is not callable", an empty one blamed
    levels, and generalize_to_k accepted a non-function at a level it did not reach."""
    pop, h = _population(20), P.population_hierarchies()
    with pytest.raises(TypeError, match="levels must be a dict"):
        P.apply_generalization(pop, h, None)
    with pytest.raises(ValueError, match="levels names 'postcode', which is not a column of df"):
        P.apply_generalization(pop, h, {"postcode": 0})
    with pytest.raises(ValueError, match="levels names 'name', which hierarchies has no levels"):
        P.apply_generalization(pop, h, {"name": 0})
    with pytest.raises(TypeError, match="hierarchies must be a dict"):
        P.apply_generalization(pop, None, {"zip": 1})
    with pytest.raises(TypeError, match=r"hierarchies\['zip'\] must be a list of functions"):
        P.apply_generalization(pop, {**h, "zip": "abcde"}, {"zip": 1})
    with pytest.raises(ValueError, match=r"hierarchies\['zip'\] has no levels"):
        P.apply_generalization(pop, {**h, "zip": []}, {"zip": 0})
    with pytest.raises(TypeError, match=r"hierarchies\['zip'\]\[4\] must be a function"):
        P.generalize_to_k(pop, _QI, 1, {**h, "zip": [*h["zip"][:-1], 3]})
    with pytest.raises(TypeError, match="hierarchies must be a dict"):
        P.generalize_to_k(pop, _QI, 1, None)


def test_linkage_attack_names_on():
    """Before: a bad ``on`` was reported as "quasi_identifiers" (not an argument of
    linkage_attack), and [["zip"]] raised "unhashable type: 'list'"."""
    released, auxiliary = _population(20).drop(columns="name"), _population(20).drop(
        columns="diagnosis")
    with pytest.raises(ValueError, match=r"^on not in auxiliary's columns: \['diagnosis'\]"):
        P.linkage_attack(released, auxiliary, [*_QI, "diagnosis"])
    for on in ("zip", [], [["zip"]]):
        with pytest.raises(TypeError, match="^on must be a non-empty list of column names"):
            P.linkage_attack(released, auxiliary, on)


def test_clip_gradients_checks_every_gradient():
    """Before: a NaN gradient was clipped to NaN and an inf one to NaN (inf · 0) silently; a numpy
    array raised AttributeError, a 0-d tensor IndexError, a meta or integer tensor a torch
    RuntimeError."""
    grads = P.per_example_gradients(_mlp(), torch.randn(3, 4), torch.tensor([0, 1, 0]))
    key = next(iter(grads))
    for v in (float("nan"), float("inf")):
        g = grads[key].clone()
        g[0] = v
        with pytest.raises(ValueError, match=rf"grads\['{key}'\] contains NaN or infinite"):
            P.clip_gradients({**grads, key: g}, 1.0)
    for g, message in ((grads[key].numpy(), "must be a torch tensor"),
                       (grads[key].sum(), "must have a first dimension"),
                       (grads[key].long(), "must have a floating-point dtype"),
                       (torch.empty(grads[key].shape, device="meta"), "is a tensor on the 'meta'")):
        with pytest.raises((TypeError, ValueError), match=rf"grads\['{key}'\] {message}"):
            P.clip_gradients({**grads, key: g}, 1.0)
    with pytest.raises(ValueError, match=r"grads must all have the same number of examples"):
        P.clip_gradients({**grads, key: grads[key][:1]}, 1.0)


def test_canary_exposures_names_the_canary_whose_secret_is_not_a_pin():
    """Before: the message said "secret must be a string of digits" (no such argument here)."""
    with pytest.raises(ValueError, match=r"^canaries\[4\] secret must be a string of digits, "
                                         r"got '12a4'$"):
        P.canary_exposures(_char_model(), {1: ("pin: ", "12"), 4: ("pin: ", "12a4")}, _VOCAB)


def test_explorer_arguments_are_checked_before_anything_is_built():
    """Before: explore_dpsgd took chance="0.05" and a grid with a NaN train_acc (shown as NaN) or
    a missing (σ, epochs) row (an IndexError on a knob move), and grid="table" raised pandas'
    "DataFrame constructor not properly called!"; explore_membership_threshold took
    value="0.5" and {"a": "x"} raised AttributeError; dpsgd_grid trained with a misspelt
    setting ignored, and with epochs=(1.5,) as 1 epoch."""
    grid = P.dpsgd_grid_table()
    with pytest.raises(TypeError, match="chance must be a real number"):
        P.explore_dpsgd(chance="0.05")
    with pytest.raises(ValueError, match=r"grid\['train_acc'\] contains NaN"):
        P.explore_dpsgd(grid=grid.assign(train_acc=np.nan))
    with pytest.raises(ValueError, match=r"grid must hold exactly one row for every"):
        P.explore_dpsgd(grid=grid.iloc[1:])
    with pytest.raises(TypeError, match="grid must be a DataFrame"):
        P.explore_dpsgd(grid="table")
    res = P.evaluate_attack(np.array([0.0, -1.0]), np.array([-0.5, -2.0]))
    with pytest.raises(TypeError, match="value must be a real number"):
        P.explore_membership_threshold({"a": res}, value="0.5")
    with pytest.raises(TypeError, match="attacks must map each name to an AttackResult"):
        P.explore_membership_threshold({"a": "x"})
    with pytest.raises(ValueError, match=r"setting has unknown keys \['n_member'\]"):
        P.dpsgd_grid(sigmas=(1.0,), epochs=(1,), setting={"n_member": 8})
    with pytest.raises(TypeError, match=r"epochs\[0\] must be an int"):
        P.dpsgd_grid(sigmas=(1.0,), epochs=(1.5,))
