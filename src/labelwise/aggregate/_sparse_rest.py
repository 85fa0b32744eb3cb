"""A posterior held as its answered (item, label) cells plus one rest term per item, for the models whose
errors are spread evenly over the other classes (one-coin Dawid-Skene, GLAD), on label sets too large for a
dense ``n_items x K`` table (free-text answers).

Under such a model an answer ``l`` by annotator ``j`` on item ``i`` has one likelihood when the true class is
``l`` and one other likelihood for every other class. The log posterior is then

    ``log T[i, k] = log p_k + base_i + bonus_ik - log Z_i``,

where ``base_i`` sums the wrong-answer log likelihoods of all the item's answers and ``bonus_ik`` (right
minus wrong, summed over its answers of label ``k``) is nonzero only on the answered cells. Every class
``k`` nobody gave item ``i`` has ``T[i, k] = rest_i * p_k``, with one scalar ``rest_i = exp(base_i) / Z_i``
per item. :class:`RestPosterior` holds the answered cells (CSR) and ``rest``; :func:`rest_normalize` is the
E-step's normalisation on them, :func:`class_mass` the M-step's ``sum_i w_i T[i, k]`` over every class,
and :func:`rest_argmax_random_ties` the dense tie rule
(:func:`~labelwise.aggregate._base.argmax_random_ties`) on the table they imply, with the same draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ._sparse_votes import AnswerCells, draw_tied

__all__ = [
    "RestCells",
    "RestPosterior",
    "class_mass",
    "label_probas",
    "rest_argmax_random_ties",
    "rest_normalize",
]

#: Below this fraction of its minuend a difference of two sums is summed again directly (the unanswered
#: classes' prior of an item, the rest mass of the items that did not answer a class): a subtraction that
#: cancels would leave it only the minuend's absolute precision.
CANCEL = 1e-3


@dataclass(frozen=True, eq=False)
class RestCells:
    """The answered cells of a table (the CSR structure of
    :class:`~labelwise.aggregate._sparse_votes.AnswerCells` or of a :class:`RestPosterior`'s cells) with each
    cell's row and its key ``row * K + class``, increasing (to find whether an item answered a class)."""

    indptr: np.ndarray
    cols: np.ndarray
    rows: np.ndarray
    keys: np.ndarray
    shape: tuple[int, int]

    @classmethod
    def of(cls, cells: AnswerCells | sp.csr_matrix) -> RestCells:
        indptr = np.asarray(cells.indptr, dtype=np.int64)
        cols = np.asarray(cells.cols if isinstance(cells, AnswerCells) else cells.indices, dtype=np.int64)
        n, k = cells.shape
        rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
        return cls(indptr, cols, rows, rows * k + cols, (int(n), int(k)))

    def answered(self, rows: np.ndarray, classes: np.ndarray) -> np.ndarray:
        """Whether item ``rows[e]`` answered class ``classes[e]``, for each ``e``."""
        key = rows * self.shape[1] + classes
        pos = np.minimum(np.searchsorted(self.keys, key), max(self.keys.size - 1, 0))
        return self.keys[pos] == key

    def best_unanswered(self, order: np.ndarray) -> np.ndarray:
        """Each row's first class in ``order`` (classes by decreasing prior) it did not answer; -1 where it
        answered every class. One pass per place in ``order``, over the rows not settled yet (an item
        reaches place ``j`` only if it answered the ``j`` classes before)."""
        n, k = self.shape
        best = np.full(n, -1, dtype=np.int64)
        active = np.flatnonzero(np.diff(self.indptr) < k)
        for cand in order.tolist():
            if not active.size:
                break
            hit = self.answered(active, np.full(active.size, cand, dtype=np.int64))
            best[active[~hit]] = cand
            active = active[hit]
        return best


@dataclass(frozen=True, eq=False)
class RestPosterior:
    """A posterior whose classes nobody gave an item share one term: ``T[i, k] = rest[i] * prior[k]``.

    Attributes
    ----------
    cells : scipy.sparse.csr_matrix, shape (n_rows, K)
        ``T[i, k]`` of the answered cells (stored even where 0; sorted columns).
    rest : ndarray of shape (n_rows,)
        The factor of the unanswered classes' posterior.
    prior : ndarray of shape (K,)
        The class prior the posterior was computed with.
    unanswered_prior : ndarray of shape (n_rows,)
        The prior of the classes each row did not answer, summed: ``rest * unanswered_prior`` is the
        posterior's mass on them (:meth:`rest_mass`).
    """

    cells: sp.csr_matrix
    rest: np.ndarray
    prior: np.ndarray
    unanswered_prior: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        return self.cells.shape

    def __getitem__(self, rows: np.ndarray) -> RestPosterior:
        """The rows ``rows`` (e.g. each item's answer pattern)."""
        return RestPosterior(self.cells[rows], self.rest[rows], self.prior, self.unanswered_prior[rows])

    def rest_mass(self) -> np.ndarray:
        """Each row's posterior mass on the classes it was not given."""
        return self.rest * self.unanswered_prior


def _sum_skipping(values: np.ndarray, skip: np.ndarray) -> float:
    """``values`` summed over the positions not in ``skip``."""
    keep = np.ones(values.size, dtype=bool)
    keep[skip] = False
    return float(values[keep].sum())


def _unanswered_prior(rc: RestCells, prior: np.ndarray) -> np.ndarray:
    """Each row's prior of the classes it did not answer (0 where it answered all): the total minus the
    answered ones, summed directly where that cancels (:data:`CANCEL`)."""
    total = float(prior.sum())
    u = total - np.add.reduceat(prior[rc.cols], rc.indptr[:-1])
    full = np.diff(rc.indptr) >= rc.shape[1]
    u[full] = 0.0
    for r in np.flatnonzero(~full & (u < CANCEL * total)).tolist():
        u[r] = _sum_skipping(prior, rc.cols[rc.indptr[r] : rc.indptr[r + 1]])
    return u


def _top_classes(prior: np.ndarray, m: int) -> np.ndarray:
    """``m`` classes of the largest prior, by decreasing prior (among equal priors at the cut, any): an item
    with fewer than ``m`` answers has its best unanswered class's prior among them."""
    if m >= prior.size:
        return np.argsort(-prior, kind="stable")
    top = np.argpartition(-prior, m - 1)[:m]
    return top[np.argsort(-prior[top], kind="stable")]


def rest_normalize(
    rc: RestCells, cell_log: np.ndarray, base: np.ndarray, prior: np.ndarray
) -> tuple[RestPosterior, np.ndarray]:
    """The posterior ``T[i, k] ∝ exp(base_i + bonus_ik) p_k`` and each row's log normaliser ``log Z_i``.

    ``cell_log`` is ``bonus`` on the answered cells (CSR order of ``rc``), every other cell's is 0. As
    :func:`~labelwise.aggregate._base.log_normalize` on the dense table: each row is shifted by its maximum
    (the answered cells' and that of its best unanswered class, ``base_i + log max p_k``) before ``exp``.
    """
    log_prior = np.log(prior)
    x = base[rc.rows] + cell_log
    x += log_prior[rc.cols]
    best = rc.best_unanswered(_top_classes(prior, int(np.diff(rc.indptr).max()) + 1))
    free = best >= 0
    shift = np.full(base.size, -np.inf)
    shift[free] = base[free] + log_prior[best[free]]
    top = np.maximum(np.maximum.reduceat(x, rc.indptr[:-1]), shift)
    x -= top[rc.rows]
    np.exp(x, out=x)
    shift[free] = np.exp(base[free] - top[free])
    shift[~free] = 0.0
    u = _unanswered_prior(rc, prior)
    total = np.add.reduceat(x, rc.indptr[:-1]) + shift * u
    x /= total[rc.rows]
    cells = sp.csr_matrix((x, rc.cols, rc.indptr), shape=rc.shape)
    return RestPosterior(cells, shift / total, prior, u), np.log(total) + top


def label_probas(cells: sp.csr_matrix, rest_mass: np.ndarray, prior: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``T[i, codes[i]]`` of a fit's ``probas_sparse_``, ``probas_rest_`` and ``rest_prior_``: the cell's value
    where item ``i`` was given the class, else its share of the item's rest (in proportion to the prior)."""
    rc = RestCells.of(cells)
    hit = rc.answered(np.arange(rc.shape[0], dtype=np.int64), np.asarray(codes, dtype=np.int64))
    out = np.zeros(rc.shape[0])
    stored = rc.keys == np.repeat(np.arange(rc.shape[0]) * rc.shape[1] + codes, np.diff(rc.indptr))
    out[rc.rows[stored]] = cells.data[stored]
    free = np.flatnonzero(~hit)
    out[free] = rest_mass[free] * prior[codes[free]] / _unanswered_prior(rc, prior)[free]
    return out


def class_mass(post: RestPosterior, rc: RestCells, weights: np.ndarray | None = None) -> np.ndarray:
    """``sum_i w_i T[i, k]`` for every class ``k`` (``weights``: ``w``, default 1): the answered cells, plus
    ``p_k`` times the rest of the rows that did not answer ``k`` (all rows' rest minus those that did, summed
    directly for a class where that cancels, :data:`CANCEL`)."""
    k = rc.shape[1]
    data = post.cells.data
    wr = post.rest if weights is None else post.rest * weights
    cell = np.bincount(rc.cols, weights=data if weights is None else data * weights[rc.rows], minlength=k)
    total = float(wr.sum())
    free = total - np.bincount(rc.cols, weights=wr[rc.rows], minlength=k)
    if total > 0:
        for c in np.flatnonzero(free < CANCEL * total).tolist():
            free[c] = _sum_skipping(wr, rc.rows[rc.cols == c])
    np.maximum(free, 0.0, out=free)
    return cell + post.prior * free


def _count_at_least(scale: np.ndarray, values: np.ndarray, thresh: np.ndarray) -> np.ndarray:
    """For each ``e``, how many of ``values`` (decreasing) have ``scale[e] * values >= thresh[e]``, computed
    with that product (a quotient's rounding could disagree with it at the boundary)."""
    k = values.size
    with np.errstate(divide="ignore", invalid="ignore"):
        count = np.searchsorted(-values, -(thresh / scale), side="right")
    count[scale <= 0] = np.where(thresh[scale <= 0] <= 0, k, 0)
    while True:
        up = (count < k) & (scale * values[np.minimum(count, k - 1)] >= thresh)
        down = (count > 0) & (scale * values[np.maximum(count - 1, 0)] < thresh)
        if not (up.any() or down.any()):
            return count
        count = count + up - down


def _free_tied(rc: RestCells, order: np.ndarray, rows: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The unanswered classes among the first ``count[e]`` of ``order`` for each row ``rows[e]``: (row of each,
    class of each), by row."""
    row_of = np.repeat(rows, count)
    starts = np.repeat(np.cumsum(count) - count, count)
    classes = order[np.arange(row_of.size) - starts]
    keep = ~rc.answered(row_of, classes)
    return row_of[keep], classes[keep]


#: Tied cells listed at a time by :func:`rest_argmax_random_ties` (rows whose tied unanswered classes are many
#: are drawn a block of rows at a time: the generator's stream is the same).
TIE_LIST_BLOCK = 1 << 20


def rest_argmax_random_ties(post: RestPosterior, rng: np.random.Generator, *, rtol: float) -> np.ndarray:
    """:func:`~labelwise.aggregate._base.argmax_random_ties` of the dense table ``post`` implies, the same
    codes and draws, without it.

    A cell ties with its row's maximum ``top`` when it is at least ``top - rtol * max(|top|, 1)`` (the dense
    rule's operations in its order); the unanswered classes ``k`` of a row tie where ``rest * p_k`` does, found
    among the classes by decreasing prior. Rows with more than one tied cell draw as
    :func:`~labelwise.aggregate._sparse_votes.draw_tied` does, from the explicit list of their tied cells
    (made for a block of rows at a time, :data:`TIE_LIST_BLOCK`).
    """
    n, k = post.shape
    rc = RestCells.of(post.cells)
    data = post.cells.data
    order = np.argsort(-post.prior, kind="stable")
    best = rc.best_unanswered(order)
    free = best >= 0
    rest_top = np.full(n, -np.inf)
    rest_top[free] = post.rest[free] * post.prior[best[free]]
    top = np.maximum(np.maximum.reduceat(data, rc.indptr[:-1]), rest_top)
    margin = np.abs(top)
    np.maximum(margin, 1.0, out=margin)
    margin *= rtol
    thresh = top - margin
    tied = data >= thresh[rc.rows]
    n_tied = np.add.reduceat(tied.astype(np.int64), rc.indptr[:-1])
    rest_rows = np.flatnonzero(free & (rest_top >= thresh))
    count = np.zeros(n, dtype=np.int64)  # classes by decreasing prior whose rest ties, answered ones included
    count[rest_rows] = _count_at_least(post.rest[rest_rows], post.prior[order], thresh[rest_rows])
    rank = np.empty(k, dtype=np.int64)
    rank[order] = np.arange(k)
    n_tied += count - np.bincount(rc.rows[rank[rc.cols] < count[rc.rows]], minlength=n)
    first = np.append(np.flatnonzero(tied), 0)  # (a row with no tied cell reads a stand-in it does not use)
    first_col = rc.cols[first[np.searchsorted(first[:-1], rc.indptr[:-1])]]
    codes = np.where(rest_top >= thresh, best, first_col).astype(np.intp)  # a single tie: the one tied cell
    multi = np.flatnonzero(n_tied > 1)
    cum = np.cumsum(n_tied[multi])
    start = 0
    while start < multi.size:
        done = int(cum[start - 1]) if start else 0
        stop = max(start + 1, int(np.searchsorted(cum, done + TIE_LIST_BLOCK, side="right")))
        _draw_block(rng, rc, tied, order, multi[start:stop], count, codes)
        start = stop
    return codes


def _draw_block(
    rng: np.random.Generator,
    rc: RestCells,
    tied: np.ndarray,
    order: np.ndarray,
    rows: np.ndarray,
    count: np.ndarray,
    codes: np.ndarray,
) -> None:
    """Draw the labels of ``rows`` (increasing, each with more than one tied cell) among their tied cells: the
    stored ones where ``tied``, and the unanswered classes among the first ``count`` of ``order``."""
    n, k = rc.shape
    in_block = np.zeros(n, dtype=bool)
    in_block[rows] = True
    stored = np.flatnonzero(tied & in_block[rc.rows])
    free_rows, free_cols = _free_tied(rc, order, rows, count[rows])
    local = np.cumsum(in_block) - 1  # each row's place in the block
    keys = np.concatenate([local[rc.rows[stored]] * k + rc.cols[stored], local[free_rows] * k + free_cols])
    keys.sort()
    tie_rows, tie_cols = np.divmod(keys, k)
    indptr = np.zeros(rows.size + 1, dtype=np.int64)
    np.cumsum(np.bincount(tie_rows, minlength=rows.size), out=indptr[1:])
    block_codes = np.zeros(rows.size, dtype=np.intp)
    draw_tied(rng, np.arange(rows.size), k, indptr, tie_cols, np.ones(tie_cols.size, dtype=bool), block_codes)
    codes[rows] = block_codes
