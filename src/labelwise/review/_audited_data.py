"""An audit folder loaded for the review and the export, with its data checked against the audit.

The review's decisions are stored by row number (``review.sqlite``). When the data table is
edited after the audit (its rows sorted or shuffled, rows removed or appended), row 210 of the
file is no longer the example the audit flagged: the review page would show another row's text
beside the flagged labels, and ``labelwise export`` would write the relabel of row 210 onto
whatever row 210 now is, in silence. :func:`load_reviewed_audit` refuses such data: it must have
the audited number of rows and, at every row, the label the audit was given (``issues.csv``'s
``given_label``). Its ids are read as written (:mod:`labelwise.report._data_as_written`).
"""

from __future__ import annotations

import os

import numpy as np

from ..errors import DataFileError
from ..io.outputs import AuditOutput, load_audit
from ..report._data_as_written import audit_as_written
from ._label_dtype import class_of

__all__ = ["check_data_unchanged", "load_reviewed_audit"]

_RERUN = (
    "it changed since the audit (rows sorted, edited, removed or added), so the review's row numbers "
    "would name other examples: restore the audited file, or rerun the audit"
)


def load_reviewed_audit(out_dir: str | os.PathLike) -> AuditOutput:
    """``load_audit(out_dir)`` with the data's ids as written, refused when the data changed since the audit.

    Raises
    ------
    DataFileError
        If the data table has another number of rows than the audit, or another label at some row.
    """
    audit = audit_as_written(load_audit(out_dir))
    check_data_unchanged(audit)
    return audit


def check_data_unchanged(audit: AuditOutput) -> None:
    """Refuse ``audit``'s data table when it is not the table the audit read (see the module).

    Raises
    ------
    DataFileError
        Naming the file and the first row that differs.
    """
    data, label = audit.data, audit.label_column
    if data is None or label is None or label not in data.columns:
        return  # no table, or no label column: the callers say so themselves
    where = str(audit.data_path)
    if len(data) != len(audit.issues):
        raise DataFileError(
            f"the data table {where!r} has {len(data)} rows and the audit had {len(audit.issues)}; {_RERUN}"
        )
    given = audit.issues.set_index("row")["given_label"].sort_index()
    now = data[label].to_numpy(dtype=object)[given.index.to_numpy(dtype=np.int64)]
    audited = given.to_numpy(dtype=object)
    differ = np.flatnonzero(now.astype(str) != audited.astype(str))
    for i in differ:  # the same class written otherwise ("2" read back beside the class 2) is the same label
        if class_of(audit.classes, now[i]) != audited[i] or now[i] is None:
            row = int(given.index[i])
            raise DataFileError(
                f"label column {label!r} of the data table {where!r} holds {now[i]!r} at row {row} "
                f"(counting data rows from 0), where the audit read {audited[i]!r}; {_RERUN}"
            )
