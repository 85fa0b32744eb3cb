"""A posterior predictive check of each pair of annotators' agreement under a Dawid-Skene model.

Dawid-Skene assumes that answers are independent given the true class. Two annotators who make
the *same* mistakes on the same items (a shared source, copying, one tool behind two accounts)
break it, and the model then counts their joint answer twice. A lure that fools the whole crowd
on some items raises every pair's agreement too, but a model of the crowd explains most of it: the
other answers move the item's posterior towards the lure. So the baseline of the check is a
fitted model, not the other pairs: for annotators ``a`` and ``b`` and each item ``i`` both
answered, the probability that they agree *predicted from everything else* is

.. math:: q_i = \\sum_k t^{-ab}_{ik} \\sum_l π_a[k, l] π_b[k, l],

where ``t^{-ab}_i`` is the item's posterior under the model without the two answers being checked
(the posterior predictive distribution of a held-out pair of answers, Gelman, Meng and Stern
1996). Over the ``n`` items both answered, the number of agreements ``O`` has mean
``E = Σ_i q_i`` and variance ``V = Σ_i q_i (1 - q_i)`` under the model (:func:`check_pairs`), and
the pair is flagged when ``z = (O - E) / √V`` exceeds a threshold. Which model:
``DawidSkene`` screens every pair against a cheap one and confirms a suspect pair against an EM
fit of the other answers, with the pair's own confusion matrices fitted by EM against it
(:func:`one_annotator_em`): a fit that contains the pair can already have followed it.

Dependent pairs are joined into groups (connected components). :func:`group_answer_weights` then
gives the answers of a group's members on one item a weight ``1 / m`` each (``m``: how many of
the group answered the item), so that a group's answers on an item count as one answer: the
weighted (composite) likelihood of clustered observations with weights inverse to the cluster
size (Williamson, Datta and Satten 2003; Varin, Reid and Firth 2011), applied to the clusters of
answers that the check found dependent.

References
----------
.. [1] A. Gelman, X.-L. Meng and H. Stern, "Posterior predictive assessment of model fitness via
   realized discrepancies", Statistica Sinica 6, 733-807, 1996.
.. [2] J. M. Williamson, S. Datta and G. A. Satten, "Marginal analyses of clustered data when
   cluster size is informative", Biometrics 59(1), 36-42, 2003.
.. [3] C. Varin, N. Reid and D. Firth, "An overview of composite likelihood methods",
   Statistica Sinica 21, 5-42, 2011.
.. [4] A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates Using
   the EM Algorithm", Applied Statistics 28(1), 20-28, 1979.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import scipy.sparse as sp

from .._validate.arguments import check_positive_int
from ._base import csr_entry_rows, log_normalize
from ._observed import _FLOOR
from ._pair_groups import group_answer_weights
from ._pair_rows import rows_times_dense
from ._pair_terms import EntryTerms, instance_terms, pair_ids, pair_instances, pair_table

__all__ = [
    "CountRows",
    "Entries",
    "PairCheck",
    "check_one_pair",
    "check_pairs",
    "group_answer_weights",
    "one_annotator_em",
    "posterior_without_pair",
    "row_pairs",
    "answer_bases",
    "log_given_of",
    "sample_items",
    "shared_pairs",
]

#: Pair instances (item, two answers) handled per block: bounds the check's temporaries.
PAIR_BLOCK = 1 << 18
#: Above this many rows (items or answer patterns), the screen of every pair runs on a sample of rows.
SAMPLE_ROWS = 50_000


class CountRows(Protocol):
    """The item (or pattern) x (annotator, label) count rows of a Dawid-Skene fit: ``m`` one entry
    per answer, ``weights`` the items per row, ``annotator_of`` and ``label_of`` each column's."""

    @property
    def m(self) -> sp.csr_matrix: ...

    @property
    def weights(self) -> np.ndarray: ...

    @property
    def annotator_of(self) -> np.ndarray: ...

    @property
    def label_of(self) -> np.ndarray: ...


@dataclass(frozen=True)
class PairCheck:
    """Result of :func:`check_pairs`: one entry per pair of annotators checked.

    Attributes
    ----------
    a, b : ndarray of int64
        Annotator codes, ``a < b``.
    n_shared : ndarray of float64
        Items both answered (pattern weights summed).
    observed, expected, variance : ndarray of float64
        ``O``, ``E`` and ``V`` of the module docstring.
    """

    a: np.ndarray
    b: np.ndarray
    n_shared: np.ndarray
    observed: np.ndarray
    expected: np.ndarray
    variance: np.ndarray

    @property
    def z(self) -> np.ndarray:
        """``(O - E) / √V`` (0 where ``V`` is 0)."""
        sd = np.sqrt(self.variance)
        return np.divide(self.observed - self.expected, sd, out=np.zeros_like(sd), where=sd > 0)


def row_pairs(indptr: np.ndarray, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
    """Every pair ``(e, f)``, ``e < f``, of entries in one row, for the rows ``start .. stop - 1``
    of a CSR structure (entry positions into ``indices``)."""
    lo, hi = int(indptr[start]), int(indptr[stop])
    if hi <= lo:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    lengths = np.diff(indptr[start : stop + 1]).astype(np.int64)
    entries = np.arange(lo, hi, dtype=np.int64)
    row_end = np.repeat(indptr[start + 1 : stop + 1].astype(np.int64), lengths)
    after = row_end - entries - 1  # entries later in the same row
    first = np.repeat(entries, after)
    starts = np.cumsum(after) - after  # position of each entry's first pair
    # the k-th pair of entry e (at position starts[e] + k) is (e, e + 1 + k)
    second = np.arange(len(first), dtype=np.int64) - np.repeat(starts - entries - 1, after)
    return first, second


def _blocks(indptr: np.ndarray, n_rows: int) -> list[tuple[int, int]]:
    """Row ranges whose pair instances stay near :data:`PAIR_BLOCK`."""
    lengths = np.diff(indptr).astype(np.float64)
    cum = np.cumsum(lengths * (lengths - 1) / 2)
    out, start = [], 0
    while start < n_rows:
        base = cum[start - 1] if start else 0.0
        stop = int(np.searchsorted(cum, base + PAIR_BLOCK, side="right"))
        stop = min(max(stop, start + 1), n_rows)
        out.append((start, stop))
        start = stop
    return out


#: Entries of the pair-count product computed at a time by :func:`shared_pairs` (a block of
#: annotators' rows): its temporaries stay small instead of several arrays as long as every pair.
GRAM_BLOCK = 1 << 16


def _indicator(
    m: sp.csr_matrix, weights: np.ndarray, annotator_of: np.ndarray, n_annotators: int, min_items: float
) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray | None]:
    """The annotator x row indicator of ``m``'s answers, the rows' weights (float64), and the
    annotators kept by ``min_items`` (None: all; see :func:`_gram`), the indicator restricted to them."""
    coo = m.tocoo()
    ind = sp.csr_matrix((np.ones(coo.nnz), (annotator_of[coo.col], coo.row)), shape=(n_annotators, m.shape[0]))
    ind.data[:] = 1.0  # duplicate answers of one annotator on one item count the item once
    w = np.asarray(weights, dtype=np.float64)
    kept = None
    if min_items > 0:
        # each annotator's rows, summed as the gram sums them; the margin absorbs any rounding
        kept = np.flatnonzero(ind @ w >= min_items * (1.0 - 1e-9))
        if len(kept) == n_annotators:
            kept = None
        else:
            ind = ind[kept]
    return ind, w, kept


def _gram(
    m: sp.csr_matrix, weights: np.ndarray, annotator_of: np.ndarray, n_annotators: int, min_items: float = 0.0
) -> sp.coo_matrix:
    """Items shared by each pair of annotators ``a < b`` (rows of ``m`` weighted by ``weights``).

    ``min_items > 0`` leaves out the pairs with an annotator who answered fewer than ``min_items``
    (weighted) rows: a pair shares at most the rows of each of its two members, so no pair that
    shares ``min_items`` rows or more is lost, and the product runs over the other annotators only.
    """
    ind, w, kept = _indicator(m, weights, annotator_of, n_annotators, min_items)
    gram = sp.triu(ind @ sp.diags(w) @ ind.T, k=1).tocoo()
    if kept is None:
        return gram
    return sp.coo_matrix((gram.data, (kept[gram.row], kept[gram.col])), shape=(n_annotators, n_annotators))


def shared_pairs(
    m: sp.csr_matrix,
    weights: np.ndarray,
    annotator_of: np.ndarray,
    n_annotators: int,
    min_shared: float,
    *,
    block: int = GRAM_BLOCK,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of annotators ``(a, b)``, ``a < b``, who answered at least ``min_shared`` items in
    common, sorted by ``a * n_annotators + b``, and their numbers of shared items (rows of ``m``
    weighted by ``weights``).

    The counts are :func:`_gram`'s product ``(I W) Iᵀ`` (``I``: the annotator x row indicator),
    taken for blocks of ``I``'s rows whose product has about ``block`` entries at most, each
    block's pairs filtered before the next: a row of a sparse product does not depend on the
    other rows (the same sums in the same order), so the counts equal the whole product's bit for
    bit, and no temporary is as long as every pair of annotators that shares an item.
    """
    check_positive_int("block", block)
    ind, w, kept = _indicator(m, weights, annotator_of, n_annotators, min_shared)
    scale = sp.diags(w).tocsr()  # ``ind[block] @ scale``: the rows of ``ind @ diags(w)``, as ``@`` converts it
    right = ind.T.tocsr()  # the product's right operand, as ``@`` converts it
    # entries of each left row's product at most: the answers on the rows it touches, and one per annotator
    cum = np.cumsum(np.minimum(ind @ np.diff(right.indptr).astype(np.float64), right.shape[1]))
    empty = np.empty(0, dtype=np.int64)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = [(empty, empty, np.empty(0))]
    start, n_rows = 0, ind.shape[0]
    while start < n_rows:
        base = cum[start - 1] if start else 0.0
        stop = min(max(int(np.searchsorted(cum, base + block, side="right")), start + 1), n_rows)
        prod = ((ind[start:stop] @ scale) @ right).tocoo()
        a = prod.row.astype(np.int64) + start
        keep = (prod.col > a) & (prod.data >= min_shared)
        parts.append((a[keep], prod.col[keep].astype(np.int64), prod.data[keep]))
        start = stop
    a, b, shared = (np.concatenate(x) for x in zip(*parts, strict=True))
    if kept is not None:
        a, b = kept[a].astype(np.int64), kept[b].astype(np.int64)
    order = np.argsort(a * n_annotators + b)
    return a[order], b[order], shared[order]


def sample_items(n_items: int) -> np.ndarray | None:
    """The items a screen of every pair runs on: all (``None``) up to :data:`SAMPLE_ROWS` items,
    else :data:`SAMPLE_ROWS` item codes drawn with a fixed seed (sorted): counting and checking
    every pair costs ``Σ_i n_i²`` over the items. A sample of item codes, not of answer patterns
    or partitions, so that a fit on patterns and a fit on partitions screen the same items."""
    if n_items <= SAMPLE_ROWS:
        return None
    return np.sort(np.random.default_rng(0x9A1C).choice(n_items, SAMPLE_ROWS, replace=False))


def log_given_of(obs: CountRows, confusion: np.ndarray) -> np.ndarray:
    """``log π_j[k, l]`` of each column ``(j, l)`` of ``obs.m``, shape (n_columns, K), from the
    confusion matrices ``[j, true k, given l]``."""
    return np.log(confusion[obs.annotator_of, :, obs.label_of])


def check_pairs(
    m: sp.csr_matrix,
    weights: np.ndarray,
    annotator_of: np.ndarray,
    label_of: np.ndarray,
    log_given: np.ndarray,
    log_prior: np.ndarray,
    confusion: np.ndarray,
    pairs: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> PairCheck:
    """Observed and model-predicted agreements of every pair of annotators sharing enough items.

    Parameters
    ----------
    m : scipy.sparse.csr_matrix of shape (n_rows, n_columns)
        Rows: items (or answer patterns); columns: the used (annotator, label) pairs; one entry
        per answer.
    weights : ndarray of shape (n_rows,)
        Items per row.
    annotator_of, label_of : ndarray of shape (n_columns,)
        Annotator and label code of each column.
    log_given : ndarray of shape (n_columns, K)
        ``log π_j[k, l]`` of each column ``(j, l)``.
    log_prior : ndarray of shape (K,)
    confusion : ndarray of shape (n_annotators, K, K)
        The fitted confusion matrices ``[j, true k, given l]``.
    pairs : (ndarray, ndarray, ndarray)
        The pairs to check ``(a, b)``, ``a < b``, sorted by ``a * n_annotators + b``, and the items
        each shares, as :func:`shared_pairs` returns them.

    Returns
    -------
    PairCheck
    """
    n_ann = confusion.shape[0]
    w = np.asarray(weights, dtype=np.float64)
    a, b, n_shared = pairs
    keys = a * n_ann + b
    observed, expected, variance = np.zeros(len(a)), np.zeros(len(a)), np.zeros(len(a))
    if len(a) == 0:
        return PairCheck(a, b, n_shared, observed, expected, variance)
    agree = np.einsum("pkl,pkl->pk", confusion[a], confusion[b])  # [pair, true k]: P(same answer | k)
    log_joint = np.asarray(m @ log_given) + log_prior
    # pairs of answers only among the annotators checked: a CSR of their entries
    involved = np.zeros(n_ann, dtype=bool)
    involved[a] = involved[b] = True
    sel = involved[annotator_of[m.indices]]
    indices = m.indices[sel]
    indptr = np.zeros(m.shape[0] + 1, dtype=np.int64)
    row_of = csr_entry_rows(m)[sel]
    np.cumsum(np.bincount(row_of, minlength=m.shape[0]), out=indptr[1:])
    blocks = _blocks(indptr, m.shape[0])
    entries = EntryTerms.build(indices, row_of, w, annotator_of, label_of, log_given, log_joint)
    table = pair_table(keys, n_ann, int(pair_instances(indptr)))
    n = len(a)
    for start, stop in blocks:
        first, second = row_pairs(indptr, start, stop)
        if len(first) == 0:
            continue
        pid = pair_ids(entries, keys, table, n_ann, first, second)
        hit = pid >= 0
        if not hit.all():
            if not hit.any():
                continue
            first, second, pid = first[hit], second[hit], pid[hit]
        terms = instance_terms(entries, agree, first, second, pid)
        observed += np.bincount(pid, weights=terms[0], minlength=n)
        expected += np.bincount(pid, weights=terms[1], minlength=n)
        variance += np.bincount(pid, weights=terms[2], minlength=n)
    return PairCheck(a, b, n_shared, observed, expected, variance)


@dataclass(frozen=True, eq=False)
class Entries:
    """The entries (CSR positions of ``obs.m``) of each annotator's answers, and their rows."""

    order: np.ndarray
    starts: np.ndarray
    row_of: np.ndarray

    @classmethod
    def build(cls, obs: CountRows, n_annotators: int) -> Entries:
        entry_ann = obs.annotator_of[obs.m.indices]
        order = np.argsort(entry_ann, kind="stable")
        starts = np.searchsorted(entry_ann[order], np.arange(n_annotators + 1))
        return cls(order, starts, csr_entry_rows(obs.m))

    def of(self, j: int) -> tuple[np.ndarray, np.ndarray]:
        """Annotator ``j``'s entries (in CSR order) and their rows."""
        entries = self.order[self.starts[j] : self.starts[j + 1]]
        return entries, self.row_of[entries]

    def shared_rows(self, a: int, b: int) -> np.ndarray:
        """The rows both ``a`` and ``b`` answered (sorted, distinct: ``np.intersect1d`` of their rows,
        without its sorts, as each annotator's rows come sorted)."""
        return sorted_intersection(self.of(a)[1], self.of(b)[1])


def sorted_intersection(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``np.intersect1d(x, y)`` of two sorted arrays (repeats allowed), without sorting them again."""
    if not len(x) or not len(y):
        return np.empty(0, dtype=np.int64)
    first = np.ones(len(x), dtype=bool)
    np.not_equal(x[1:], x[:-1], out=first[1:])
    uniq = x[first]
    return uniq[y[np.minimum(np.searchsorted(y, uniq), len(y) - 1)] == uniq]


def posterior_without_pair(
    obs: CountRows, ent: Entries, log_given: np.ndarray, log_prior: np.ndarray, a: int, b: int, j: int
) -> np.ndarray:
    """For each answer of annotator ``j`` (``a`` or ``b``), the posterior of its item under the
    model ``log_given``/``log_prior`` without the answers of ``a`` and ``b``."""
    _, rows = ent.of(j)
    pair = (obs.annotator_of == a) | (obs.annotator_of == b)  # the columns whose answers are held out
    base, _ = log_normalize(rows_times_dense(obs.m, rows, log_given, pair) + log_prior, overwrite=True)
    return base


def answer_bases(
    obs: CountRows, ent: Entries, log_given: np.ndarray, log_prior: np.ndarray, a: int, b: int, j: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For annotator ``j`` (``a`` or ``b``): the posterior of the item of each of its answers
    without the pair's answers (:func:`posterior_without_pair`), the answer's label, and the item
    weight: what :func:`one_annotator_em` fits ``π_j`` from. Rows of several blocks of items can
    be stacked."""
    entries, rows = ent.of(j)
    base = posterior_without_pair(obs, ent, log_given, log_prior, a, b, j)
    return base, obs.label_of[obs.m.indices[entries]], np.asarray(obs.weights, dtype=np.float64)[rows]


def one_annotator_em(
    base: np.ndarray, labels: np.ndarray, weights: np.ndarray, pseudo: np.ndarray, max_iter: int, tol: float
) -> np.ndarray:
    """An annotator's confusion matrix ``[true k, given l]`` by EM with every other parameter
    fixed: the posterior of the item of its ``e``-th answer (label ``labels[e]``, ``weights[e]``
    items) is ``base[e]`` (the posterior without the annotator's answer) times ``π[k, l]``, and the
    M-step re-estimates ``π`` alone (MAP with the pseudo-counts ``pseudo``)."""
    k = base.shape[1]
    onehot = np.zeros((len(labels), k))
    onehot[np.arange(len(labels)), labels] = weights
    # items with the same (base, label) would repeat the same row: the EM runs on the answers
    pi = np.full((k, k), 1.0 / k)
    post = base
    ones = np.ones(k)
    for _ in range(max_iter):
        counts = np.maximum(post.T @ onehot + pseudo, _FLOOR)
        new = counts / (counts @ ones)[:, None]
        post = base * new.T.take(labels, axis=0)
        post /= np.maximum(post @ ones, _FLOOR)[:, None]
        change, pi = float(np.abs(new - pi).max()), new
        if change < tol:
            break
    return pi


def check_one_pair(
    obs: CountRows,
    ent: Entries,
    log_given: np.ndarray,
    log_prior: np.ndarray,
    conf: np.ndarray,
    a: int,
    b: int,
) -> PairCheck:
    """:func:`check_pairs` for the pair ``(a, b)`` alone, on the rows both answered."""
    rows = ent.shared_rows(a, b)
    pair = (np.array([a]), np.array([b]), np.array([float(obs.weights[rows].sum())]))
    return check_pairs(obs.m[rows], obs.weights[rows], obs.annotator_of, obs.label_of, log_given, log_prior, conf, pair)
