"""Synthetic out-of-fold probabilities with known label noise, shared by the audit tests."""

from __future__ import annotations

import numpy as np


def noisy_probs(n: int, k: int, *, noise: float = 0.15, seed: int = 0, sharpness: float = 3.0, dtype=np.float64):
    """Dirichlet probabilities peaked on a true class, and labels with ``noise`` of them flipped.

    Returns ``labels, probs, true_labels``. Values are continuous, so exact ties are absent.
    """
    rng = np.random.default_rng(seed)
    true = rng.integers(0, k, n)
    alpha = np.ones((n, k))
    alpha[np.arange(n), true] += sharpness * rng.uniform(0.2, 2.0, n)
    probs = rng.gamma(alpha)
    probs /= probs.sum(axis=1, keepdims=True)
    labels = true.copy()
    flip = rng.random(n) < noise
    labels[flip] = (true[flip] + rng.integers(1, k, flip.sum())) % k
    return labels, probs.astype(dtype), true
