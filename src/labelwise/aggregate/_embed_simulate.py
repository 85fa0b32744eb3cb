"""Simulated answers given as vectors, for the tests and the benchmark: each item has a true unit
vector; each annotator answers it with Gaussian noise of its own scale, and spammers answer with an
unrelated random vector."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_fraction, check_positive_int, check_random_state

__all__ = ["SimulatedVectors", "simulate_vector_answers"]


@dataclass(frozen=True)
class SimulatedVectors:
    """``answers`` (item, annotator, answer: the row's position as text), ``embeddings`` (one row per
    answer), ``truth`` (one row per item, items ``0..n_items-1``) and each annotator's ``noise``
    scale (``inf`` for a spammer)."""

    answers: pd.DataFrame
    embeddings: np.ndarray
    truth: np.ndarray
    noise: np.ndarray


def simulate_vector_answers(
    n_items: int,
    n_annotators: int = 10,
    *,
    dim: int = 16,
    answers_per_item: int = 4,
    spammer_share: float = 0.1,
    random_state: Any = None,
) -> SimulatedVectors:
    """``answers_per_item`` distinct annotators per item (fewer when there are fewer annotators),
    noise scales log-uniform in [0.1, 1.5] per coordinate, a share of spammers."""
    check_positive_int("n_items", n_items)
    check_positive_int("n_annotators", n_annotators)
    check_positive_int("dim", dim)
    check_positive_int("answers_per_item", answers_per_item)
    check_fraction("spammer_share", spammer_share)
    rng = check_random_state(random_state)
    truth = rng.normal(size=(n_items, dim))
    truth /= np.linalg.norm(truth, axis=1, keepdims=True)
    noise = np.exp(rng.uniform(np.log(0.1), np.log(1.5), n_annotators)) / np.sqrt(dim)
    noise[rng.random(n_annotators) < spammer_share] = np.inf
    m = min(answers_per_item, n_annotators)
    # m distinct annotators per item: the first m of a random permutation, per item, vectorised
    annotators = np.argsort(rng.random((n_items, n_annotators)), axis=1)[:, :m].ravel()
    items = np.repeat(np.arange(n_items), m)
    scale = noise[annotators][:, None]
    spam = np.isinf(noise[annotators])
    X = truth[items] + rng.normal(size=(len(items), dim)) * np.where(spam[:, None], 0.0, scale)
    X[spam] = rng.normal(size=(int(spam.sum()), dim)) / np.sqrt(dim)
    answers = pd.DataFrame(
        {
            "item": items,
            "annotator": np.array([f"w{k}" for k in range(n_annotators)], dtype=object)[annotators],
            "answer": np.array([f"a{k}" for k in range(len(items))], dtype=object),
        }
    )
    return SimulatedVectors(answers, X, truth, noise)
