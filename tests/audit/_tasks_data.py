"""Simulated inputs shared by the tests of the label-shape audits."""

from __future__ import annotations

import numpy as np

from labelwise.noise import flip_tags


def multilabel_case(n: int = 600, k: int = 5, seed: int = 0, drop: float = 0.15, add: float = 0.02):
    """True tags, noisy tags and per-tag probabilities from a model that is right most of the time."""
    rng = np.random.default_rng(seed)
    truth = rng.random((n, k)) < rng.uniform(0.15, 0.5, k)
    noisy = flip_tags(truth, drop_rate=drop, add_rate=add, random_state=seed + 1000)
    logits = np.where(truth, 2.0, -2.0) + rng.normal(0, 1.2, (n, k))
    probs = 1.0 / (1.0 + np.exp(-logits))
    return truth, noisy, probs
