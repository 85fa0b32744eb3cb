"""Whether a change log still says what the review decided: the review may go on after the export.

``labelwise export`` writes the change log from ``review.sqlite`` as it is then; decisions made
afterwards (a new relabel, one changed, one undone with ``clear``) are in the database and not in
the log, and whoever reads the log (``labelwise evaluate --corrections``) scores stale corrections
without a word. Every decision carries its version (how many decisions its example had), and the
log carries it too, so :func:`stale_log_line` compares the two exactly: the log is current when it
holds every example whose latest decision is not ``clear``, at that decision's version, and no other.

The database is looked for beside the log (an export into the audit's folder, as
``evaluate --corrections AUDIT_FOLDER`` reads it), else where the export's record says it is: each
export writes, beside its log, ``<log>.review.json`` (:func:`record_path`: ``cleaned.changes.csv`` ->
``cleaned.changes.review.json``) naming the ``review.sqlite`` it read, by its absolute path and by its
path relative to the log's folder. So a log exported to another folder is checked too, and so is one whose
export folder was moved (the absolute path while the database is there, else the relative one: the
audit folder moved with the export).
A labelwise log whose database cannot be found (no record: an older export, or the log copied alone; or
the database gone) gets a line that says it cannot be checked, and why.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
from pathlib import Path

import pandas as pd

from ..errors import InvalidParameterError, LabelwiseError
from ..io.atomic import atomic_write
from .store import DB_NAME, DecisionStore

__all__ = ["check_record_writable", "record_path", "stale_log_line", "write_record"]

_SUFFIX = ".changes.csv"
#: The key of a record's absolute path of the database; what tells a record from another JSON file.
_KEY = "review_database"


def record_path(log: str | os.PathLike) -> Path:
    """The export's record beside the change log ``log``: its name with ``.csv`` replaced by ``.review.json``."""
    path = Path(log)
    stem = path.name[:-4] if path.name.lower().endswith(".csv") else path.name
    return path.with_name(stem + ".review.json")


def _read_record(path: Path) -> dict | None:
    """The record at ``path`` (None when there is none, or the file is not one)."""
    with contextlib.suppress(OSError, ValueError):
        record = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(record, dict) and isinstance(record.get(_KEY), str):
            return record
    return None


def check_record_writable(log: str | os.PathLike, force: bool) -> None:
    """Refuse, before anything is written, an export whose record would replace a file that is not one
    (``force``, which replaces the log, replaces its record too)."""
    path = record_path(log)
    if path.exists() and not force and _read_record(path) is None:
        raise InvalidParameterError(
            f"the export writes its change log's record to {str(path)!r}, which exists and is not one (a file of "
            "yours?); move it, give the change log another name, or overwrite it with --force (force=True in Python)"
        )


def write_record(log: str | os.PathLike, db: str | os.PathLike) -> None:
    """Write, beside the change log ``log``, the record naming the review database ``db`` it was exported from."""
    path, db = record_path(log), Path(db).resolve()
    record = {_KEY: str(db), "relative": os.path.relpath(db, path.parent.resolve()), "log": Path(log).name}
    with atomic_write(path, "w") as fh:
        json.dump(record, fh, indent=1)


def _database(path: Path) -> tuple[Path | None, str]:
    """The review database of the log ``path`` (beside it, else the record's absolute, then relative path),
    or None and why it cannot be found."""
    if (path.parent / DB_NAME).is_file():
        return path.parent / DB_NAME, ""
    record = _read_record(record_path(path))
    if record is None:
        return None, (
            f"there is no {DB_NAME} beside it and no record of the review it was exported from "
            f"({record_path(path).name}, written by `labelwise export` beside each change log: exported by an older "
            "labelwise, or the log was copied without it)"
        )
    for cand in (Path(record[_KEY]), path.parent / str(record.get("relative", ""))):  # moved: the relative path
        if cand.name == DB_NAME and cand.is_file():
            return cand.resolve(), ""
    return None, (
        f"the review database it was exported from, {record[_KEY]!r} (its record {record_path(path).name}), is gone: "
        "moved or removed"
    )


def stale_log_line(log: str | os.PathLike) -> str | None:
    """One line naming the change log ``log`` and its ``review.sqlite`` (beside it, or where the export's
    record says) when the database holds other decisions than the log (how many: new, changed, undone; the
    latest one's time) and how to bring the log up to date; or, when the database cannot be found, a line
    saying the log cannot be checked and why. None when they agree, or the file is not a change log with
    ``row`` and ``version`` columns."""
    path = Path(log)
    if not path.is_file():
        return None
    with contextlib.suppress(OSError, ValueError, LabelwiseError):
        logged = _logged(path)
        if logged is None:
            return None
        db, why = _database(path)
        if db is None:
            return f"cannot tell whether the change log {str(path)!r} is current (the review may have gone on): {why}"
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
            f"`labelwise export {shlex.quote(str(db.parent))} --out {shlex.quote(_exported(path))} --force` to write "
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
