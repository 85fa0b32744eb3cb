"""The review's decisions followed by the data's ids, when the audit was given ``--id-column``.

``review.sqlite`` keys each decision by its row (:mod:`labelwise.review.store`). A row is a position:
when the data is audited again with its rows in another order (a folder of Parquet parts renamed,
re-partitioned or written anew), row 210 of the new audit is another example, and the store refuses
the new audit ("belongs to another audit"). With an id column the example is known by its id: the
store keeps, beside the decisions, the id and the given label of each decided row (table
``decided_ids``), and a new audit of the same examples in another order takes the decisions over, each
moved to its id's new row, in one transaction.

The decisions move only when every decided row has its id recorded and each of those ids is in the new
audit with the same given label; otherwise the store is refused as before, since a decision on an
example whose label changed, or that is gone, has no row to go to.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["IDS_SCHEMA", "IdKeys", "issues_id_column"]

IDS_SCHEMA = """
CREATE TABLE IF NOT EXISTS decided_ids (row INTEGER PRIMARY KEY, item TEXT NOT NULL, given TEXT NOT NULL);
"""


def issues_id_column(issues: pd.DataFrame, settings: Any) -> str | None:
    """The column of ``issues`` that holds the audit's ``--id-column`` (``settings.id_column``), or None:
    the column's own name, or ``id`` where the audit wrote it so (an id column named ``row``)."""
    given = settings.get("id_column") if isinstance(settings, dict) else None
    if not isinstance(given, str) or "task" in settings:
        return None
    if given in issues.columns and given != "row":
        return given
    return "id" if given == "row" and "id" in issues.columns else None


class IdKeys:
    """The id and given label of each row of an audit's ``issues`` table, as text, by row; the whole
    column is turned to text only when decisions move (another audit's database), else only decided rows."""

    def __init__(self, issues: pd.DataFrame, column: str) -> None:
        self._by_row = issues.set_index("row")[[column, "given_label"]]

    def of(self, rows: list[int]) -> list[tuple[int, str, str]]:
        """``(row, id, given label)`` of each of ``rows``."""
        picked = self._by_row.loc[rows]
        cells = zip(picked.iloc[:, 0].astype(str), picked.iloc[:, 1].astype(str), strict=True)
        return [(int(r), i, g) for r, (i, g) in zip(rows, cells, strict=True)]

    def note(self, conn: sqlite3.Connection, rows: list[int]) -> None:
        """Record the id and given label of ``rows`` (decided rows), inside the caller's transaction."""
        conn.executemany("INSERT OR REPLACE INTO decided_ids (row, item, given) VALUES (?, ?, ?)", self.of(rows))

    def note_missing(self, conn: sqlite3.Connection) -> None:
        """Record the ids of the decided rows that have none recorded (decided before the ids were kept)."""
        rows = [int(r[0]) for r in conn.execute(_UNNOTED).fetchall()]
        if rows:
            self.note(conn, rows)

    def moved(self, conn: sqlite3.Connection) -> dict[int, int] | None:
        """Each decided row's row in this audit, by its recorded id (None when a decided row has no id
        recorded, or its id is not in this audit, or is there with another given label)."""
        if conn.execute(_UNNOTED).fetchone() is not None:
            return None
        kept = conn.execute("SELECT row, item, given FROM decided_ids").fetchall()
        if not kept:
            return {}
        ids = pd.Index(self._by_row.iloc[:, 0].astype(str))
        where = ids.get_indexer([k[1] for k in kept])
        if (where < 0).any():
            return None
        rows = self._by_row.index.to_numpy(dtype=np.int64)[where]
        given = self._by_row.iloc[where, 1].astype(str).to_numpy()
        if any(g != k[2] for g, k in zip(given, kept, strict=True)):
            return None
        return {int(k[0]): int(r) for k, r in zip(kept, rows, strict=True)}


#: The decided rows whose ids are not recorded.
_UNNOTED = "SELECT DISTINCT row FROM decisions WHERE row NOT IN (SELECT row FROM decided_ids)"


def move_rows(conn: sqlite3.Connection, moves: dict[int, int]) -> None:
    """Move the decisions (and their recorded ids) of each row to its new row, inside the caller's
    transaction; through negative rows first, so no two rows ever share a (row, version) on the way."""
    for table in ("decisions", "decided_ids"):
        conn.execute(f"UPDATE {table} SET row = -1 - row")  # noqa: S608 - the two table names above
        conn.executemany(f"UPDATE {table} SET row = ? WHERE row = ?", [(new, -1 - old) for old, new in moves.items()])  # noqa: S608
