"""``labelwise audit --id-column`` for the classification audit: DATA's row ids, carried into its outputs.

The column is read as written (``007`` stays ``007``: :func:`._task_tables.task_ids`, the task audits'
rule), must hold a distinct id on every row (a missing or repeated one is refused naming its rows and
the file's lines), and is no feature: the model and the data checks never see it. ``issues.csv`` gets it
after ``row``, under the column's own name (``id`` where that is ``row``); ``summary.json``'s settings
record it, so the report, the review page and ``labelwise export`` name each row by it. A ``--probs``
table with a column of that name has its rows matched to DATA's by id, as any id column of DATA. The
audit at scale writes the ids into ``issues.parquet`` the same way (:mod:`._scale_ids`).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from .._heavy import pandas as pd
from ..errors import InvalidParameterError
from ._task_tables import insert_ids, task_ids

__all__ = ["drop_ids", "refuse_ids_unread", "with_ids"]

#: The other column options of the classification audit; each names another column than --id-column.
_OTHER_COLUMNS = {"--image-column": "image_column", "--split-column": "split_column"}


def refuse_ids_unread(o: SimpleNamespace) -> None:
    """``--id-column`` where nothing would read it: with ``--demo`` (the digits have no ids); and a column
    another option names too. At scale the ids are read by :mod:`._scale_ids`."""
    if o.id_column is None:
        return
    if o.demo:
        raise InvalidParameterError(
            "--id-column names a column of DATA, and --demo audits scikit-learn's digits, which have no id "
            "column; leave --id-column out, or drop --demo to audit your data"
        )
    for option, key in _OTHER_COLUMNS.items():
        if getattr(o, key, None) == o.id_column:
            raise InvalidParameterError(
                f"--id-column and {option} must name different columns, both are {o.id_column!r}"
            )


def drop_ids(o: SimpleNamespace, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series | None]:
    """``frame`` without the ``--id-column`` (no feature) and that column's values, checked (None without it)."""
    ids = task_ids(frame, o.id_column, Path(o.data), label=o.label)
    if ids is None:
        return frame, None
    return frame.drop(columns=[o.id_column]), ids.reset_index(drop=True)


def with_ids(issues: pd.DataFrame, ids: Any, name: str | None) -> pd.DataFrame:
    """``issues`` (a frame with ``row``) with the ids of its rows after ``row`` (unchanged without ids)."""
    return issues if ids is None else insert_ids(issues, ids, str(name), at="row")
