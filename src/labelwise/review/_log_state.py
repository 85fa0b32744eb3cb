"""Whether a change log still says what the review decided: the review may go on after the export.

``labelwise export`` writes the change log from ``review.sqlite`` as it is then; decisions made
afterwards (a new relabel, one changed, one undone with ``clear``) are in the database and not in
the log, and whoever reads the log (``labelwise evaluate --corrections``) scores stale corrections
without a word. Every decision carries its version (how many decisions its example had), and the
log carries it too, so :func:`stale_log_line` compares the two exactly: the log is current when it
holds every example whose latest decision is not ``clear``, at that decision's version, and no other.

The database is looked for beside the log (an export into the audit's folder, as
``evaluate --corrections AUDIT_FOLDER`` reads it); a log elsewhere cannot be checked.
"""

from __future__ import annotations

import contextlib
import os
import shlex
from pathlib import Path

import pandas as pd

from ..errors import LabelwiseError
from .store import DB_NAME, DecisionStore

__all__ = ["stale_log_line"]

_SUFFIX = ".changes.csv"


def stale_log_line(log: str | os.PathLike) -> str | None:
    """One line naming the change log ``log`` and the ``review.sqlite`` beside it when the database holds
    other decisions than the log (how many: new, changed, undone; the latest one's time) and how to bring
    the log up to date; None when they agree, or when there is no database beside the log, or the file is
    not a change log with ``row`` and ``version`` columns."""
    path = Path(log)
    db = path.parent / DB_NAME
    if not path.is_file() or not db.is_file():
        return None
    with contextlib.suppress(OSError, ValueError, LabelwiseError):
        logged = _logged(path)
        if logged is None:
            return None
        current = {r: d for r, d in DecisionStore(db).current().items() if d.action != "clear"}
        new = [r for r in current if r not in logged]
        changed = [r for r in current if r in logged and current[r].version != logged[r]]
        undone = [r for r in logged if r not in current]
        if not (new or changed or undone):
            return None
        counts = ", ".join(
            f"{len(rows)} {word}" for rows, word in ((new, "new"), (changed, "changed"), (undone, "undone")) if rows
        )
        times = [current[r].decided_at for r in new + changed if current[r].decided_at]
        latest = f", the latest at {max(times)}" if times else ""
        return (
            f"the change log {str(path)!r} is older than the review: {str(db)!r} holds decisions it does not "
            f"({counts}{latest}), so these corrections are the ones of the export, not the review's now; run "
            f"`labelwise export {shlex.quote(str(path.parent))} --out {shlex.quote(_exported(path))} --force` to write "
            "them again"
        )
    return None


def _logged(path: Path) -> dict[int, int] | None:
    """The log's version of each row, or None for a file without ``row`` and ``version`` columns."""
    head = pd.read_csv(path, nrows=0)
    if "row" not in head.columns or "version" not in head.columns:
        return None
    log = pd.read_csv(path, usecols=["row", "version"]).dropna()
    return dict(zip(log["row"].astype(int), log["version"].astype(int), strict=True))


def _exported(path: Path) -> str:
    """The file whose change log ``path`` is (``clean.changes.csv`` logs ``clean.csv``; ``x.parquet.changes.csv``
    logs ``x.parquet``), for the command that writes both again."""
    name = path.name
    stem = name[: -len(_SUFFIX)] if name.endswith(_SUFFIX) else path.stem
    return str(path.with_name(stem if Path(stem).suffix else stem + ".csv"))
