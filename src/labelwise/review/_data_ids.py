"""The audited data's id column, for the records the review writes (the change log, Label Studio tasks).

The review names an example by its row number in the audited table. A user joins the change log
back to the table by its id, or re-sorts the table first; a row number alone joins the wrong rows
then. :func:`data_ids` gives the column that identifies the rows, with its cells as the file writes
them (``"007"``, text, unicode: the audit's data read by
:func:`labelwise.report._data_as_written.audit_as_written`), so that each record carries it beside
the row.

The id column is the audit's ``--id-column`` (``summary.json``'s ``settings``, a task audit's), else the first,
in table order, of the columns named ``id`` or ending in ``_id`` (any
case), else of the columns the audit dropped as identifiers (``summary.json``'s ``column_roles``:
distinct strings, or integers in order; an audit given ``--probs`` records none). It must have a
value on every row, all distinct: a column that repeats a value names no single row. A
table without one has none, and its records are named by row alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..io.outputs import AuditOutput

__all__ = ["data_ids", "id_key", "jsonable_id", "table_ids"]


def _candidates(data: pd.DataFrame, summary: Any, label: Any) -> list[Any]:
    """The columns of ``data`` that may be ids, best first (the module's rule), the label column left out."""
    roles = summary.get("column_roles") if isinstance(summary, dict) else None
    dropped = set()
    if isinstance(roles, dict):  # texts whose words never repeat are texts, not ids
        dropped = {
            name
            for name, role in roles.items()
            if isinstance(role, dict)
            and role.get("role") == "identifier"
            and not str(role.get("reason", "")).startswith("text in which")
        }
    settings = summary.get("settings") if isinstance(summary, dict) else None
    given = settings.get("id_column") if isinstance(settings, dict) else None  # a task audit's --id-column
    named = [c for c in data.columns if given is not None and str(c) == str(given)]
    named += [c for c in data.columns if str(c).lower() == "id" or str(c).lower().endswith("_id")]
    named += [c for c in data.columns if str(c) in dropped]
    return [c for c in dict.fromkeys(named) if c != label]


def table_ids(data: pd.DataFrame | None, summary: Any, label: Any) -> tuple[str | None, pd.Series | None]:
    """The id column of the audited table ``data`` (its audit's ``summary.json`` as ``summary``, its label
    column ``label``) and its cells (one per row, positions as index), or ``(None, None)`` (see the module)."""
    if data is None:
        return None, None
    for col in _candidates(data, summary, label):
        cells = data[col]
        if len(cells) and not cells.isna().any() and _all_distinct(cells):
            return str(col), cells.reset_index(drop=True)
    return None, None


def _all_distinct(cells: pd.Series) -> bool:
    """Whether no two of ``cells`` (none missing) have one text. Texts pyarrow holds are sorted and each compared
    with the next: hashing them made a Python object of every id (+50 MB at a million ids); others are hashed."""
    if isinstance(cells.dtype, pd.StringDtype) and cells.dtype.storage == "pyarrow":
        import pyarrow.compute as pc

        texts = cells.array.__arrow_array__()
        ordered = texts.take(pc.sort_indices(texts))
        return len(ordered) < 2 or not pc.any(pc.equal(ordered.slice(1), ordered.slice(0, len(ordered) - 1))).as_py()
    return bool(cells.astype(str).is_unique)


def data_ids(audit: AuditOutput) -> tuple[str | None, pd.Series | None]:
    """The audited data's id column and its cells as written (one per row of the data), or ``(None, None)``
    when the data has no such column (see the module)."""
    return table_ids(audit.data, audit.summary, audit.label_column)


def id_key(name: str, taken: Any) -> str:
    """The key that carries the id column ``name`` in a record whose other keys are ``taken``: its own
    name, or ``data_<name>`` when a key of the record has that name (an id column called ``row``)."""
    return name if name not in taken else f"data_{name}"


def jsonable_id(value: Any) -> Any:
    """An id cell as a JSON value (numpy integers as ints, the rest as written)."""
    if isinstance(value, np.generic):
        return value.item()
    return value
