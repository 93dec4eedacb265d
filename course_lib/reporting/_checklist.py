"""The Responsible AI checklist as data: items, evidence, status and owner, and its gaps."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["OWNERS", "STATUSES", "ChecklistItem", "checklist_table", "gaps_by_owner",
           "load_checklist", "set_status"]

#: The accountability chain, upstream first.
OWNERS: tuple[str, ...] = ("data collector", "model builder", "deployer", "user")
#: How far an item is met: done, partial (some evidence) or missing (none).
STATUSES: tuple[str, ...] = ("done", "partial", "missing")

_FILE = Path(__file__).resolve().parents[1] / "checklist.toml"


@dataclass(frozen=True)
class ChecklistItem:
    """One item: what must hold, its evidence (which notebook, what it computed), owner, status."""

    id: str
    item: str
    owner: str
    notebook: str
    evidence: str
    status: str

    def __post_init__(self) -> None:
        for name in ("id", "item", "notebook", "evidence"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{name} must be a non-empty string, got {value!r}")
        if self.owner not in OWNERS:
            raise ValueError(f"owner must be one of {list(OWNERS)}, got {self.owner!r}")
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {list(STATUSES)}, got {self.status!r}")


def load_checklist() -> tuple[ChecklistItem, ...]:
    """The course's checklist (course_lib/checklist.toml), in order."""
    with _FILE.open("rb") as fh:
        items = tuple(ChecklistItem(**row) for row in tomllib.load(fh)["item"])
    ids = [i.id for i in items]
    if len(set(ids)) != len(ids):
        raise ValueError("checklist.toml repeats an item id")
    return items


def _check_items(items: object) -> tuple[ChecklistItem, ...]:
    if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
        raise TypeError("items must be a sequence of ChecklistItem")
    out = tuple(items)
    if not all(isinstance(i, ChecklistItem) for i in out):
        raise TypeError("items must be a sequence of ChecklistItem")
    return out


def set_status(items: Sequence[ChecklistItem], item_id: str, status: str,
               evidence: str | None = None,
               notebook: str | None = None) -> tuple[ChecklistItem, ...]:
    """A copy of ``items`` with one item's status (and, if given, evidence and notebook) set."""
    items = _check_items(items)
    ids = [i.id for i in items]
    if item_id not in ids:
        raise ValueError(f"item_id must be one of {ids}, got {item_id!r}")
    changes = {"status": status}
    if evidence is not None:
        changes["evidence"] = evidence
    if notebook is not None:
        changes["notebook"] = notebook
    return tuple(replace(i, **changes) if i.id == item_id else i for i in items)


def checklist_table(items: Sequence[ChecklistItem]) -> pd.DataFrame:
    """The checklist as a table of strings, one row per item (index: id)."""
    import pandas as pd

    items = _check_items(items)
    return pd.DataFrame([{"id": i.id, "item": i.item, "owner": i.owner,
                          "evidence": f"nb {i.notebook}: {i.evidence}", "status": i.status}
                         for i in items]).set_index("id")


def gaps_by_owner(items: Sequence[ChecklistItem]) -> pd.DataFrame:
    """Per owner (in chain order): items done, partial and missing, and the open items' ids."""
    import pandas as pd

    items = _check_items(items)
    rows = []
    for owner in OWNERS:
        mine = [i for i in items if i.owner == owner]
        counts = {s: sum(i.status == s for i in mine) for s in STATUSES}
        open_ids = ", ".join(i.id for i in mine if i.status != "done") or "-"
        rows.append({"owner": owner, **counts, "open items": open_ids})
    return pd.DataFrame(rows).set_index("owner")
