"""Finding correlated labeling functions: pairs that agree more often than the label model explains."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any

import numpy as np
import scipy.sparse as sp

from ._clique_cap import all_covote

__all__ = [
    "PairTables",
    "agreement_excess",
    "clique_search",
    "group_dependent",
    "joint_bic_gain",
    "same_vote_counts",
    "shared_counts",
    "shared_coverage",
    "shared_from_gram",
]


#: Smallest share of (item, function) cells with a vote at which :func:`agreement_excess` sums its
#: per-class pair counts with dense products over row blocks (BLAS) instead of sparse ones: a
#: dense product costs ``m²`` per row, a sparse one ``(share · m)²`` with far more per operation.
DENSE_SHARE = 0.1

#: Cells (rows x functions) of one dense row block.
BLOCK_CELLS = 1 << 20

#: Largest m·K (rows of the vote indicator's gram) for which :func:`same_vote_counts` reads the dense gram
#: (there a dense copy costs less than sorting out the stored entries).
DENSE_GRAM = 1024


def agreement_excess(
    lam: sp.csr_matrix,
    post: np.ndarray,
    confusion: np.ndarray,
    weights: np.ndarray | None = None,
    gram: sp.spmatrix | None = None,
    sums: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """z-score of each pair's observed agreement over the agreement conditional independence predicts.

    On the items both functions ``j, j'`` vote on, independence given the class predicts the
    agreement rate ``Σ_y q_y Σ_a C_j[y,a] C_j'[y,a]``, with ``C`` the functions' confusion given
    that they vote and ``q`` the (posterior) class mix of those items. Two functions that copy
    each other, or share a keyword, agree far more: ``z = (A − n π) / sqrt(n π (1 − π))`` with
    ``A`` the agreements and ``n`` the shared items. In the spirit of the structure learning of
    Bach et al. (2017), which also scores pairs by how much their joint votes deviate from the
    independent model; this is the one-statistic version used to pick cliques for the EM.

    ``weights`` (optional) counts the items sharing each row of ``lam`` and ``post``; ``gram``
    (optional) is ``lamᵀ W lam`` already computed with those weights; ``sums`` (optional) the
    counts of shared items below, already computed (:func:`shared_counts`).

    The per-class counts of shared items, ``Σ_i w_i T[i, y] [j votes] [j' votes]``, are dense
    products over row blocks when at least :data:`DENSE_SHARE` of the cells have a vote (rule
    sets), sparse products otherwise (crowds of many workers); the same sums either way.

    Returns
    -------
    z : ndarray (m, m), shared : ndarray (m, m) (numbers of shared items)
    """
    m, k, _ = confusion.shape
    w = np.ones(lam.shape[0]) if weights is None else weights
    lam = sp.csr_matrix(lam)
    pairs = sp.csr_matrix(lam.T @ (sp.diags(w) @ lam)) if gram is None else gram
    agree = same_vote_counts(pairs, m, k)
    shared, *mix = shared_counts(lam, post, w, m, gram) if sums is None else sums
    expected = np.zeros((m, m))
    for y in range(k):
        expected += mix[y] * (confusion[:, y, :] @ confusion[:, y, :].T)
    rate = np.clip(expected / np.maximum(shared, 1), 1e-6, 1 - 1e-6)
    z = (agree - expected) / np.sqrt(np.maximum(shared, 1) * rate * (1 - rate))
    np.fill_diagonal(z, 0.0)
    return z, shared


def same_vote_counts(pairs: sp.spmatrix, n_lfs: int, n_classes: int) -> np.ndarray:
    """``out[j, j'] = Σ_a pairs[(j, a), (j', a)]``: of the (m·K, m·K) gram of the vote indicator,
    the items each pair votes the same class on; each K×K block's diagonal summed in class order, as
    ``einsum("iaja->ij")`` of the dense gram. Above :data:`DENSE_GRAM` rows, from the stored entries
    only (the dense gram of a crowd of hundreds of workers is tens of megabytes): one weighted
    ``bincount`` over the row-sorted entries, which adds a pair's classes in the same order."""
    m, k = n_lfs, n_classes
    if m * k <= DENSE_GRAM:
        return np.einsum("iaja->ij", sp.csr_matrix(pairs).toarray().reshape(m, k, m, k))
    coo = sp.csr_matrix(pairs).tocoo()  # rows in order, so a pair's classes come in order
    same = coo.row % k == coo.col % k
    key = (coo.row[same] // k).astype(np.int64) * m + coo.col[same] // k
    return np.bincount(key, weights=coo.data[same], minlength=m * m).reshape(m, m)


def shared_counts(
    lam: sp.csr_matrix,
    post: np.ndarray,
    weights: np.ndarray,
    n_lfs: int,
    gram: sp.spmatrix | None = None,
    matrix: np.ndarray | None = None,
) -> np.ndarray:
    """``out[0, j, j']``: the items functions ``j`` and ``j'`` both vote on (weighted), and
    ``out[1 + y, j, j']`` the same weighted by the class-``y`` posterior; ``lam`` is the one-hot vote
    indicator (its diagonal ``out[1 + y, j, j]`` is function ``j``'s class-``y`` mass where it votes).
    ``gram`` (optional): ``λᵀWλ`` of the same weights, whose blocks give ``out[0]`` (:func:`shared_from_gram`).
    ``matrix`` (optional): the vote rows ``lam`` indicates (-1 = abstain); on dense votes its cells ``>= 0`` are
    the 0/1 voted table the products read (the same values as the sparse table made dense)."""
    lam = sp.csr_matrix(lam)
    k = lam.shape[1] // max(n_lfs, 1)
    voted: sp.csr_matrix | np.ndarray
    if matrix is not None and lam.nnz >= DENSE_SHARE * lam.shape[0] * n_lfs:
        voted = (matrix >= 0).astype(np.float64)
    else:
        voted = _voted_table(lam, n_lfs, k)
    shared = None if gram is None else shared_from_gram(gram, n_lfs, k, weights)
    if shared is None:
        return _pair_sums(voted, np.column_stack([weights, post * weights[:, None]]))
    out = np.empty((post.shape[1] + 1, n_lfs, n_lfs))
    out[0], out[1:] = shared, _pair_sums(voted, post * weights[:, None])
    return out


def shared_from_gram(gram: sp.spmatrix, n_lfs: int, n_classes: int, weights: np.ndarray) -> np.ndarray | None:
    """The items each pair of functions votes on, weighted (:func:`shared_counts`' ``out[0]``), as the sums of
    the K×K blocks of the vote indicator's gram ``λᵀWλ``; ``None`` unless every weight is a whole number and
    their total below 2**53. Then every partial sum is a whole number held exactly, so any order of addition
    (this one's or the products') gives the same bits."""
    w = np.asarray(weights, dtype=np.float64)
    if not (np.array_equal(w, np.floor(w)) and float(np.abs(w).sum()) < 2.0**53):
        return None
    coo = sp.coo_matrix(gram)
    key = (coo.row // n_classes).astype(np.int64) * n_lfs + coo.col // n_classes
    return np.bincount(key, weights=coo.data, minlength=n_lfs * n_lfs).reshape(n_lfs, n_lfs)


def shared_coverage(
    lam: sp.csr_matrix, post: np.ndarray, weights: np.ndarray, n_lfs: int, gram: sp.spmatrix | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """What :class:`PairTables`' coverage reads of :func:`shared_counts`: ``out[0]`` (the items each pair
    votes on, weighted; the same product, so the same bits) and the diagonals of ``out[1:]`` as an (m, K)
    array (function ``j``'s class-``y`` mass where it votes), ``votedᵀ (T·w)`` summed item by item, instead
    of K products of which only the diagonal is read; ``gram`` as in :func:`shared_counts`."""
    lam = sp.csr_matrix(lam)
    k = lam.shape[1] // max(n_lfs, 1)
    voted = _voted_table(lam, n_lfs, k)
    shared = None if gram is None else shared_from_gram(gram, n_lfs, k, weights)
    if shared is None:
        shared = _pair_sums(voted, weights[:, None])[0]
    return shared, np.asarray(voted.T @ (post * weights[:, None]))


def _voted_table(lam: sp.csr_matrix, n_lfs: int, n_classes: int) -> sp.csr_matrix:
    """The 0/1 (n, m) table of which function votes on which row, from the one-hot vote indicator ``lam``."""
    return sp.csr_matrix((np.ones(lam.nnz), lam.indices // n_classes, lam.indptr), shape=(lam.shape[0], n_lfs))


def _pair_sums(voted: sp.csr_matrix | np.ndarray, mass: np.ndarray) -> np.ndarray:
    """``out[c, j, j'] = Σ_i mass[i, c] voted[i, j] voted[i, j']`` for a 0/1 (n, m) ``voted`` (sparse, or dense:
    then by the dense products)."""
    n, m = voted.shape
    if isinstance(voted, np.ndarray) or voted.nnz >= DENSE_SHARE * n * m:
        return _dense_pair_sums(voted, mass)
    k = mass.shape[1]
    out = np.zeros((k, m, m))
    voted_t = voted.T.tocsr()
    for y in range(k):
        out[y] = (voted_t @ sp.csr_matrix(voted.multiply(mass[:, [y]]))).toarray()
    return out


def _dense_pair_sums(voted: sp.csr_matrix | np.ndarray, mass: np.ndarray) -> np.ndarray:
    """:func:`_pair_sums` by dense products on blocks of rows (a sparse ``voted`` made dense block by block)."""
    n, m = voted.shape
    k = mass.shape[1]
    out = np.zeros((k, m, m))
    step = max(1, BLOCK_CELLS // max(m, 1))
    weighted = np.empty((min(step, n), m))  # each class's weighted block, one buffer for all
    for start in range(0, n, step):
        rows = voted[start : start + step]
        block = rows if isinstance(rows, np.ndarray) else rows.toarray()
        part = weighted[: block.shape[0]]
        for y in range(k):
            np.multiply(block, mass[start : start + step, y, None], out=part)
            out[y] += part.T @ block
    return out


def group_dependent(
    z: np.ndarray,
    shared: np.ndarray,
    *,
    threshold: float,
    min_shared: int,
    max_size: int,
    forced: Sequence[tuple[int, int]] = (),
    accept: Callable[[int, int], bool] | None = None,
    full_past: tuple[int, Callable[[list[int], list[int]], bool]] | None = None,
) -> list[list[int]]:
    """Cliques of functions: given pairs first, then pairs with ``z > threshold``, strongest first, joined
    while a clique stays within ``max_size`` functions. Every function is in exactly one group.

    ``accept(a, b)``, if given, is asked only about a pair over the threshold that would join two
    groups (so a costly test runs on few pairs); ``False`` leaves the pair apart. ``full_past = (s, linked)``:
    a tested pair joins two groups into more than ``s`` functions only where ``linked(group, group)``."""
    m = z.shape[0]
    group = list(range(m))
    members: dict[int, list[int]] = {j: [j] for j in range(m)}
    iu = np.triu_indices(m, 1)
    candidates = (z[iu] > threshold) & (shared[iu] >= min_shared)
    order = np.argsort(-z[iu][candidates], kind="stable")
    tested = list(zip(iu[0][candidates][order].tolist(), iu[1][candidates][order].tolist(), strict=False))
    n_forced = len(forced)
    for t, (a, b) in enumerate(list(forced) + tested):
        ga, gb = group[a], group[b]
        if ga == gb or len(members[ga]) + len(members[gb]) > max_size:
            continue
        if full_past and t >= n_forced and len(members[ga]) + len(members[gb]) > full_past[0]:
            if not full_past[1](members[ga], members[gb]):  # _clique_cap's complete linkage
                continue
        if t >= n_forced and accept is not None and not accept(a, b):
            continue
        for j in members[gb]:
            group[j] = ga
        members[ga] = sorted(members[ga] + members.pop(gb))
    return [members[g] for g in sorted(members)]


def joint_bic_gain(
    matrix: np.ndarray, post: np.ndarray, weights: np.ndarray, pairs: Sequence[tuple[int, int]], n_classes: int
) -> np.ndarray:
    """BIC gain of modelling each pair's joint outcome given the class over modelling them as independent.

    For functions ``j, j'`` with outcomes ``a, b`` (abstain or a vote) and the class posterior ``T``,
    the expected counts ``n[a, b, y] = Σ_i w_i T[i, y] [λ_ij = a] [λ_ij' = b]`` give the
    likelihood-ratio (G) statistic of conditional independence,
    ``G = 2 Σ n[a,b,y] log(n[a,b,y] n[y] / (n[a,·,y] n[·,b,y]))``, the log-likelihood gain of a
    free joint table per class (the clique the EM would fit) over the product of two free margins
    (the two functions as independent). The clique has ``df = K (A − 1)(B − 1)`` more free
    parameters, ``A`` and ``B`` the numbers of outcomes the two functions use, and the Bayesian
    information criterion (Schwarz 1978) prefers it when ``G − df · log n > 0``; that difference is
    returned. Unlike a z-score of the agreement rate, whose size grows with ``√n`` for any fixed
    misfit of the independent model (with three workers per item the vote shares that stand for
    the class include the pair's own votes), the BIC asks the dependency to pay for the
    parameters of the joint table, which is what the clique costs the EM.

    Parameters
    ----------
    matrix : ndarray (n, m) of int
        Votes, ``-1`` for an abstain.
    post : ndarray (n, K)
        Class posterior of each row (e.g. vote shares).
    weights : ndarray (n,)
        Items per row.
    pairs : sequence of (j, j')
    n_classes : int

    Returns
    -------
    ndarray (len(pairs),)

    References
    ----------
    .. [1] G. Schwarz, "Estimating the Dimension of a Model", Annals of Statistics 6(2), 1978.
    """
    return PairTables(matrix, post, weights, n_classes).bic_gain(pairs)


class PairTables:
    """The expected joint outcome tables of pairs of functions given the class, for
    :func:`joint_bic_gain`, with what every pair shares prepared once: each function's outcome
    column (contiguous) and each class's posterior mass per row. A clique search asks about one
    pair at a time; each question then costs ``K`` weighted counts over the rows.

    Parameters are those of :func:`joint_bic_gain`; ``sums``, if given, are :func:`shared_counts` of
    the same votes, posterior and weights (the co-vote test's counts are then read from them).
    The outcome columns and masses are prepared when a pair is first asked about.
    """

    def __init__(
        self,
        matrix: np.ndarray,
        post: np.ndarray,
        weights: np.ndarray,
        n_classes: int,
        sums: np.ndarray | tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self.n_classes = n_classes
        self._matrix, self._post, self._sums = matrix, post, sums
        self.weights = np.asarray(weights, dtype=np.float64)
        self.log_n = float(np.log(max(float(weights.sum()), 2.0)))

    @cached_property
    def outcomes(self) -> np.ndarray:
        """(m, n) outcome codes: 0 = abstain, else vote + 1 (each function's column contiguous)."""
        return np.ascontiguousarray(np.asarray(self._matrix).T + 1)

    @cached_property
    def mass(self) -> np.ndarray:
        """(K, n): each class's posterior mass per row (weighted)."""
        return np.ascontiguousarray((self._post * self.weights[:, None]).T)

    @cached_property
    def _coverage(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each class's mass ``n_y``, each function's share of it where it votes ``q[j, y]``, and the
        items each pair votes on together (weighted): read from ``sums`` when given, else dense
        products over blocks of items when at least :data:`DENSE_SHARE` of the cells hold a vote,
        sparse ones otherwise."""
        if isinstance(self._sums, tuple):  # shared_coverage's
            n_y = self.weights @ self._post
            return n_y, self._sums[1] / np.maximum(n_y, 1e-300)[None, :], self._sums[0]
        if self._sums is not None:
            n_y = self.weights @ self._post
            q = np.stack([np.diagonal(c) for c in self._sums[1:]], axis=1)  # (m, K)
            return n_y, q / np.maximum(n_y, 1e-300)[None, :], self._sums[0]
        m, n = self.outcomes.shape
        n_y = self.mass.sum(axis=1)
        votes = self.outcomes > 0
        if int(votes.sum()) >= DENSE_SHARE * n * m:
            q, both = np.zeros((m, self.n_classes)), np.zeros((m, m))
            step = max(1, BLOCK_CELLS // max(m, 1))
            for start in range(0, n, step):
                block = votes[:, start : start + step].astype(np.float64)  # (m, items)
                q += block @ self.mass[:, start : start + step].T
                both += (block * self.weights[start : start + step]) @ block.T
        else:
            rows, cols = np.nonzero(votes.T)
            voted = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, m))
            q = np.asarray(voted.T @ self.mass.T)
            both = (voted.T @ sp.csr_matrix(sp.diags(self.weights) @ voted)).toarray()
        return n_y, q / np.maximum(n_y, 1e-300)[None, :], both

    def covote_z(self, a: int, b: int) -> float:
        """z-score of how much more often functions ``a`` and ``b`` vote on the same items than if
        *who votes* were independent given the class: with ``T`` the class posterior and ``n_y`` its
        mass, the items both vote on, ``N = Σ_i w_i [a votes] [b votes]``, against
        ``E = Σ_y n_y q_ay q_by`` (``q_ay`` the share of class-``y`` mass where ``a`` votes), with
        variance ``Σ_y n_y q_ay q_by (1 − q_ay q_by)``. 0 when that variance is 0 (a function voting
        on every item, or on none: nothing to tell)."""
        n_y, q, both = self._coverage
        p = q[a] * q[b]
        expected = float(n_y @ p)
        var = float(n_y @ (p * (1.0 - p)))
        return (float(both[a, b]) - expected) / float(np.sqrt(var)) if var > 1e-9 else 0.0

    def covote_z_all(self) -> np.ndarray:
        """(m, m): :meth:`covote_z` of every pair at once (0 on the diagonal and where the variance is 0)."""
        n_y, q, both = self._coverage
        expected = (q * n_y[None, :]) @ q.T
        var = expected - ((q * q) * n_y[None, :]) @ (q * q).T
        z = np.where(var > 1e-9, (both - expected) / np.sqrt(np.maximum(var, 1e-300)), 0.0)
        np.fill_diagonal(z, 0.0)
        return z

    def covote_corr_all(self) -> np.ndarray:
        """(m, m): the co-vote excess of :meth:`covote_z_all` over ``sqrt(s_a s_b)``, ``s_j = Σ_y n_y q_jy (1 − q_jy)``:
        the correlation of two functions' vote indicators given the class, an effect size that does not grow with
        the items (0 on the diagonal)."""
        n_y, q, both = self._coverage
        spread = (q * (1.0 - q)) @ n_y
        corr = (both - (q * n_y[None, :]) @ q.T) / np.sqrt(np.maximum(np.outer(spread, spread), 1e-300))
        np.fill_diagonal(corr, 0.0)
        return corr

    def joint(self, a: int, b: int) -> np.ndarray:
        """``n[a_outcome, b_outcome, y]``: the posterior mass of each pair of outcomes per class."""
        base = self.n_classes + 1
        if "outcomes" in self.__dict__:  # already prepared (the co-vote counts were computed here)
            code = self.outcomes[a] * base + self.outcomes[b]
        else:  # two columns of the votes: no transposed copy of all of them for a few pairs
            votes = np.asarray(self._matrix)
            code = (votes[:, a] + 1) * base + (votes[:, b] + 1)
        tables = [np.bincount(code, weights=row, minlength=base * base) for row in self.mass]
        return np.stack(tables, axis=-1).reshape(base, base, self.n_classes)

    def bic_gain(self, pairs: Sequence[tuple[int, int]]) -> np.ndarray:
        """:func:`joint_bic_gain` of each pair."""
        k = self.n_classes
        out = np.empty(len(pairs))
        for t, (a, b) in enumerate(pairs):
            joint = self.joint(a, b)
            left, right, total = joint.sum(axis=1), joint.sum(axis=0), joint.sum(axis=(0, 1))
            expected = left[:, None, :] * right[None, :, :] / np.maximum(total, 1e-300)[None, None, :]
            seen = joint > 0
            g = 2.0 * float((joint[seen] * np.log(joint[seen] / expected[seen])).sum())
            used_a = int((left.sum(axis=1) > 0).sum())
            used_b = int((right.sum(axis=1) > 0).sum())
            out[t] = g - k * (used_a - 1) * (used_b - 1) * self.log_n
        return out


def clique_search(
    matrix: np.ndarray,
    lam: sp.csr_matrix,
    weights: np.ndarray,
    n_classes: int,
    gram: Any,
    forced: Sequence[tuple[int, int]],
    *,
    threshold: float,
    min_shared: int,
    max_size: int,
    full_past: int | None = None,
) -> list[list[int]]:
    """The label model's cliques, chosen on the vote shares (:func:`group_dependent`): the ``forced``
    pairs first, then pairs whose agreement z-score (:func:`agreement_excess`) is over ``threshold``,
    that also vote together more than coverages independent given the class explain
    (:meth:`PairTables.covote_z`, the same threshold) and whose joint table pays for itself by
    BIC (:meth:`PairTables.bic_gain`). ``lam``: the one-hot vote indicator of ``matrix``;
    ``gram``: its weighted gram ``λᵀWλ``. At an infinite ``threshold`` no pair is over it: the cliques are the
    ``forced`` pairs' alone, and no test is computed. With :data:`~._one_class_covote.SCREEN_ONE_CLASS`, pairs of a
    one-class function are then offered by their co-votes (:func:`~._one_class_covote.one_class_screen`)."""
    from ._moments import transposed
    from ._one_class_covote import one_class_screen, screened_groups
    from ._posterior import confusion_from_mu, lf_mu_from_posterior, vote_shares

    m = matrix.shape[1]
    if threshold == np.inf:  # every z-score is finite: group_dependent would test no pair
        none = np.zeros((m, m))
        return group_dependent(none, none, threshold=threshold, min_shared=min_shared, max_size=max_size, forced=forced)
    shares = vote_shares(lam, m, n_classes)
    lf_mu = lf_mu_from_posterior(transposed(lam), shares * weights[:, None])
    sums = shared_counts(lam, shares, weights, m, gram, matrix)  # for the agreement and the co-vote tests alike
    z, shared = agreement_excess(lam, shares, confusion_from_mu(lf_mu, m, n_classes), weights, gram, sums)
    tables = PairTables(matrix, shares, weights, n_classes, sums)

    def pays_for_its_table(a: int, b: int) -> bool:  # or the pair stays two functions
        # a copy or a shared trigger makes two functions vote together; workers lured on the
        # same hard items do not (who answers is assignment): the pair must co-vote too
        return bool(tables.covote_z(a, b) > threshold and tables.bic_gain([(a, b)])[0] > 0)

    past = None if full_past is None else (full_past, all_covote(tables, threshold))
    kw: dict[str, Any] = {
        "threshold": threshold,
        "min_shared": min_shared,
        "max_size": max_size,
        "accept": pays_for_its_table,
    }
    groups = group_dependent(z, shared, forced=forced, full_past=past, **kw)
    later = one_class_screen(z, matrix, tables, threshold, groups, full_past)  # where switched on
    if later is None:
        return groups
    kept = [(g[i], g[i + 1]) for g in groups for i in range(len(g) - 1)]  # the groups above, then those pairs
    return screened_groups(groups, group_dependent(later, shared, forced=kept, full_past=past, **kw), full_past)
