"""Sets of ``benchmarks/dev_weak_low_coverage_peers.sparse_set``'s family (few functions of coverage 0.05-0.6) for
the weak tests."""

from __future__ import annotations

import numpy as np

from labelwise import weak


def drawn_set(
    seed: int, n_items: int, n_lfs: int, k: int, unipolar: float, copies: int, imbalance: float
) -> weak.SimulatedVotes:
    """The family's set of ``seed`` with its draws given."""
    return weak.simulate_lfs(
        n_items=n_items,
        n_lfs=n_lfs,
        n_classes=k,
        coverage=(0.05, 0.6),
        accuracy=(0.3 + 0.5 / k, 0.9),
        unipolar=unipolar,
        n_correlated=copies,
        imbalance=imbalance,
        random_state=seed,
    )


def family_set(seed: int) -> tuple[int, weak.SimulatedVotes]:
    """K and the family's set of ``seed``, its settings drawn as the benchmark script draws them."""
    rng = np.random.default_rng(seed)
    k, m, n = int(rng.integers(2, 6)), int(rng.integers(3, 15)), int(rng.integers(300, 2000))
    unipolar, copies, imbalance = float(rng.uniform(0, 0.8)), int(rng.integers(0, 3)), float(rng.uniform(1, 4))
    return k, drawn_set(seed, n, m, k, unipolar, copies, imbalance)
