"""Label quality scores of probabilities that are not one numpy array: dask arrays and zarr arrays.

:func:`labelwise.audit.scores.label_quality_scores` sends them here. One pass over row chunks
(:class:`labelwise._chunks.RowChunks`): each chunk checks its probabilities (the first bad rows,
numbered in the whole array) and scores its rows with the in-memory scorer, so the scores are the
in-memory ones to the bit for any chunking. Dask inputs give a dask array (persisted on the
workers, chunked like ``probs``, chunks under 1 MiB merged); a zarr array gives a numpy array,
read chunk by chunk.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from .._chunk_floor import merge_small_row_chunks
from .._chunks import Output, RowChunks, align_dask_rows, as_dask_rows, is_dask
from .._validate.labels import _as_1d, encode_labels_for_probs
from .._validate.probabilities import PROB_SUM_ATOL, first_problem_rows, probs_problems, raise_probs_problems
from ..errors import ShapeMismatchError
from . import _passes


def _score_chunk(
    start: int, probs: np.ndarray, codes: np.ndarray, *, scorer: Callable[[np.ndarray, np.ndarray], np.ndarray]
) -> tuple[tuple[np.ndarray], np.ndarray]:
    """``((scores,), first bad rows)`` of one chunk; a chunk with bad values is not scored."""
    probs = np.asarray(probs)
    problems = probs_problems(start, probs, PROB_SUM_ATOL)
    if (problems >= 0).any():
        return (np.zeros(probs.shape[0], dtype=probs.dtype),), problems
    return (scorer(np.asarray(codes, dtype=np.intp), probs).astype(probs.dtype, copy=False),), problems


def _dask_inputs(labels: Any, probs: Any) -> tuple[Any, Any]:
    """``labels`` and ``probs`` as dask arrays chunked alike by rows (one of them may be numpy)."""
    import dask.array as da

    if not is_dask(probs):
        probs = np.asarray(probs)
        labels = as_dask_rows(labels, "labels")
        if probs.ndim != 2 or labels.shape[0] != probs.shape[0]:
            raise ShapeMismatchError(
                f"labels and probs must have the same length and probs 2 dimensions, got labels of "
                f"{labels.shape[0]} rows and probs of shape {probs.shape}"
            )
        probs = da.from_array(probs, chunks=(labels.chunks[0], -1))
    if not is_dask(labels):
        values = _as_1d(labels, "labels")
        if values.shape[0] != probs.shape[0]:
            raise ShapeMismatchError(
                f"labels and probs must have the same length, got {values.shape[0]} and {probs.shape[0]}"
            )
        labels = da.from_array(values, chunks=(probs.chunks[0],))
    if getattr(labels, "ndim", 1) != 1:
        raise ShapeMismatchError(f"labels must be one-dimensional, got shape {labels.shape}")
    return labels, probs


def chunked_label_quality_scores(labels: Any, probs: Any, scorer: Callable, classes: Any) -> Any:
    """``scorer``'s scores of ``probs`` (dask or zarr, checked as whole rows), chunk by chunk."""
    from .._validate.probabilities import check_probs
    from .chunked import encode_chunked_labels

    if not (is_dask(probs) or is_dask(labels)):  # zarr: the labels fit in memory, as in find_label_issues
        chunks = RowChunks.for_arrays(probs)
        codes, _ = encode_labels_for_probs(labels, int(probs.shape[1]), classes=classes)
        if codes.shape[0] != probs.shape[0]:
            raise ShapeMismatchError(
                f"labels and probs must have the same length, got {codes.shape[0]} and {probs.shape[0]}"
            )
        rows, problems = chunks.run(
            partial(_score_chunk, scorer=scorer),
            [probs, codes],
            outputs=[Output(probs.dtype)],
            combine=first_problem_rows,
        )
        raise_probs_problems(probs, problems)
        return rows[0]
    labels, probs = _dask_inputs(labels, probs)
    probs = check_probs(probs, check_values=False)
    probs, labels = merge_small_row_chunks(align_dask_rows([probs, labels], ["probs", "labels"]))
    chunks = RowChunks.for_arrays(probs)
    codes, _, check = encode_chunked_labels(chunks, labels, int(probs.shape[1]), classes)
    fn: Any = partial(_score_chunk, scorer=scorer)
    combine: Any = first_problem_rows
    outputs = [Output(probs.dtype)]
    if check is not None:  # labels that are numbers, or classes= given: checked and encoded in the pass
        fn = partial(_passes.encoding_pass, encode=check.encode, first=fn)
        combine = partial(_passes.combine_encoding, labels=check.combine, first=combine)
        outputs.append(Output(np.int64))
    rows, reduced = chunks.run(fn, [probs, codes], outputs=outputs, combine=combine)
    if check is not None:
        check.check(reduced[0])
        reduced = reduced[1]
    raise_probs_problems(probs, reduced)
    return rows[0]
