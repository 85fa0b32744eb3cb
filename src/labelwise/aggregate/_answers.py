"""Validate a long answer table (item, annotator, label) and encode it to integer codes once.

Every aggregation method works on :class:`EncodedAnswers`: three aligned integer arrays (one entry
per answer) plus the sorted item, annotator and class values they index, with the per-item,
per-annotator and per-(item, class) sums the methods need, and the items grouped by answer pattern
(:class:`AnswerPatterns`). Each method builds its own model-specific matrices from these (e.g.
Dawid-Skene's count matrix over the used (annotator, label) columns in ``dawid_skene.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._caller import warn_at_caller
from .._validate.arguments import check_choice, show
from .._validate.labels import class_array, row_label, same_text_classes
from ..errors import AnnotationError, EstimatorError, InvalidParameterError, LabelwiseWarning, MissingColumnError
from ._bincount import bincount, cell_sums, sorted_cell_counts
from ._column_params import check_has_columns
from ._factorize import (  # noqa: F401  (tests use _factorize_dense_ints and duplicate_pairs)
    DeferredItemCodes,
    GatheredCodes,
    _factorize,
    _factorize_dense_ints,
    duplicate_pairs,
    encode_hashable,
    factorize_codes,
    sorted_pair_label_keys,
)
from ._patterns import AnswerPatterns, answer_patterns
from ._sizes import AnswerSizes

__all__ = ["DUPLICATE_POLICIES", "AnswerPatterns", "EncodedAnswers", "encode_answers"]

DUPLICATE_POLICIES = ("keep", "last")


@dataclass(frozen=True, eq=False)
class EncodedAnswers(AnswerSizes):
    """An answer table encoded to integer codes.

    Attributes
    ----------
    item_idx, annotator_idx, label_idx : ndarray of int32 or int64, shape (n_answers,)
        Codes of each answer's item (into ``items``), annotator (into ``annotators``) and label
        (into ``classes``); read-only views of the input's columns where those already are the
        codes (int64 ids 0..n-1 with none missing), int32 where they were gathered from a table
        of ranks (:func:`~labelwise.aggregate._factorize.code_dtype`). A product of codes must
        be taken in int64 (``np.multiply(item_idx, n, dtype=np.int64)``): in int32 it wraps.
        Item codes gathered by the int64 ids themselves (from 0, with gaps) are gathered on the
        first read of ``item_idx`` (``item_codes_gathered``); a majority vote never reads them.
    item_values, annotator_values : pandas.Index
        The distinct items and annotators with the input column's dtype, sorted when they are
        mutually comparable (else in first-seen order); ``items`` and ``annotators`` are the same
        as numpy arrays (made on first use).
    classes : ndarray
        The distinct labels (sorted, or in the declared order).
    n_duplicates : int
        Answers that repeat an earlier (item, annotator) pair in the input (before any dropping).
    n_dropped : int
        Duplicate answers dropped by ``duplicates="last"`` (0 with ``"keep"``).
    item_name, annotator_name, label_name : str
        The input's column names, used to name the index of results.
    class_values : pandas.Index, optional
        ``classes`` with the label column's dtype (used for the results' columns; derived from
        ``classes`` when omitted).
    row_keys : ndarray of int64, optional
        The answers' keys ``item * n_annotators * K + annotator * K + label`` in sorted order, when
        the encoding sorted them (to count duplicates); reused for the row order of count matrices.
    owns_item_idx : bool
        Whether ``item_idx`` is an array the encoder allocated (a gather from a table of ranks, a
        selection of kept rows), which nobody else holds; False for a view of the input column,
        Arrow's or pandas' own codes (a categorical column's codes may be the user's array) and
        codes given to the constructor. Only then may a fit that made the encoding for itself take
        their memory (:meth:`give_up_item_idx`).
    """

    item_idx: np.ndarray
    annotator_idx: np.ndarray
    label_idx: np.ndarray
    item_values: pd.Index = field(repr=False)
    annotator_values: pd.Index = field(repr=False)
    classes: np.ndarray
    n_duplicates: int = 0
    n_dropped: int = 0
    item_name: str = "item"
    annotator_name: str = "annotator"
    label_name: str = "label"
    class_values: pd.Index | None = field(default=None, repr=False)
    row_keys: np.ndarray | None = field(default=None, repr=False)
    owns_item_idx: bool = field(default=False, repr=False)

    @cached_property
    def items(self) -> np.ndarray:
        """The distinct items as a numpy array."""
        return self.item_values.to_numpy()

    @cached_property
    def annotators(self) -> np.ndarray:
        """The distinct annotators as a numpy array."""
        return self.annotator_values.to_numpy()

    # ------------------------------------------------------------------ sizes
    @property
    def n_answers(self) -> int:
        """Number of answers (rows kept)."""
        return int(self.__dict__["_item_idx"].shape[0])  # (not ``item_idx``: that would gather deferred codes)

    @property
    def item_codes_gathered(self) -> bool:
        """Whether ``item_idx`` is an array already (False: the encoder deferred their gather, which
        the first read of ``item_idx`` makes; see
        :class:`~labelwise.aggregate._factorize.DeferredItemCodes`)."""
        return not isinstance(self.__dict__["_item_idx"], GatheredCodes)

    # ------------------------------------------------------------- aggregates
    @cached_property
    def answers_per_item(self) -> np.ndarray:
        """Answers per item, int64 of shape (n_items,)."""
        if "item_label_counts" in self.__dict__:  # row sums of the (exact, integer-valued) votes
            return (self.item_label_counts @ np.ones(self.n_classes)).astype(np.int64)
        return bincount(self.item_idx, minlength=self.n_items)

    @cached_property
    def answers_per_annotator(self) -> np.ndarray:
        """Answers per annotator, int64 of shape (n_annotators,)."""
        return bincount(self.annotator_idx, minlength=self.n_annotators)

    @cached_property
    def item_label_counts(self) -> np.ndarray:
        """Dense vote counts, float64 of shape (n_items, K): ``[i, k]`` answers on item i with label k."""
        return self.item_class_sum(None)

    @cached_property
    def votes(self) -> sp.csr_matrix:
        """Sparse one-hot vote counts, shape (n_items, K)."""
        ones = np.ones(self.n_answers)
        return sp.csr_matrix((ones, (self.item_idx, self.label_idx)), shape=(self.n_items, self.n_classes))

    @cached_property
    def annotator_label_counts(self) -> np.ndarray:
        """Dense counts, float64 of shape (n_annotators, K): labels each annotator gave."""
        return cell_sums(self.annotator_idx, self.label_idx, self.n_annotators, self.n_classes)

    def item_sum(self, values: np.ndarray) -> np.ndarray:
        """Sum a per-answer array over each item: shape (n_items,)."""
        return np.bincount(self.item_idx, weights=values, minlength=self.n_items)

    def annotator_sum(self, values: np.ndarray) -> np.ndarray:
        """Sum a per-answer array over each annotator: shape (n_annotators,)."""
        return np.bincount(self.annotator_idx, weights=values, minlength=self.n_annotators)

    def item_class_sum(self, values: np.ndarray | None) -> np.ndarray:
        """Sum a per-answer array into ``[item, answer's label]`` cells: shape (n_items, K).

        ``values=None`` counts answers (the vote matrix).
        """
        k = self.n_classes
        if values is None and self.row_keys is not None:  # counted from the encoding's sorted keys
            return sorted_cell_counts(self.row_keys, max(self.n_annotators, 1) * k, k, self.n_items)
        return cell_sums(self.item_idx, self.label_idx, self.n_items, k, values)

    def annotator_class_sum(self, values: np.ndarray | None) -> np.ndarray:
        """Sum a per-answer array into ``[annotator, answer's label]`` cells: shape (n_annotators, K)."""
        return cell_sums(self.annotator_idx, self.label_idx, self.n_annotators, self.n_classes, values)

    @cached_property
    def patterns(self) -> AnswerPatterns:
        """Items grouped by answer pattern (the multiset of their (annotator, label) answers).

        Two items with the same answers have the same posterior under every model whose only item
        parameter is the true class (Dawid-Skene and one-coin use this), so such a model can
        iterate over distinct patterns instead of items, each weighted by how many items share
        it. With few annotators this is a large saving (figures in benchmarks/RESULTS.md); when a
        sample of items says that nearly every item has its own pattern, grouping is skipped
        (:func:`~labelwise.aggregate._patterns.answer_patterns`).
        """
        return answer_patterns(self)

    def give_up_item_idx(self, dtype: Any) -> np.ndarray | None:
        """Hand the memory of ``item_idx`` to the caller as ``n_answers`` entries of ``dtype``; None
        when the encoding cannot.

        For a fit that made this encoding for itself and has read the item codes for the last time
        (Dawid-Skene's count matrix takes their memory for its column indices: 40 MB less to fault
        in at 10 million answers). Only codes the encoding owns (``owns_item_idx``), writeable,
        contiguous and at least as wide as ``dtype`` are given up. ``answers_per_item`` is cached
        first; afterwards ``item_idx`` is a stand-in that keeps ``n_answers`` and raises
        :class:`~labelwise.errors.EstimatorError` on any read of its values, so that the encoding
        is never read as if it still held the codes.

        Raises
        ------
        InvalidParameterError
            If ``dtype`` is not a signed integer dtype.
        """
        try:
            want = np.dtype(dtype)
        except TypeError:
            want = np.dtype(object)
        if want.kind != "i":
            raise InvalidParameterError(f"dtype must be a signed integer dtype (int32, int64), got {dtype!r}")
        codes = self.item_idx
        if not (
            self.owns_item_idx
            and isinstance(codes, np.ndarray)
            and codes.ndim == 1
            and codes.dtype.kind == "i"
            and codes.dtype.itemsize >= want.itemsize
            and codes.flags.c_contiguous
            and codes.flags.writeable
        ):
            return None
        _ = self.answers_per_item  # cached: its fallback counts the codes
        object.__setattr__(self, "item_idx", GivenUpCodes(codes.shape[0], codes.dtype))  # frozen dataclass
        object.__setattr__(self, "owns_item_idx", False)
        return codes.view(want)[: codes.shape[0]]

    # ------------------------------------------------------------- frames
    def item_index(self) -> pd.Index:
        """The items as a pandas Index named after the item column."""
        return self.item_values.rename(self.item_name)

    def annotator_index(self) -> pd.Index:
        """The annotators as a pandas Index named after the annotator column."""
        return self.annotator_values.rename(self.annotator_name)

    def class_index(self) -> pd.Index:
        """The classes as a pandas Index named after the label column."""
        if self.class_values is None or len(self.class_values) != len(self.classes):
            return pd.Index(self.classes, name=self.label_name)
        return self.class_values.rename(self.label_name)

    def to_frame(self) -> pd.DataFrame:
        """The (kept) answers decoded back to a long table."""
        return pd.DataFrame(
            {
                self.item_name: self.items[self.item_idx],
                self.annotator_name: self.annotators[self.annotator_idx],
                self.label_name: self.classes[self.label_idx],
            }
        )


EncodedAnswers.item_idx = DeferredItemCodes()  # type: ignore[assignment]  # after the dataclass made __init__


class GivenUpCodes:
    """Stands in for codes whose memory a fit took (:meth:`EncodedAnswers.give_up_item_idx`): their
    ``shape``, ``dtype`` and length stay; reading a value (indexing, iterating, converting to an
    array, as every numpy function does) raises :class:`~labelwise.errors.EstimatorError`."""

    ndim = 1

    def __init__(self, n: int, dtype: np.dtype) -> None:
        self.shape, self.dtype = (int(n),), np.dtype(dtype)

    def __len__(self) -> int:
        return self.shape[0]

    def __repr__(self) -> str:
        return f"<{self.shape[0]} item codes given up to the fit that made this encoding>"

    def _read(self, *args: Any, **kwargs: Any) -> Any:
        raise EstimatorError(
            "item_idx of this EncodedAnswers was given up to the fit that made the encoding for itself "
            "(its memory now holds that fit's count matrix); encode the answers again to read them"
        )

    __array__ = __getitem__ = __iter__ = _read


def _csr_from_pairs(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    """A CSR matrix with a 1 at each (row, col) pair, built by one stable sort on the rows."""
    order = np.argsort(rows, kind="stable")
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
    indices = cols[order]
    index_dtype = np.int32 if max(shape) < 2**31 and len(rows) < 2**31 else np.int64
    return sp.csr_matrix((np.ones(len(rows)), indices.astype(index_dtype), indptr.astype(index_dtype)), shape=shape)


def encode_answers(
    answers: Any,
    *,
    labels: Sequence[Any] | np.ndarray | None = None,
    duplicates: str = "keep",
    item_col: str = "item",
    annotator_col: str = "annotator",
    label_col: str = "label",
    name: str = "answers",
) -> EncodedAnswers:
    """Validate a long answer table and encode it to integer codes.

    Parameters
    ----------
    answers : pandas.DataFrame
        One row per answer with (at least) the columns ``item_col``, ``annotator_col`` and
        ``label_col``. Ids and labels may be any hashable values.
    labels : sequence, optional
        The declared label set, in the order the classes should have. A label outside it is an
        error. Declared labels that nobody used are kept as classes (with zero votes). When
        omitted, the classes are the sorted distinct labels.
    duplicates : {"keep", "last"}
        What to do with several answers of one annotator on one item: ``"keep"`` all of them
        (each counts as an answer) or keep only the ``"last"`` (in row order). Either way their
        number is reported in ``n_duplicates``.
    item_col, annotator_col, label_col : str
        Column names.
    name : str
        Parameter name used in error messages.

    Returns
    -------
    EncodedAnswers

    Raises
    ------
    AnnotationError
        If ``answers`` is empty, has a null item, annotator or label (the row is named), or a label
        outside ``labels`` (row and value named).
    MissingColumnError
        If ``answers`` is not a DataFrame or lacks a column (the existing columns are listed).
    InvalidParameterError
        If ``duplicates`` is not one of ``"keep"``, ``"last"`` or ``labels`` has duplicates.
    """
    check_choice("duplicates", duplicates, DUPLICATE_POLICIES)
    if not isinstance(answers, pd.DataFrame):
        raise MissingColumnError(
            f"{name} must be a pandas DataFrame with columns {[item_col, annotator_col, label_col]}, "
            f"got {type(answers).__name__}"
        )
    cols = [item_col, annotator_col, label_col]
    check_has_columns(answers, cols, ("item_col", "annotator_col", "label_col"), name)
    if len(answers) == 0:
        raise AnnotationError(f"{name} must have at least one answer, got an empty table")

    series = {}
    for col, what in ((item_col, "item"), (annotator_col, "annotator"), (label_col, "label")):
        col_values = answers[col]
        if isinstance(col_values, pd.DataFrame):
            raise MissingColumnError(f"{name} must have exactly one column named {col!r}, found {col_values.shape[1]}")
        series[what] = col_values

    def check_not_null(what: str, col: str, null: np.ndarray) -> None:
        if null.any():
            pos = int(np.flatnonzero(null)[0])
            raise AnnotationError(
                f"{name} column {col!r} must not be null ({what} id), {row_label(answers.index, pos)} is "
                f"{show(series[what].iloc[pos])} ({int(null.sum())} null value(s) in all)"
            )

    def check_codes(what: str, col: str, codes: np.ndarray) -> None:
        if codes.min() < 0:  # one pass, no mask unless there is a null
            check_not_null(what, col, codes < 0)

    def hashed(what: str, col: str, encode: Any, *args: Any, **kwargs: Any) -> Any:
        """``encode(*args)``; a list or dict in the column (nested JSON) is named, not pandas' TypeError."""
        ids = "labels" if what == "label" else f"{what} ids"
        row = partial(row_label, answers.index)
        return encode_hashable(series[what], f"{name} column {col!r}", ids, row, encode, *args, **kwargs)

    # factorize codes a null as -1: the null check comes free with the encoding
    # integer item ids with gaps: the codes' gather deferred (a majority vote on sorted keys never reads them)
    item_idx, item_values, own_items = hashed("item", item_col, factorize_codes, series["item"], defer=True)
    if not isinstance(item_idx, GatheredCodes):  # (deferred codes come from a table of ranks: never -1)
        check_codes("item", item_col, item_idx)
    annotator_idx, annotator_values = hashed("annotator", annotator_col, _factorize, series["annotator"])
    check_codes("annotator", annotator_col, annotator_idx)
    if labels is None:
        label_idx, class_values = hashed("label", label_col, _factorize, series["label"])
        check_codes("label", label_col, label_idx)
        classes = class_values.to_numpy()
        if classes.dtype == object and (alike := same_text_classes(classes, f"{name} column {label_col!r}")):
            warn_at_caller(LabelwiseWarning(alike))  # 1 beside '1': votes split between two classes
    else:
        check_not_null("label", label_col, series["label"].isna().to_numpy())
        class_values = None
        classes = class_array(list(labels) if not isinstance(labels, np.ndarray) else labels)  # [7, "b"]: not text
        if classes.ndim != 1 or classes.size == 0:
            raise InvalidParameterError(f"labels must be a non-empty 1-D sequence of labels, got {labels!r}")
        index = pd.Index(classes)
        if not index.is_unique:
            raise InvalidParameterError(f"labels must be unique, got duplicates {list(index[index.duplicated()][:5])}")
        label_idx = hashed("label", label_col, index.get_indexer, series["label"]).astype(np.int64)
        unknown = label_idx < 0
        if unknown.any():
            pos = int(np.flatnonzero(unknown)[0])
            raise AnnotationError(
                f"{name} column {label_col!r} must hold one of the declared labels "
                f"[{', '.join(map(show, classes[:20]))}], {row_label(answers.index, pos)} is {show(series['label'].iloc[pos])} "
                f"({int(unknown.sum())} answer(s) outside the label set)"
            )

    # Duplicate (item, annotator) pairs, found with one integer key per answer.
    n_ann, k = max(len(annotator_values), 1), len(classes)
    space = len(item_values) * n_ann
    if isinstance(item_idx, GatheredCodes):  # by blocks, without the codes' array
        pair = item_idx.scaled(n_ann)
    else:
        pair = np.multiply(item_idx, n_ann, dtype=np.int64)  # int32 codes widened
    pair += annotator_idx  # in place: every 10M-entry temporary is a fresh allocation to fault in
    # with "keep" the pair keys are not needed once the sorted (pair, label) keys exist: reuse them
    row_keys = sorted_pair_label_keys(pair, label_idx, space, k, overwrite=duplicates == "keep")
    n_dup, keep = duplicate_pairs(pair, space, duplicates, sorted_keys=row_keys, k=k)
    n_dropped = 0
    if keep is not None:
        n_dropped = int(len(item_idx) - len(keep))
        if isinstance(item_idx, GatheredCodes):  # only the kept rows' codes gathered
            item_idx = GatheredCodes(item_idx.table, item_idx.index[keep]).gather()
        else:
            item_idx = item_idx[keep]
        annotator_idx, label_idx = annotator_idx[keep], label_idx[keep]
        row_keys, own_items = None, True

    return EncodedAnswers(
        item_idx=item_idx,  # GatheredCodes: gathered on first read
        annotator_idx=annotator_idx,
        label_idx=label_idx,
        item_values=item_values,
        annotator_values=annotator_values,
        classes=classes,
        n_duplicates=n_dup,
        n_dropped=n_dropped,
        item_name=str(item_col),
        annotator_name=str(annotator_col),
        label_name=str(label_col),
        class_values=class_values,
        row_keys=row_keys,
        owns_item_idx=own_items,
    )
