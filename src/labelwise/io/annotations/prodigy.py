"""Prodigy ``db-out`` JSON Lines.

Choice tasks (``options`` plus an ``accept`` list) give the accepted option as the label; binary
tasks (one ``label``, answered accept or reject) give ``"accept"`` or ``"reject"`` for the item
(input, label). Ignored answers are dropped and counted; so are rejected choice tasks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..._heavy import pandas as pd
from ...errors import DataFileError
from ._common import Annotations, first_record, frame_of, infer_dtypes, is_json_lines, read_jsonl_records, require_key

NAME = "prodigy"

_PRODIGY_KEYS = frozenset({"_input_hash", "_task_hash", "_annotator_id", "_session_id"})


def recognise(path: Path) -> bool:
    """JSON Lines whose first record has Prodigy's hashes/ids, or an ``answer`` with a label/options."""
    if not is_json_lines(path):
        return False
    first = first_record(path)
    if first is None:
        return False
    keys = set(first)
    return bool(keys & _PRODIGY_KEYS) or ("answer" in keys and bool(keys & {"label", "accept", "options"}))


def read(
    path: Path, *, item_column: str | None = None, annotator_column: str | None = None, **options: Any
) -> Annotations:
    """Read a Prodigy ``db-out`` JSON Lines file (the label comes from the task, ``label_column`` is not used)."""
    p, item, annotator = path, item_column, annotator_column
    table = pd.DataFrame.from_records(read_jsonl_records(p))
    lines = table["__line__"].to_numpy()
    n = len(table)

    def col(name: str) -> pd.Series:
        return table[name] if name in table.columns else pd.Series([None] * n, index=table.index, dtype=object)

    if "answer" not in table.columns or col("answer").isna().any():
        row = int(np.flatnonzero(col("answer").isna().to_numpy())[0])
        raise DataFileError(f"annotation file {str(p)!r}: line {lines[row]} has no 'answer' (accept, reject or ignore)")
    answer = col("answer").astype(str).str.lower()
    unknown = ~answer.isin(("accept", "reject", "ignore"))
    if unknown.any():
        row = int(np.flatnonzero(unknown.to_numpy())[0])
        raise DataFileError(
            f"annotation file {str(p)!r}: line {lines[row]} has answer {col('answer').iloc[row]!r}, "
            f"expected 'accept', 'reject' or 'ignore'"
        )
    require_key(p, table, "annotator_column", annotator)
    if annotator is not None:
        who = col(annotator)
    else:
        who = col("_annotator_id").where(col("_annotator_id").notna(), col("_session_id"))
    if who.isna().any():
        row = int(np.flatnonzero(who.isna().to_numpy())[0])
        raise DataFileError(
            f"annotation file {str(p)!r}: line {lines[row]} has no annotator ('_annotator_id' or '_session_id')"
        )
    has_options = col("options").map(lambda v: isinstance(v, list)).to_numpy()
    accept = col("accept")
    label_value = col("label")
    is_choice = has_options | accept.map(lambda v: isinstance(v, list)).to_numpy()
    is_binary = ~is_choice & label_value.notna().to_numpy()
    unsupported = ~is_choice & ~is_binary
    require_key(p, table, "item_column", item)
    if item is not None:
        item_ids = col(item)
    else:
        # choice task: the input is the item; binary task: the (input, label) question is the item
        input_id = col("_input_hash")
        fallback = (input_id.astype(str) + ":" + label_value.astype(str)).where(input_id.notna())
        binary_id = col("_task_hash").where(col("_task_hash").notna(), fallback)
        item_ids = pd.Series(
            np.where(is_binary, binary_id.to_numpy(dtype=object), input_id.to_numpy(dtype=object)), index=table.index
        )
    no_item = item_ids.isna().to_numpy() & ~unsupported
    if no_item.any():
        row = int(np.flatnonzero(no_item)[0])
        raise DataFileError(
            f"annotation file {str(p)!r}: line {lines[row]} has no item id ('_input_hash' or '_task_hash')"
        )
    n_accepted = accept.map(lambda v: len(v) if isinstance(v, list) else 0).to_numpy()
    choice_label = accept.map(lambda v: v[0] if isinstance(v, list) and len(v) == 1 else None).to_numpy(dtype=object)
    ans = answer.to_numpy()
    ignored = ans == "ignore"
    labels = np.where(is_binary, ans, choice_label)
    rejected_choice = is_choice & (ans == "reject") & ~ignored
    multi = is_choice & (ans == "accept") & (n_accepted > 1)
    empty = is_choice & (ans == "accept") & (n_accepted == 0)
    keep = ~ignored & ~rejected_choice & ~multi & ~empty & ~unsupported
    dropped = {
        k: int(v)
        for k, v in (
            ("ignored", ignored.sum()),
            ("rejected", rejected_choice.sum()),
            ("multiple_choices", multi.sum()),
            ("empty", empty.sum()),
            ("unsupported", (unsupported & ~ignored).sum()),
        )
        if v
    }
    out = frame_of(item_ids.to_numpy(dtype=object)[keep], who.to_numpy(dtype=object)[keep], labels[keep])
    return Annotations(infer_dtypes(out), "prodigy", str(p), n_records=n, dropped=dropped)
