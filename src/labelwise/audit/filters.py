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
from dataclasses import dataclass

import numpy as np

from .confident_joint import RowStatistics, round_preserving_row_totals
from .scores import SCORERS


@dataclass(frozen=True, eq=False)
class FilterInputs:
    """Everything a filter may need, computed once by :func:`labelwise.find_label_issues`."""

    codes: np.ndarray
    probs: np.ndarray
    self_conf: np.ndarray
    label_counts: np.ndarray
    stats: RowStatistics
    calibrated_joint: np.ndarray
    min_examples_per_class: int

    @property
    def n_classes(self) -> int:
        return self.probs.shape[1]


def _members_by_class(codes: np.ndarray, n_classes: int) -> list[np.ndarray]:
    order = np.argsort(codes, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(codes, minlength=n_classes))])
    return [order[bounds[k] : bounds[k + 1]] for k in range(n_classes)]


def _top_counts_mask(values: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mask of, per column ``j``, the ``counts[j]`` largest ``values[:, j]`` (ties: lower row first).

    Each column's cut value (its ``counts[j]``-th largest) comes from one partition of the
    transposed, contiguous columns; only columns with ties at the cut need a second look.
    Returns the ``(n, k)`` mask and the cut values (``+inf`` where nothing is selected).
    """
    n, k = values.shape
    counts = np.minimum(counts, n)
    cut = np.full(k, np.inf, dtype=values.dtype)
    cols = np.flatnonzero(counts > 0)
    if cols.size == 0:
        return np.zeros((n, k), dtype=bool), cut
    c = counts[cols]
    # Keep one value beyond the deepest cut, to see whether the next value ties with the cut.
    depth = min(int(c.max()) + 1, n)
    negated = values.T[cols]
    np.negative(negated, out=negated)
    if depth < n:
        negated.partition(depth - 1, axis=1)
        negated = negated[:, :depth]
    negated.sort(axis=1)
    at_cut = negated[np.arange(cols.size), c - 1]
    cut[cols] = -at_cut
    chosen = values >= cut
    beyond = c < depth
    tied = np.zeros(cols.size, dtype=bool)
    tied[beyond] = negated[np.flatnonzero(beyond), c[beyond]] == at_cut[beyond]
    for col in cols[tied]:  # ties at the cut: keep the earliest rows
        column = values[:, col]
        need = counts[col] - np.count_nonzero(column > cut[col])
        chosen[np.flatnonzero(column == cut[col])[need:], col] = False
    return chosen, cut


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


def prune_by_noise_rate(inputs: FilterInputs) -> np.ndarray:
    """Per cell ``(i, j)``, flag the ``C̃[i, j]`` examples of class ``i`` with largest ``p_j - p_i``.

    Only examples whose top prediction is not their given label can have a positive margin, so
    when every cell of a class has at least ``C̃[i, j]`` positive margins the selection is made
    among those rows only; otherwise (small or very noisy classes) among all rows of the class.
    Both give the same answer; the first avoids touching most of ``probs``.
    """
    counts = keep_at_least(inputs.calibrated_joint, inputs.min_examples_per_class)
    codes = inputs.codes
    mask = np.zeros(codes.shape[0], dtype=bool)
    mispredicted = np.flatnonzero(inputs.stats.predicted != codes)
    for k, candidates in enumerate(_members_by_class(codes[mispredicted], inputs.n_classes)):
        if inputs.label_counts[k] <= inputs.min_examples_per_class:
            continue
        wanted = counts[k].copy()
        wanted[k] = 0
        if not wanted.any():
            continue
        candidates = mispredicted[candidates]
        rows = inputs.probs[candidates]
        chosen, cut = _top_counts_mask(rows - rows[:, k : k + 1], wanted)
        # A cell needing more rows than there are candidates, or reaching non-positive margins,
        # must choose among all rows of the class.
        if wanted.max() > candidates.size or np.any(cut[wanted > 0] <= 0):
            candidates = np.flatnonzero(codes == k)
            rows = inputs.probs[candidates]
            chosen, _ = _top_counts_mask(rows - rows[:, k : k + 1], wanted)
        mask[candidates] = chosen.any(axis=1)
    return mask


def prune_by_class(inputs: FilterInputs) -> np.ndarray:
    """Per class ``i``, flag the ``sum_{j!=i} C̃[i, j]`` examples with lowest ``p_i``."""
    counts = keep_at_least(inputs.calibrated_joint, inputs.min_examples_per_class)
    self_conf = inputs.self_conf
    mask = np.zeros(inputs.codes.shape[0], dtype=bool)
    for k, members in enumerate(_members_by_class(inputs.codes, inputs.n_classes)):
        n_remove = members.size - int(counts[k, k])
        if members.size <= inputs.min_examples_per_class or n_remove < 1:
            continue
        low = _top_counts_mask(-self_conf[members][:, None], np.array([n_remove]))[0][:, 0]
        mask[members[low]] = True
    return mask


def both(inputs: FilterInputs) -> np.ndarray:
    """Flagged by both ``prune_by_noise_rate`` and ``prune_by_class``."""
    return prune_by_noise_rate(inputs) & prune_by_class(inputs)


def confident_learning(inputs: FilterInputs) -> np.ndarray:
    """Off-diagonal examples of the confident joint: confidently counted in another class."""
    confident = inputs.stats.confident_class
    return (confident >= 0) & (confident != inputs.codes)


def predicted_neq_given(inputs: FilterInputs) -> np.ndarray:
    """The model's top prediction differs from the given label."""
    return inputs.stats.predicted != inputs.codes


def _lowest_scores(inputs: FilterInputs, method: str) -> np.ndarray:
    n_issues = int((confident_learning(inputs) & ~inputs.stats.given_is_predicted).sum())
    scores = inputs.self_conf if method == "self_confidence" else SCORERS[method](inputs.codes, inputs.probs)
    mask = np.zeros(scores.shape[0], dtype=bool)
    mask[np.argsort(scores, kind="stable")[:n_issues]] = True
    return mask


def low_self_confidence(inputs: FilterInputs) -> np.ndarray:
    """The examples with lowest self-confidence, as many as ``confident_learning`` flags."""
    return _lowest_scores(inputs, "self_confidence")


def low_normalized_margin(inputs: FilterInputs) -> np.ndarray:
    """The examples with lowest normalised margin, as many as ``confident_learning`` flags."""
    return _lowest_scores(inputs, "normalized_margin")


FILTERS: dict[str, Callable[[FilterInputs], np.ndarray]] = {
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
