"""Simulated crowd comparisons with known strengths (for tests, the benchmark and the docs).

Items have log-strengths drawn from a normal distribution; each comparison is a random pair of
distinct items shown to a random annotator, who answers by the noisy Bradley-Terry model
(Bugakova et al. 2019): with probability ``reliability`` by the Bradley-Terry probability, else
"left" with probability ``left_bias``. Spammers have reliability 0 and bias 0.5; a position-biased
annotator has reliability 0 and bias near 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._validate.arguments import check_positive_int, check_random_state

__all__ = ["SimulatedComparisons", "simulate_comparisons"]


@dataclass(frozen=True)
class SimulatedComparisons:
    """The comparisons (``left``, ``right``, ``winner``, ``annotator``), the true log-strengths by
    item, and each annotator's reliability and left bias."""

    pairs: pd.DataFrame
    strength: pd.Series
    reliability: pd.Series
    left_bias: pd.Series


def simulate_comparisons(
    n_items: int,
    n_comparisons: int,
    *,
    n_annotators: int = 30,
    spammers: float = 0.2,
    biased: int = 1,
    spread: float = 1.5,
    random_state=None,
) -> SimulatedComparisons:
    """Simulate ``n_comparisons`` answers on ``n_items`` items (see the module's docstring).

    A fraction ``spammers`` of the annotators answer at random, ``biased`` always pick the left
    item, the others follow the model with a reliability drawn uniformly in [0.6, 1].
    """
    check_positive_int("n_items", n_items, minimum=2)
    check_positive_int("n_comparisons", n_comparisons)
    check_positive_int("n_annotators", n_annotators)
    rng = check_random_state(random_state)
    strength = rng.normal(0.0, spread, n_items)
    n_spam = int(round(spammers * n_annotators))
    reliability = rng.uniform(0.6, 1.0, n_annotators)
    bias = np.full(n_annotators, 0.5)
    reliability[:n_spam] = 0.0
    reliability[n_spam : n_spam + biased] = 0.0
    bias[n_spam : n_spam + biased] = 0.95
    left = rng.integers(0, n_items, n_comparisons)
    right = (left + rng.integers(1, n_items, n_comparisons)) % n_items
    who = rng.integers(0, n_annotators, n_comparisons)
    p_model = 1.0 / (1.0 + np.exp(strength[right] - strength[left]))
    p_left = reliability[who] * p_model + (1.0 - reliability[who]) * bias[who]
    left_won = rng.random(n_comparisons) < p_left
    names = np.array([f"i{k:06d}" for k in range(n_items)], dtype=object)
    workers = np.array([f"w{k:03d}" for k in range(n_annotators)], dtype=object)
    pairs = pd.DataFrame(
        {
            "left": names[left],
            "right": names[right],
            "winner": np.where(left_won, names[left], names[right]),
            "annotator": workers[who],
        }
    )
    return SimulatedComparisons(
        pairs,
        pd.Series(strength, index=pd.Index(names, name="item"), name="strength"),
        pd.Series(reliability, index=pd.Index(workers, name="annotator"), name="reliability"),
        pd.Series(bias, index=pd.Index(workers, name="annotator"), name="left_bias"),
    )
