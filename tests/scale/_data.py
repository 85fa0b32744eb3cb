"""Shared pieces of the scale tests: synthetic noisy probabilities (the same generator as
tests/audit), hypothesis row chunkings, the synchronous scheduler unless a test takes the cluster."""

from __future__ import annotations

import numpy as np
import pytest


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


def random_chunks(draw, n: int, max_cuts: int = 12) -> tuple[int, ...]:
    """Row chunks summing to n, with empty chunks and chunks of one row among them (``draw``: a
    hypothesis composite's)."""
    from hypothesis import strategies as st

    cuts = sorted(draw(st.lists(st.integers(0, n), max_size=max_cuts)))
    sizes = np.diff([0, *cuts, n]).tolist()
    if n and draw(st.booleans()):  # a one-row chunk first, taken from the largest
        largest = int(np.argmax(sizes))
        sizes = [1, *sizes[:largest], sizes[largest] - 1, *sizes[largest + 1 :]]
    return tuple(sizes)


@pytest.fixture(autouse=True)
def sync_scheduler(request):
    """Dask's synchronous scheduler, unless the test takes the LocalCluster ``client`` fixture
    (autouse in a module that imports it)."""
    import dask

    if "client" in request.fixturenames:
        yield
        return
    with dask.config.set(scheduler="sync"):
        yield
