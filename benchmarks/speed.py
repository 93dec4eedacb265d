"""`make bench`, part 2: course_lib's written-out algorithms against the field's libraries.

Each row runs both implementations on the same inputs in the same process, checks that they
agree, and times each as the best of several repeats (after a warm-up), the two sides
alternately, so a slow spell of a shared machine slows both:

- ``group_report`` on 1,000,000 rows and 4 string groups against fairlearn's ``MetricFrame`` and
  against the one-pass floor (factorise the groups, one ``bincount`` of the confusion cells);
  target: within 1.5x of the floor;
- ``integrated_gradients`` against captum's ``IntegratedGradients`` (riemann_middle, the
  midpoint rule course_lib uses, same steps) on one CNN batch; target: within 1.5x of captum;
- one DP-SGD step written out (``dp_sgd_step``) against Opacus's (GradSampleModule + DPOptimizer)
  on the same MLP and batch; target: within 2x of Opacus.

Writes benchmarks/speed.md; exits 1 if a target is missed or two implementations disagree.
Timed with torch on COURSE_THREADS threads (2 by default, as make bench).
"""

from __future__ import annotations

import copy
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "speed.md"


def best_of_pair(ours: Callable[[], object], theirs: Callable[[], object], repeats: int = 5,
                 warmup: int = 1) -> tuple[float, float]:
    """The fastest wall times of ``ours`` and ``theirs``, timed alternately (ours, theirs, ours,
    ...), so a slow spell of a shared machine slows both sides rather than one."""
    for _ in range(warmup):
        ours()
        theirs()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for fn, out in ((ours, times[0]), (theirs, times[1])):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return min(times[0]), min(times[1])


def group_report_row() -> dict:
    """group_report vs the one-pass floor and fairlearn's MetricFrame on 10⁶ rows."""
    import pandas as pd
    from fairlearn.metrics import MetricFrame, selection_rate
    from sklearn.metrics import accuracy_score, recall_score

    from course_lib.fairness import group_report

    rng = np.random.default_rng(0)
    n = 1_000_000
    y = rng.integers(0, 2, n)
    pred = np.where(rng.random(n) < 0.8, y, 1 - y)
    groups = rng.choice(np.array(["north", "south", "east", "west"]), n)

    def floor():
        codes, labels = pd.factorize(groups, sort=True)
        cells = np.bincount(codes * 4 + y * 2 + pred, minlength=4 * len(labels)).reshape(-1, 4)
        tn, fp, fn, tp = cells.T.astype(float)
        return {"selection_rate": (fp + tp) / cells.sum(1), "tpr": tp / (tp + fn),
                "fpr": fp / (fp + tn), "accuracy": (tp + tn) / cells.sum(1)}

    ours = group_report(y, pred, groups)
    start = time.perf_counter()  # fairlearn once: it takes tens of seconds on 10⁶ rows
    frame = MetricFrame(metrics={"selection_rate": selection_rate, "tpr": recall_score,
                                 "accuracy": accuracy_score},
                        y_true=y, y_pred=pred, sensitive_features=groups)
    t_fairlearn = time.perf_counter() - start
    agree = all(np.allclose(ours[m].to_numpy(), frame.by_group[m].to_numpy(), rtol=0,
                            atol=1e-12) for m in ("selection_rate", "tpr", "accuracy"))
    agree &= all(np.allclose(ours[m].to_numpy(), v, rtol=0, atol=1e-12)
                 for m, v in floor().items())
    t_ours, t_floor = best_of_pair(lambda: group_report(y, pred, groups), floor)
    return {"what": "group_report, 1,000,000 rows, 4 string groups", "ours": t_ours,
            "reference": t_floor, "reference_name": "one-pass floor", "target": 1.5,
            "agree": agree,
            "note": f"fairlearn's MetricFrame on the same rows: {t_fairlearn:.1f} s, once "
                    "(the same numbers to 1e-12)"}


def integrated_gradients_row() -> dict:
    """integrated_gradients vs captum's IntegratedGradients on one CNN batch."""
    import torch
    from captum.attr import IntegratedGradients

    from course_lib.explain import integrated_gradients
    from course_lib.models import CNN

    torch.manual_seed(0)
    model = CNN(in_channels=1, n_classes=10, image_size=28, channels=(16, 32)).eval()
    x = torch.rand(32, 1, 28, 28)
    target = torch.randint(0, 10, (32,))
    steps = 64
    captum_ig = IntegratedGradients(model)

    def ours():
        return integrated_gradients(model, x, 0.0, target, steps=steps)

    def theirs():
        return captum_ig.attribute(x, baselines=torch.zeros_like(x), target=target,
                                   n_steps=steps, method="riemann_middle")

    agree = bool(torch.allclose(ours(), theirs(), rtol=0, atol=1e-6))
    return {"what": "integrated_gradients, CNN 16/32 channels, 32 images, 64 steps",
            **dict(zip(("ours", "reference"), best_of_pair(ours, theirs, repeats=5),
                       strict=True)),
            "reference_name": "captum", "target": 1.5, "agree": agree, "note": ""}


def dp_sgd_row() -> dict:
    """One DP-SGD step written out vs Opacus's, same MLP and batch, no noise (to compare)."""
    import torch
    from opacus import GradSampleModule
    from opacus.optimizers import DPOptimizer
    from torch import nn

    from course_lib.models import MLP
    from course_lib.privacy import dp_sgd_step

    torch.manual_seed(0)
    model = MLP(47, hidden=(32,))
    x, y = torch.randn(256, 47), torch.randint(0, 2, (256,))
    c, lr = 1.0, 0.1
    ours_model = copy.deepcopy(model)
    gsm = GradSampleModule(copy.deepcopy(model))
    opt = DPOptimizer(torch.optim.SGD(gsm.parameters(), lr=lr), noise_multiplier=0.0,
                      max_grad_norm=c, expected_batch_size=len(x))
    xin = x.clone().requires_grad_(True)  # opacus's hooks warn on inputs without grad

    def ours():
        dp_sgd_step(ours_model, x, y, lr=lr, max_grad_norm=c, noise_multiplier=0.0,
                    expected_batch_size=len(x))

    def theirs():
        opt.zero_grad()
        nn.functional.cross_entropy(gsm(xin), y).backward()
        opt.step()

    ours()
    theirs()
    agree = all(torch.allclose(p, q, rtol=1e-5, atol=1e-7) for p, q in
                zip(ours_model.parameters(), gsm._module.parameters(), strict=True))
    return {"what": "one DP-SGD step, MLP 47-32-2, batch of 256",
            **dict(zip(("ours", "reference"), best_of_pair(ours, theirs, repeats=20, warmup=3),
                       strict=True)),
            "reference_name": "Opacus", "target": 2.0, "agree": agree, "note": ""}


def main() -> int:
    import torch

    from course_lib import _warnings

    _warnings.install()
    threads = int(os.environ.get("COURSE_THREADS", "2"))
    torch.set_num_threads(threads)
    rows = [group_report_row(), integrated_gradients_row(), dp_sgd_row()]
    lines = ["# Speed against the field's libraries (`make bench`)", "",
             f"Best of several repeats on {os.cpu_count()} cores, torch on {threads} "
             "thread(s); `agree`: the two give the same numbers (tolerances in "
             "benchmarks/speed.py).", "",
             "| benchmark | course_lib s | reference | reference s | ratio | target | agree |",
             "|---|---:|---|---:|---:|---:|---|"]
    bad = 0
    for r in rows:
        ratio = r["ours"] / r["reference"]
        ok = ratio <= r["target"] and r["agree"]
        bad += not ok
        lines.append(f"| {r['what']} | {r['ours']:.4f} | {r['reference_name']} | "
                     f"{r['reference']:.4f} | {ratio:.2f} | ≤ {r['target']:g} | "
                     f"{'yes' if r['agree'] else 'NO'}{'' if ok else ' (missed)'} |")
    notes = [r["note"] for r in rows if r["note"]]
    text = "\n".join(lines + ([""] + [f"- {n}" for n in notes] if notes else [])) + "\n"
    OUT.write_text(text, encoding="utf-8")
    print(text + f"\nwritten to {OUT.relative_to(ROOT)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
