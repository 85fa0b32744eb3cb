"""Simulated labeling-function votes with known truth: low coverage, unipolar rules, correlated copies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_fraction, check_positive_int, check_random_state
from ..errors import InvalidParameterError
from ._votes import ABSTAIN, Votes, as_votes

__all__ = ["SimulatedVotes", "simulate_lfs"]


@dataclass(frozen=True)
class SimulatedVotes:
    """Simulated votes and the truth they were drawn from.

    Attributes
    ----------
    votes : Votes
    truth : pandas.Series indexed by item
    accuracy : ndarray (m,)  the accuracy each function was drawn with (P(vote = truth | vote))
    coverage : ndarray (m,)  the target coverage of each function
    parent : ndarray (m,)    the function each one copies (-1: independent)
    """

    votes: Votes
    truth: pd.Series
    accuracy: np.ndarray
    coverage: np.ndarray
    parent: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """One row per labeler: accuracy, coverage, parent."""
        return pd.DataFrame(
            {"accuracy": self.accuracy, "coverage": self.coverage, "parent": self.parent},
            index=pd.Index(self.votes.labelers, name="labeler"),
        )


def _independent(
    rng: np.random.Generator, y: np.ndarray, k: int, cov: float, acc: float, target: int | None
) -> np.ndarray:
    n = len(y)
    out = np.full(n, ABSTAIN, dtype=np.int64)
    if target is None:  # votes any class: right with probability acc, else a uniform wrong class
        fires = rng.random(n) < cov
        wrong = (y + rng.integers(1, k, n)) % k
        out[fires] = np.where(rng.random(n) < acc, y, wrong)[fires]
        return out
    # unipolar (a keyword rule): votes `target` only; fires on its class often, elsewhere rarely,
    # with rates set so that its precision is about acc
    share = max(float(np.mean(y == target)), 1e-3)
    hit = min(1.0, cov / share * acc)
    miss = min(1.0, cov * (1 - acc) / max(1 - share, 1e-3))
    fires = np.where(y == target, rng.random(n) < hit, rng.random(n) < miss)
    out[fires] = target
    return out


def simulate_lfs(
    n_items: int = 10_000,
    n_lfs: int = 10,
    n_classes: int = 2,
    *,
    coverage: tuple[float, float] = (0.05, 0.6),
    accuracy: tuple[float, float] = (0.55, 0.9),
    unipolar: float = 0.5,
    n_correlated: int = 0,
    copy_rate: float = 0.8,
    imbalance: float = 1.0,
    random_state: Any = None,
) -> SimulatedVotes:
    """Draw votes of labeling functions on items whose true class is known.

    Parameters
    ----------
    n_items, n_lfs, n_classes : int
    coverage, accuracy : (low, high)
        Each function's coverage and precision are drawn uniformly from these ranges.
    unipolar : float in [0, 1]
        Share of functions that only ever vote one class (keyword rules); the others vote any.
    n_correlated : int
        Extra functions that copy another function's output (abstains included) with
        probability ``copy_rate``, and otherwise vote on their own: correlated errors that a
        model assuming independence double-counts.
    imbalance : float >= 1
        Ratio of the most to the least frequent class (geometric class balance).
    random_state : int or Generator

    Returns
    -------
    SimulatedVotes
    """
    check_positive_int("n_items", n_items)
    check_positive_int("n_lfs", n_lfs)
    check_positive_int("n_classes", n_classes, minimum=2)
    check_positive_int("n_correlated", n_correlated, minimum=0)
    check_fraction("unipolar", unipolar, closed_high=True)
    check_fraction("copy_rate", copy_rate, closed_high=True)
    for name, rng_ in (("coverage", coverage), ("accuracy", accuracy)):
        if len(rng_) != 2 or not 0 < rng_[0] <= rng_[1] <= 1:
            raise InvalidParameterError(f"{name} must be (low, high) with 0 < low <= high <= 1, got {rng_!r}")
    if isinstance(imbalance, bool) or not isinstance(imbalance, (int, float)) or not imbalance >= 1:
        raise InvalidParameterError(f"imbalance must be a number >= 1, got {imbalance!r}")
    rng = check_random_state(random_state)
    k = n_classes
    prior = imbalance ** (-np.arange(k) / max(k - 1, 1))
    prior /= prior.sum()
    y = rng.choice(k, size=n_items, p=prior)
    m = n_lfs + n_correlated
    cov = rng.uniform(*coverage, m)
    acc = rng.uniform(*accuracy, m)
    parent = np.full(m, -1)
    columns: list[np.ndarray] = []
    for j in range(m):
        target = int(rng.integers(k)) if rng.random() < unipolar else None
        own = _independent(rng, y, k, cov[j], acc[j], target)
        if j >= n_lfs:
            parent[j] = int(rng.integers(n_lfs))
            copy = rng.random(n_items) < copy_rate
            own = np.where(copy, columns[parent[j]], own)
        columns.append(own)
    matrix = np.column_stack(columns)
    votes = as_votes(matrix, classes=np.arange(k))
    return SimulatedVotes(votes, pd.Series(y, index=votes.items, name="truth"), acc, cov, parent)
