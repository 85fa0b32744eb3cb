"""Confident learning on Dask collections: the in-memory passes run as tasks, per-example results stay lazy.

:func:`labelwise.find_label_issues` sends dask inputs here. The passes are the very chunk functions
of the in-memory audit (:mod:`labelwise.audit._passes`, :mod:`labelwise.audit._select`), run as one
task per chunk; what reaches the client is K-sized: the label counts and exact sums (pass 1), the
confident joint (pass 2), per-cell candidate counts (pass 3). Per-example outputs (self-confidence,
predictions, flags) are persisted on the workers and returned as dask arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from .._chunk_floor import merge_small_row_chunks
from .._chunks import Output, RowChunks, align_dask_rows, as_dask_rows, is_dask
from .._stage_progress import persist, stage
from .._validate.arguments import show
from .._validate.labels import _as_1d, _missing_mask
from .._validate.probabilities import check_probs
from ..errors import InvalidLabelsError, InvalidParameterError, ShapeMismatchError
from . import _passes, _select
from .find import run_audit
from .result import LabelIssues


@dataclass(frozen=True, eq=False)
class ChunkedLabelIssues(LabelIssues):
    """:class:`LabelIssues` whose per-example fields are dask arrays (K x K estimates are numpy).

    ``is_issue``, ``label_quality``, ``label_codes``, ``suggested_codes``, ``ranked_indices``,
    ``given_label`` and ``suggested_label`` are dask arrays, chunked like ``probs``. Counts,
    summaries and the noise matrices need no further computation. :meth:`compute` gives the
    in-memory :class:`LabelIssues`; :meth:`to_parquet` writes the per-example table partition
    by partition.
    """

    flagged_per_class: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)

    def _as_labels(self, codes: Any) -> Any:
        classes = self.classes
        return codes.map_blocks(lambda c: classes[c], dtype=classes.dtype)

    @property
    def given_label(self) -> Any:
        """The given label of every example (dask array of the user's label values)."""
        return self._as_labels(self.label_codes)

    @property
    def suggested_label(self) -> Any:
        """The model's most probable class of every example (dask array)."""
        return self._as_labels(self.suggested_codes)

    @property
    def n_examples(self) -> int:
        """Number of examples audited."""
        return int(self.label_codes.shape[0])

    @property
    def n_issues(self) -> int:
        """Number of flagged examples."""
        return int(self.flagged_per_class.sum())

    def _flagged_per_given_class(self) -> np.ndarray:
        """The counts gathered on the workers: :attr:`LabelIssues.class_summary` reads no per-example field."""
        return self.flagged_per_class

    def compute(self) -> LabelIssues:
        """Gather every per-example field: the in-memory :class:`LabelIssues`."""
        import dask

        lazy = ("is_issue", "ranked_indices", "label_quality", "label_codes", "suggested_codes")
        values = dask.compute(*(getattr(self, name) for name in lazy))
        kept = {f: getattr(self, f) for f in LabelIssues.__dataclass_fields__ if f not in lazy}
        return LabelIssues(**kept, **dict(zip(lazy, values, strict=False)))

    def to_dask_frame(self) -> Any:
        """Per-example dask DataFrame in row order: row, given/suggested label, quality, is_issue."""
        import dask.array as da
        import dask.dataframe as dd

        codes: Any = self.label_codes
        row = da.arange(self.n_examples, chunks=codes.chunks)
        columns = {
            "row": row,
            "given_label": self.given_label,
            "suggested_label": self.suggested_label,
            "label_quality": self.label_quality,
            "is_issue": self.is_issue,
        }
        return dd.concat([dd.from_dask_array(v, columns=k) for k, v in columns.items()], axis=1)

    def to_parquet(self, path: str) -> None:
        """Write :meth:`to_dask_frame` as a Parquet directory, one file per partition."""
        self.to_dask_frame().to_parquet(path, write_index=False)

    def rank(self) -> np.ndarray:
        raise InvalidParameterError(
            "rank() of a chunked result needs a global sort; use ranked_indices (a dask array) or compute()"
        )

    def to_frame(self) -> pd.DataFrame:
        raise InvalidParameterError(
            "to_frame() of a chunked result would gather every row; use to_dask_frame(), to_parquet() or compute()"
        )


def find_label_issues_chunked(
    labels: Any,
    probs: Any,
    *,
    filter_by: str,
    rank_by: str,
    classes: Any,
    min_examples_per_class: int,
    confident_class_rule: str,
) -> ChunkedLabelIssues:
    """:func:`labelwise.find_label_issues` for dask inputs (parameters already checked there)."""
    import dask.array as da

    if not is_dask(probs):
        probs = np.asarray(probs)
        if not is_dask(labels) or probs.ndim != 2:
            raise ShapeMismatchError(f"probs must be a 2-D dask array, got {type(probs).__name__}")
        labels = as_dask_rows(labels, "labels")
        if labels.shape[0] != probs.shape[0]:
            raise ShapeMismatchError(
                f"labels and probs must have the same length, got {labels.shape[0]} and {probs.shape[0]}"
            )
        probs = da.from_array(probs, chunks=(labels.chunks[0], -1))
    arr = check_probs(probs, check_values=False)
    if not is_dask(labels):
        values = _as_1d(labels, "labels")
        labels = da.from_array(values, chunks=(arr.chunks[0],)) if values.shape[0] == arr.shape[0] else values
        if not is_dask(labels):
            raise ShapeMismatchError(
                f"labels and probs must have the same length, got {values.shape[0]} and {arr.shape[0]}"
            )
    if getattr(labels, "ndim", 1) != 1:
        raise InvalidLabelsError(f"labels must be one-dimensional, got shape {labels.shape}")
    arr, labels = merge_small_row_chunks(align_dask_rows([arr, labels], ["probs", "labels"]))
    chunks = RowChunks.for_arrays(arr)
    n_classes = int(arr.shape[1])
    codes, class_values, check = encode_chunked_labels(chunks, labels, n_classes, classes)
    audit = run_audit(
        chunks, codes, arr, filter_by, rank_by, confident_class_rule, min_examples_per_class, labels=check
    )
    codes = audit.codes
    with stage("ranking flagged rows"):
        ranked, flagged = flagged_and_ranked(chunks, codes, audit.is_issue, audit.quality, n_classes)
    return ChunkedLabelIssues(
        ranked_indices=ranked,
        classes=class_values,
        label_codes=codes,
        flagged_per_class=flagged,
        **audit.fields(),
    )


def _flagged_chunk(
    start: int, codes: np.ndarray, is_issue: np.ndarray, quality: np.ndarray, *, n_classes: int, packed: bool
) -> tuple:
    """A chunk's flagged rows for the ranking, and its flagged examples per given class."""
    ranking = _select.ranking_part(start, is_issue, quality, packed=packed)
    return ranking, np.bincount(codes[is_issue], minlength=n_classes)


def _merge_flagged(parts: list[tuple]) -> tuple:
    return _select.merge_ranking([p[0] for p in parts]), _passes.sum_parts([p[1] for p in parts])


def _ranked_rows(merged: tuple) -> np.ndarray:
    return _select.ranked_rows(merged[0])


def flagged_and_ranked(chunks: RowChunks, codes: Any, is_issue: Any, quality: Any, n_classes: int) -> tuple[Any, Any]:
    """Flagged rows, lowest quality first (ties: lower row), as a dask array merged on a worker, and
    the flagged examples per class (numpy): one pass over the flags, one round trip."""
    import dask
    import dask.array as da

    packed = np.dtype(quality.dtype) == np.float32 and chunks.n_rows < 2**32
    fn = partial(_flagged_chunk, n_classes=n_classes, packed=packed)
    merged = chunks.reduce_lazy(fn, [codes, is_issue, quality], _merge_flagged)
    flagged = chunks.compute(chunks.apply(lambda m: m[1], merged))
    rows = dask.delayed(_ranked_rows, pure=True)(merged)
    return da.from_delayed(rows, shape=(int(flagged.sum()),), dtype=np.int64), flagged


def _label_problems(start: int, labels: np.ndarray, *, n_classes: int, index: pd.Index | None) -> tuple:
    """Per chunk: the codes (0 where invalid) when they are known, and the first missing row, the
    first row outside the classes and (for labels that are not numbers, without classes) the uniques."""
    missing_mask = _missing_mask(labels)
    missing = np.flatnonzero(missing_mask)
    first_missing = start + missing[0] if missing.size else -1
    uniques, codes = None, None
    if index is not None:
        codes = index.get_indexer(labels).astype(np.int64)
        invalid = codes < 0
    elif labels.dtype.kind in "iu":  # no missing values; one copy, no temporary as long as the chunk
        invalid = (labels < 0) | (labels >= n_classes)
        codes = np.array(labels, dtype=np.int64)
        codes[invalid] = 0
    elif labels.dtype.kind == "f":
        invalid = missing_mask | (labels < 0) | (labels >= n_classes) | (np.mod(labels, 1) != 0)
        codes = np.where(invalid, 0, labels).astype(np.int64)
        invalid &= ~missing_mask
    else:
        invalid = np.zeros(0, bool)
        uniques = np.unique(labels[~missing_mask])
    bad = np.flatnonzero(invalid)
    if codes is not None:
        codes[codes < 0] = 0
    return (() if codes is None else (codes,)), (first_missing, start + bad[0] if bad.size else -1, uniques)


def _combine_label_problems(parts: list[tuple]) -> tuple:
    def first(values: list[int]) -> int:
        found = [v for v in values if v >= 0]
        return min(found) if found else -1

    uniques = [p[2] for p in parts if p[2] is not None]
    return (
        first([p[0] for p in parts]),
        first([p[1] for p in parts]),
        (np.unique(np.concatenate(uniques)) if uniques else None),
    )


def _encode_chunk(start: int, labels: np.ndarray, *, index: pd.Index | None) -> np.ndarray:
    if index is None:
        return labels.astype(np.int64)
    return index.get_indexer(labels).astype(np.int64)


def _class_index(classes: Any, n_classes: int) -> pd.Index | None:
    """The given classes as an index (checked), or None."""
    if classes is None:
        return None
    class_arr = _as_1d(classes, "classes")
    if len(class_arr) != n_classes:
        raise ShapeMismatchError(f"classes must have one entry per column of probs ({n_classes}), got {len(class_arr)}")
    index = pd.Index(class_arr)
    if not index.is_unique:
        raise InvalidParameterError("classes must be unique")
    return index


def _raise_label_problems(labels: Any, index: pd.Index | None, n_classes: int, reduced: tuple) -> None:
    """Raise for the first missing label, then the first label outside the classes."""
    first_missing, first_bad, _ = reduced

    def value(row: int) -> str:
        return show(np.asarray(labels[row].compute()).item())

    if first_missing >= 0:
        raise InvalidLabelsError(
            f"labels must not contain missing values, row {first_missing} is {value(first_missing)}"
        )
    if first_bad >= 0:
        expected = (
            f"one of the classes {list(index[:20])}"
            if index is not None
            else (f"integers in [0, {n_classes - 1}] (one per column of probs)")
        )
        raise InvalidLabelsError(f"labels must be {expected}, row {first_bad} is {value(first_bad)}")


def encode_chunked_labels(
    chunks: RowChunks, labels: Any, n_classes: int, classes: Any
) -> tuple[Any, np.ndarray, _passes.LabelCheck | None]:
    """``(codes or labels, classes, check)``: how the labels become codes.

    Labels that are numbers, or with ``classes`` given, are checked and encoded by pass 1 of the
    audit itself (``check`` is the :class:`~labelwise.audit._passes.LabelCheck` to give it, and the
    labels come back unchanged). Other labels need their distinct values first: one pass of their
    own checks them and finds those, then the codes (a persisted dask array) come back, ``check``
    None.
    """
    index = _class_index(classes, n_classes)
    fn = partial(_label_problems, n_classes=n_classes, index=index)
    check = partial(_raise_label_problems, labels, index, n_classes)
    if index is not None or np.dtype(labels.dtype).kind in "iuf":
        class_values = np.asarray(index) if index is not None else np.arange(n_classes)
        return labels, class_values, _passes.LabelCheck(fn, _combine_label_problems, check)
    with stage("encoding labels"):
        _, reduced = chunks.run(fn, [labels], combine=_combine_label_problems)
        check(reduced)
        uniques = reduced[2]
        if uniques is None or len(uniques) != n_classes:
            found = 0 if uniques is None else len(uniques)
            raise InvalidLabelsError(
                f"labels has {found} distinct values but probs has {n_classes} columns; pass "
                f"classes= to say which class each column is"
            )
        index = pd.Index(uniques)
        codes = chunks.map_rows(partial(_encode_chunk, index=index), [labels], Output(np.int64))
        return persist(codes)[0], np.asarray(index), None
