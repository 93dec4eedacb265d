"""Regulation as data: the EU AI Act's tiers, dates and fines, GDPR Art. 22, the NIST AI RMF.

Every date is "as of" ``AS_OF``; the text lives in course_lib/regulation.toml, the AI Act as
amended by the Digital Omnibus on AI (adopted by the Council on 29 June 2026). Nothing here is
legal advice: it is a map of the rules for a course, to be checked against the current law.
"""

from __future__ import annotations

import datetime as _dt
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["AS_OF", "TIERS", "RiskTier", "ai_act_penalties", "ai_act_tier", "ai_act_timeline",
           "appeal_path", "gdpr_art22", "nist_ai_rmf", "obligations", "regulation", "scenarios"]

_FILE = Path(__file__).resolve().parents[1] / "regulation.toml"


@cache
def _data() -> dict[str, Any]:
    with _FILE.open("rb") as fh:
        return tomllib.load(fh)


#: The date every statement in regulation.toml is made as of (ISO 8601).
AS_OF: str = _data()["as_of"]


@dataclass(frozen=True)
class RiskTier:
    """One EU AI Act risk tier: its name, label, articles, examples and the obligations."""

    name: str
    label: str
    articles: str
    summary: str
    examples: tuple[str, ...]
    obligations: tuple[str, ...]


def _fine(p: dict[str, Any]) -> str:
    """One maximum fine as an obligation: "Fines up to EUR 35 million or 7% ... (Art. 99(3))"."""
    return (f"Fines up to EUR {p['max_eur_million']:g} million or {p['max_turnover_pct']:g}% of "
            f"worldwide annual turnover, whichever is higher ({p['articles']})")


def _tiers() -> tuple[RiskTier, ...]:
    fines = _data()["ai_act"]["penalties"]
    return tuple(RiskTier(t["name"], t["label"], t["articles"], t["summary"],
                          tuple(t["examples"]),
                          tuple(t["obligations"])
                          + tuple(_fine(p) for p in fines if p.get("tier") == t["name"]))
                 for t in _data()["ai_act"]["tiers"])


#: The four tiers' names, strictest first.
TIERS: tuple[str, ...] = tuple(t.name for t in _tiers())


def regulation() -> dict[str, Any]:
    """Everything in regulation.toml as a (fresh) dict: ``as_of``, ``ai_act``, ``gdpr_art22``..."""
    import copy

    return copy.deepcopy(_data())


def ai_act_tier(name: str) -> RiskTier:
    """The tier called ``name`` ("unacceptable", "high", "limited" or "minimal")."""
    return _tier(name, "name")


def _tier(name: object, arg: str) -> RiskTier:
    """The tier called ``name``; errors name the caller's argument ``arg``."""
    if not isinstance(name, str):
        raise TypeError(f"{arg} must be a string, got {type(name).__name__}")
    key = name.strip().lower()
    for tier in _tiers():
        if tier.name == key:
            return tier
    raise ValueError(f"{arg} must be one of {list(TIERS)}, got {name!r}")


def obligations(tier: str) -> tuple[str, ...]:
    """What follows from an AI Act risk tier (for providers and deployers), as of ``AS_OF``."""
    return _tier(tier, "tier").obligations


def _check_date(value: str, name: str) -> _dt.date:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be an ISO date string such as '2026-12-03'")
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name} must be an ISO date (YYYY-MM-DD), got {value!r}") from None


def _change_note(m: dict[str, Any]) -> str:
    """What the Digital Omnibus did to a milestone: moved it (from which date), added it, or ""."""
    if m["change"] == "moved":
        return f"moved from {m['moved_from']} by the Digital Omnibus"
    if m["change"] == "new":
        return "added by the Digital Omnibus"
    return ""


def ai_act_timeline(as_of: str = AS_OF) -> pd.DataFrame:
    """The AI Act's milestones, as amended by the Digital Omnibus, with whether each applies on
    ``as_of``.

    Columns: id, date, what, articles, status ("applies" if date <= as_of, else "from <date>"),
    note (what the Omnibus changed: "moved from <2024 date> ..." or "added ...") and source. The
    data were checked as of ``AS_OF``; a later ``as_of`` reads them forward and knows nothing
    newer.
    """
    import pandas as pd

    day = _check_date(as_of, "as_of")
    rows = []
    for m in _data()["ai_act"]["milestones"]:
        start = _dt.date.fromisoformat(m["date"])
        rows.append({"id": m["id"], "date": m["date"], "what": m["what"],
                     "articles": m["articles"],
                     "status": "applies" if start <= day else f"from {m['date']}",
                     "note": _change_note(m), "source": m["source"]})
    return pd.DataFrame(rows)


def ai_act_penalties() -> pd.DataFrame:
    """The AI Act's maximum fines (Arts 99 and 101): breach, EUR million, % of turnover, articles.

    The fine is the higher of the two (the lower for SMEs and start-ups, Art. 99(6)).
    """
    import pandas as pd

    cols = ["breach", "max_eur_million", "max_turnover_pct", "articles"]
    return pd.DataFrame(_data()["ai_act"]["penalties"])[cols].set_index("breach")


def gdpr_art22() -> dict[str, Any]:
    """GDPR Art. 22 as data: name, citation, rule, exceptions, safeguards, case_law."""
    return regulation()["gdpr_art22"]


def nist_ai_rmf() -> pd.DataFrame:
    """The NIST AI RMF 1.0 functions (Govern, Map, Measure, Manage): what, and a course example."""
    import pandas as pd

    return pd.DataFrame(_data()["nist_ai_rmf"]["functions"]).set_index("name")


def scenarios() -> dict[str, str]:
    """The ten scenarios of notebook 10's classification exercise: id -> description."""
    return {s["id"]: s["text"] for s in _data()["scenarios"]}


def appeal_path() -> pd.DataFrame:
    """The human-review and appeal path designed for the loan model: one row per step."""
    import pandas as pd

    return pd.DataFrame(_data()["appeal"]).set_index("step")
