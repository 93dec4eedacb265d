"""An explorer of ``make_hiring``'s bias knobs: per-group errors against the truth and the records.

Each move draws fresh training records with the knobs (cheap: every random stream of
``make_hiring`` is drawn whatever the knobs are), refits a small logistic regression on them,
and audits its decisions twice on a balanced test set biased the same way: against ``qualified``
(the truth, known only in synthetic data) and against ``label`` (what an auditor's records say).
A learner sees each source of bias move the harm, and the audit, in its own direction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from course_lib._validate import check_int, check_real

if TYPE_CHECKING:
    from course_lib.explore import Explorer

__all__ = ["HIRING_INPUTS", "explore_hiring"]

#: The model inputs a learner can choose: what a team might feed the model.
HIRING_INPUTS: dict[str, str] = {
    "job features only": "job",
    "job features and proxies (group removed)": "proxies",
    "job features, proxies and the group": "group",
}
_COLUMNS = ("n train", "qualified", "recorded 1", "selected", "FNR truth", "FPR truth",
            "FNR audit", "FPR audit")


def explore_hiring(*, minority_share: float = 0.5, historical_penalty: float = 0.0,
                   observation_b: float = 1.0, label_flip_rate: float = 0.0,
                   proxy_strength: float = 0.8, relation: str = "shared",
                   inputs: str = "proxies", n_train: int = 4000, n_test: int = 4000,
                   random_state: int = 0) -> Explorer:
    """Sliders for make_hiring's knobs; shows each group's errors vs the truth and vs the records.

    The keyword arguments are the knobs' starting values (``observation_b`` is group B's
    ``observation_rate``, A's stays 1; ``inputs`` is "job", "proxies" or "group"). Training
    records: ``n_train`` rows drawn with every knob (``random_state``); the audit set: ``n_test``
    rows, half of each group, drawn with the same biases (``random_state + 1``). The view's table
    has one row per group: ``n train``, the ``qualified`` and ``recorded 1`` rates of the audit
    set, the model's ``selected`` rate, and FNR = FN/(FN+TP), FPR = FP/(FP+TN) against the truth
    and against the recorded labels (the audit), all via ``group_report`` with zero_division=0.
    """
    from course_lib.explore import choice, explorer, slider
    from course_lib.synth._tabular import RELATIONS

    check_int(n_train, "n_train", 50)
    check_int(n_test, "n_test", 50)
    check_int(random_state, "random_state", 0)
    if inputs not in HIRING_INPUTS.values():
        raise ValueError(f"inputs must be one of {tuple(HIRING_INPUTS.values())}, got {inputs!r}")
    if relation not in RELATIONS:
        raise ValueError(f"relation must be one of {RELATIONS}, got {relation!r}")
    start = {"minority_share": check_real(minority_share, "minority_share", 0.02, 0.5),
             "historical_penalty": check_real(historical_penalty, "historical_penalty", 0.0, 1.0),
             "observation_b": check_real(observation_b, "observation_b", 0.2, 1.0),
             "label_flip_rate": check_real(label_flip_rate, "label_flip_rate", 0.0, 0.6),
             "proxy_strength": check_real(proxy_strength, "proxy_strength", 0.0, 1.0)}

    def view(minority_share, historical_penalty, observation_b, label_flip_rate,
             proxy_strength, relation, inputs):
        return hiring_view(minority_share=minority_share, historical_penalty=historical_penalty,
                           observation_b=observation_b, label_flip_rate=label_flip_rate,
                           proxy_strength=proxy_strength, relation=relation, inputs=inputs,
                           n_train=n_train, n_test=n_test, random_state=random_state)

    view.__name__ = "hiring_view"
    controls = {
        "minority_share": slider(0.02, 0.5, 0.02, start["minority_share"],
                                 "B's share of the records (representation)"),
        "historical_penalty": slider(0.0, 1.0, 0.1, start["historical_penalty"],
                                     "historical penalty on B (sd of merit)", ".1f"),
        "observation_b": slider(0.2, 1.0, 0.1, start["observation_b"],
                                "B's successes recorded (measurement)", ".1f"),
        "label_flip_rate": slider(0.0, 0.6, 0.05, start["label_flip_rate"],
                                  "B's positive labels flipped (label)"),
        "proxy_strength": slider(0.0, 1.0, 0.1, start["proxy_strength"],
                                 "proxy strength (postcode, hobby)", ".1f"),
        "relation": choice({"shared": "shared", "group-specific (aggregation)":
                            "group_specific"}, relation, "relation in B"),
        "inputs": choice(HIRING_INPUTS, inputs, "model inputs"),
    }
    return explorer(view, controls)


def _draw(n: int, share: float, knobs: dict, random_state: int):
    from course_lib.synth._tabular import make_hiring

    return make_hiring(n, random_state=random_state, minority_share=share,
                       historical_penalty=knobs["historical_penalty"],
                       observation_rate=(1.0, knobs["observation_b"]),
                       relation=knobs["relation"], label_flip_rate=knobs["label_flip_rate"],
                       proxy_strength=knobs["proxy_strength"])


def _inputs(df, inputs: str):
    import numpy as np

    from course_lib.synth._tabular import HIRING_FEATURES, JOB_FEATURES

    x = df[list(JOB_FEATURES if inputs == "job" else HIRING_FEATURES)].to_numpy(float)
    if inputs == "group":
        x = np.column_stack([x, (df["group"] == "B").to_numpy(float)])
    return x


def hiring_audit(*, minority_share: float, historical_penalty: float, observation_b: float,
                 label_flip_rate: float, proxy_strength: float, relation: str, inputs: str,
                 n_train: int = 4000, n_test: int = 4000, random_state: int = 0):
    """The explorer's numbers at one setting: (table, audit set, the model's decisions on it)."""
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    from course_lib.fairness import group_report

    knobs = dict(historical_penalty=historical_penalty, observation_b=observation_b,
                 label_flip_rate=label_flip_rate, proxy_strength=proxy_strength,
                 relation=relation)
    train = _draw(n_train, minority_share, knobs, random_state)
    test = _draw(n_test, 0.5, knobs, random_state + 1)
    y = train["label"].to_numpy()
    if y.min() == y.max():  # every record says the same thing: the model can only repeat it
        pred = np.full(len(test), y[0])
    else:
        model = LogisticRegression(solver="newton-cholesky").fit(_inputs(train, inputs), y)
        pred = model.predict(_inputs(test, inputs))
    truth = group_report(test["qualified"], pred, test["group"], zero_division=0)
    audit = group_report(test["label"], pred, test["group"], zero_division=0)
    table = pd.DataFrame({
        "n train": train["group"].value_counts().reindex(truth.index, fill_value=0),
        "qualified": truth["base_rate"], "recorded 1": audit["base_rate"],
        "selected": truth["selection_rate"],
        "FNR truth": truth["fnr"], "FPR truth": truth["fpr"],
        "FNR audit": audit["fnr"], "FPR audit": audit["fpr"],
    }, columns=list(_COLUMNS))
    table.index.name = "group"
    return table, test, pred


def hiring_view(**knobs):
    """The explorer's View at one setting (``hiring_audit``'s table rounded, a figure, a note)."""
    from course_lib.explore import View

    table, _, _ = hiring_audit(**knobs)
    shown = table.copy()
    rates = [c for c in _COLUMNS if c != "n train"]
    shown[rates] = shown[rates].round(2)
    gap_truth = table.loc["B", "FNR truth"] - table.loc["A", "FNR truth"]
    gap_audit = table.loc["B", "FNR audit"] - table.loc["A", "FNR audit"]
    note = (f"FNR gap B - A: {gap_truth:+.2f} against the truth, {gap_audit:+.2f} in an audit "
            "against the records")
    return View(table=shown, figure=_figure(table), note=note)


def _figure(table):
    """Grouped bars: each group's FNR and FPR against the truth and in the audit (one axes)."""
    import numpy as np

    from course_lib.explore import figure
    from course_lib.plotting import PALETTE

    fig, ax = figure(6.4, 2.6)
    columns = ["FNR truth", "FNR audit", "FPR truth", "FPR audit"]
    x = np.arange(len(columns))
    for k, (group, colour) in enumerate((("A", PALETTE["blue"]), ("B", PALETTE["orange"]))):
        values = np.nan_to_num(table.loc[group, columns].to_numpy(float))
        ax.bar(x + (k - 0.5) * 0.38, values, width=0.36, color=colour, label=f"group {group}")
    ax.set_xticks(x, ["FNR\nvs truth", "FNR\nvs records", "FPR\nvs truth", "FPR\nvs records"])
    ax.set_ylim(0, 1)
    ax.set_yticks([0, 0.5, 1], ["0", "0.5", "1"])  # fixed ticks: an update renders fast
    ax.set_ylabel("error rate")
    ax.legend(fontsize=8, loc="upper right")
    return fig
