"""The data checks on the review page: which rows each check flagged, and duplicate sets.

``labelwise audit`` writes one ``is_<check>_issue`` column per data check into ``issues.csv`` and
lists the duplicate sets (``exact_duplicate``, ``near_duplicate``, ``near_duplicate_text``) in ``summary.json``
(``data_checks.<check>.info.sets``). The review page filters its list by a check, and for a row of
a duplicate set a reviewer can keep that row and exclude the others of its set in one decision
(:func:`keep_one`); the cleaned export then drops the excluded rows like any other exclusion.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError
from ..io.outputs import AuditOutput, load_audit
from ._id_keys import issues_id_column
from .store import DB_NAME, Decision, DecisionStore

__all__ = ["DUPLICATE_CHECKS", "CheckIndex", "keep_one", "keep_one_of_duplicates"]

#: Checks whose ``info.sets`` list sets of rows of which one is enough.
DUPLICATE_CHECKS = ("exact_duplicate", "near_duplicate", "near_duplicate_text")
_PREFIX, _SUFFIX = "is_", "_issue"


def _flag_column(values: pd.Series) -> np.ndarray:
    """A flag column read from CSV (bool, 0/1, "True", or empty for rows the check did not score)."""
    if values.dtype == bool:
        return values.to_numpy()
    text = values.astype(str).str.strip().str.lower()
    return text.isin(["true", "1", "1.0", "yes"]).to_numpy()


@dataclass(frozen=True)
class CheckIndex:
    """Flags of every data check and the duplicate sets of an audit, aligned with ``issues``.

    Attributes
    ----------
    flags : dict of str to ndarray of bool
        Check name -> which rows of ``issues`` (in its order) the check flagged.
    sets : dict of str to list of list of int
        Duplicate check -> its sets of data rows (as listed in ``summary.json``).
    """

    flags: dict[str, np.ndarray]
    sets: dict[str, list[list[int]]]
    _member: dict[str, dict[int, int]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_audit(cls, audit: AuditOutput) -> CheckIndex:
        """Read the check columns of ``issues.csv`` and the sets of ``summary.json``."""
        issues = audit.issues
        flags = {
            str(c)[len(_PREFIX) : -len(_SUFFIX)]: _flag_column(issues[c])
            for c in issues.columns
            if str(c).startswith(_PREFIX) and str(c).endswith(_SUFFIX) and str(c) != "is_issue"
        }
        sections = audit.summary.get("data_checks") or {}
        raw = {name: ((sections.get(name) or {}).get("info") or {}).get("sets") or [] for name in DUPLICATE_CHECKS}
        return cls.from_sets(flags, raw)

    @classmethod
    def from_sets(cls, flags: dict[str, np.ndarray], sets: dict[str, list]) -> CheckIndex:
        """From flags and the duplicate sets of each check (sets of fewer than 2 rows are dropped)."""
        clean = {name: [[int(r) for r in s] for s in sets.get(name, []) if len(s) >= 2] for name in DUPLICATE_CHECKS}
        member = {name: {r: i for i, s in enumerate(clean[name]) for r in s} for name in DUPLICATE_CHECKS}
        return cls(flags=flags, sets=clean, _member=member)

    def counts(self) -> list[dict[str, Any]]:
        """Per check: name, rows flagged, and whether a set can be reduced to one row."""
        return [
            {"check": name, "n_flagged": int(flag.sum()), "duplicates": name in DUPLICATE_CHECKS}
            for name, flag in self.flags.items()
        ]

    def mask(self, check: str) -> np.ndarray:
        """Rows (of ``issues``, in its order) flagged by ``check``.

        Raises
        ------
        InvalidParameterError
            If the audit has no column for ``check``.
        """
        if check not in self.flags:
            raise InvalidParameterError(
                f"check must be one of the audit's data checks {list(self.flags)}, got {check!r}"
            )
        return self.flags[check]

    def flagged_by(self, i: int) -> list[str]:
        """Names of the checks that flagged the ``i``-th row of ``issues``."""
        return [name for name, flag in self.flags.items() if flag[i]]

    def set_of(self, check: str, row: int) -> list[int] | None:
        """The duplicate set of ``check`` that holds data row ``row``, or None."""
        at = self._member.get(check, {}).get(int(row))
        return None if at is None else list(self.sets[check][at])

    def sets_of(self, row: int) -> list[tuple[str, list[int]]]:
        """Every ``(check, set)`` pair holding data row ``row``."""
        return [(c, s) for c in DUPLICATE_CHECKS if (s := self.set_of(c, row)) is not None]


def keep_one(
    store: DecisionStore,
    index: CheckIndex,
    row: int,
    check: str,
    *,
    versions: dict[int, int],
    reviewer: str,
) -> list[Decision]:
    """Keep ``row`` and exclude the other rows of its duplicate set, in one transaction.

    Parameters
    ----------
    store : DecisionStore
    index : CheckIndex
    row : int
        The data row to keep.
    check : {"exact_duplicate", "near_duplicate", "near_duplicate_text"}
        Whose set.
    versions : dict of int to int
        The version the reviewer saw of every row of the set (0 for undecided rows).
    reviewer : str

    Returns
    -------
    list of Decision
        ``keep`` for ``row`` first, then ``exclude`` for the others.

    Raises
    ------
    InvalidParameterError
        If ``check`` is not a duplicate check, ``row`` is in none of its sets, or a version is missing.
    ConflictError
        If any row of the set was decided since the reviewer saw it (nothing is saved).
    """
    if check not in DUPLICATE_CHECKS:
        raise InvalidParameterError(f"check must be one of {list(DUPLICATE_CHECKS)}, got {check!r}")
    members = index.set_of(check, row)
    if members is None:
        raise InvalidParameterError(f"row {row} is in no {check} set of this audit")
    missing = [r for r in members if r not in versions]
    if missing:
        raise InvalidParameterError(
            f"versions must give the version you saw of every row of the set {members}, missing rows {missing}"
        )
    order = [row] + [r for r in members if r != row]
    return store.record_many(
        [(r, "keep" if r == row else "exclude", versions[r], None) for r in order], reviewer=reviewer
    )


def keep_one_of_duplicates(
    out_dir: str | os.PathLike, row: int, *, check: str = "exact_duplicate", reviewer: str = "labelwise"
) -> list[Decision]:
    """Outside the review page: keep ``row`` and exclude the rest of its duplicate set.

    Decides on the rows' current versions (whatever was decided before is overridden) and writes
    to ``out_dir/review.sqlite``; ``labelwise export`` then drops the excluded rows.

    Raises
    ------
    InvalidParameterError
        If the audit has no such set holding ``row``.
    """
    audit = load_audit(out_dir, with_data=False)
    index = CheckIndex.from_audit(audit)
    store = DecisionStore(audit.out_dir / DB_NAME, n_examples=int(audit.issues["row"].max()) + 1)
    store.bind_audit(audit.issues, id_column=issues_id_column(audit.issues, audit.settings))
    current = store.current()
    members = index.set_of(check, row) or []
    versions = {r: (current[r].version if r in current else 0) for r in members}
    return keep_one(store, index, row, check, versions=versions, reviewer=reviewer)
