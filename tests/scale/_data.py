"""Synthetic noisy probabilities for the scale tests (the same generator as tests/audit)."""

from __future__ import annotations

import numpy as np


def noisy_probs(n: int, k: int, *, noise: float = 0.2, seed: int = 0, dtype=np.float32):
    """Dirichlet probabilities peaked on a true class; ``noise`` of the labels flipped."""
    rng = np.random.default_rng(seed)
    true = rng.integers(0, k, n)
    alpha = np.ones((n, k))
    alpha[np.arange(n), true] += 3.0 * rng.uniform(0.2, 2.0, n)
    probs = rng.gamma(alpha)
    probs /= probs.sum(axis=1, keepdims=True)
    labels = true.copy()
    flip = rng.random(n) < noise
    labels[flip] = (true[flip] + rng.integers(1, k, flip.sum())) % k
    return labels, probs.astype(dtype)
