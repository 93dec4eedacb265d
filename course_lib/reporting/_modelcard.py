"""Model cards (Mitchell et al., 2019) generated from measured results, as Markdown and HTML."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from course_lib.reporting import _render
from course_lib.reporting._datasheet import Datasheet

if TYPE_CHECKING:
    import pandas as pd

    from course_lib.energy import Footprint

__all__ = ["FAIRNESS_DEFINITIONS", "METRIC_LABELS", "MODEL_CARD_SECTIONS", "GroupMetric",
           "ModelCard", "format_interval", "model_card"]

#: The sections of every card, in order (Mitchell et al.'s, plus fairness, privacy, energy,
#: monitoring and appeal). A card given ``responsibilities`` also has a "Responsibility chain"
#: section, just before "How to appeal".
MODEL_CARD_SECTIONS: tuple[str, ...] = (
    "Model details", "Intended use", "Out-of-scope uses", "Training data", "Evaluation data",
    "Disaggregated metrics", "Fairness definition", "Explanations", "Privacy", "Energy",
    "Known failure modes", "Monitoring plan", "How to appeal")

#: Group fairness definitions a card can declare, and the rates each requires to be equal.
FAIRNESS_DEFINITIONS: dict[str, tuple[str, ...]] = {
    "demographic parity": ("selection_rate",), "equal opportunity": ("tpr",),
    "equalized odds": ("tpr", "fpr"), "predictive parity": ("ppv",),
    "accuracy equality": ("accuracy",)}

METRIC_LABELS: dict[str, str] = {
    "selection_rate": "selection rate", "base_rate": "base rate", "tpr": "TPR", "fpr": "FPR",
    "fnr": "FNR", "ppv": "PPV", "npv": "NPV", "accuracy": "accuracy"}

# the card's required free-text fields and the section each fills
_TEXT_FIELDS = {"intended_uses": "Intended use", "out_of_scope_uses": "Out-of-scope uses",
                "explanations": "Explanations", "privacy_measures": "Privacy",
                "failure_modes": "Known failure modes", "monitoring_plan": "Monitoring plan",
                "appeal_path": "How to appeal"}


def format_interval(estimate: float, lo: float, hi: float, digits: int = 1) -> str:
    """"12.3% [10.1%, 14.6%]": a rate and its interval as percentages ("n/a" for NaN)."""
    import numbers

    from course_lib._validate import check_int

    digits = check_int(digits, "digits", 0)
    for name, v in (("estimate", estimate), ("lo", lo), ("hi", hi)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, numbers.Real)):
            raise TypeError(f"{name} must be a real number (or NaN), got {type(v).__name__}")

    def pct(v: float) -> str:
        return "n/a" if v is None or math.isnan(v) else f"{100 * v:.{digits}f}%"

    return f"{pct(estimate)} [{pct(lo)}, {pct(hi)}]"


@dataclass(frozen=True)
class GroupMetric:
    """One measured rate for one group, with its bootstrap interval (fractions)."""

    group: str
    n: int
    metric: str
    estimate: float
    lo: float
    hi: float


def _texts(value: object, name: str) -> tuple[str, ...]:
    """A required list of non-empty strings (one string is one item)."""
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"{name} must be a list of strings")
    items = tuple(" ".join(v.split()) for v in value if v.strip())
    if not items:
        section = _TEXT_FIELDS.get(name, name)
        raise ValueError(f"{name} is required: the model card's {section!r} section cannot be "
                         "empty")
    return items


@dataclass(frozen=True)
class ModelCard:
    """A model card: every section filled, the numbers measured (build it with ``model_card``)."""

    name: str
    details: str
    intended_uses: tuple[str, ...]
    out_of_scope_uses: tuple[str, ...]
    training_data: str
    datasheet_link: str
    datasheet_summary: str
    evaluation_data: str
    sensitive_name: str
    confidence: float
    metrics: tuple[GroupMetric, ...]
    fairness_definition: str
    fairness_rationale: str
    fairness_gap: tuple[float, float, float]
    explanations: tuple[str, ...]
    privacy_measures: tuple[str, ...]
    energy: tuple[str, ...]
    failure_modes: tuple[str, ...]
    monitoring_plan: tuple[str, ...]
    appeal_path: tuple[str, ...]
    responsibilities: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def __post_init__(self) -> None:
        for name in ("name", "details", "training_data", "evaluation_data",
                     "fairness_rationale"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{name} is required and must be a non-empty string")
        for name in (*_TEXT_FIELDS, "energy"):
            object.__setattr__(self, name, _texts(getattr(self, name), name))
        if self.fairness_definition not in FAIRNESS_DEFINITIONS:
            raise ValueError(f"fairness_definition must be one of {list(FAIRNESS_DEFINITIONS)}, "
                             f"got {self.fairness_definition!r}")
        if not self.metrics:
            raise ValueError("metrics is required: the card needs measured, disaggregated rates")

    def metric_table(self) -> pd.DataFrame:
        """Groups × metrics, each cell "rate [lo, hi]" as text; a column n."""
        import pandas as pd

        groups = list(dict.fromkeys(m.group for m in self.metrics))
        names = list(dict.fromkeys(m.metric for m in self.metrics))
        cell = {(m.group, m.metric): format_interval(m.estimate, m.lo, m.hi)
                for m in self.metrics}
        n = {m.group: f"{m.n:,}" for m in self.metrics}
        return pd.DataFrame([{self.sensitive_name: g, "n": n[g],
                              **{METRIC_LABELS[k]: cell[(g, k)] for k in names}}
                             for g in groups]).set_index(self.sensitive_name)

    def sections(self) -> list[tuple[str, list[_render.Block]]]:
        """The card as (section title, blocks), in ``MODEL_CARD_SECTIONS`` order."""
        B, P = _render.bullets, _render.para
        table = self.metric_table()
        rates = " and ".join(METRIC_LABELS[r] for r in FAIRNESS_DEFINITIONS[
            self.fairness_definition])
        level = f"{100 * self.confidence:g}%"
        gap = format_interval(*self.fairness_gap)
        data = [P(f"{self.training_data}. Purpose: {self.datasheet_summary}")]
        data.append(P("Datasheet (path from the course's top-level folder):",
                      href=self.datasheet_link) if self.datasheet_link
                    else P("Datasheet: written with course_lib.reporting.Datasheet (not "
                           "published with the course)."))
        body = {
            "Model details": [P(self.details)],
            "Intended use": [B(self.intended_uses)],
            "Out-of-scope uses": [B(self.out_of_scope_uses)],
            "Training data": data,
            "Evaluation data": [P(self.evaluation_data)],
            "Disaggregated metrics": [
                P(f"Rates by {self.sensitive_name}, with {level} percentile-bootstrap intervals "
                  "over the test rows (the row 'all' is everyone)."),
                _render.table([self.sensitive_name, *table.columns],
                              [[str(g), *row] for g, row in zip(table.index,
                                                                  table.to_numpy().tolist(),
                                                                  strict=True)])],
            "Fairness definition": [B([
                f"Chosen: {self.fairness_definition} (equal {rates} across groups).",
                f"Why: {self.fairness_rationale}",
                f"Measured: largest {rates} gap between groups {gap} ({level} bootstrap "
                "interval; 0 means the definition holds)."])],
            "Explanations": [B(self.explanations)],
            "Privacy": [B(self.privacy_measures)],
            "Energy": [B(self.energy)],
            "Known failure modes": [B(self.failure_modes)],
            "Monitoring plan": [B(self.monitoring_plan)],
            "How to appeal": [B(self.appeal_path)],
        }
        out = [(name, body[name]) for name in MODEL_CARD_SECTIONS]
        if self.responsibilities:
            chain = [f"{owner.capitalize()}: {'; '.join(duties)}"
                     for owner, duties in self.responsibilities]
            out.insert(len(out) - 1, ("Responsibility chain", [
                P("Who answers for what, from the data to the decision:"), B(chain)]))
        return out

    def to_markdown(self, sections: Sequence[str] | None = None,
                    exclude: Sequence[str] = ()) -> str:
        """The card as Markdown; ``sections``/``exclude`` pick sections by title."""
        return _render.to_markdown(f"Model card: {self.name}",
                                   _render.pick(self.sections(), sections, exclude))

    def to_html(self, sections: Sequence[str] | None = None,
                exclude: Sequence[str] = ()) -> str:
        """The card as a standalone HTML document, every text escaped."""
        return _render.to_html(f"Model card: {self.name}",
                               _render.pick(self.sections(), sections, exclude))


def _responsibilities(value: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Owners along the chain (``OWNERS`` order) with what each answers for."""
    from course_lib.reporting._checklist import OWNERS

    if value is None:
        return ()
    if not isinstance(value, Mapping) or not value:
        raise TypeError("responsibilities must be a non-empty dict {owner: [what they answer "
                        "for, ...]}")
    unknown = [k for k in value if k not in OWNERS]
    if unknown:
        raise ValueError(f"responsibilities: owners must be among {list(OWNERS)}, got {unknown}")
    return tuple((owner, _texts(value[owner], f"responsibilities[{owner!r}]"))
                 for owner in OWNERS if owner in value)


def _datasheet_parts(dataset: object) -> tuple[str, str, str]:
    """(title, link, summary) for a shipped dataset's name or a learner's Datasheet."""
    if isinstance(dataset, Datasheet):
        open_q = len(dataset.unanswered())
        note = f" ({open_q} datasheet questions still open.)" if open_q else ""
        return f"Dataset: {dataset.name}", "", dataset.summary() + note
    if not isinstance(dataset, str):
        raise TypeError("dataset must be a shipped dataset's name (e.g. 'adult') or a Datasheet")
    from course_lib import data

    text = data.datasheet(dataset)  # ValueError for an unknown name
    title = re.sub(r"^#\s*(Datasheet:\s*)?", "", text.splitlines()[0]).strip()
    motivation = data.datasheet(dataset, section="Motivation")
    first = next((ln for ln in motivation.split("\n- ")[1:]), "")
    summary = " ".join(re.sub(r"\*\*[^*]*\*\*", "", first).split())
    return title, f"datasets/{dataset}/DATASHEET.md", summary


def _si(value: float, unit: str) -> str:
    """Two significant figures with an SI prefix: 0.5 mWh, 240 µg, 3.1 kWh."""
    if value == 0:
        return f"0 {unit}"
    scales = ((1e6, "M"), (1e3, "k"), (1, ""), (1e-3, "m"), (1e-6, "µ"))
    factor, prefix = next(((f, p) for f, p in scales if abs(value) >= f), scales[-1])
    return f"{float(f'{value / factor:.2g}'):g} {prefix}{unit}"


def _energy_lines(fp: Footprint) -> tuple[str, ...]:
    names = ", ".join(dict.fromkeys(fp.names)) or "none"
    return (f"Training runs recorded in this session: {fp.runs} ({names}).",
            f"Counted computation: {fp.flops / 1e9:.3g} GFLOP (matrix products, forward and "
            "backward).",
            f"Measured time: {fp.seconds:.1f} s wall, {fp.cpu_seconds:.1f} CPU-s.",
            f"Estimated energy: {_si(1000 * fp.kwh, 'Wh')} and {_si(1000 * fp.kg_co2e, 'g')} "
            f"CO2e (at "
            f"{fp.watts_per_core:g} W per busy core, PUE {fp.pue:g}, "
            f"{1000 * fp.kg_co2e_per_kwh:.0f} g CO2e/kWh).")


def _gap_statistic(rates: tuple[str, ...], k: int):
    """statistic(y_true, y_pred, codes) = the largest max−min gap over groups among ``rates``."""
    import numpy as np

    def gap(yt, yp, codes) -> float:
        def count(mask):
            return np.bincount(codes, weights=mask.astype(float), minlength=k)

        tp, fp, fn, n = count(yt & yp), count(yp & (1 - yt)), count(yt & (1 - yp)), count(yt >= 0)
        num_den = {"selection_rate": (tp + fp, n), "tpr": (tp, tp + fn),
                   "fpr": (fp, n - tp - fn), "ppv": (tp, tp + fp), "accuracy": (n - fp - fn, n)}
        gaps = []
        for r in rates:
            num, den = num_den[r]
            with np.errstate(divide="ignore", invalid="ignore"):
                v = (num / den)[den > 0]
            gaps.append(v.max() - v.min() if len(v) > 1 else np.nan)
        return float(max(gaps))

    return gap


def model_card(name: str, *, y_true, y_pred, sensitive, dataset: str | Datasheet,
               details: str, intended_uses: Sequence[str], out_of_scope_uses: Sequence[str],
               fairness_definition: str, fairness_rationale: str,
               explanations: Sequence[str], privacy_measures: Sequence[str],
               failure_modes: Sequence[str], monitoring_plan: Sequence[str],
               appeal_path: Sequence[str], energy: Footprint | None = None,
               metrics: Sequence[str] = ("selection_rate", "tpr", "fpr", "accuracy"),
               ci: float = 0.95, n_resamples: int = 500, random_state: int = 0,
               evaluation: str | None = None,
               responsibilities: Mapping[str, Sequence[str]] | None = None) -> ModelCard:
    """A model card from a model's test-set predictions, measured here.

    ``y_true``/``y_pred`` (0/1) and ``sensitive`` (one group label per row) give the
    disaggregated ``metrics`` with percentile-bootstrap intervals (``group_report(ci=ci)``), and
    the chosen ``fairness_definition``'s largest gap between groups with its interval
    (``bootstrap_ci``, same seed); ``dataset`` links the training data's datasheet; ``energy``
    is the session's training footprint (``energy.footprint()`` when None). Every text section
    is required. ``evaluation`` says how the evaluated predictions were made when they are not
    plain held-out test rows (e.g. out-of-fold predictions); ``responsibilities`` maps owners
    along the accountability chain (``OWNERS``) to what each answers for, and adds the card's
    "Responsibility chain" section.
    """
    import numpy as np
    import pandas as pd

    from course_lib import energy as _energy
    from course_lib._validate import check_binary, to_numpy
    from course_lib.fairness import RATE_COLUMNS, bootstrap_ci, group_report

    if not isinstance(name, str) or not name.strip():
        raise ValueError("name is required and must be a non-empty string")
    yt, yp = check_binary(y_true, "y_true"), check_binary(y_pred, "y_pred")
    groups = to_numpy(sensitive)
    if groups.ndim != 1:
        raise ValueError(f"sensitive must be 1-D (one group label per row), got shape "
                         f"{groups.shape}")
    if pd.isna(groups).any():
        raise ValueError("sensitive contains missing values (NaN/None); label them explicitly")
    if not len(yt) == len(yp) == len(groups):
        raise ValueError(f"y_true, y_pred and sensitive must have the same length, got "
                         f"{len(yt)}, {len(yp)} and {len(groups)}")
    if isinstance(metrics, str) or not metrics or not set(metrics) <= set(RATE_COLUMNS):
        raise ValueError(f"metrics must be a non-empty list from {list(RATE_COLUMNS)}, "
                         f"got {metrics!r}")
    if fairness_definition not in FAIRNESS_DEFINITIONS:
        raise ValueError(f"fairness_definition must be one of {list(FAIRNESS_DEFINITIONS)}, "
                         f"got {fairness_definition!r}")
    for arg, value in (("intended_uses", intended_uses), ("out_of_scope_uses", out_of_scope_uses),
                       ("explanations", explanations), ("privacy_measures", privacy_measures),
                       ("failure_modes", failure_modes), ("monitoring_plan", monitoring_plan),
                       ("appeal_path", appeal_path)):
        _texts(value, arg)  # fail before the bootstrap
    chain = _responsibilities(responsibilities)
    if evaluation is not None and (not isinstance(evaluation, str) or not evaluation.strip()):
        raise ValueError("evaluation must be a non-empty string (or None for held-out rows)")
    if energy is None:
        energy = _energy.footprint()
    if not isinstance(energy, _energy.Footprint):
        raise TypeError("energy must be a course_lib.energy.Footprint (energy.footprint())")
    title, link, summary = _datasheet_parts(dataset)
    labels = np.asarray([str(g) for g in groups], dtype=object)
    kw = dict(zero_division=np.nan, ci=ci, n_resamples=n_resamples, random_state=random_state)
    by_group = group_report(yt, yp, labels, **kw)
    overall = group_report(yt, yp, np.full(len(yt), "all", dtype=object), **kw)
    rows = []
    for report in (by_group, overall):
        for g, r in report.iterrows():
            rows += [GroupMetric(str(g), int(r["n"]), m, float(r[m]), float(r[f"{m}_lo"]),
                                 float(r[f"{m}_hi"])) for m in metrics]
    names, codes = np.unique(labels, return_inverse=True)
    if len(names) < 2:
        raise ValueError(f"sensitive must hold at least 2 groups to compare, got {list(names)}")
    gap = _gap_statistic(FAIRNESS_DEFINITIONS[fairness_definition], len(names))
    est, lo, hi = bootstrap_ci(gap, yt, yp, codes.reshape(-1), n_resamples=n_resamples,
                               confidence=ci, random_state=random_state)
    counts = ", ".join(f"{g} (n={n:,})" for g, n in by_group["n"].items())
    how = (" ".join(evaluation.split()) if evaluation
           else f"{len(yt):,} held-out test rows, not used in training")
    sens_name = getattr(sensitive, "name", None) or "group"
    return ModelCard(
        name=name, details=details, intended_uses=intended_uses,
        out_of_scope_uses=out_of_scope_uses, training_data=title, datasheet_link=link,
        datasheet_summary=summary,
        evaluation_data=f"{how}; groups by {sens_name}: {counts}.",
        sensitive_name=str(sens_name), confidence=float(ci), metrics=tuple(rows),
        fairness_definition=fairness_definition, fairness_rationale=fairness_rationale,
        fairness_gap=(est, lo, hi), explanations=explanations,
        privacy_measures=privacy_measures, energy=_energy_lines(energy),
        failure_modes=failure_modes, monitoring_plan=monitoring_plan, appeal_path=appeal_path,
        responsibilities=chain)
