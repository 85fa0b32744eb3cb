"""The moment fit's feasible set when it is the label model's estimate: each function's vote probabilities
given a class, ``μ[(j, ·), y]``, a sub-probability vector (non-negative, summing to at most 1, the rest
being the abstain), rather than the box ``0 ≤ μ ≤ 1``, in which ``Σ_a μ[(j, a), y]`` can exceed 1 and the
abstain probability ``1 − Σ_a μ`` be negative."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["project_sub_simplex", "sub_stochastic"]


def project_sub_simplex(v: np.ndarray) -> np.ndarray:
    """Euclidean projection of each row of ``v`` (n, K) onto ``{x ≥ 0, Σ x ≤ 1}``.

    The projection is ``max(v − θ, 0)`` with the smallest ``θ ≥ 0`` that makes the row sum at most 1: ``θ = 0``
    where the row clipped at 0 already does, else the probability-simplex projection's threshold, found by
    sorting (Held, Wolfe and Crowder 1974; Duchi, Shalev-Shwartz, Singer and Chandra 2008, Fig. 1).

    References
    ----------
    .. [1] J. Duchi, S. Shalev-Shwartz, Y. Singer and T. Chandra, "Efficient Projections onto the l1-Ball
       for Learning in High Dimensions", ICML 2008.
    """
    v = np.asarray(v, dtype=np.float64)
    out = np.maximum(v, 0.0)
    over = out.sum(axis=1) > 1.0
    if over.any():
        rows = v[over]
        u = -np.sort(-rows, axis=1)  # each row descending
        excess = np.cumsum(u, axis=1) - 1.0
        ranks = np.arange(1, u.shape[1] + 1)
        last = (u - excess / ranks > 0).sum(axis=1) - 1  # the largest index kept positive
        theta = excess[np.arange(len(rows)), last] / (last + 1)
        out[over] = np.maximum(rows - theta[:, None], 0.0)
    return out


def sub_stochastic(n_lfs: int, n_classes: int) -> Callable[[np.ndarray], np.ndarray]:
    """The projection of a flat ``μ`` (row ``j·K + a``, column ``y``, as the moment fit stores it) onto the
    ``μ`` whose every ``μ[(j, ·), y]`` is a sub-probability vector (:func:`project_sub_simplex`)."""
    k = n_classes

    def project(flat: np.ndarray) -> np.ndarray:
        by_column = flat.reshape(n_lfs, k, k).transpose(0, 2, 1).reshape(n_lfs * k, k)  # rows (j, y), entries a
        done = project_sub_simplex(by_column).reshape(n_lfs, k, k).transpose(0, 2, 1)
        return done.reshape(flat.shape)

    return project
