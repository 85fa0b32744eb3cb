"""The review app's state shared by its routes: the loaded folder, its cards and the decision store.

:class:`ReviewState` loads an audit's folder (``load_audit``) or one of
:data:`~labelwise.review.folders.FOLDER_KINDS` (``load_units``) and answers the routes' questions:
one example as JSON, the progress counts, a relabel's label checked against the classes (or, for a
folder of tag sets, against its tags).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..errors import InvalidParameterError
from ..io.outputs import AuditOutput
from ..report._previews import Previewer
from ._audited_data import load_reviewed_audit
from ._id_keys import issues_id_column
from ._label_dtype import class_of
from ._unit_ids import unit_ids
from .crowd import dependence
from .duplicates import CheckIndex
from .folders import load_units
from .store import DB_NAME, DecisionStore
from .tasks import UNIT_IDS

__all__ = ["ReviewState", "jsonable"]


def jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


class ReviewState:
    """State shared by the routes: the loaded audit, its previews and the decision store."""

    def __init__(self, out_dir: str | os.PathLike, *, reviewer: str | None, db_timeout: float) -> None:
        units = load_units(out_dir)  # audit --task, aggregate: the units and cards of that folder (review.folders)
        self.audit: AuditOutput = units.audit if units is not None else load_reviewed_audit(out_dir)
        a = self.audit
        self.previewer: Previewer = units.previewer if units is not None else Previewer.from_audit(a)
        self.task: str | None = units.task if units is not None else None
        self.relabel, self.unit_kind = units is None or units.relabel, units.kind if units is not None else "an audit"
        self.tags = units.tags if units is not None else None  # a tag set's relabel: these tags, checked by
        self.resolve = units.resolve if units is not None else None  # the folder's own check
        self.data_found = a.data is not None if units is None else units.data_found
        self.store = DecisionStore(a.out_dir / DB_NAME, timeout=db_timeout, n_examples=self._n_rows())
        keyed = issues_id_column(a.issues, a.settings) if units is None else None  # decisions follow the ids
        self.store.bind_audit(a.issues, what=_bound_to(self.task), id_column=keyed)
        self.reviewer = reviewer or _default_reviewer()
        issues = a.issues
        self.rows = issues["row"].to_numpy(dtype=np.int64)
        self.by_row = {int(r): i for i, r in enumerate(self.rows)}
        self.given_text = issues["given_label"].astype(str).to_numpy()
        self.class_text = {str(c): c for c in a.classes}
        self.class_index = {str(c): i for i, c in enumerate(a.classes)}
        self.flagged_rows = frozenset(a.flagged["row"].tolist())
        self.checks = CheckIndex.from_audit(a)
        self.id_name, self.ids = unit_ids(a, self.previewer)  # the data's id of each card, beside its row
        # an aggregation's copying annotators (summary.json), shown above its cards
        self.dependence = dependence(a.summary) if self.task == "aggregate" else None

    def unknown_id(self, row: Any) -> str:
        """The 404's words for an id that is no card's: what the ids count (data rows, tokens, images) and their range."""
        unit, ids = UNIT_IDS.get(self.task or "", ("example", "data rows"))
        return f"unknown {unit} id {row!r}: ids are the {ids} 0..{self._n_rows() - 1} of {self.unit_kind}"

    def _n_rows(self) -> int:
        return int(self.audit.issues["row"].max()) + 1

    def example(self, i: int, decisions: dict) -> dict:
        rec = self.audit.issues.iloc[i]
        row = int(rec["row"])
        d = decisions.get(row)
        prob = None
        col = self.class_index.get(str(rec["suggested_label"]))
        probs = self.audit.probs
        if probs is not None and col is not None and row < probs.shape[0] and col < probs.shape[1]:
            prob = float(probs[row, col])
        preview = self.previewer.describe(row)
        if preview.get("has_image"):
            preview["image_url"] = f"/api/examples/{row}/image"
        return {
            "row": row,
            "id": self.ids.get(row),
            "id_column": self.id_name,
            "rank": int(rec["rank"]),
            "given": jsonable(rec["given_label"]),
            "suggested": jsonable(rec["suggested_label"]),
            "quality": float(rec["label_quality"]),
            "prob_suggested": prob,
            "is_issue": bool(rec["is_issue"]),
            "version": d.version if d is not None else 0,
            "decision": d.to_dict() if d is not None and d.action != "clear" else None,
            "preview": preview,
            "checks": self.checks.flagged_by(i),
            "duplicate_sets": [
                {"check": c, "rows": s, "versions": {str(r): _version(decisions, r) for r in s}}
                for c, s in self.checks.sets_of(row)
            ],
        }

    def progress(self, decisions: dict) -> dict:
        flagged = self.flagged_rows
        active = {r: d for r, d in decisions.items() if d.action != "clear"}
        counts = {a: 0 for a in ("keep", "relabel", "exclude")}
        for d in active.values():
            counts[d.action] += 1
        return {
            "n_examples": len(self.rows),
            "flagged": len(flagged),
            "reviewed": len(active),
            "reviewed_flagged": sum(1 for r in active if r in flagged),
            **counts,
        }

    def resolve_label(self, label: Any) -> Any:
        """Return the class matching ``label`` (:func:`~labelwise.review._label_dtype.class_of`), or the
        label the folder's own check makes of it (a tag set's: its tags joined as the folder writes them)."""
        if self.resolve is not None:
            return self.resolve(label)
        found = class_of(self.audit.classes, label)
        if found is not None:
            return found
        shown = [str(c) for c in self.audit.classes[:30]]
        raise InvalidParameterError(f"label must be one of the classes {shown}, got {label!r}")


def _version(decisions: dict, row: int) -> int:
    d = decisions.get(row)
    return d.version if d is not None else 0


def _bound_to(task: str | None) -> str:
    """The folder's kind in a store's "belongs to another ..." error: an aggregation's folder, else an audit."""
    return "aggregation" if task is not None and task.startswith("aggregate") else "audit"


def _default_reviewer() -> str:
    import getpass

    try:
        return getpass.getuser() or "reviewer"
    except Exception:  # no user name in this environment
        return "reviewer"
