"""Raise the prevalence of originally mislabelled test examples and watch model rankings move.

Northcutt, Athalye & Mueller (2021) score models on corrected test labels while removing correctly
labelled examples at random: the share of *correctable* examples (originally mislabelled, with a
corrected label) grows, and the prevalence at which two models swap places says how fragile the
benchmark's ranking is. The helpers here work on encoded arrays; :class:`CorrectedBenchmark`
(:mod:`labelwise.evaluate.benchmark`) is the public entry point.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError, TooFewExamplesError

__all__ = [
    "CROSSOVER_COLUMNS",
    "CURVE_COLUMNS",
    "PrevalenceCurve",
    "crossover_table",
    "keep_counts",
    "removal_order",
    "scores_after_removal",
]

#: Columns of :meth:`PrevalenceCurve.to_frame` and of :func:`crossover_table` (also when a table has no rows).
CURVE_COLUMNS = ("model", "prevalence", "n_removed", "mean", "std", "low", "high")
CROSSOVER_COLUMNS = (
    "model_a",
    "model_b",
    "score_a",
    "score_b",
    "base_prevalence",
    "share_flipped",
    "prevalence",
    "ci_low",
    "ci_high",
    "increase",
)


def removal_order(clean_idx: np.ndarray, seed: int, random_state: int) -> np.ndarray:
    """The clean (correctly labelled) items in the random order of seed ``seed``: the first ``m`` are kept.

    Keeping a prefix makes the subsets nested, so one seed is one path of removals from the full
    test set down to the correctable examples alone.
    """
    return np.random.default_rng([int(random_state), int(seed)]).permutation(clean_idx)


def keep_counts(n_correctable: int, n_clean: int, prevalences: Sequence[float] | np.ndarray) -> np.ndarray:
    """How many clean items to keep so that correctable items make up each prevalence.

    ``p = n_c / (n_c + m)`` gives ``m = n_c (1 - p) / p``, rounded and clipped to ``[0, n_clean]``.
    """
    p = np.asarray(prevalences, dtype=float)
    if p.ndim != 1 or p.size == 0 or not np.all(np.isfinite(p)) or np.any(p <= 0) or np.any(p > 1):
        raise InvalidParameterError(f"prevalences must be a non-empty list of numbers in (0, 1], got {prevalences!r}")
    base = n_correctable / (n_correctable + n_clean)
    if np.any(p < base - 1e-12):
        raise InvalidParameterError(
            f"prevalences must be at least the test set's own prevalence of correctable examples ({base:.4f}): "
            f"removing correctly labelled items can only raise it; got {float(p.min()):.4f}"
        )
    m = np.rint(n_correctable * (1.0 - p) / p).astype(np.int64)
    return np.clip(m, 0, n_clean)


def scores_after_removal(
    predicted: np.ndarray,
    corrected: np.ndarray,
    correctable_idx: np.ndarray,
    order: np.ndarray,
    keep: np.ndarray,
    metric: Callable[[np.ndarray, np.ndarray], float] | None,
) -> np.ndarray:
    """Scores on corrected labels of every model, keeping the first ``keep[j]`` items of ``order``.

    ``metric=None`` means accuracy, computed for all ``keep`` values at once from running sums of
    hits over ``order``. Returns shape (n_models, len(keep)).
    """
    if metric is None:
        hits_c = (predicted[:, correctable_idx] == corrected[correctable_idx]).sum(axis=1)
        hits = (predicted[:, order] == corrected[order]).astype(np.int64)
        cum = np.concatenate([np.zeros((len(predicted), 1), np.int64), np.cumsum(hits, axis=1)], axis=1)
        return (hits_c[:, None] + cum[:, keep]) / (len(correctable_idx) + keep)[None, :]
    out = np.empty((len(predicted), len(keep)))
    for j, m in enumerate(keep):
        idx = np.concatenate([correctable_idx, order[:m]])
        for i in range(len(predicted)):
            out[i, j] = metric(corrected[idx], predicted[i, idx])
    return out


@dataclass(frozen=True)
class PrevalenceCurve:
    """Scores on corrected labels as correctly labelled test items are removed at random.

    Attributes
    ----------
    models : tuple of str
    prevalence : ndarray of shape (n_points,)
        Share of correctable (originally mislabelled) items in the reduced test set.
    n_removed : ndarray of shape (n_points,)
        Correctly labelled items removed to reach it.
    scores : ndarray of shape (n_seeds, n_models, n_points)
        One curve per random removal order.
    band : float
        Width of the central band reported by :meth:`to_frame` (0.95: 2.5th to 97.5th percentile over seeds).
    """

    models: tuple[str, ...]
    prevalence: np.ndarray
    n_removed: np.ndarray
    scores: np.ndarray
    band: float = 0.95

    @property
    def mean(self) -> np.ndarray:
        """Mean score over seeds, shape (n_models, n_points)."""
        return self.scores.mean(axis=0)

    def to_frame(self) -> pd.DataFrame:
        """One row per model and prevalence: mean, std, low, high (the band over seeds)."""
        lo, hi = np.percentile(self.scores, [50 * (1 - self.band), 50 * (1 + self.band)], axis=0)
        m, p = len(self.models), len(self.prevalence)
        frame = pd.DataFrame(
            {
                "model": np.repeat(np.array(self.models, dtype=object), p),
                "prevalence": np.tile(self.prevalence, m),
                "n_removed": np.tile(self.n_removed, m),
                "mean": self.mean.ravel(),
                "std": self.scores.std(axis=0).ravel(),
                "low": lo.ravel(),
                "high": hi.ravel(),
            }
        )
        return frame[list(CURVE_COLUMNS)]


def _first_flip(diff: np.ndarray, keep: np.ndarray) -> float:
    """Keep-count at which the sign of ``diff`` (scores a - b along ``keep``, descending) first turns negative."""
    flipped = np.flatnonzero(diff < 0)
    return float(keep[flipped[0]]) if flipped.size else np.nan


def crossover_table(
    models: Sequence[str],
    base_scores: np.ndarray,
    per_seed: Callable[[int], tuple[np.ndarray, np.ndarray]],
    n_correctable: int,
    n_clean: int,
    seeds: int,
    band: float = 0.95,
    tie_scores: np.ndarray | None = None,
) -> pd.DataFrame:
    """For every pair of models, the prevalence at which their order on corrected labels flips.

    ``per_seed(s)`` returns ``(keep, scores)``: keep counts in descending order (from all clean
    items down) and the models' scores there, shape (n_models, len(keep)). ``model_a`` is the
    better of the pair on the full corrected test set; a flip is the first removal step at which
    ``model_b`` scores strictly higher. Seeds without a flip count in ``share_flipped`` only.
    Between models tied there, ``model_a`` is the one better on ``tie_scores`` (the original
    labels' ranking, whose flip is the question), then the first by name: never the first
    listed, so the order of ``models`` only orders the rows.
    """
    if n_correctable == 0:
        raise TooFewExamplesError("crossovers need at least one correctable (relabelled) test item, got 0")
    ties = np.zeros(len(models)) if tie_scores is None else np.asarray(tie_scores, dtype=float)
    ranked = sorted(range(len(models)), key=lambda i: (-base_scores[i], -ties[i], str(models[i])))
    rank = np.empty(len(models), dtype=np.int64)
    rank[ranked] = np.arange(len(models))
    flips = np.full((seeds, len(models), len(models)), np.nan)
    for s in range(seeds):
        keep, scores = per_seed(s)
        for i in range(len(models)):
            for j in range(len(models)):
                if rank[i] < rank[j]:
                    flips[s, i, j] = _first_flip(scores[i] - scores[j], keep)
    rows = []
    for i in range(len(models)):
        for j in range(i + 1, len(models)):
            a, b = (i, j) if rank[i] < rank[j] else (j, i)
            m = flips[:, a, b]
            prev = n_correctable / (n_correctable + m[np.isfinite(m)])
            q = np.percentile(prev, [50 * (1 - band), 50, 50 * (1 + band)]) if prev.size else [np.nan] * 3
            base = n_correctable / (n_correctable + n_clean)
            rows.append(
                {
                    "model_a": models[a],
                    "model_b": models[b],
                    "score_a": base_scores[a],
                    "score_b": base_scores[b],
                    "base_prevalence": base,
                    "share_flipped": float(np.isfinite(m).mean()),
                    "prevalence": q[1],
                    "ci_low": q[0],
                    "ci_high": q[2],
                    "increase": q[1] - base,
                }
            )
    return pd.DataFrame(rows, columns=list(CROSSOVER_COLUMNS))
