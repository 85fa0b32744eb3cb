"""Pairwise comparisons read as row blocks (the partitions of a dask DataFrame): one pass, codes only.

:class:`~labelwise.aggregate.BradleyTerry` and :class:`~labelwise.aggregate.NoisyBradleyTerry`
fitted on a dask DataFrame (a Parquet folder of comparisons) never hold the comparison table. Each
partition is checked and encoded where it is read (:func:`~._pairwise_data.encode_pairs` on the
partition: a missing field, an item compared with itself or a winner that is neither item is named
with the partition and its row); only its integer codes and distinct items and annotators come
back. The client merges the distinct values (sorted, as the in-memory encoding sorts them), maps
every partition's codes to them and finds the comparison graph's components on the codes. The
Bradley-Terry fit then reads the codes only: the win and comparison counts per pair are its
sufficient statistics (Hunter 2004), the same for any partitioning.

References
----------
D. R. Hunter, "MM algorithms for generalized Bradley-Terry models", The Annals of Statistics 32(1),
384-406, 2004.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._stage_progress import compute, stage
from ..errors import AnnotationError, LabelwiseError
from ._multilabel_blocks import in_partition, merged_values
from ._pairwise_data import EncodedPairs, _components, check_column_names, encode_pairs

__all__ = ["encode_pair_blocks"]


def _encode_block(frame: pd.DataFrame, part: int, columns: dict[str, Any]) -> tuple | None:
    """Partition ``part`` encoded by :func:`encode_pairs` (its rows numbered from 0): the codes and
    distinct values, an input error (class and message, raised by the client in partition order), or None
    for an empty partition."""
    if len(frame) == 0:
        return None
    try:
        enc = encode_pairs(frame.reset_index(drop=True), **columns)
    except LabelwiseError as exc:
        return in_partition(exc, part)
    return enc.left, enc.right, enc.left_won, enc.annotator, enc.items, enc.annotators


def _remap(blocks: list[tuple], slot: int, values: int, merged: pd.Index) -> np.ndarray:
    return np.concatenate([merged.get_indexer(b[values])[b[slot]] for b in blocks]).astype(np.int64, copy=False)


def encode_pair_blocks(
    pairs: Any,
    *,
    left_col: str = "left",
    right_col: str = "right",
    winner_col: str = "winner",
    annotator_col: str | None = None,
) -> EncodedPairs:
    """:func:`~._pairwise_data.encode_pairs` of the dask DataFrame ``pairs``, partition by partition.

    Raises
    ------
    MissingColumnError
        A named column is not in the table.
    AnnotationError
        No partition holds a comparison, or a partition's row is invalid (the partition and the row
        within it named).
    """
    import dask

    columns = {"left_col": left_col, "right_col": right_col, "winner_col": winner_col, "annotator_col": annotator_col}
    check_column_names(pairs, columns)
    named = [c for c in columns.values() if c is not None]
    encode = dask.delayed(_encode_block, pure=True)
    parts = pairs[named].to_delayed()
    with stage(f"reading and encoding {len(parts):,} partition(s)"):
        found = compute(*[encode(p, i, columns) for i, p in enumerate(parts)], optimize_graph=False)
    for block in found:
        if block is not None and len(block) == 2:  # (error class, message)
            kind, message = block
            raise kind(message)
    blocks = [b for b in found if b is not None]
    if not blocks:
        raise AnnotationError("pairs must hold at least one comparison, got an empty table")
    items = merged_values([b[4] for b in blocks])
    left, right = _remap(blocks, 0, 4, items), _remap(blocks, 1, 4, items)
    left_won = np.concatenate([b[2] for b in blocks])
    annotator = annotators = None
    if annotator_col is not None:
        annotators = merged_values([b[5] for b in blocks])
        annotator = _remap(blocks, 3, 5, annotators)
    return EncodedPairs(left, right, left_won, annotator, items, annotators, _components(left, right, len(items)))
