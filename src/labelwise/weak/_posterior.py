"""Posteriors and EM steps shared by the label models.

The votes of a *group* of labeling functions (one function, or a clique of dependent ones) form
one categorical outcome per item: the tuple of their votes, abstains included, coded
``Σ_t (λ_{j_t} + 1)·(K+1)^t``. The model is conditionally independent *between* groups given the
true class, with a free categorical distribution of the group's outcome per class. A singleton
group is a function with its abstain as the (K+1)-th outcome; a clique models its members' joint
votes, so correlated functions are not counted twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._validate.arguments import check_random_state
from ..aggregate._base import TIE_RTOL, _tied_cells, argmax_random_ties, log_normalize
from ..aggregate._columnwise import columnwise
from ..aggregate._observed import csr_times_dense
from ._shared_steps import reused_for
from ._votes import kept_entries

__all__ = [
    "FLOOR",
    "VotedOutcomes",
    "confusion_from_mu",
    "confusion_given_votes",
    "em_m_step",
    "group_indicator",
    "group_mu_from_lf_mu",
    "item_argmax",
    "lf_mu_from_posterior",
    "pattern_sums",
    "posterior",
    "sorted_positions",
    "vote_counts",
    "vote_shares",
    "voted_outcomes",
]

FLOOR = 1e-6


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


def group_mu_from_lf_mu(mu: np.ndarray, n_classes: int, n_lfs: int) -> np.ndarray:
    """Singleton-group outcome probabilities from ``μ[(j,a),y]``: abstain gets ``1 − Σ_a μ``."""
    k = n_classes
    cond = np.clip(mu.reshape(n_lfs, k, k), FLOOR, 1.0)
    absent = np.clip(1.0 - cond.sum(axis=1, keepdims=True), FLOOR, 1.0)
    return np.concatenate([absent, cond], axis=1).reshape(n_lfs * (k + 1), k)


def posterior(
    lam: sp.csr_matrix | VotedOutcomes, mu: np.ndarray, p: np.ndarray, log_mu: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``P(Y | votes)`` and per-item ``log P(votes)``: ``log p_y + Σ_groups log μ[outcome, y]``, normalised.

    Computed in log space with the row maximum subtracted: a product of hundreds of probabilities
    underflows in linear space. ``lam``: the outcome indicator, or its :class:`VotedOutcomes` form. ``log_mu``:
    ``log(max(mu, FLOOR))`` where the caller has it (EM's step, which reads it for its prior too).
    """
    log_mu = np.log(np.maximum(mu, FLOOR)) if log_mu is None else log_mu
    log_p = np.log(np.maximum(p, FLOOR))
    if isinstance(lam, VotedOutcomes):
        log_joint = lam.log_joint(log_mu, log_p)
    else:
        log_joint = np.asarray(lam @ log_mu)
        columnwise(np.add, log_joint, log_p)
    return log_normalize(log_joint, overwrite=True)  # column-wise row max/sum: fast on items x classes


def column_sums(a: np.ndarray) -> np.ndarray:
    """Column sums of a tall (items x classes) array as one matrix-vector product (numpy's
    ``sum(axis=0)`` takes as long as the E-step's sparse product on such arrays)."""
    return np.ones(a.shape[0]) @ a


def _outcome_counts(lam_t: sp.csr_matrix | VotedOutcomes, post: np.ndarray, mass: np.ndarray) -> np.ndarray:
    return lam_t.counts(post, mass) if isinstance(lam_t, VotedOutcomes) else np.asarray(lam_t @ post)


def _mass(lam_t: sp.csr_matrix | VotedOutcomes, post: np.ndarray) -> np.ndarray:
    return lam_t.mass(post) if isinstance(lam_t, VotedOutcomes) else column_sums(post)


def em_m_step(
    lam_t: sp.csr_matrix | VotedOutcomes, post: np.ndarray, smoothing: float, n_outcomes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """M-step: ``μ[outcome, y] ∝ Σ_i T[i, y] [item i has outcome] + smoothing``, and ``p = mean T``.

    ``lam_t``: the transposed outcome indicator, or its :class:`VotedOutcomes` form (with weights,
    each row of ``post`` counts ``weights[i]`` times)."""
    mass = _mass(lam_t, post)
    counts = _outcome_counts(lam_t, post, mass)
    mu = (counts + smoothing) / (mass[None, :] + smoothing * n_outcomes[:, None])
    return mu, mass / mass.sum()


def lf_mu_from_posterior(lf_lam_t: sp.csr_matrix, post: np.ndarray) -> np.ndarray:
    """Per-function ``μ[(j,a),y] = Σ_i T[i,y] λ_i[(j,a)] / Σ_i T[i,y]`` (the marginal of any group model)."""
    return np.asarray(lf_lam_t @ post) / np.maximum(column_sums(post), FLOOR)


def vote_counts(lam: sp.csr_matrix, n_lfs: int, n_classes: int) -> np.ndarray:
    """Per-item number of votes for each class, (n, K), from the (n, m·K) indicator."""
    fold = np.tile(np.eye(n_classes), (n_lfs, 1))  # dense: a sparse-times-dense product is the fast one
    return np.asarray(lam @ fold)


def vote_shares(lam: sp.csr_matrix, n_lfs: int, n_classes: int, counts: np.ndarray | None = None) -> np.ndarray:
    """Per-item share of votes for each class (uniform where nobody voted), from the (n, m·K)
    indicator (or from its :func:`vote_counts`, if given)."""
    if counts is None:  # the indicator's, once per indicator where the label model's fits share their steps
        key = ("vote_shares", n_lfs, n_classes)
        return reused_for(lam, key, lambda: _shares(vote_counts(lam, n_lfs, n_classes), n_classes))
    return _shares(counts, n_classes)


def _shares(counts: np.ndarray, n_classes: int) -> np.ndarray:
    """:func:`vote_shares` from the vote counts."""
    total = counts.sum(axis=1, keepdims=True)
    return np.where(total > 0, counts / np.maximum(total, 1), 1.0 / n_classes)


def item_argmax(post: np.ndarray, random_state: Any, items: pd.Index, row_of: np.ndarray | None = None) -> np.ndarray:
    """Each item's most probable class, ties broken as :class:`labelwise.aggregate.MajorityVote` breaks them.

    ``post`` has one row per item, or one per distinct vote row with ``row_of`` the row of each item.
    Classes within :func:`~labelwise.aggregate._base.argmax_random_ties`' tolerance of the row's
    maximum tie, and every tied *item* gets its own seeded draw, the items taken in sorted order of
    their names: the labels depend on ``random_state`` and on which items tie, never on the order of
    the votes' rows nor on which items share a vote row (a tied row of hundreds of items is split,
    not sent to one class together). With the same posterior rows, the same tied items and the same
    seed, the codes are ``MajorityVote``'s. Only the tied items' names are sorted (the untied take no
    draw), so a million string ids cost no sort when few items tie.
    """
    rng = check_random_state(random_state)
    post = np.asarray(post, dtype=np.float64)
    tied, n_tied = _tied_cells(post, TIE_RTOL)
    codes = tied.argmax(axis=1)
    if row_of is not None:
        codes, n_tied = codes[row_of], n_tied[row_of]
    multi = np.flatnonzero(n_tied > 1)
    if multi.size:
        order = sorted_positions(items[multi])
        multi = multi if order is None else multi[order]
        codes[multi] = argmax_random_ties(post, rng, row_group=multi if row_of is None else row_of[multi])
    return codes


def sorted_positions(items: pd.Index) -> np.ndarray | None:
    """Positions of ``items`` in their sorted order (``None``: already sorted); names of mutually
    unorderable types are sorted by type name, then text."""
    if items.is_monotonic_increasing:
        return None
    try:
        return np.asarray(items.argsort(), dtype=np.intp)
    except TypeError:
        keys = [(type(x).__name__, str(x)) for x in items]
        return np.asarray(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.intp)


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


def pattern_sums(values: np.ndarray, patterns: np.ndarray, n_patterns: int) -> np.ndarray:
    """(n_patterns, K): per voting pattern and class, the sum of ``values``' (outcome columns x K) rows of
    that pattern, in column order (one weighted :func:`numpy.bincount` per class: on these few columns
    one bincount over (pattern, class) keys, the same sums, costs more to set up than it saves)."""
    k = values.shape[1]
    return np.stack([np.bincount(patterns, weights=values[:, y], minlength=n_patterns) for y in range(k)], axis=1)


def em_m_step_missing(
    lam_t: sp.csr_matrix | VotedOutcomes,
    post: np.ndarray,
    smoothing: float,
    patterns: np.ndarray,
    pattern_group: np.ndarray,
    prior: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """M-step when abstaining says nothing about the class (Dawid-Skene's missing answers).

    ``P(outcome | y) = P(pattern) · P(votes | pattern, y)``: which functions of a group vote is
    independent of the class (one probability per pattern), the votes given the pattern are not.
    ``prior`` (outcome columns x classes) replaces ``smoothing`` as the pseudo-counts of the votes
    given the pattern (a Dirichlet prior, MAP estimate); the pattern probabilities keep ``smoothing``.
    ``lam_t``: the transposed outcome indicator, or its :class:`VotedOutcomes` form (with weights,
    each row of ``post`` counts ``weights[i]`` times).
    """
    mass = _mass(lam_t, post)
    data = _outcome_counts(lam_t, post, mass)
    counts = data + smoothing
    votes = counts if prior is None else data + prior
    n_pat = len(pattern_group)

    def per_pattern(c: np.ndarray) -> np.ndarray:
        return pattern_sums(c, patterns, n_pat)

    # a pattern never seen with class y (possible with smoothing=0, e.g. the all-abstain pattern of
    # a worker who answered every item) leaves its votes' distribution undefined: take it uniform
    # (its probability is then 0 through ``share`` or the class's mass, so any choice has the same likelihood)
    total = per_pattern(votes)[patterns]
    outcomes = np.bincount(patterns, minlength=n_pat)[patterns].astype(np.float64)
    cond = np.divide(votes, total, out=np.repeat(1.0 / outcomes[:, None], votes.shape[1], axis=1), where=total > 0)
    pattern_total = per_pattern(counts).sum(axis=1)
    group_total = np.bincount(pattern_group, weights=pattern_total)
    share = pattern_total / np.maximum(group_total[pattern_group], FLOOR)
    return cond * share[patterns][:, None], mass / mass.sum()


def n_parameters(patterns: np.ndarray, pattern_group: np.ndarray, n_classes: int, informative: bool) -> int:
    """Free parameters of the group model (class balance excluded: the same in both)."""
    n_groups = int(pattern_group.max()) + 1
    if informative:
        return int((len(patterns) - n_groups) * n_classes)
    per_pattern = np.bincount(patterns, minlength=len(pattern_group))
    return int((len(pattern_group) - n_groups) + ((per_pattern - 1) * n_classes).sum())


def vote_value_log_likelihood(
    lam: sp.csr_matrix | VotedOutcomes,
    mu: np.ndarray,
    p: np.ndarray,
    pattern_of: np.ndarray,
    weights: np.ndarray,
    log_votes: np.ndarray | None = None,
) -> float:
    """``Σ_i w_i log P(votes_i | voting pattern_i)``: the log-likelihood of *what* the functions voted,
    given *which* of them voted.

    ``log P(votes) − log P(pattern)``, where ``P(pattern | y)`` sums the group model's outcome
    probabilities over the outcomes of each pattern (:func:`outcome_patterns`). The full
    likelihood also rewards a model for predicting who votes, which the label does not need to
    explain (crowd workers are assigned to items); this part scores only the votes' values.
    ``lam``: the outcome indicator, or its :class:`VotedOutcomes` form (then the pattern indicator
    is formed from the voted outcomes alone: a group's all-abstain outcome is its first pattern).
    ``log_votes``: each row's ``log P(votes)`` under ``mu`` and ``p``, if already computed (an EM
    run's last E-step).
    """
    n_patterns = int(pattern_of.max()) + 1
    fold = sp.csr_matrix(
        (np.ones(len(pattern_of)), (np.arange(len(pattern_of)), pattern_of)), shape=(len(pattern_of), n_patterns)
    )
    mu_floored = np.maximum(mu, FLOOR)
    if log_votes is None:
        _, log_votes = posterior(lam, mu_floored, p)
    by_pattern: sp.csr_matrix | VotedOutcomes
    if isinstance(lam, VotedOutcomes):
        baseline = np.empty(n_patterns, dtype=np.int64)
        baseline[pattern_of] = pattern_of[lam.baseline]
        # each row has at most one outcome per group and each group its own patterns: the pattern
        # indicator is the outcome indicator with every column renamed to its pattern
        voted = lam.lam
        renamed = sp.csr_matrix(
            (voted.data, pattern_of[voted.indices], voted.indptr), shape=(voted.shape[0], n_patterns)
        )
        by_pattern = VotedOutcomes(renamed, baseline, pattern_of[lam.starts])
    else:
        by_pattern = sp.csr_matrix(lam @ fold)
    _, log_pattern = posterior(by_pattern, np.asarray(fold.T @ mu_floored), p)
    return float(weights @ (log_votes - log_pattern))


def confusion_from_mu(mu: np.ndarray, m: int, k: int) -> np.ndarray:
    """``[j, y, a] = P(λ_j = a | Y = y, λ_j votes)`` from ``μ[(j,a),y]``, the total floored at
    :data:`FLOOR` (the agreement test's form: a row whose ``P(λ_j votes | y)`` is below it sums to
    less than 1); a model's ``confusion_`` is :func:`confusion_given_votes`."""
    cond = mu.reshape(m, k, k)
    return np.transpose(cond, (0, 2, 1)) / np.maximum(cond.sum(axis=1), FLOOR)[:, :, None]


def confusion_given_votes(mu: np.ndarray, m: int, k: int) -> np.ndarray:
    """``[j, y, a] = P(λ_j = a | Y = y, λ_j votes)`` from ``μ[(j,a),y]``: each row a distribution over
    the votes (sum 1) wherever ``P(λ_j votes | y) = Σ_a μ[(j,a),y] > 0``, however small, and NaN where
    it is 0 (the function never votes given ``y``: no distribution to give). Output only: the fit and
    the posterior read ``μ``."""
    cond = np.transpose(mu.reshape(m, k, k), (0, 2, 1))  # [j, y, a]
    total = cond.sum(axis=2, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, cond / np.where(total > 0, total, 1.0), np.nan)
