"""The review's decisions on an audit's data table, resolved once: the change log, the rows relabelled (and
their new labels) and the rows excluded; applied to the whole table (:func:`labelwise.review.cleaned_table`)
or to the table part by part (:mod:`labelwise.review._stream_export`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._caller import warn_at_caller
from ..errors import InvalidParameterError, LabelwiseWarning, MissingColumnError
from ..io.outputs import AuditOutput
from ._data_ids import data_ids, id_key
from ._id_keys import issues_id_column
from ._label_dtype import class_of, relabelled_column
from .store import DB_NAME, DecisionStore
from .task_export import LOG_COLUMNS  # one change log's columns for every kind of audit

__all__ = ["LOG_COLUMNS", "Decided", "decided"]


@dataclass(frozen=True)
class Decided:
    """The decisions of a review on its audit's data (``clear`` counts as no decision).

    Attributes
    ----------
    label : str
        The data's label column.
    changes : DataFrame
        The change log (:func:`labelwise.review.cleaned_table`).
    relabel, new : ndarray
        The rows relabelled (from 0, in the data's order) and their new labels.
    excluded : ndarray
        The rows excluded.
    mark_excluded : bool
        Keep excluded rows, flagged in ``excluded_column``, instead of dropping them.
    excluded_column : str
        The flag's column.
    """

    label: str
    changes: pd.DataFrame
    relabel: np.ndarray
    new: np.ndarray
    excluded: np.ndarray
    mark_excluded: bool
    excluded_column: str

    def relabelled(self, data: pd.DataFrame) -> pd.DataFrame:
        """``data`` (the whole table, or its label column with others) with the relabels in the label column,
        in the column's own dtype (a categorical stays one: the Parquet file reads back as given)."""
        out = data.copy()
        if len(self.relabel):
            out[self.label] = relabelled_column(out[self.label], self.relabel, self.new)
        return out

    def is_excluded(self, n_rows: int) -> np.ndarray:
        """A flag per row of the ``n_rows``-row table: True where the row is excluded."""
        flag = np.zeros(n_rows, dtype=bool)
        flag[self.excluded] = True
        return flag

    def finished(self, part: pd.DataFrame, excluded: np.ndarray) -> pd.DataFrame:
        """``part`` (relabelled already) with its ``excluded`` rows (a flag per row) marked or dropped."""
        if self.mark_excluded:
            part = part.copy()
            part[self.excluded_column] = excluded
            return part
        return part[~excluded] if excluded.any() else part

    def apply(self, data: pd.DataFrame) -> pd.DataFrame:
        """The whole ``data`` table with every decision applied (keeps its index, the rows' numbers)."""
        return self.finished(self.relabelled(data), self.is_excluded(len(data)))


def _open_store(audit: AuditOutput) -> DecisionStore | None:
    path = audit.out_dir / DB_NAME
    if not path.is_file():
        return None
    store = DecisionStore(path, n_examples=len(audit.issues))
    # As the review app does: a database left by an audit of other data (another length or other given
    # labels) is refused, not applied by row number.
    store.bind_audit(audit.issues, id_column=issues_id_column(audit.issues, audit.settings))
    return store


def decided(audit: AuditOutput, data: pd.DataFrame, mark_excluded: bool, excluded_column: str) -> Decided:
    """The decisions of ``audit``'s ``review.sqlite`` on ``data`` (the audited table, or its label and id
    columns: :func:`labelwise.review.cleaned_table` says what each is).

    Raises
    ------
    MissingColumnError
        If the label column is not in the data table.
    InvalidParameterError
        If ``mark_excluded`` and the data has a column named ``excluded_column`` already.
    """
    label = audit.label_column
    if label is None or label not in data.columns:
        raise MissingColumnError(
            f"label column {label!r} is not in the data table (columns: {list(data.columns)[:20]})"
        )
    if mark_excluded and excluded_column in data.columns:
        raise InvalidParameterError(
            f"excluded_column must be a new column name, got {excluded_column!r} which the data already has"
        )
    store = _open_store(audit)
    decisions = store.current() if store is not None else {}
    chosen = sorted((d for d in decisions.values() if d.action != "clear"), key=lambda d: d.row)
    rows = np.array([d.row for d in chosen], dtype=np.int64)
    actions = np.array([d.action for d in chosen], dtype=object)
    old = data[label].iloc[rows].to_numpy(dtype=object)  # the decided rows' labels only, not a million objects
    new = np.array(
        [
            _as_class(audit.classes, d) if d.action == "relabel" else (None if d.action == "exclude" else old[i])
            for i, d in enumerate(chosen)
        ],
        dtype=object,
    )
    _warn_new_classes(audit.classes, rows[actions == "relabel"], new[actions == "relabel"])
    changed = (actions == "exclude") | ((actions == "relabel") & (new.astype(str) != old.astype(str)))
    changes = pd.DataFrame(
        {
            "row": rows,
            "action": actions,
            "given_label": old,
            "new_label": new,
            "changed": changed,
            "reviewer": [d.reviewer for d in chosen],
            "decided_at": [d.decided_at for d in chosen],
            "version": np.array([d.version for d in chosen], dtype=np.int64),
        },
        columns=LOG_COLUMNS,
    )
    name, ids = data_ids(audit)
    if ids is not None and name is not None:  # beside the row: the user joins the log to the data by it
        changes.insert(1, id_key(name, LOG_COLUMNS), ids.iloc[rows].to_numpy(dtype=object))
    return Decided(
        label=label,
        changes=changes,
        relabel=rows[actions == "relabel"],
        new=new[actions == "relabel"],
        excluded=rows[actions == "exclude"],
        mark_excluded=mark_excluded,
        excluded_column=excluded_column,
    )


def _as_class(classes: list[Any], decision: Any) -> Any:
    """A relabel's label as the audit's class it stands for (``2`` stored for the class ``2.0``); as
    stored when it is no class (:func:`_warn_new_classes` says so)."""
    found = class_of(classes, decision.label)
    return decision.label if found is None else found


def _warn_new_classes(classes: list[Any], rows: np.ndarray, labels: np.ndarray) -> None:
    """Warn when relabels name labels that are not classes of the audit (recorded from Python, where
    ``DecisionStore`` does not know the classes): they become new classes in the cleaned data, and a
    near miss (``"Adelie"`` for the class ``"Adelie "``) would otherwise pass unseen."""
    if not classes:
        return
    unknown = [(int(r), v) for r, v in zip(rows, labels, strict=True) if class_of(classes, v) is None]
    if unknown:
        shown = ", ".join(f"row {r} to {v!r}" for r, v in unknown[:5]) + (", ..." if len(unknown) > 5 else "")
        warn_at_caller(
            LabelwiseWarning(
                f"{len(unknown)} relabel(s) in review.sqlite name a label that is not a class of the audit "
                f"({shown}; classes: {[str(c) for c in classes[:20]]}): the cleaned data holds them as new classes"
            )
        )
