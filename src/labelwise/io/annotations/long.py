"""Long tables: one row per answer (CSV, TSV, Parquet, JSON Lines or a JSON list of records).

Read with :func:`labelwise.io.read_table`; the column names are options. The fallback of
``format="auto"``: it recognises every file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...errors import MissingColumnError
from ..delimiter import CSV_SUFFIXES
from ..na_values import NaValues
from ..tables import read_table
from ._common import Annotations, empty_label, frame_of, integer_labels, items_without_answers, require_ids

NAME = "long"


def recognise(path: Path) -> bool:
    """Any file can be a long table (the last format tried)."""
    return True


def read(
    path: Path,
    *,
    item_column: str | None = None,
    annotator_column: str | None = None,
    label_column: str | None = None,
    na_values: NaValues = None,
    **options: Any,
) -> Annotations:
    """Read a long table; the columns default to ``item``, ``annotator``, ``label``; ``na_values`` as
    :func:`~labelwise.io.read_table` takes it (an answer read as missing is dropped as ``empty``)."""
    return _read(path, item_column, annotator_column, label_column, na_values)


def _read(p: Path, item: str | None, annotator: str | None, label: str | None, na_values: NaValues) -> Annotations:
    names = {"item": item or "item", "annotator": annotator or "annotator", "label": label or "label"}
    table = read_table(p, text_columns=list(names.values()), na_values=na_values)
    if any(name not in table.columns for name in names.values()):
        raise missing_columns_error(p, list(names.values()), list(table.columns))
    frame = frame_of(
        table[names["item"]].to_numpy(), table[names["annotator"]].to_numpy(), table[names["label"]].to_numpy()
    )
    is_csv = p.suffix.lower() in CSV_SUFFIXES
    require_ids(frame, p, "line" if is_csv else "row", first_line=2 if is_csv else 1)
    empty = empty_label(frame["label"])
    dropped = {"empty": int(empty.sum())} if empty.any() else {}
    kept = integer_labels(frame.loc[~empty].reset_index(drop=True))
    lost = items_without_answers(frame["item"], ~empty)
    return Annotations(kept, "long", str(p), n_records=int(frame.shape[0]), dropped=dropped, items_without_answers=lost)


def missing_columns_error(path: Path, names: list[str], found: list[Any]) -> MissingColumnError:
    """The error for an answers file (or Parquet folder) at ``path`` without some of the columns
    ``names`` (item, annotator, label), naming the options that rename them."""
    missing = [name for name in names if name not in found]
    return MissingColumnError(
        f"annotation file {str(path)!r} must have columns {names} (item, annotator, label; "
        f"rename with --item-column/--annotator-column/--label-column); missing {missing}, "
        f"found {[str(c) for c in found]}"
    )
