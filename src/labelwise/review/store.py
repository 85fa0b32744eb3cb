"""The review decisions: an append-only SQLite table in the audit's output folder.

One row per decision (keep, relabel, exclude, or clear to undo), with the reviewer's name and the
time. Each example has a version, the number of decisions recorded for it; a decision names the
version it was made on, and one made on an outdated version is refused with
:class:`~labelwise.errors.ConflictError` (two browser tabs cannot silently overwrite each other).
A unique index on (row, version) enforces this in the database itself. Every decision is
committed before the call returns (WAL journal, ``synchronous=FULL``), so closing the browser or
killing the server loses nothing. A locked, read-only or corrupt database raises
:class:`~labelwise.errors.StorageError` naming the file and saying the decision was not saved.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ConflictError, InvalidParameterError, StorageError
from ._id_keys import IDS_SCHEMA, IdKeys, move_rows

__all__ = ["ACTIONS", "DB_NAME", "Decision", "DecisionStore"]

DB_NAME = "review.sqlite"
ACTIONS = ("keep", "relabel", "exclude", "clear")
MAX_REVIEWER_LENGTH = 100

_SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    row         INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('keep', 'relabel', 'exclude', 'clear')),
    label       TEXT,
    reviewer    TEXT NOT NULL,
    decided_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS decisions_row_version ON decisions (row, version);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

_CURRENT = """
SELECT d.row, d.version, d.action, d.label, d.reviewer, d.decided_at
FROM decisions AS d
JOIN (SELECT row, MAX(version) AS version FROM decisions GROUP BY row) AS last
  ON d.row = last.row AND d.version = last.version
"""


@dataclass(frozen=True)
class Decision:
    """The latest decision on one example.

    Attributes
    ----------
    row : int
        The example (row of the data table).
    version : int
        How many decisions were recorded for it (the version a next decision must name).
    action : {"keep", "relabel", "exclude", "clear"}
    label : object
        The new label for ``relabel`` (a class value), else None.
    reviewer : str
    decided_at : str
        ISO 8601 time in UTC.
    """

    row: int
    version: int
    action: str
    label: Any
    reviewer: str
    decided_at: str

    def to_dict(self) -> dict:
        """JSON-ready dict."""
        return {
            "row": self.row,
            "version": self.version,
            "action": self.action,
            "label": self.label,
            "reviewer": self.reviewer,
            "decided_at": self.decided_at,
        }


def _decode(label: str | None) -> Any:
    return None if label is None else json.loads(label)


def _storage_error(exc: sqlite3.Error, path: Path, doing: str, timeout: float) -> StorageError:
    msg = str(exc)
    low = msg.lower()
    if "locked" in low or "busy" in low:
        text = (
            f"review database {str(path)!r} is locked by another process (waited {timeout:g} s); "
            f"{doing} was not saved, try again"
        )
    elif "readonly" in low or "read-only" in low or "read only" in low:
        text = (
            f"review database {str(path)!r} is read-only; {doing} was not saved (make the file and its folder writable)"
        )
    elif "unable to open" in low:
        text = f"review database {str(path)!r} cannot be opened ({msg}); is its folder writable?"
    elif "malformed" in low or "not a database" in low:
        text = f"review database {str(path)!r} is corrupt ({msg}); move it aside to start a new one"
    else:
        text = f"review database {str(path)!r} failed ({msg}); {doing} was not saved"
    return StorageError(text)


class DecisionStore:
    """Decisions of a review, stored in SQLite (WAL mode) at ``path``.

    Parameters
    ----------
    path : path-like
        The database file; created with its tables when absent (its folder must exist).
    timeout : float, default 5.0
        Seconds to wait for a lock held by another connection before giving up with
        :class:`StorageError`.
    n_examples : int, optional
        When given, rows outside ``[0, n_examples)`` are refused.

    Raises
    ------
    StorageError
        If the database cannot be created or opened (missing or read-only folder, corrupt file).
    """

    def __init__(self, path: str | os.PathLike, *, timeout: float = 5.0, n_examples: int | None = None) -> None:
        self.path = Path(path)
        self.timeout = float(timeout)
        self.n_examples = n_examples
        self._keys: IdKeys | None = None  # the bound audit's ids, recorded with each decision (review._id_keys)
        if not self.path.parent.is_dir():
            raise StorageError(f"review database folder {str(self.path.parent)!r} does not exist")
        try:
            with self._connect() as conn:
                mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise StorageError(
                        f"review database {str(self.path)!r} could not switch to WAL mode (got {mode!r}); "
                        "is its folder writable?"
                    )
                conn.executescript(_SCHEMA + IDS_SCHEMA)
        except sqlite3.Error as exc:
            raise _storage_error(exc, self.path, "nothing", self.timeout) from None

    def bind(self, key: str, value: str, *, what: str = "audit") -> None:
        """Remember ``value`` under ``key`` on first use; later, refuse a different value.

        The review app binds the number of audited examples, so a database left over from an
        audit of other data is not silently applied to this one. ``what`` names the folder's kind in
        the error (``"audit"``, ``"aggregation"``).

        Raises
        ------
        StorageError
            If the database holds another value for ``key``.
        """
        try:
            with self._connect() as conn:
                conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (key, str(value)))
                stored = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0]
        except sqlite3.Error as exc:
            raise _storage_error(exc, self.path, "nothing", self.timeout) from None
        if stored != str(value):
            raise StorageError(
                f"review database {str(self.path)!r} belongs to another {what} ({key} {stored}, this {what} has "
                f"{value}); move it aside to start a new review"
            )

    def bind_audit(self, issues: pd.DataFrame, *, what: str = "audit", id_column: str | None = None) -> None:
        """Bind this database to the audit whose ``issues`` table it reviews: its number of rows and a
        fingerprint of its given labels in row order (:func:`labels_fingerprint`), so that decisions
        made on one audit are never applied by row number to an audit of other data, even one of the
        same length. A database from before the fingerprint takes it on first use. ``what`` names the
        folder's kind in the error: ``"aggregation"`` for a ``labelwise aggregate`` folder.

        ``id_column``: the column of ``issues`` holding the data's ids (the audit's ``--id-column``). The
        id and given label of each decided row are then kept with the decisions, and an audit of the same
        examples in another row order takes the decisions over, each at its id's new row
        (:mod:`labelwise.review._id_keys`).

        Raises
        ------
        StorageError
            If the database was bound to another audit (and, with ``id_column``, its decisions could
            not follow their ids into this one).
        """
        keys = None
        labelled = "given_label" in issues.columns and "row" in issues.columns
        fingerprint = labels_fingerprint(issues) if labelled else None
        if id_column is not None and id_column in issues.columns and fingerprint is not None:
            keys = IdKeys(issues, id_column)
            self._follow_ids(keys, str(len(issues)), fingerprint)
        self.bind("n_examples", str(len(issues)), what=what)
        if fingerprint is not None:
            self.bind("given_labels", fingerprint, what=what)
        if keys is not None:
            self._in_transaction(keys.note_missing, "the ids of the decided rows")
            self._keys = keys

    def _follow_ids(self, keys: IdKeys, n_examples: str, fingerprint: str) -> None:
        """Move the decisions of an earlier audit of the same examples (in another row order) to their
        ids' rows in this one, and bind the database to it; nothing when it is this audit, or cannot be."""

        def follow(conn: sqlite3.Connection) -> None:
            stored = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            if stored.get("n_examples") in (None, n_examples) and stored.get("given_labels") in (None, fingerprint):
                return
            moves = keys.moved(conn)
            if moves is None:
                return  # bind() refuses it, as any other audit's database
            move_rows(conn, moves)
            conn.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                [("n_examples", n_examples), ("given_labels", fingerprint)],
            )

        self._in_transaction(follow, "the decisions moved to their ids' rows")

    def _in_transaction(self, work: Any, doing: str) -> None:
        """``work(conn)`` in one write transaction: all of it or none."""
        try:
            with self._connect() as conn:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    work(conn)
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
        except sqlite3.Error as exc:
            raise _storage_error(exc, self.path, doing, self.timeout) from None

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        try:
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute(f"PRAGMA busy_timeout={int(self.timeout * 1000)}")
            yield conn
        finally:
            conn.close()

    # ------------------------------------------------------------------ reading

    def current(self) -> dict[int, Decision]:
        """The latest decision of every example that has one (``clear`` included), by row."""
        try:
            with self._connect() as conn:
                rows = conn.execute(_CURRENT).fetchall()
        except sqlite3.Error as exc:
            raise _storage_error(exc, self.path, "reading", self.timeout) from None
        return {int(r[0]): Decision(int(r[0]), int(r[1]), r[2], _decode(r[3]), r[4], r[5]) for r in rows}

    def get(self, row: int) -> Decision | None:
        """The latest decision on ``row``, or None when it has none."""
        try:
            with self._connect() as conn:
                r = conn.execute(
                    "SELECT row, version, action, label, reviewer, decided_at FROM decisions "
                    "WHERE row = ? ORDER BY version DESC LIMIT 1",
                    (int(row),),
                ).fetchone()
        except sqlite3.Error as exc:
            raise _storage_error(exc, self.path, "reading", self.timeout) from None
        return None if r is None else Decision(int(r[0]), int(r[1]), r[2], _decode(r[3]), r[4], r[5])

    def history(self, rows: Iterable[int] | None = None) -> pd.DataFrame:
        """Every recorded decision (oldest first) as a DataFrame, optionally for some rows only."""
        query = "SELECT id, row, version, action, label, reviewer, decided_at FROM decisions"
        params: list[int] = []
        if rows is not None:
            params = [int(r) for r in rows]
            query += f" WHERE row IN ({','.join('?' * len(params))})" if params else " WHERE 0"
        try:
            with self._connect() as conn:
                records = conn.execute(query + " ORDER BY id", params).fetchall()
        except sqlite3.Error as exc:
            raise _storage_error(exc, self.path, "reading", self.timeout) from None
        columns = ["id", "row", "version", "action", "label", "reviewer", "decided_at"]
        frame = pd.DataFrame(records, columns=columns)
        frame["label"] = pd.Series([_decode(r[4]) for r in records], index=frame.index, dtype=object)
        return frame

    # ------------------------------------------------------------------ writing

    def record(self, row: int, action: str, *, version: int, reviewer: str, label: Any = None) -> Decision:
        """Record a decision on ``row`` made on ``version`` and return it (with the new version).

        Parameters
        ----------
        row : int
        action : {"keep", "relabel", "exclude", "clear"}
        version : int
            The example's version the reviewer saw (0 when it had no decision).
        reviewer : str
            Non-empty name, at most 100 characters.
        label : object, optional
            The new class, required for ``relabel`` (JSON-serialisable: str, int, float, bool).

        Raises
        ------
        ConflictError
            If the example's version is no longer ``version`` (someone decided in between).
        StorageError
            If the database is locked, read-only or corrupt: the decision was not saved.
        """
        return self.record_many([(row, action, version, label)], reviewer=reviewer)[0]

    def record_many(self, decisions: Iterable[tuple[int, str, int, Any]], *, reviewer: str) -> list[Decision]:
        """Record several decisions ``(row, action, version, label)`` in one transaction: all or none.

        Used by the review page's "keep one of a duplicate set" (keep one row, exclude the others).
        A conflict on any row (its version is no longer the one given) saves none of them.

        Raises
        ------
        ConflictError
            If any row's version changed; nothing is saved.
        InvalidParameterError
            If a decision is malformed or a row appears twice.
        StorageError
            If the database is locked, read-only or corrupt: nothing was saved.
        """
        if not isinstance(reviewer, str) or not reviewer.strip() or len(reviewer) > MAX_REVIEWER_LENGTH:
            raise InvalidParameterError(
                f"reviewer must be a non-empty name of at most {MAX_REVIEWER_LENGTH} characters, got {reviewer!r}"
            )
        checked = [self._checked(*d) for d in decisions]
        rows = [c[0] for c in checked]
        if len(set(rows)) != len(rows):
            raise InvalidParameterError(f"decisions must name each row once, got rows {rows}")
        now = _dt.datetime.now(_dt.UTC).isoformat(timespec="milliseconds")
        doing = (
            f"the decision {checked[0][1]!r} on row {rows[0]}" if len(rows) == 1 else f"the decisions on rows {rows}"
        )

        def insert(conn: sqlite3.Connection) -> None:
            for row, action, version, encoded, _ in checked:
                self._insert(conn, row, action, version, encoded, reviewer.strip(), now)

        self._in_transaction(insert, doing)
        return [Decision(r, v + 1, a, lab, reviewer.strip(), now) for r, a, v, _, lab in checked]

    def _checked(self, row: Any, action: Any, version: Any, label: Any = None) -> tuple[int, str, int, Any, Any]:
        """Validate one decision; return ``(row, action, version, encoded label, label)``."""
        if isinstance(row, bool) or not isinstance(row, int) or row < 0:
            raise InvalidParameterError(f"row must be a non-negative integer, got {row!r}")
        if self.n_examples is not None and row >= self.n_examples:
            raise InvalidParameterError(f"row must be in [0, {self.n_examples - 1}], got {row}")
        if action not in ACTIONS:
            raise InvalidParameterError(f"action must be one of {list(ACTIONS)}, got {action!r}")
        if isinstance(version, bool) or not isinstance(version, int) or version < 0:
            raise InvalidParameterError(f"version must be a non-negative integer, got {version!r}")
        if action != "relabel":
            return row, action, version, None, None
        if label is None:
            raise InvalidParameterError("label is required for action 'relabel', got None")
        if isinstance(label, np.generic):  # a class taken from a numpy array: its Python value
            label = label.item()
        if not isinstance(label, str | int | float) or (isinstance(label, float) and not np.isfinite(label)):
            # a list or dict was stored and exported into the label column; NaN made a missing label
            raise InvalidParameterError(
                f"label must be one class value (str, int, finite float or bool), got {label!r}"
            )
        return row, action, version, json.dumps(label), label

    def _insert(
        self, conn: sqlite3.Connection, row: int, action: str, version: int, encoded: str | None, who: str, now: str
    ) -> None:
        """Insert one decision inside the caller's transaction; ConflictError if ``version`` is outdated."""
        current = conn.execute("SELECT COALESCE(MAX(version), 0) FROM decisions WHERE row = ?", (row,)).fetchone()[0]
        if int(current) != version:
            latest = conn.execute(
                "SELECT reviewer, action FROM decisions WHERE row = ? ORDER BY version DESC LIMIT 1", (row,)
            ).fetchone()
            by = f" by {latest[0]!r} ({latest[1]})" if latest is not None else ""
            raise ConflictError(
                f"row {row} changed{by} since you loaded it: you saw version {version}, it is now "
                f"version {int(current)}; reload it and decide again"
            )
        try:
            conn.execute(
                "INSERT INTO decisions (row, version, action, label, reviewer, decided_at) VALUES (?, ?, ?, ?, ?, ?)",
                (row, version + 1, action, encoded, who, now),
            )
            if self._keys is not None:
                self._keys.note(conn, [row])
        except sqlite3.IntegrityError:
            raise ConflictError(
                f"row {row} changed since you loaded it (version {version} is taken); reload it and decide again"
            ) from None


def labels_fingerprint(issues: pd.DataFrame) -> str:
    """The first 16 hex digits of the SHA-256 of ``issues``' given labels as text, in row order, each after
    the first preceded by ``\x1f``; hashed a block of rows at a time (each label a text only in its block)."""
    import hashlib

    rows = issues["row"]
    order = None if rows.is_monotonic_increasing else np.argsort(rows.to_numpy(), kind="stable")
    labels, digest = issues["given_label"], hashlib.sha256()
    for start in range(0, len(labels), _BLOCK):
        block = labels.iloc[slice(start, start + _BLOCK) if order is None else order[start : start + _BLOCK]]
        digest.update(("\x1f" * (start > 0) + "\x1f".join(block.astype(str))).encode("utf-8"))
    return digest.hexdigest()[:16]


#: Rows of given labels hashed at a time by :func:`labels_fingerprint`.
_BLOCK = 131_072
