"""An audit folder loaded for the review and the export, with its data checked against the audit.

The review's decisions are stored by row number (``review.sqlite``). When the data table is
edited after the audit (its rows sorted or shuffled, rows removed or appended), row 210 of the
file is no longer the example the audit flagged: the review page would show another row's text
beside the flagged labels, and ``labelwise export`` would write the relabel of row 210 onto
whatever row 210 now is, in silence. :func:`load_reviewed_audit` refuses such data
(:func:`labelwise.report._data_as_written.check_data_unchanged`); its ids are read as written.
With the audit's ``--id-column`` the ids are compared too (:func:`check_ids_unchanged`): two rows of
one label swapped leave every label in place, and only the ids tell.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataFileError
from ..io.outputs import AuditOutput, load_audit
from ..report._data_as_written import CHANGED, audit_as_written, check_data_unchanged
from ._id_keys import issues_id_column

__all__ = ["check_ids_unchanged", "load_reviewed_audit"]

_BLOCK = 131_072  # rows whose ids are compared at a time


def load_reviewed_audit(out_dir: str | os.PathLike, *, scores: bool = True) -> AuditOutput:
    """``load_audit(out_dir, scores=scores)`` with the data's ids as written, refused when the data changed
    since the audit.

    Raises
    ------
    DataFileError
        If the data table has another number of rows than the audit, or another label at some row, or
        (with the audit's ``--id-column``) another id at some row, or no longer that column.
    """
    audit = audit_as_written(load_audit(out_dir, scores=scores))
    check_data_unchanged(audit)
    check_ids_unchanged(audit)
    return audit


def check_ids_unchanged(audit: AuditOutput) -> None:
    """Refuse ``audit``'s data table when its ``--id-column`` holds, at some row, another id than the
    audit's issues table (``007`` read back as ``7`` from an ``issues.csv`` is the same id).

    Raises
    ------
    DataFileError
        Naming the file, the first row that differs and both ids; or the column, when the data lacks it.
    """
    column = issues_id_column(audit.issues, audit.settings)
    data, given = audit.data, audit.settings.get("id_column")
    if column is None or data is None or len(data) != len(audit.issues):
        return  # no ids, no table, or check_data_unchanged's refusal
    where = str(audit.data_path)
    if given not in data.columns:
        raise DataFileError(f"the data table {where!r} has no column {given!r}, the audit's --id-column; {CHANGED}")
    audited = audit.issues.set_index("row")[column].sort_index()
    rows = audited.index.to_numpy(dtype=np.int64)
    for start in range(0, len(rows), _BLOCK):  # a block at a time: each id a Python object only in its block
        block = slice(start, start + _BLOCK)
        now = data[given].iloc[rows[block]].to_numpy(dtype=object)
        read = audited.iloc[block].to_numpy(dtype=object)
        # as read first (pandas' comparison: a missing id differs), then the texts of the rows that differ
        differ = np.flatnonzero((pd.Series(now, dtype=object) != pd.Series(read, dtype=object)).to_numpy(dtype=bool))
        for i in differ[now[differ].astype(str) != read[differ].astype(str)]:
            if not _same_integer(now[i], read[i]):
                raise DataFileError(
                    f"id column {given!r} of the data table {where!r} holds {now[i]!r} at row {int(rows[start + i])} "
                    f"(counting data rows from 0), where the audit read {read[i]!r}; {CHANGED}"
                )


def _same_integer(a: Any, b: Any) -> bool:
    """Whether two ids are one integer written two ways (``007`` and ``7``)."""
    try:
        return int(str(a)) == int(str(b))
    except ValueError:
        return False
