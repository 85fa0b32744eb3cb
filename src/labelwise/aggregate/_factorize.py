"""Integer codes for answer ids (items, annotators, labels) and duplicate (item, annotator) pairs.

Fast paths for the common id types: a dense range of integers is coded by a presence table and Arrow
strings by Arrow's dictionary encoding; anything else goes through ``pandas.factorize``. Codes are
in sorted order of the values, so the result does not depend on the order of the rows.

Codes that are gathered from a table of ranks (integer ids with gaps, Arrow strings) are int32
whenever the number of distinct values is below ``2**31`` (:func:`code_dtype`): half the bytes of
an int64 gather, and on 10 million answers a 40 MB smaller array to fault in. Codes that are the
input column itself (int64 ids ``0..n-1``) or pandas' own codes stay int64. Any product of codes
(the encoding's pair keys, the answer patterns' row keys) is therefore taken in int64 explicitly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._validate.labels import unhashable_value
from ..errors import AnnotationError

__all__ = [
    "DeferredItemCodes",
    "GatheredCodes",
    "code_dtype",
    "duplicate_pairs",
    "encode_hashable",
    "factorize_codes",
    "sorted_pair_label_keys",
]


def code_dtype(n_values: int) -> type[np.signedinteger]:
    """The dtype of gathered codes for ``n_values`` distinct values: int32 when every code and the
    null code -1 fit (``n_values < 2**31``), else int64."""
    return np.int32 if n_values < 2**31 else np.int64


def encode_hashable(
    column: pd.Series, param: str, what: str, row: Callable[[int], str], encode: Callable, *args: Any, **kwargs: Any
) -> Any:
    """``encode(*args, **kwargs)``; where it fails on a value pandas cannot hash (a list or dict from
    nested JSON), an AnnotationError naming ``param``, the row (``row`` of its position) and the value
    (:func:`~labelwise._validate.labels.unhashable_value`). The column is searched only after the
    failure, so the common path costs nothing."""
    try:
        return encode(*args, **kwargs)
    except TypeError:
        error = unhashable_value(param, column, what, row, AnnotationError)
        if error is None:
            raise
        raise error from None


def _factorize(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes and sorted uniques (first-seen order when the values cannot be sorted).

    Hashes first, then sorts only the distinct values (much cheaper than sorting every row for
    string ids); the uniques keep the column's dtype (e.g. Arrow-backed strings). A null value gets
    code -1. :func:`factorize_codes` also says whether the codes are the encoder's own array.
    """
    codes, uniques, _ = factorize_codes(values)
    assert isinstance(codes, np.ndarray)  # (only ``defer=True`` returns GatheredCodes)
    return codes, uniques


def factorize_codes(values: pd.Series, *, defer: bool = False) -> tuple[np.ndarray | GatheredCodes, pd.Index, bool]:
    """:func:`_factorize`, and whether the codes are an array this function allocated (``own``).

    ``own`` is True only for codes made here by numpy (a gather from a table of ranks, an offset
    or a widening copy of an integer column): no one else holds them. It is False for a view of
    the input column (int64 ids ``0..n-1``), Arrow's own dictionary indices, and the codes that
    ``pandas.factorize`` returned unchanged (for a categorical column they may be the column's own
    codes array). ``defer``: codes that would be gathered from a table of ranks by the int64 column
    itself are returned as :class:`GatheredCodes`, not gathered (``own``: True, as their gather).
    """
    if isinstance(values.array, pd.arrays.ArrowExtensionArray):  # incl. pandas' default strings
        arrow = _factorize_arrow(values)
        if arrow is not None:
            return arrow
    dense = _factorize_dense_ints(values, defer=defer)
    if dense is not None:  # codes in the column's memory only when they are the column itself
        if isinstance(dense[0], GatheredCodes):
            return dense[0], dense[1], True
        return dense[0], dense[1], not np.may_share_memory(dense[0], values.to_numpy())
    raw, uniques = pd.factorize(values, sort=False)
    codes = raw
    try:
        order = np.asarray(uniques.argsort(), dtype=np.int64)
    except TypeError:  # mixed, unorderable types: first-seen order
        order = None
    if order is not None and not np.array_equal(order, np.arange(len(order))):
        rank = np.full(len(order) + 1, -1, dtype=np.int64)  # the extra last entry keeps -1 as -1
        rank[order] = np.arange(len(order))
        codes = rank[codes]
        uniques = uniques.take(order)
    codes = codes.astype(np.int64, copy=False)
    return codes, pd.Index(uniques), codes is not raw


def _factorize_dense_ints(
    values: pd.Series, *, defer: bool = False
) -> tuple[np.ndarray | GatheredCodes, pd.Index] | None:
    """:func:`_factorize` for a numpy integer column whose range is at most a few times its length:
    a table of the values present and a cumulative sum give the sorted codes without hashing or
    sorting; ``None`` when it does not apply. ``defer``: when the codes would be a gather from the
    table of ranks by the column itself (int64 ids from 0, some missing), return them as
    :class:`GatheredCodes` instead (the gather made only if someone reads them)."""
    if not (isinstance(values.dtype, np.dtype) and values.dtype.kind in "iu") or len(values) == 0:
        return None
    arr = values.to_numpy()
    lo, hi = int(arr.min()), int(arr.max())
    if hi - lo > 4 * len(arr) + 1_000_000:
        return None
    offset = arr.astype(np.int64, copy=False)
    if lo:
        offset = offset - lo
    present = _presence(offset, hi - lo + 1)
    if present.all():  # every value of the range occurs (the usual 0..n-1 ids): the code is the offset
        if np.shares_memory(offset, arr):  # the column's own int64 0..n-1 values: a read-only view,
            offset = offset.view()  # as pandas' own to_numpy(), instead of a copy
            offset.flags.writeable = False
        return offset, pd.Index(np.arange(lo, hi + 1).astype(values.dtype, copy=False), copy=False)
    # the uniques made once, shifted and cast in place where they can be (no copy for the Index)
    uniques = np.flatnonzero(present)
    if lo:
        uniques += lo
    uniques = uniques.astype(values.dtype, copy=False)
    rank = present.astype(code_dtype(len(uniques)))  # int32 ranks: an int32 gather
    np.cumsum(rank, out=rank)  # in place (a cumsum of the booleans would cast them in a second array)
    rank -= 1
    if defer and np.shares_memory(offset, arr):  # (an offset made here is not kept: gathered now)
        return GatheredCodes(rank, offset), pd.Index(uniques, copy=False)
    return rank[offset], pd.Index(uniques, copy=False)


class GatheredCodes:
    """Codes ``table[index]`` not gathered yet: ``shape`` and ``dtype`` as the gather's.

    The encoding of integer ids with gaps keeps its item codes so (:func:`factorize_codes` with
    ``defer=True``) until someone reads them: :meth:`scaled` makes the pair keys from them by
    blocks, and a majority vote that counts from the sorted keys never needs them (on 10 million
    answers a 40 MB int32 array less to allocate).

    Parameters
    ----------
    table : ndarray of int32 or int64
        The codes of the values ``0 .. len(table) - 1``.
    index : ndarray of int64, shape (n_answers,)
        Each answer's value, ``0 <= index < len(table)``.
    """

    #: Answers per block of :meth:`scaled` (a 256 KB buffer of int32 codes).
    BLOCK = 1 << 16

    def __init__(self, table: np.ndarray, index: np.ndarray) -> None:
        self.table, self.index = table, index
        self.shape, self.dtype = index.shape, table.dtype

    def __len__(self) -> int:
        return int(self.shape[0])

    def gather(self) -> np.ndarray:
        """The codes as an array (``table[index]``)."""
        return self.table[self.index]

    def scaled(self, factor: int) -> np.ndarray:
        """``np.multiply(self.gather(), factor, dtype=np.int64)`` by blocks of :data:`BLOCK` codes
        gathered into one buffer: the same int64 values without the codes' array."""
        n = self.shape[0]
        out = np.empty(n, dtype=np.int64)
        buffer = np.empty(max(1, min(self.BLOCK, n)), dtype=self.dtype)
        for start in range(0, n, self.BLOCK):
            part = buffer[: min(self.BLOCK, n - start)]
            np.take(self.table, self.index[start : start + self.BLOCK], out=part, mode="clip")  # in range
            np.multiply(part, factor, out=out[start : start + self.BLOCK], dtype=np.int64)
        return out


#: Answers marked first by :func:`_presence`: this many per possible value, and at least
#: :data:`PRESENCE_MIN_PREFIX`.
PRESENCE_PREFIX_PER_VALUE = 32
PRESENCE_MIN_PREFIX = 1 << 16


def _presence(offset: np.ndarray, n_values: int) -> np.ndarray:
    """Which of ``0 .. n_values - 1`` occur in ``offset``: a boolean table (not a ``bincount``,
    which copies a read-only column whole).

    The first ``max(PRESENCE_MIN_PREFIX, PRESENCE_PREFIX_PER_VALUE * n_values)`` entries are marked
    first; when they already hold every value (a few labels or annotators on millions of answers)
    the rest cannot add one, and is not read. Otherwise the rest is marked too. Exact either way.
    """
    present = np.zeros(n_values, dtype=bool)
    prefix = max(PRESENCE_MIN_PREFIX, PRESENCE_PREFIX_PER_VALUE * n_values)
    present[offset[:prefix]] = True
    if prefix < offset.shape[0] and not present.all():
        present[offset[prefix:]] = True
    return present


def _factorize_arrow(values: pd.Series) -> tuple[np.ndarray, pd.Index, bool] | None:
    """:func:`_factorize` for an Arrow-backed column without nulls, in Arrow's own kernels (about
    a third faster than through pandas); ``None`` when it does not apply."""
    arr = pa.array(values.array)  # zero copy
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.null_count:
        return None
    encoded = arr.dictionary_encode()
    uniques = encoded.dictionary
    indices = encoded.indices.to_numpy()  # int32, zero copy
    if indices.dtype not in (np.int32, np.int64):  # pragma: no cover - Arrow's default is int32
        indices = indices.astype(np.int32)
    try:
        order = pc.sort_indices(uniques).to_numpy()  # UTF-8 byte order = code point order
    except pa.ArrowNotImplementedError:
        return None
    if np.array_equal(order, np.arange(len(order))):
        codes = indices  # Arrow's int32 indices are the codes: no copy
    else:  # one gather from the int32 indices to int32 codes
        rank = np.empty(len(order), dtype=indices.dtype)
        rank[order] = np.arange(len(order), dtype=indices.dtype)
        codes = rank[indices]
        uniques = uniques.take(order)
    try:
        index = pd.Index(pd.array(uniques, dtype=values.dtype))
    except (TypeError, ValueError, pa.ArrowException):
        return None
    return codes, index, codes is not indices  # Arrow's own indices are read-only, not the encoder's


class DeferredItemCodes:
    """``EncodedAnswers.item_idx``: the item codes, gathered on their first read when the encoder
    deferred them (:class:`GatheredCodes`), then kept.

    A data descriptor over the dataclass field: its ``__init__``, ``dataclasses.replace`` and
    ``EncodedAnswers.give_up_item_idx`` set the field through it; every read returns an array (or
    the ``GivenUpCodes`` stand-in), so no consumer sees the deferred form.
    """

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        if obj is None:
            return self
        codes = obj.__dict__["_item_idx"]
        if isinstance(codes, GatheredCodes):
            codes = obj.__dict__["_item_idx"] = codes.gather()
        return codes

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__["_item_idx"] = value


def duplicate_pairs(
    key: np.ndarray, space: int, duplicates: str = "keep", *, sorted_keys: np.ndarray | None = None, k: int = 1
) -> tuple[int, np.ndarray | None]:
    """Count repeated keys and, with ``duplicates="last"``, the rows to keep (the last of each key).

    ``key`` holds one non-negative int64 per answer (``item * n_annotators + annotator``) below
    ``space``. Counting uses a ``bincount`` when ``space`` is small next to the number of answers,
    else one sort of the keys and a comparison of neighbours (numpy's vectorised sort of an int64
    array is several times cheaper than ``np.unique``, which also builds the unique values).

    ``sorted_keys``, when given, is ``np.sort(key * k + label)`` for some labels in ``[0, k)``:
    the count then reuses that sort instead of sorting ``key`` (the encoding sorts those keys
    once, for the item x (annotator, label) rows, see :func:`sorted_pair_label_keys`), and ``key``
    itself is read only for ``duplicates="last"``.

    Returns
    -------
    n_duplicates : int
        Rows whose key appeared in an earlier row.
    keep : ndarray of int64 or None
        Sorted row positions to keep (the last row of every key) when ``duplicates="last"`` and
        some key repeats, else ``None``.
    """
    n = len(key)
    if n == 0:
        return 0, None
    if sorted_keys is not None:
        n_unique = _n_distinct_quotients(sorted_keys, k)
    elif space <= 8 * n + 1_000_000:
        n_unique = int(np.count_nonzero(np.bincount(key, minlength=space)))
    else:
        srt = np.sort(key)
        n_unique = 1 + int(np.count_nonzero(srt[1:] != srt[:-1]))
    n_dup = n - n_unique
    if not n_dup or duplicates != "last":
        return n_dup, None
    order = np.argsort(key, kind="stable")  # equal keys stay in row order: the last of a run is the last row
    srt = key[order]
    last = np.ones(n, dtype=bool)
    last[:-1] = srt[1:] != srt[:-1]
    return n_dup, np.sort(order[last])


def _n_distinct_quotients(sorted_keys: np.ndarray, k: int, block: int = 1 << 18) -> int:
    """Number of distinct ``sorted_keys // k`` (sorted, non-empty), in blocks of rows through two
    buffers a block long, made once (no temporary as long as the keys, none per block)."""
    n_distinct, prev = 0, None
    size = max(1, min(block, len(sorted_keys)))
    quotients, changed = np.empty(size, dtype=sorted_keys.dtype), np.empty(size - 1, dtype=bool)
    for start in range(0, len(sorted_keys), block):
        part = sorted_keys[start : start + block]
        q = quotients[: part.shape[0]]
        np.floor_divide(part, k, out=q)
        step = changed[: part.shape[0] - 1]
        np.not_equal(q[1:], q[:-1], out=step)
        n_distinct += int(np.count_nonzero(step)) + int(prev is None or q[0] != prev)
        prev = q[-1]
    return n_distinct


def sorted_pair_label_keys(
    pair: np.ndarray, label_idx: np.ndarray, space: int, k: int, *, overwrite: bool = False
) -> np.ndarray | None:
    """``np.sort(pair * k + label)`` when :func:`duplicate_pairs` would sort the pair keys anyway
    (``space`` large next to the number of answers) and the keys fit in int64; else ``None``.

    With ``pair = item * n_annotators + annotator`` these are the answers' ``item * n_cols +
    column`` keys (``column = annotator * k + label``) in sorted order: the one sort serves both the
    duplicate count and the canonical row order of the item x (annotator, label) count matrix.
    ``overwrite``: build the keys in ``pair``'s memory (which then holds them).
    """
    if space <= 8 * len(pair) + 1_000_000 or space * k >= 2**62:
        return None
    keys = np.multiply(pair, k, out=pair if overwrite else None)
    keys += label_idx
    keys.sort()  # in place: no copy
    return keys
