"""Explorers for notebooks 07 and 08: the membership attack's threshold, DP-SGD's σ and epochs.

``explore_membership_threshold`` moves the loss threshold of notebook 07's attack along its ROC
curve (everything is computed from the attack's scores: fast). ``explore_dpsgd`` turns DP-SGD's
noise multiplier and training length: ε comes live from the RDP accountant (the per-step RDP is
computed once per σ, and RDP adds up over steps), accuracy and the membership advantage from a
grid of trained models. Training the grid takes about half a minute, too slow for the notebook,
so it is stored below (``DPSGD_GRID_CSV``), written by ``python -m course_lib.privacy._explore``
(``dpsgd_grid``); tests/test_explore_privacy.py retrains one point and compares.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import numpy as np

from course_lib._validate import check_array, check_int, check_real, to_numpy

__all__ = ["explore_membership_threshold", "explore_dpsgd", "dpsgd_grid", "dpsgd_grid_table",
           "DPSGD_SETTING"]

#: Notebook 08 section 3's memorising setting, which the grid trains at each (σ, epochs).
DPSGD_SETTING = {"n_members": 200, "features": 10, "hidden": (64, 64), "batch_size": 50,
                 "lr": 0.5, "max_grad_norm": 1.0, "delta": 1e-3, "random_state": 0}
GRID_SIGMAS = (0.5, 1.0, 2.0, 4.0)
GRID_EPOCHS = (10, 30, 60)


# -- 07: the attack's threshold -------------------------------------------------------------------
def explore_membership_threshold(attacks: Mapping[str, object], value: float = 0.5):
    """An explorer over "member if loss ≤ threshold" for each attack (scores are −loss).

    ``attacks`` maps a name to an ``AttackResult`` of a loss-threshold attack. The table gives,
    at the chosen threshold, the TPR, FPR and advantage TPR − FPR, beside the best-threshold
    advantage and the TPR at 1% FPR (which do not move: they are the attack's summary).
    """
    from course_lib.explore import View, choice, explorer, figure, slider
    from course_lib.plotting import PALETTE
    from course_lib.privacy._membership import AttackResult, membership_advantage

    if not isinstance(attacks, Mapping) or not attacks:
        raise TypeError("attacks must be a non-empty dict of name -> AttackResult")
    for name, res in attacks.items():
        if not isinstance(res, AttackResult):
            raise TypeError(f"attacks must map each name to an AttackResult, got "
                            f"{type(res).__name__} for {name!r}")
    value = check_real(value, "value", 0.0, 2.0)
    rocs = {name: res.roc() for name, res in attacks.items()}
    names = list(attacks)

    def view(attack: str, threshold: float):
        res = attacks[attack]
        s_in, s_out = res.member_scores, res.nonmember_scores
        tpr = float(np.mean(s_in >= -threshold))
        fpr = float(np.mean(s_out >= -threshold))
        adv = membership_advantage(s_in, s_out, threshold=-threshold)
        import pandas as pd

        table = pd.DataFrame(
            {"at this threshold": [tpr, fpr, adv],
             "attack's summary": [res.tpr_at_1pct_fpr, 0.01, res.advantage]},
            index=["TPR (members caught)", "FPR (non-members accused)", "advantage TPR − FPR"],
        ).round(3)
        table.index.name = f"loss ≤ {threshold:.2f}"
        fig, ax = figure(5.0, 3.4)
        fpr_c, tpr_c, _ = rocs[attack]
        ax.plot(fpr_c, tpr_c, color=PALETTE["blue"], label=f"ROC, {attack}")
        ax.plot([0, 1], [0, 1], ls="--", color="grey", label="chance")
        ax.plot([fpr], [tpr], "o", ms=9, color=PALETTE["vermillion"], label="this threshold")
        ax.set_xlabel("false-positive rate (non-members called members)")
        ax.set_ylabel("true-positive rate (members caught)")
        ax.legend(loc="lower right", fontsize=8)
        note = (f"{attack}: calling 'member' every record with loss ≤ {threshold:.2f} catches "
                f"{tpr:.0%} of members and accuses {fpr:.0%} of non-members.")
        return View(table=table, figure=fig, note=note)

    return explorer(view, {
        "attack": choice(names, names[0], "target model"),
        "threshold": slider(0.0, 2.0, 0.02, float(value), "loss threshold"),
    })


# -- 08: σ and epochs of DP-SGD -------------------------------------------------------------------
def _memorising_data(n_members: int, features: int, random_state: int):
    """Notebook 08 section 3's data: Gaussian features, a label that is mostly noise."""
    rng = np.random.default_rng(random_state)
    x = rng.normal(size=(2 * n_members, features)).astype(np.float32)
    y = (x[:, 0] + 1.5 * rng.normal(size=2 * n_members) > 0).astype(int)
    return x[:n_members], y[:n_members], x[n_members:], y[n_members:]


def _epochs(values) -> list[int]:
    """A non-empty list of epoch counts (ints >= 1), or an error naming ``epochs``."""
    arr = to_numpy(values)
    out = [check_int(e, f"epochs[{i}]", 1) for i, e in enumerate(np.atleast_1d(arr))]
    if not out:
        raise ValueError("epochs must hold at least one epoch count")
    return out


def _setting(setting) -> dict:
    """``DPSGD_SETTING`` updated by ``setting``, each value checked (naming ``setting[key]``)."""
    if setting is None:
        setting = {}
    if not isinstance(setting, Mapping):
        raise TypeError(f"setting must be a dict of some of {sorted(DPSGD_SETTING)}, got "
                        f"{type(setting).__name__}")
    unknown = sorted(map(str, set(setting) - set(DPSGD_SETTING)))
    if unknown:
        raise ValueError(f"setting has unknown keys {unknown}; known: {sorted(DPSGD_SETTING)}")
    s = dict(DPSGD_SETTING, **setting)
    for key, lo in (("n_members", 2), ("features", 1), ("batch_size", 1), ("random_state", 0)):
        s[key] = check_int(s[key], f"setting[{key!r}]", lo)
    for key in ("lr", "max_grad_norm"):
        s[key] = check_real(s[key], f"setting[{key!r}]", 0.0, lo_open=True, finite=True)
    s["delta"] = check_real(s["delta"], "setting['delta']", 0.0, 1.0, lo_open=True,
                            hi_open=True)
    hidden = s["hidden"]
    if isinstance(hidden, (str, bytes)) or not isinstance(hidden, Sequence):
        raise TypeError(f"setting['hidden'] must be a tuple of layer widths, got "
                        f"{type(hidden).__name__}")
    s["hidden"] = tuple(check_int(h, "setting['hidden']", 1) for h in hidden)
    return s


def dpsgd_grid(sigmas: Sequence[float] = GRID_SIGMAS, epochs: Sequence[int] = GRID_EPOCHS,
               setting: Mapping[str, object] | None = None):
    """Train DP-SGD at every (σ, epochs) in notebook 08's memorising setting; one row each.

    Each point is one ``train_dp`` run from the same seeded initial model; the row holds its
    ε (RDP accountant), train and test accuracy, and the loss-threshold attack's advantage,
    AUC and TPR at 1% FPR (200 members against 200 non-members).
    """
    import pandas as pd
    import torch

    from course_lib.models import MLP, predict
    from course_lib.privacy._dpsgd import train_dp
    from course_lib.privacy._membership import loss_threshold_attack

    sigmas = check_array(sigmas, "sigmas", 1)
    if (sigmas < 0).any():
        raise ValueError(f"sigmas must be >= 0, got {sigmas.tolist()}")
    epochs = _epochs(epochs)
    s = _setting(setting)
    x_in, y_in, x_out, y_out = _memorising_data(s["n_members"], s["features"],
                                                s["random_state"])
    rows = []
    for sigma in sigmas:
        for ep in epochs:
            torch.manual_seed(s["random_state"])
            res = train_dp(MLP(s["features"], hidden=tuple(s["hidden"])), x_in, y_in,
                           noise_multiplier=float(sigma), max_grad_norm=s["max_grad_norm"],
                           batch_size=s["batch_size"], epochs=int(ep), lr=s["lr"],
                           delta=s["delta"], random_state=s["random_state"])
            att = loss_threshold_attack(res.model, x_in, y_in, x_out, y_out)
            rows.append({"sigma": float(sigma), "epochs": int(ep), "steps": res.steps,
                         "sample_rate": res.sample_rate, "epsilon": res.epsilon,
                         "train_acc": float((predict(res.model, x_in) == y_in).mean()),
                         "test_acc": float((predict(res.model, x_out) == y_out).mean()),
                         "advantage": att.advantage, "auc": att.auc,
                         "tpr_at_1pct_fpr": att.tpr_at_1pct_fpr})
    return pd.DataFrame(rows)


# generated by `python -m course_lib.privacy._explore` (dpsgd_grid()); do not edit by hand
DPSGD_GRID_CSV = """\
sigma,epochs,steps,sample_rate,epsilon,train_acc,test_acc,advantage,auc,tpr_at_1pct_fpr
0.5,10,40,0.25,35.2179,0.705,0.63,0.11,0.547425,0.015
0.5,30,120,0.25,70.4394,0.745,0.62,0.15,0.57215,0.02
0.5,60,240,0.25,114.187,0.82,0.64,0.205,0.605,0.01
1,10,40,0.25,9.24837,0.725,0.615,0.13,0.549,0.015
1,30,120,0.25,17.4961,0.765,0.625,0.165,0.569625,0.02
1,60,240,0.25,27.2841,0.82,0.655,0.19,0.59155,0.015
2,10,40,0.25,3.11873,0.725,0.62,0.13,0.5523,0.03
2,30,120,0.25,5.84141,0.76,0.635,0.15,0.567612,0.02
2,60,240,0.25,8.90794,0.76,0.65,0.135,0.55485,0
4,10,40,0.25,1.25125,0.695,0.605,0.16,0.56725,0.03
4,30,120,0.25,2.34186,0.705,0.625,0.095,0.550963,0
4,60,240,0.25,3.52168,0.66,0.6,0.125,0.543725,0
"""


def dpsgd_grid_table():
    """The stored grid (``DPSGD_GRID_CSV``) as a DataFrame."""
    import pandas as pd

    if not DPSGD_GRID_CSV.strip():
        raise RuntimeError("the DP-SGD grid is not generated: run "
                           "`python -m course_lib.privacy._explore`")
    return pd.read_csv(io.StringIO(DPSGD_GRID_CSV))


def _label(ax, xlabel: str, ylabel: str, **scale: str) -> None:
    """Name both axes, set a log scale (``xscale=`` / ``yscale=``) and show the legend."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    for axis, kind in scale.items():
        getattr(ax, f"set_{axis}")(kind)
    ax.legend(fontsize=8)


_GRID_COLUMNS = ("sigma", "epochs", "steps", "sample_rate", "train_acc", "test_acc", "advantage")


def _checked_grid(grid):
    """``grid`` if it is a complete (σ, epochs) grid like ``dpsgd_grid()``'s, or an error naming
    ``grid``: the columns the explorer reads, finite, one row per (σ, epochs), one sampling
    rate, and steps = epochs × one number of steps per epoch."""
    import pandas as pd

    if not isinstance(grid, pd.DataFrame):
        raise TypeError(f"grid must be a DataFrame like dpsgd_grid()'s, got {type(grid).__name__}")
    if not set(_GRID_COLUMNS) <= set(grid.columns):
        raise ValueError(f"grid needs the columns {sorted(_GRID_COLUMNS)}, got "
                         f"{sorted(map(str, grid.columns))}")
    cols = {c: check_array(grid[c], f"grid[{c!r}]", 1) for c in _GRID_COLUMNS}
    if (cols["sigma"] <= 0).any() or (cols["sample_rate"] <= 0).any() or (
            cols["sample_rate"] > 1).any():
        raise ValueError("grid's sigma must be > 0 and its sample_rate in (0, 1]")
    epochs, steps = cols["epochs"], cols["steps"]
    if ((epochs < 1) | (epochs != np.round(epochs))).any() or not np.allclose(
            steps, epochs * round(steps[0] / epochs[0])) or len(set(cols["sample_rate"])) != 1:
        raise ValueError("grid's epochs must be whole numbers >= 1, its steps epochs × one "
                         "number of steps per epoch, and its sample_rate one value")
    pairs = set(zip(cols["sigma"], epochs, strict=True))
    if len(pairs) != len(grid) or len(pairs) != len(set(cols["sigma"])) * len(set(epochs)):
        raise ValueError("grid must hold exactly one row for every (sigma, epochs) pair")
    return grid


def explore_dpsgd(grid=None, chance: float | None = None):
    """An explorer over DP-SGD's noise multiplier σ and epochs: ε, accuracy and the advantage.

    ε is computed live by the RDP accountant (course_lib's ``rdp_to_epsilon`` over the per-step
    RDP, which composes linearly in steps, so it equals ``dp_epsilon`` at that setting); the
    accuracies and the loss-threshold attack's advantage come from ``grid`` (default: the stored
    ``dpsgd_grid_table()``). ``chance`` draws the advantage a useless attack reaches by luck.
    """
    import pandas as pd

    from course_lib.explore import View, choice, explorer, figure
    from course_lib.plotting import COLORS
    from course_lib.privacy._accounting import (
        DEFAULT_ORDERS,
        rdp_subsampled_gaussian,
        rdp_to_epsilon,
    )

    if chance is not None:
        chance = check_real(chance, "chance", -1.0, 1.0)
    grid = dpsgd_grid_table() if grid is None else _checked_grid(grid)
    sigmas = sorted(grid["sigma"].unique().tolist())
    epochs = sorted(int(e) for e in grid["epochs"].unique())
    q = float(grid["sample_rate"].iloc[0])
    steps_per_epoch = int(round(grid["steps"].iloc[0] / grid["epochs"].iloc[0]))
    delta = DPSGD_SETTING["delta"]
    per_step = {s: rdp_subsampled_gaussian(q, s, 1) for s in sigmas}  # the slow part, once

    def eps(sigma: float, steps: int) -> float:
        return rdp_to_epsilon(DEFAULT_ORDERS, per_step[sigma] * steps, delta)[0]


    def view(sigma: float, epochs_run: int):
        steps = epochs_run * steps_per_epoch
        row = grid[(grid["sigma"] == sigma) & (grid["epochs"] == epochs_run)].iloc[0]
        e = eps(sigma, steps)
        values = [float(sigma), int(steps)] + [round(float(v), 3) for v in (
            e, row["train_acc"], row["test_acc"], row["advantage"])]
        table = pd.DataFrame({"value": pd.Series(values, dtype=object)})
        table.index = ["noise multiplier σ", "steps", f"ε (δ = {delta:g})", "train accuracy",
                       "test accuracy", "membership advantage"]
        fig, (ax1, ax2) = figure(8.0, 3.2, ncols=2)
        for k, s in enumerate(sigmas):
            sub = grid[grid["sigma"] == s].sort_values("epochs")
            curve = [eps(s, int(n)) for n in sub["steps"]]
            ax1.plot(sub["epochs"], curve, "o-", color=COLORS[k % len(COLORS)],
                     label=f"σ = {s:g}")
            ax2.plot(curve, sub["advantage"], "o-", color=COLORS[k % len(COLORS)])
        ax1.plot([epochs_run], [e], "s", ms=11, mfc="none", mec="black")
        ax2.plot([e], [row["advantage"]], "s", ms=11, mfc="none", mec="black",
                 label="this setting")
        if chance is not None:
            ax2.axhline(chance, ls="--", color="grey", label="chance level")
        _label(ax1, "epochs", "ε (RDP accountant)", yscale="log")
        _label(ax2, "ε (log scale)", "membership advantage", xscale="log")
        note = (f"σ = {sigma:g}, {epochs_run} epochs ({steps} steps): ε = {e:.2f}; test "
                f"accuracy {row['test_acc']:.2f}; attack advantage {row['advantage']:.2f}.")
        return View(table=table, figure=fig, note=note)

    return explorer(view, {
        "sigma": choice(sigmas, sigmas[len(sigmas) // 2], "noise multiplier σ"),
        "epochs_run": choice(epochs, epochs[-1], "epochs"),
    })


def _regenerate() -> None:  # pragma: no cover - run by hand when the setting changes
    """Retrain the grid and rewrite ``DPSGD_GRID_CSV`` in this file."""
    from pathlib import Path

    import torch

    torch.set_num_threads(1)
    text = dpsgd_grid().to_csv(index=False, float_format="%.6g")
    path = Path(__file__)
    src = path.read_text()
    start = src.index('DPSGD_GRID_CSV = """\\\n') + len('DPSGD_GRID_CSV = """\\\n')
    end = src.index('"""', start)
    path.write_text(src[:start] + text + src[end:])
    print(text)


if __name__ == "__main__":  # pragma: no cover
    _regenerate()

