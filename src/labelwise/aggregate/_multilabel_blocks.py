"""Multi-label answers read as row blocks (the partitions of a dask DataFrame): one pass, codes only.

:class:`~labelwise.aggregate.multilabel.MultiLabelAggregator` fitted on a dask DataFrame (a Parquet
folder of answers) never holds the answer table. Each partition is read and encoded where it lives
(on the scheduler's workers): its item and annotator ids factorised, its tag cells parsed into
(answer, tag) pairs (:func:`~._multilabel_tags.parse_tags`), every code local to the partition.
Only these integer codes and each partition's distinct ids and tags come back. The client merges
the distinct values (sorted, as the in-memory encoding sorts them; first-seen order, in partition
order, when they cannot be sorted), maps every partition's local codes to the merged ones (one
gather per partition) and fits each tag's binary model on the codes, as in memory.

The merged codes are the codes the in-memory encoding gives the concatenated table, whatever the
number or size of the partitions, so the fitted labels and probabilities are the in-memory ones
(the same arithmetic on the same arrays: equal to the last bit, ``tests/aggregate/test_multilabel_blocks.py``).
What the client holds is two int64 codes per answer and one int64 per (answer, tag) pair, against
the in-memory path's table of id and tag texts (``benchmarks/RESULTS.md``, session 33, tagscale33).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._stage_progress import compute, stage
from .._validate.arguments import show
from ..errors import AnnotationError, LabelwiseError
from ._answers import EncodedAnswers
from ._column_params import check_has_columns
from ._multilabel_tags import TagPairs, parse_tags

if TYPE_CHECKING:
    from .multilabel import MultiLabelAggregator

__all__ = ["fit_blocks", "in_partition", "is_dask_frame", "merged_values"]


def is_dask_frame(answers: Any) -> bool:
    """Whether ``answers`` is a dask DataFrame (partitions read one by one), without importing dask."""
    return hasattr(answers, "to_delayed") and hasattr(answers, "npartitions") and hasattr(answers, "columns")


@dataclass(frozen=True)
class _Block:
    """One partition encoded with its own codes: ``item[r]`` indexes ``items``, and so on."""

    item: np.ndarray
    items: pd.Index
    annotator: np.ndarray
    annotators: pd.Index
    tags: TagPairs
    error: tuple[type, str] | None = None


def _factorize(values: pd.Series, col: str, what: str) -> tuple[np.ndarray, pd.Index]:
    """Codes (first-seen order) and distinct values of one id column of a partition; a null named."""
    codes, uniques = pd.factorize(values, sort=False)
    if codes.size and codes.min() < 0:
        pos = int(np.flatnonzero(codes < 0)[0])
        raise AnnotationError(
            f"answers column {col!r} must not be null ({what} id), row {pos} is {show(values.iloc[pos])} "
            f"({int((codes < 0).sum())} null value(s) in the partition)"
        )
    return codes.astype(np.int32), pd.Index(uniques)  # a partition's codes: int32 halves what travels


def in_partition(exc: LabelwiseError, part: int) -> tuple[type, str]:
    """A partition's input error, to be raised by the client: its class and its message with the
    partition named (the message still starts with the parameter, as the command's wording needs)."""
    return type(exc), f"{exc} (in partition {part}, its rows counted from 0)"


def encode_block(frame: pd.DataFrame, part: int, cols: tuple[str, str, str], separator: str | None) -> _Block:
    """Encode partition ``part`` (its rows numbered from 0); an input error is returned, not raised,
    so that the client raises the first one in partition order."""
    item_col, annotator_col, tags_col = cols
    frame = frame.reset_index(drop=True)
    try:
        item, items = _factorize(frame[item_col], item_col, "item")
        annotator, annotators = _factorize(frame[annotator_col], annotator_col, "annotator")
        tags = parse_tags(frame[tags_col], separator, name="answers", col=tags_col)
    except LabelwiseError as exc:
        empty = np.empty(0, dtype=np.int64)
        none = TagPairs(rows=empty, bounds=np.zeros(1, dtype=np.int64), tags=pd.Index([]), n_empty=0)
        return _Block(empty, pd.Index([]), empty, pd.Index([]), none, error=in_partition(exc, part))
    tags = TagPairs(rows=tags.rows.astype(np.int32), bounds=tags.bounds, tags=tags.tags, n_empty=tags.n_empty)
    return _Block(item, items, annotator, annotators, tags)


def merged_values(indexes: list[pd.Index]) -> pd.Index:
    """The distinct values of several partitions' indexes: sorted, else in first-seen order."""
    joined = indexes[0].append(indexes[1:]) if len(indexes) > 1 else indexes[0]
    distinct = pd.Index(pd.unique(joined))
    try:
        return distinct.sort_values()
    except TypeError:  # mutually unorderable ids: first-seen order, as the in-memory encoding
        return distinct


def _merged_tags(blocks: list[_Block], name: str) -> pd.Index:
    """The distinct tags of every partition, ordered as :func:`~._multilabel_tags.parse_tags` orders them."""
    seen = pd.unique(np.concatenate([b.tags.tags.to_numpy(dtype=object) for b in blocks]))
    try:
        seen = seen[np.argsort(np.asarray(seen, dtype=object), kind="stable")]
    except TypeError:  # tags of mixed types: first-seen order
        pass
    return pd.Index(list(seen), name=name)


def _codes(blocks: list[_Block], merged: pd.Index, attr: str, values: str, n: int) -> np.ndarray:
    """Every partition's local codes of ``attr`` mapped to the ``merged`` distinct ``values``: one int64
    array of the ``n`` answers, filled partition by partition (no list of remapped copies)."""
    out = np.empty(n, dtype=np.int64)
    start = 0
    for b in blocks:
        local = getattr(b, attr)
        np.take(merged.get_indexer(getattr(b, values)), local, out=out[start : start + local.size])
        start += local.size
    return out


def _tag_pairs(blocks: list[_Block], tags: pd.Index, offsets: np.ndarray, n: int) -> TagPairs:
    """The partitions' (answer, tag) pairs with global answer rows and merged tag codes, sorted by
    tag, then answer (the layout of :class:`~._multilabel_tags.TagPairs`), in one preallocated array."""
    width = max(n, 1)
    flat = np.empty(sum(b.tags.rows.size for b in blocks), dtype=np.int64)
    at = 0
    for block, start in zip(blocks, offsets, strict=True):
        local = block.tags
        size = local.rows.size
        if size:
            part = flat[at : at + size]
            np.multiply(np.repeat(tags.get_indexer(local.tags), np.diff(local.bounds)), width, out=part)
            part += local.rows
            part += start
            at += size
    flat.sort()
    tag_of = flat // width
    bounds = np.zeros(len(tags) + 1, dtype=np.int64)
    np.cumsum(np.bincount(tag_of, minlength=len(tags)), out=bounds[1:])
    flat -= tag_of * width
    return TagPairs(rows=flat, bounds=bounds, tags=tags, n_empty=sum(b.tags.n_empty for b in blocks))


def fit_blocks(est: MultiLabelAggregator, answers: Any) -> MultiLabelAggregator:
    """:meth:`MultiLabelAggregator.fit` on the dask DataFrame ``answers``, one pass over its partitions."""
    import dask

    template = est._template()
    cols = (est.item_col, est.annotator_col, est.tags_col)
    check_has_columns(answers, cols, ("item_col", "annotator_col", "tags_col"), "answers")
    from ._multilabel_tags import check_separator

    separator = check_separator(est.tag_separator)
    encode = dask.delayed(encode_block, pure=True)
    parts = answers[list(cols)].to_delayed()
    with stage(f"reading and encoding {len(parts):,} partition(s)"):
        blocks: list[_Block] = list(
            compute(*[encode(p, i, cols, separator) for i, p in enumerate(parts)], optimize_graph=False)
        )
    for block in blocks:
        if block.error is not None:
            kind, message = block.error
            raise kind(message)
    sizes = np.array([b.item.size for b in blocks], dtype=np.int64)
    n = int(sizes.sum())
    if n == 0:
        raise AnnotationError("answers must have at least one answer, got an empty table")
    offsets = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    items, annotators = merged_values([b.items for b in blocks]), merged_values([b.annotators for b in blocks])
    item = _codes(blocks, items, "item", "items", n)
    annotator = _codes(blocks, annotators, "annotator", "annotators", n)
    tags = _tag_pairs(blocks, _merged_tags(blocks, est.tags_col), offsets, n)
    del blocks
    pair = item * max(len(annotators), 1) + annotator
    pair.sort()
    n_duplicates = int(np.count_nonzero(pair[1:] == pair[:-1])) if n > 1 else 0
    del pair
    base = EncodedAnswers(
        item_idx=item,
        annotator_idx=annotator,
        label_idx=np.zeros(0, dtype=np.int8),
        item_values=items,
        annotator_values=annotators,
        classes=np.array([0]),
        n_duplicates=n_duplicates,
        item_name=str(est.item_col),
        annotator_name=str(est.annotator_col),
        label_name="__label",
    )
    est._fit_codes(template, base, item, annotator, tags, n)
    return est
