"""The id of each review card's unit, shown on the card beside its row (``sample 007 · row 7``).

The review names a unit by its row (the store's key, the export's ``row``); a reviewer who looks an
example up in the data, or talks about it with a colleague, needs the data's own id. The id is the one
the change log carries for that unit:

- a classification audit: :func:`~labelwise.review._data_ids.data_ids` (the audit's ``--id-column``, else
  a column named ``id`` or ``*_id``, else one the audit dropped as an identifier), cells as written;
- a task audit (multi-label, regression, a token table) given ``--id-column``: ``issues.csv``'s id column,
  read as text (:attr:`~labelwise.report._tasks.TaskRun.id_column`);
- an aggregation's folder: the item of each unit.

Segmentation and detection cards name their image by its file already; a unit without an id shows its row only.
"""

from __future__ import annotations

from typing import Any

from ..io.outputs import AuditOutput
from ._data_ids import data_ids

__all__ = ["unit_ids"]


def unit_ids(audit: AuditOutput, previewer: Any) -> tuple[str | None, dict[int, str]]:
    """The name of the units' id and the id of each unit by its row, or ``(None, {})`` (see the module)."""
    issues = audit.issues
    if "item" in issues.columns:  # aggregate, aggregate-tags: one unit per item
        return "item", dict(zip(issues["row"].astype(int), issues["item"].astype(str), strict=True))
    run = getattr(previewer, "run", None)  # a task audit's TaskPreviewer
    if run is not None:
        column = run.id_column
        if column is None:
            return None, {}
        key = "token_index" if "token_index" in run.issues.columns else "row"
        shown = str(run.settings.get("id_column") or column)  # the user's column, also where issues.csv says id
        return shown, dict(zip(run.issues[key].astype(int), run.issues[column].astype(str), strict=True))
    found, cells = data_ids(audit)
    if found is None or cells is None:
        return None, {}
    return found, dict(zip(range(len(cells)), cells.astype(str).tolist(), strict=True))  # cells: rows 0..n-1
