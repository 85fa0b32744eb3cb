"""The triad gate of the dependent-pair check: a pair's excess agreement must be its own.

A pair of annotators whose agreements exceed what a fitted Dawid-Skene model predicts may be a
dependent pair (a direct effect between two indicators, Hagenaars 1988 [1]_) or a misfit that is
not the pair's: on crowds where a few good annotators stand among many lured ones, every pair of
the good ones agrees more than the class-conditional model predicts (what a second latent
dimension does; Chen and Thissen 1997 [2]_ note that their pairwise local-dependence index flags
it too). Such an excess is shared with a third annotator; a pair's own link is not. A pair is
kept only if its agreement ``z`` exceeds, by the check's threshold, the largest excess both
members share with any third annotator ``c``:

.. math:: z_{ab} - \\max(0, \\max_c \\min(z_{ac}, z_{bc})) > \\text{threshold},

``c`` over the annotators sharing at least ``min_shared`` items with each member and not found
dependent with both (a triangle of found pairs is one clique, as three accounts of one worker are:
the excess each pair shares with the third is the clique's own links, so the third does not count
against them), every ``z`` the
pair's agreements on its shared items against the model's prediction from each item's other
answers (the posterior predictive discrepancy of :mod:`._pair_check`, Gelman, Meng and Stern 1996
[3]_). :func:`triad_keep` is the gate for any ``z``; :func:`model_z` is that ``z`` under a model
``(prior, confusion)`` of count rows (:class:`._pair_check.CountRows`), and :class:`MatrixRows`
makes the count rows of a dense label matrix (``weak.LabelModel``'s votes), so that the label
model's gate and ``aggregate.DawidSkene``'s are one computation.

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

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ._pair_check import CountRows, Entries, check_one_pair, log_given_of
from ._pair_list import check_pair_list

__all__ = ["MatrixRows", "matrix_shared_pairs", "matrix_triad_keep", "model_z", "triad_keep", "triad_pairs"]


def _thirds(
    pairs: np.ndarray, shared: tuple[np.ndarray, np.ndarray, np.ndarray], min_shared: float
) -> list[tuple[int, int, list[int]]]:
    """Each row of ``pairs`` as ``(a, b, thirds)``: the annotators compared with the pair by
    :func:`triad_keep` (sorted)."""
    x, y, n = shared
    big = np.asarray(n) >= min_shared
    partners: dict[int, set[int]] = {}
    for u, v in zip(np.asarray(x)[big].tolist(), np.asarray(y)[big].tolist(), strict=True):
        partners.setdefault(u, set()).add(v)
        partners.setdefault(v, set()).add(u)
    found = {(min(int(u), int(v)), max(int(u), int(v))) for u, v in np.asarray(pairs)[:, :2].tolist()}

    def linked(u: int, v: int) -> bool:
        return (min(u, v), max(u, v)) in found

    out = []
    for row in np.asarray(pairs)[:, :2].tolist():
        a, b = int(row[0]), int(row[1])
        # a third the check links to both members is one clique with them (three accounts of one
        # worker): its excess is the clique's own, not a misfit shared from outside
        thirds = {
            c for c in (partners.get(a, set()) & partners.get(b, set())) - {a, b} if not (linked(a, c) and linked(b, c))
        }
        out.append((a, b, sorted(thirds)))
    return out


def triad_pairs(
    pairs: np.ndarray, shared: tuple[np.ndarray, np.ndarray, np.ndarray], min_shared: float
) -> list[tuple[int, int]]:
    """The pairs of annotators ``(x, y)``, ``x < y``, whose ``z`` :func:`triad_keep` reads (in the
    order it first reads them), so that a caller can compute them all at once."""
    keys: dict[tuple[int, int], None] = {}
    for a, b, thirds in _thirds(pairs, shared, min_shared):
        for c in thirds:
            keys[(min(a, c), max(a, c))] = keys[(min(b, c), max(b, c))] = None
        keys[(min(a, b), max(a, b))] = None
    return list(keys)


def triad_keep(
    pairs: np.ndarray,
    z_of: Callable[[int, int], float],
    shared: tuple[np.ndarray, np.ndarray, np.ndarray],
    min_shared: float,
    threshold: float,
) -> np.ndarray:
    """Which of ``pairs`` (rows ``a, b, ...``) pass the triad gate (module docstring).

    Parameters
    ----------
    pairs : ndarray of shape (n_pairs, >= 2)
        The pairs the check found, annotator codes in the first two columns.
    z_of : callable
        ``z_of(x, y)``: the agreement ``z`` of annotators ``x < y`` under the model (called once per
        pair of annotators; :func:`triad_pairs` lists them).
    shared : (ndarray, ndarray, ndarray)
        Pairs of annotators ``(x, y)`` and the items each shares (as :func:`._pair_check.shared_pairs`
        returns them); a third annotator is compared only if it shares ``min_shared`` items with
        each member.
    min_shared : float
    threshold : float
        The check's ``z`` threshold.

    Returns
    -------
    ndarray of bool, shape (n_pairs,)
    """
    cache: dict[tuple[int, int], float] = {}

    def z(u: int, v: int) -> float:
        key = (min(u, v), max(u, v))
        if key not in cache:
            cache[key] = float(z_of(*key))
        return cache[key]

    keep = np.zeros(len(pairs), dtype=bool)
    for t, (a, b, thirds) in enumerate(_thirds(pairs, shared, min_shared)):
        base = max([0.0, *(min(z(a, c), z(b, c)) for c in thirds)])
        keep[t] = z(a, b) - base > threshold
    return keep


def model_z(
    obs: CountRows, ent: Entries, prior: np.ndarray, conf: np.ndarray, listed: Sequence[tuple[int, int]] = ()
) -> Callable[[int, int], float]:
    """``z_of(x, y)`` for :func:`triad_keep`: the held-out agreement ``z`` of annotators ``x`` and ``y``
    on the rows of ``obs`` both answered, under the model ``prior``, ``conf[j, true, given]``
    (:func:`._pair_check.check_one_pair`, the pair's own confusion matrices those of the model).
    The pairs ``listed`` are computed at once (:func:`._pair_list.check_pair_list`, the same bits),
    any other pair when asked."""
    log_given, log_prior = log_given_of(obs, conf), np.log(prior)
    table: dict[tuple[int, int], float] = {}
    if len(listed):
        a, b = np.array(listed, dtype=np.int64).reshape(-1, 2).T
        table = dict(zip(listed, check_pair_list(obs, ent, log_given, log_prior, conf, a, b).z.tolist(), strict=True))

    def z_of(x: int, y: int) -> float:
        if (x, y) not in table:
            table[(x, y)] = float(check_one_pair(obs, ent, log_given, log_prior, conf, x, y).z[0])
        return table[(x, y)]

    return z_of


@dataclass(frozen=True)
class MatrixRows:
    """The count rows (:class:`._pair_check.CountRows`) of a dense label matrix: one row per item
    (weight 1), one column per (labeler, class), one entry per vote."""

    m: sp.csr_matrix
    weights: np.ndarray
    annotator_of: np.ndarray
    label_of: np.ndarray

    @classmethod
    def build(cls, matrix: np.ndarray, k: int, weights: np.ndarray | None = None) -> MatrixRows:
        """From ``matrix`` (items x labelers, class codes ``0 .. k - 1``, ``-1`` where no vote); ``weights``: the
        items each row stands for (distinct vote rows), 1 each when not given."""
        n, m = matrix.shape
        flat = np.ascontiguousarray(matrix).ravel()
        at = np.flatnonzero(flat >= 0)
        # row-major: each row's columns ``labeler * k + class`` increase, the CSR that the COO triplets give
        indptr = np.searchsorted(at, np.arange(n + 1) * m)
        index = np.int32 if max(m * k, len(at)) < np.iinfo(np.int32).max else np.int64
        indices = ((at % m) * k + flat[at]).astype(index)
        m_csr = sp.csr_matrix((np.ones(len(at)), indices, indptr.astype(index)), shape=(n, m * k))
        w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
        return cls(m_csr, w, np.repeat(np.arange(m), k), np.tile(np.arange(k), m))


def matrix_shared_pairs(
    matrix: np.ndarray, min_shared: float, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`._pair_check.shared_pairs` of :meth:`MatrixRows.build`'s rows of ``matrix`` (``-1``: no
    vote; ``weights``: the items each row stands for): the pairs of labelers ``(a, b)``, ``a < b``,
    voting together on at least ``min_shared`` items (and on one), by ``a``, then ``b``, and those
    numbers of items. Counted as a dense product of the vote indicator: sums of ones (of whole
    weights), exact, so the same numbers as the sparse gram's, and as the items' own."""
    voted = (matrix >= 0).astype(np.float64)
    counts = voted.T @ (voted if weights is None else voted * np.asarray(weights, dtype=np.float64)[:, None])
    a, b = np.triu_indices(matrix.shape[1], k=1)
    shared = counts[a, b]
    keep = (shared >= min_shared) & (shared > 0)
    return a[keep].astype(np.int64), b[keep].astype(np.int64), shared[keep]


def matrix_triad_keep(
    matrix: np.ndarray,
    prior: np.ndarray,
    conf: np.ndarray,
    pairs: np.ndarray,
    threshold: float,
    min_shared: int,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """:func:`triad_keep` of ``pairs`` for a dense label matrix (``-1``: no vote; ``weights``: the items
    each row stands for, its distinct rows counted once each) under the model ``prior``,
    ``conf[j, true, given]``: the gate of ``weak.LabelModel(pair_check_triad=True)``."""
    obs = MatrixRows.build(matrix, len(prior), weights)
    n_lab = matrix.shape[1]
    shared = matrix_shared_pairs(matrix, float(min_shared), weights)
    z_of = model_z(obs, Entries.build(obs, n_lab), prior, conf, triad_pairs(pairs, shared, min_shared))
    return triad_keep(pairs, z_of, shared, min_shared, threshold)
