"""Confident-learning filters: which examples to flag, one small function per strategy.

Every filter receives the same :class:`FilterInputs` and returns a boolean mask over examples.
Names and behaviour follow Northcutt, Jiang & Chuang (JAIR 2021), Section 3.2:

- ``prune_by_noise_rate`` (C_{+NR} / PBNR): for each off-diagonal cell ``(ỹ=i, y*=j)`` of the
  calibrated confident joint, flag the ``C̃[i, j]`` examples labelled ``i`` with the largest
  margin ``p̂(ỹ=j; x) - p̂(ỹ=i; x)``.
- ``prune_by_class`` (C_{+PBC}): for each class ``i``, flag the ``sum_{j != i} C̃[i, j]``
  examples labelled ``i`` with the lowest self-confidence ``p̂(ỹ=i; x)``.
- ``both`` (C_{+C+NR}): flagged by both of the above.
- ``confident_learning`` (C_{ỹ,y*}): the off-diagonal entries of the confident joint.
- ``predicted_neq_given`` (C_confusion): ``argmax_j p̂(ỹ=j; x) != ỹ``.
- ``low_self_confidence`` / ``low_normalized_margin``: the lowest-scoring examples, as many as
  ``confident_learning`` flags.

As in cleanlab, every filter except the two ``low_*`` ones finally unflags examples whose given
label is (within 1e-6) the model's top prediction, and at least ``min_examples_per_class``
examples are kept in every class. Selections of "the c largest" break ties by row order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from .._chunks import Output, RowChunks
from . import _select, _selection
from .confident_joint import RowStatistics, round_preserving_row_totals


@dataclass(frozen=True, eq=False)
class FilterInputs:
    """Everything a filter may need, computed once by :func:`labelwise.find_label_issues`.

    Per-example fields are numpy arrays or (for dask inputs) dask arrays chunked as ``chunks``.
    """

    codes: Any
    probs: Any
    self_conf: Any
    label_counts: np.ndarray
    stats: RowStatistics
    calibrated_joint: np.ndarray
    min_examples_per_class: int
    chunks: RowChunks | None = field(default=None, repr=False)
    n_confident_issues: int = 0
    scores: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.chunks is None:  # numpy inputs built by hand: chunks of their own
            object.__setattr__(self, "chunks", RowChunks.for_arrays(self.probs))

    @property
    def rows(self) -> RowChunks:
        """The row chunks of the per-example fields."""
        assert self.chunks is not None
        return self.chunks

    @property
    def n_classes(self) -> int:
        return int(self.probs.shape[1])

    def mask_of(self, selected: _selection.Selection) -> Any:
        """Boolean per-example mask of the rows of a selection: per chunk, from the chunk's own
        entries, where the selection is per chunk (dask: built where they are, nothing gathered)."""
        if selected.per_chunk:
            return self.rows.map_parts(_select.rows_mask, selected.parts, Output(bool))
        mask = np.zeros(self.rows.n_rows, dtype=bool)
        for part in selected.parts:
            mask[part[2]] = True
        return mask

    def lowest(self, scores: Any, limits: np.ndarray, *, by_class: bool) -> Any:
        """Mask of the ``limits[cell]`` lowest ``scores`` per class (``by_class``) or overall."""
        fn = partial(_select.score_entries, by_class=by_class)
        cells = np.arange(limits.shape[0]) if by_class else None
        chosen = _selection.select_top(
            self.rows,
            fn,
            [self.codes, scores],
            limits,
            cell_class=cells,
            class_weights=self.label_counts,
            key_dtype=scores.dtype,
        )
        return self.mask_of(chosen)


def keep_at_least(prune_counts: np.ndarray, minimum: int) -> np.ndarray:
    """Lower the counts to remove so every class keeps at least ``minimum`` examples.

    ``prune_counts[i, j]`` = examples labelled ``i`` believed to be ``j``; the diagonal is the
    number kept. Where a diagonal is below ``minimum`` it is raised to it and the nonzero
    off-diagonal counts of that row are lowered evenly (not below 0), then rows are re-rounded.
    """
    counts = prune_counts.astype(np.float64)
    diag = counts.diagonal().copy()
    raised = np.maximum(diag, minimum)
    off = counts.copy()
    np.fill_diagonal(off, 0)
    n_nonzero = np.maximum(np.count_nonzero(off, axis=1), 1)
    off = np.clip(off - ((raised - diag) / n_nonzero)[:, None] * (off > 0), 0, None)
    np.fill_diagonal(off, raised)
    return round_preserving_row_totals(off)


def _noise_rate_selection(inputs: FilterInputs, wanted: np.ndarray, mispredicted_only: bool) -> _selection.Selection:
    """The largest margins of every cell of ``wanted`` over all rows (lazy for dask)."""
    k = inputs.n_classes
    fn = partial(_select.margin_entries, mispredicted_only=mispredicted_only)
    arrays = [inputs.probs, inputs.codes, inputs.stats.predicted]
    cells = np.repeat(np.arange(k), k)
    return _selection.select_top(
        inputs.rows,
        fn,
        arrays,
        wanted.ravel(),
        cell_class=cells,
        class_weights=inputs.label_counts,
        key_dtype=inputs.probs.dtype,
        members=partial(_select.margin_members, mispredicted_only=mispredicted_only),
    )


def prune_by_noise_rate(inputs: FilterInputs) -> Any:
    """Per cell ``(i, j)``, flag the ``C̃[i, j]`` examples of class ``i`` with largest ``p_j - p_i``.

    Only examples whose top prediction is not their given label can have a positive margin, so
    the candidates of every chunk are first the positive margins of those rows; the per-chunk
    best are merged per cell. A class where some cell finds fewer positive margins than it needs
    (small or very noisy classes) is selected again among all its rows. Both give the same answer
    as one selection over all rows; the first avoids touching most of ``probs``.
    """
    k = inputs.n_classes
    wanted = keep_at_least(inputs.calibrated_joint, inputs.min_examples_per_class)
    np.fill_diagonal(wanted, 0)
    wanted[inputs.label_counts <= inputs.min_examples_per_class] = 0
    if not wanted.any():
        return inputs.rows.map_rows(lambda s, c: np.zeros(c.shape[0], bool), [inputs.codes], Output(bool))
    first = _noise_rate_selection(inputs, wanted, True)
    fallback: np.ndarray = np.asarray((first.counts.reshape(k, k) < wanted).any(axis=1))
    if not fallback.any():
        return inputs.mask_of(first)
    second = _noise_rate_selection(inputs, wanted * fallback[:, None], False)
    return inputs.mask_of(_selection.replace_cells(inputs.rows, first, np.repeat(fallback, k), second))


def prune_by_class(inputs: FilterInputs) -> Any:
    """Per class ``i``, flag the ``sum_{j!=i} C̃[i, j]`` examples with lowest ``p_i``."""
    counts = keep_at_least(inputs.calibrated_joint, inputs.min_examples_per_class)
    n_remove = inputs.label_counts - counts.diagonal()
    n_remove[(inputs.label_counts <= inputs.min_examples_per_class) | (n_remove < 1)] = 0
    return inputs.lowest(inputs.self_conf, n_remove.astype(np.int64), by_class=True)


def both(inputs: FilterInputs) -> Any:
    """Flagged by both ``prune_by_noise_rate`` and ``prune_by_class``."""
    return prune_by_noise_rate(inputs) & prune_by_class(inputs)


def confident_learning(inputs: FilterInputs) -> Any:
    """Off-diagonal examples of the confident joint: confidently counted in another class."""
    confident = inputs.stats.confident_class
    return (confident >= 0) & (confident != inputs.codes)


def predicted_neq_given(inputs: FilterInputs) -> Any:
    """The model's top prediction differs from the given label."""
    return inputs.stats.predicted != inputs.codes


def _lowest_scores(inputs: FilterInputs, method: str) -> Any:
    scores = inputs.self_conf if method == "self_confidence" else inputs.scores[method]
    return inputs.lowest(scores, np.array([inputs.n_confident_issues]), by_class=False)


def low_self_confidence(inputs: FilterInputs) -> np.ndarray:
    """The examples with lowest self-confidence, as many as ``confident_learning`` flags."""
    return _lowest_scores(inputs, "self_confidence")


def low_normalized_margin(inputs: FilterInputs) -> np.ndarray:
    """The examples with lowest normalised margin, as many as ``confident_learning`` flags."""
    return _lowest_scores(inputs, "normalized_margin")


FILTERS: dict[str, Callable[[FilterInputs], Any]] = {
    "prune_by_noise_rate": prune_by_noise_rate,
    "prune_by_class": prune_by_class,
    "both": both,
    "confident_learning": confident_learning,
    "predicted_neq_given": predicted_neq_given,
    "low_self_confidence": low_self_confidence,
    "low_normalized_margin": low_normalized_margin,
}

#: Filters whose flags are not cleared where the given label is the model's prediction.
SCORE_FILTERS = ("low_self_confidence", "low_normalized_margin")
