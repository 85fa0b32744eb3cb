"""The triad gate of the label model's dependent-pair check (``LabelModel(pair_check_triad=True)``).

A pair of labelers whose agreements exceed what the fitted Dawid-Skene model predicts may be a
dependent pair (a direct effect between two indicators, Hagenaars 1988) or a misfit that is not
the pair's: on crowds where a few good labelers stand among many lured ones, every pair of the
good labelers agrees more than the class-conditional model predicts (what a second latent
dimension does; Chen and Thissen 1997 note that their pairwise local-dependence index flags it
too). Such an excess is shared with a third labeler; a pair's own link is not. A pair found by the
check is kept only if its held-out agreement ``z`` exceeds, by the check's threshold, the largest
excess both members share with any third labeler ``c``: ``z_ab − max(0, max_c min(z_ac, z_bc)) >
threshold``, each ``z`` the pair's agreements on its shared items against the model's prediction
from the item's other votes (a posterior predictive discrepancy, Gelman, Meng and Stern 1996).
Chosen by the rule of ``benchmarks/dev_weak_pair_fp.py``.

References
----------
.. [1] J. A. Hagenaars, "Latent structure models with direct effects between indicators",
   Sociological Methods and Research 16(3), 379-405, 1988.
.. [2] W.-H. Chen and D. Thissen, "Local dependence indexes for item pairs using item response
   theory", Journal of Educational and Behavioral Statistics 22(3), 265-289, 1997.
.. [3] A. Gelman, X.-L. Meng and H. Stern, "Posterior predictive assessment of model fitness via
   realized discrepancies", Statistica Sinica 6, 733-807, 1996.
"""

from __future__ import annotations

import numpy as np

__all__ = ["triad_keep"]


def _pair_z(total: np.ndarray, ll: np.ndarray, matrix: np.ndarray, conf: np.ndarray, a: int, b: int) -> float:
    """Held-out agreement ``z`` of ``(a, b)``: agreements on the shared items against
    ``Σ_k π_ik Σ_l C_a[k, l] C_b[k, l]`` (``π_i``: item ``i``'s posterior from its other votes),
    over ``sqrt(Σ p_i (1 − p_i))``. ``total``: log prior plus every vote's log likelihood per item
    and class; ``ll[j]``: labeler ``j``'s part (0 where it did not vote)."""
    shared = (matrix[:, a] >= 0) & (matrix[:, b] >= 0)
    held = (total - ll[a] - ll[b])[shared]
    held -= held.max(axis=1, keepdims=True)
    post = np.exp(held)
    post /= post.sum(axis=1, keepdims=True)
    p = post @ (conf[a] * conf[b]).sum(axis=1)
    excess = float((matrix[shared, a] == matrix[shared, b]).sum() - p.sum())
    return excess / max(float(np.sqrt((p * (1.0 - p)).sum())), 1e-12)


def triad_keep(
    matrix: np.ndarray, prior: np.ndarray, conf: np.ndarray, pairs: np.ndarray, threshold: float, min_shared: int
) -> np.ndarray:
    """Which of ``pairs`` (rows ``a, b, ...``: positions of columns of ``matrix``) pass the triad gate.

    Parameters
    ----------
    matrix : ndarray of shape (n_items, n_labelers)
        Class codes, ``-1`` where a labeler did not vote.
    prior : ndarray of shape (K,)
        The fitted model's class prior.
    conf : ndarray of shape (n_labelers, K, K)
        The fitted model's confusion matrices ``conf[j, true, given]``.
    pairs : ndarray of shape (n_pairs, >= 2)
    threshold : float
        The check's ``z`` threshold.
    min_shared : int
        Third labelers sharing fewer items with either member are not compared.

    Returns
    -------
    ndarray of bool, shape (n_pairs,)
    """
    voted = matrix >= 0
    ll = np.zeros((matrix.shape[1], matrix.shape[0], len(prior)))
    for j in range(matrix.shape[1]):
        rows = np.flatnonzero(voted[:, j])
        ll[j, rows] = np.log(np.maximum(conf[j][:, matrix[rows, j]].T, 1e-300))
    total = np.log(prior)[None, :] + ll.sum(axis=0)
    n_shared = voted.T.astype(np.int64) @ voted.astype(np.int64)
    keep = np.zeros(len(pairs), dtype=bool)
    for t, row in enumerate(pairs):
        a, b = int(row[0]), int(row[1])
        base = 0.0
        for c in map(int, np.flatnonzero((n_shared[a] >= min_shared) & (n_shared[b] >= min_shared))):
            if c not in (a, b):
                base = max(base, min(_pair_z(total, ll, matrix, conf, a, c), _pair_z(total, ll, matrix, conf, b, c)))
        keep[t] = _pair_z(total, ll, matrix, conf, a, b) - base > threshold
    return keep
