"""Synthetic data with injected issues, shared by the checks tests."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Injected:
    """Features, labels and the rows where each kind of issue was injected."""

    X: np.ndarray
    y: np.ndarray
    flipped: np.ndarray
    outliers: np.ndarray
    exact: np.ndarray
    near: np.ndarray


def blobs_with_issues(n: int = 600, d: int = 5, centers: int = 3, seed: int = 0) -> Injected:
    """Well-separated Gaussian blobs with flipped labels, far outliers, exact and near duplicates."""
    rng = np.random.default_rng(seed)
    mu = rng.normal(scale=6.0, size=(centers, d))
    y = rng.integers(0, centers, n)
    X = mu[y] + rng.normal(size=(n, d))
    rows = rng.permutation(n)
    flipped, outliers, exact_src, exact_dst, near_src, near_dst = np.split(rows[:60], [10, 20, 30, 40, 50])
    y[flipped] = (y[flipped] + 1) % centers
    X[outliers] = mu[y[outliers]] + rng.normal(size=(10, d)) * 1.0 + 12.0 * rng.choice([-1, 1], size=(10, d))
    X[exact_dst] = X[exact_src]
    y[exact_dst] = y[exact_src]
    X[near_dst] = X[near_src] + rng.normal(scale=1e-4, size=(10, d))
    y[near_dst] = y[near_src]
    return Injected(X, y, flipped, outliers, np.r_[exact_src, exact_dst], np.r_[near_src, near_dst])
