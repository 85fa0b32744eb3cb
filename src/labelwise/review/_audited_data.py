"""An audit folder loaded for the review and the export, with its data checked against the audit.

The review's decisions are stored by row number (``review.sqlite``). When the data table is
edited after the audit (its rows sorted or shuffled, rows removed or appended), row 210 of the
file is no longer the example the audit flagged: the review page would show another row's text
beside the flagged labels, and ``labelwise export`` would write the relabel of row 210 onto
whatever row 210 now is, in silence. :func:`load_reviewed_audit` refuses such data
(:func:`labelwise.report._data_as_written.check_data_unchanged`); its ids are read as written.
"""

from __future__ import annotations

import os

from ..io.outputs import AuditOutput, load_audit
from ..report._data_as_written import audit_as_written, check_data_unchanged

__all__ = ["load_reviewed_audit"]


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
