"""The outcomes of groups of labeling functions: their one-hot indicator and its sparse form, by voting pattern.

The votes of a *group* of labeling functions (one function, or a clique of dependent ones) form
one categorical outcome per item: the tuple of their votes, abstains included, coded
``Σ_t (λ_{j_t} + 1)·(K+1)^t``. The model is conditionally independent *between* groups given the
true class, with a free categorical distribution of the group's outcome per class. A singleton
group is a function with its abstain as the (K+1)-th outcome; a clique models its members' joint
votes, so correlated functions are not counted twice. The posteriors and EM steps on these outcomes
are :mod:`._posterior`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from ..aggregate._columnwise import columnwise
from ..aggregate._observed import csr_times_dense
from ._votes import kept_entries

__all__ = ["VotedOutcomes", "column_sums", "group_indicator", "outcome_patterns", "voted_outcomes"]


def _group_codes(matrix: np.ndarray, n_classes: int, groups: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """(n, n_groups) outcome codes (offset into the column space) and the number of outcomes per group."""
    base = n_classes + 1
    sizes = np.array([base ** len(g) for g in groups], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    single = np.array([len(g) == 1 for g in groups], dtype=bool)
    if single.all() and [g[0] for g in groups] == list(range(matrix.shape[1])):
        return matrix + (offsets + 1)[None, :], sizes  # every function alone, in order: no column gather
    # every group's first member (a single function's whole code) in one gather, the others' digits added after:
    # integers, so the order of the additions leaves every code as it is
    codes = np.take(matrix, [g[0] for g in groups], axis=1).astype(np.int64, copy=False)
    codes += offsets + 1
    for g in np.flatnonzero(~single).tolist():
        code = codes[:, g]
        for t, j in enumerate(groups[g][1:], start=1):
            code += (matrix[:, j] + 1) * base**t
    return codes, sizes


def group_indicator(
    matrix: np.ndarray, n_classes: int, groups: Sequence[Sequence[int]]
) -> tuple[sp.csr_matrix, np.ndarray]:
    """The sparse (n, Σ_g (K+1)^|g|) one-hot outcome indicator, and each column's group size in outcomes."""
    codes, sizes = _group_codes(matrix, n_classes, groups)
    n = matrix.shape[0]
    total = int(sizes.sum())
    data = np.ones(codes.size, dtype=np.float64)
    lam = sp.csr_matrix((data, codes.ravel(), np.arange(0, codes.size + 1, len(groups))), shape=(n, total))
    return lam, np.repeat(sizes, sizes)


def voted_outcomes(
    matrix: np.ndarray, n_classes: int, groups: Sequence[Sequence[int]], lam: sp.csr_matrix | None = None
) -> tuple[VotedOutcomes, np.ndarray]:
    """:class:`VotedOutcomes` of the groups' outcomes, built from the votes directly, and each column's
    group size in outcomes: ``VotedOutcomes.build(*group_indicator(matrix, n_classes, groups))``
    without forming the full indicator (whose ``n_groups`` entries per row are mostly abstains).
    ``lam`` (optional): the one-hot vote indicator of ``matrix`` (:func:`~labelwise.weak._moments.indicator`);
    when every function is its own group, in order, its cells ``j·K + a`` are the outcomes ``j·(K+1) + 1 + a``,
    in the same order (no pass over the matrix)."""
    m = matrix.shape[1]
    if lam is not None and len(groups) == m and all(len(g) == 1 and g[0] == j for j, g in enumerate(groups)):
        sizes = np.full(m, n_classes + 1, dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        cells = lam.indices.astype(np.int64)
        indices, indptr = cells + cells // n_classes + 1, lam.indptr.astype(np.int64)
    else:
        codes, sizes = _group_codes(matrix, n_classes, groups)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        # a group's first column is its all-abstain outcome; the rest row by row, groups in order (the full
        # indicator's)
        indices, indptr = kept_entries(codes, codes != starts[None, :])
    total = int(sizes.sum())
    voted = sp.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(matrix.shape[0], total))
    n_outcomes = np.repeat(sizes, sizes)
    return VotedOutcomes(voted, np.repeat(starts, sizes), starts), n_outcomes


@dataclass(frozen=True)
class VotedOutcomes:
    """A group outcome indicator stored without each group's all-abstain outcome.

    Every item has one outcome per group, so the full indicator of :func:`group_indicator` has
    ``n_groups`` entries per row however few functions voted: on sparse crowds (hundreds of
    workers, a few answers per item) and low-coverage rules almost all of them are the all-abstain
    outcome (column 0 of each group). Taking that outcome as each group's baseline, the E-step's
    ``λ log μ`` is ``Σ_g log μ[abstain_g] + λ_voted (log μ − log μ[abstain of the column's group])``
    and the M-step's all-abstain counts are the posterior mass minus the group's other counts, so
    both products run over the outcomes with a vote only. The results are those of the full
    indicator up to the order of floating-point sums.

    Attributes
    ----------
    lam : scipy.sparse.csr_matrix (n, n_columns)
        The indicator's entries other than the all-abstain outcomes.
    baseline : ndarray of int (n_columns,)
        The all-abstain column of each column's group.
    starts : ndarray of int (n_groups,)
        The all-abstain column of each group (groups' columns are contiguous and start with it).
    weights : ndarray (n,) or None
        Items per row (:meth:`weighted`): the M-step's counts and masses then weight each row,
        ``Σ_i w_i T[i, y] …``, for an unweighted posterior ``T`` (no weighted copy of ``T`` per step).
    """

    lam: sp.csr_matrix
    baseline: np.ndarray
    starts: np.ndarray
    weights: np.ndarray | None = None

    @cached_property
    def lam_t(self) -> sp.csr_matrix:
        """The transpose of ``lam`` (for the M-step's counts), each entry times its row's weight if
        there are weights, formed once when first needed."""
        if self.weights is None:
            return self.lam.T.tocsr()
        entry_rows = np.repeat(np.arange(self.lam.shape[0]), np.diff(self.lam.indptr))
        data = self.lam.data * self.weights[entry_rows]  # entries other than 1 (weighted votes) keep their value
        weighted = sp.csr_matrix((data, self.lam.indices, self.lam.indptr), shape=self.lam.shape)
        return weighted.T.tocsr()

    def weighted(self, weights: np.ndarray) -> VotedOutcomes:
        """The same outcomes with row ``i`` standing for ``weights[i]`` items (these outcomes themselves when they
        hold those weights already: their weighted transpose is then made once)."""
        w = np.asarray(weights, dtype=np.float64)
        same = self.weights is not None and np.array_equal(self.weights, w)
        return self if same else VotedOutcomes(self.lam, self.baseline, self.starts, w)

    def mass(self, post: np.ndarray) -> np.ndarray:
        """Per class, the posterior mass ``Σ_i w_i T[i, y]`` (``w = 1`` without weights)."""
        return column_sums(post) if self.weights is None else self.weights @ post

    @classmethod
    def build(cls, lam: sp.csr_matrix, n_outcomes: np.ndarray) -> VotedOutcomes:
        """From the full indicator and each column's group size (:func:`group_indicator`'s outputs)."""
        n_outcomes = np.asarray(n_outcomes, dtype=np.int64)
        starts = []
        col = 0
        while col < len(n_outcomes):
            starts.append(col)
            col += int(n_outcomes[col])
        start_arr = np.asarray(starts, dtype=np.int64)
        baseline = np.repeat(start_arr, n_outcomes[start_arr])
        is_start = np.zeros(len(n_outcomes), dtype=bool)
        is_start[start_arr] = True
        lam = sp.csr_matrix(lam)
        keep = ~is_start[lam.indices]
        kept_before = np.concatenate([[0], np.cumsum(keep)])  # entries kept before each position
        indptr = kept_before[lam.indptr]
        voted = sp.csr_matrix((lam.data[keep], lam.indices[keep], indptr), shape=lam.shape)
        return cls(voted, baseline, start_arr)

    def __getitem__(self, rows: np.ndarray) -> VotedOutcomes:
        """The same outcomes of a subset of the rows (``voted[rows]``, as for the full indicator)."""
        weights = None if self.weights is None else self.weights[rows]
        return VotedOutcomes(sp.csr_matrix(self.lam[rows]), self.baseline, self.starts, weights)

    def log_joint(self, log_mu: np.ndarray, offset: np.ndarray | None = None) -> np.ndarray:
        """``λ log μ`` of the full indicator, (n, K), plus ``offset`` (K,) if given (one pass)."""
        # scipy's kernel of ``lam @ x`` called directly (``csr_times_dense``): the same sums, without the dispatch
        out = csr_times_dense(self.lam, log_mu - log_mu[self.baseline], np.empty((self.lam.shape[0], log_mu.shape[1])))
        constant = np.add.reduce(log_mu[self.starts], axis=0)  # ``.sum(axis=0)``'s reduction
        columnwise(np.add, out, constant if offset is None else constant + offset)  # out += ...
        return out

    def counts(self, post: np.ndarray, mass: np.ndarray | None = None) -> np.ndarray:
        """``λᵀ T`` of the full indicator (``λᵀ W T`` with weights), (n_columns, K): per outcome and
        class, the posterior mass (``mass``: :meth:`mass` of ``T``, if already computed)."""
        lam_t = self.lam_t
        out = csr_times_dense(lam_t, post, np.empty((lam_t.shape[0], post.shape[1])))  # ``lam_t @ post``'s sums
        voted = np.add.reduceat(out, self.starts, axis=0)  # the starts' rows are still zero
        total = self.mass(post) if mass is None else mass
        out[self.starts] = np.maximum(total[None, :] - voted, 0.0)
        return out


def column_sums(a: np.ndarray) -> np.ndarray:
    """Column sums of a tall (items x classes) array as one matrix-vector product (numpy's
    ``sum(axis=0)`` takes as long as the E-step's sparse product on such arrays)."""
    return np.ones(a.shape[0]) @ a


def outcome_patterns(groups: Sequence[Sequence[int]], n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """For each outcome column, the id of its *voting pattern* (which members of its group voted),
    and for each pattern, its group. Columns are in :func:`group_indicator` order."""
    base = n_classes + 1
    size = np.array([len(g) for g in groups], dtype=np.int64)
    col_start = np.cumsum(np.concatenate([[0], base**size]))[:-1]
    pat_start = np.cumsum(np.concatenate([[0], 2**size]))[:-1]
    pattern_of = np.empty(int((base**size).sum()), dtype=np.int64)
    single = np.flatnonzero(size == 1)  # most groups: pattern "abstains", then "votes" for each of the K votes
    pattern_of[col_start[single]] = pat_start[single]
    pattern_of[(col_start[single, None] + np.arange(1, base)[None, :]).ravel()] = np.repeat(
        pat_start[single] + 1, base - 1
    )
    for g in np.flatnonzero(size != 1).tolist():
        codes = np.arange(base ** len(groups[g]))
        bits = np.zeros(len(codes), dtype=np.int64)
        for t in range(len(groups[g])):
            bits += ((codes // base**t) % base > 0).astype(np.int64) << t
        pattern_of[col_start[g] : col_start[g] + len(codes)] = pat_start[g] + bits
    return pattern_of, np.repeat(np.arange(len(groups)), 2**size)
