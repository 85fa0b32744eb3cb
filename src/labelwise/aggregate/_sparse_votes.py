"""Vote shares and the tie rule on sparse (item, class) cells, for label sets too large for a dense table.

A million free-text answers (chains of thought, open-vocabulary tags, entity ids) have about as many
distinct classes as answers: a dense ``n_items x K`` float64 table would need terabytes, while the
cells that hold a vote are at most one per answer. Above :data:`DENSE_BYTES_LIMIT` the plain votes
(:class:`~labelwise.aggregate.MajorityVote`) are counted on those cells alone, in a CSR matrix, and
:func:`sparse_argmax_random_ties` draws the same labels as
:func:`~labelwise.aggregate._base.argmax_random_ties` on the dense table, bit for bit. The weighted votes
of :class:`~labelwise.aggregate.Wawa` and :class:`~labelwise.aggregate.ZeroBasedSkill` are summed on
the same cells (:func:`answer_cells`, :func:`sparse_weighted_shares`), again bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from .. import _memory
from ..errors import EstimatorError
from ._answers import EncodedAnswers

__all__ = [
    "DENSE_BYTES_LIMIT",
    "POSTERIOR_COPIES",
    "AnswerCells",
    "DenseTooLargeError",
    "answer_cells",
    "check_dense_fits",
    "dense_bytes",
    "dense_too_large",
    "draw_tied",
    "label_shares",
    "sparse_argmax_random_ties",
    "sparse_vote_shares",
    "sparse_weighted_shares",
    "vote_totals",
]

#: Bytes of a dense ``n_items x K`` float64 table above which majority vote (and Wawa, zero-based skill and
#: gold majority vote) counts the sparse cells instead (2 GiB: 270 million cells), and the one-coin model and
#: GLAD fit on them (:mod:`._sparse_rest`). Below it the dense path (faster per cell on few classes) runs as
#: before; above it ``probas_`` is not built (``probas_sparse_`` holds the same shares, or the answered cells'
#: posteriors beside ``probas_rest_``).
DENSE_BYTES_LIMIT = 1 << 31


class DenseTooLargeError(EstimatorError, AttributeError):
    """A dense ``items x classes`` attribute that was not built because it would exceed
    :data:`DENSE_BYTES_LIMIT` (an ``AttributeError`` too: ``getattr(est, "probas_", None)`` is ``None``)."""


def too_large_probas(n_items: int, k: int, *, rest: bool = False) -> DenseTooLargeError:
    """The error for reading ``probas_`` of a fit that kept its shares sparse (``rest``: a posterior of the
    answered cells plus each item's rest, :class:`~labelwise.aggregate._sparse_rest.RestPosterior`)."""
    held = (
        "the posterior of each answered (item, label) cell is in probas_sparse_ (a scipy.sparse CSR matrix, rows "
        "in the order of labels_.index, columns in the order of classes_) and each item's remaining mass, spread "
        "over the classes nobody gave it in proportion to rest_prior_ (the class prior it was computed with), in "
        "probas_rest_"
        if rest
        else "the same vote shares are in probas_sparse_ (a scipy.sparse CSR matrix, rows in the order of "
        "labels_.index, columns in the order of classes_)"
    )
    return DenseTooLargeError(
        f"probas_ would be a dense {n_items:,} items x {k:,} classes table ({_gib(dense_bytes(n_items, k))}), "
        f"above labelwise.aggregate._sparse_votes.DENSE_BYTES_LIMIT ({_gib(DENSE_BYTES_LIMIT)}), so it was not "
        f"built: {held}; labels_ and label_codes_ are set as usual"
    )


def dense_bytes(*shape: int) -> int:
    """Bytes of a float64 array of ``shape`` (a Python int: no overflow)."""
    n = 8
    for d in shape:
        n *= int(d)
    return n


def dense_too_large(n_items: int, k: int) -> bool:
    """Whether a dense ``n_items x k`` float64 table exceeds :data:`DENSE_BYTES_LIMIT`."""
    return dense_bytes(n_items, k) > DENSE_BYTES_LIMIT


def _gib(n: int) -> str:
    return f"{n / 2**30:,.1f} GiB"


#: Arrays of the posterior's size that a dense fit holds at its peak, at the least: the posterior it returns and
#: one more (the E-step's new posterior while the last one is read, or the scores it normalises). Measured, the
#: dense methods hold 2.1-80 times the posterior (benchmarks/RESULTS.md, session 50 memguard50), MMSR 1.8 (its
#: scores are normalised in place: ``MMSR._posterior_copies = 1``), so the refusal fires only for a fit that
#: cannot fit.
POSTERIOR_COPIES = 2


def check_dense_fits(
    method: str, enc: Any, *, per_annotator_square: bool = False, copies: int = POSTERIOR_COPIES
) -> None:
    """Refuse, before allocating, a method whose dense per-class arrays exceed the memory available now.

    The need counted is ``copies`` (default :data:`POSTERIOR_COPIES`) arrays of the ``n_items x K`` posterior and, with
    ``per_annotator_square`` (a confusion matrix per annotator, as Dawid-Skene's), the ``n_annotators x K x
    K`` parameters: a floor of what the fit holds. It is compared with
    :func:`labelwise._memory.available_memory` (Linux's ``MemAvailable``, or the cgroup memory limit's headroom
    where smaller; the total elsewhere), not the machine's total, which other processes share.

    Raises
    ------
    EstimatorError
        Naming the method, ``K``, the bytes needed and available, and the methods that work on any ``K``.
    """
    k = enc.n_classes
    need = copies * dense_bytes(enc.n_items, k)
    what = f"a {enc.n_items:,} items x {k:,} classes posterior"
    if per_annotator_square:
        need += dense_bytes(enc.n_annotators, k, k)
        what += f" and {enc.n_annotators:,} annotators x {k:,} x {k:,} confusion matrices"
    available = _memory.available_memory()
    if available and need > available:
        raise EstimatorError(
            f"{method} needs {what}, {_gib(need)} at the least ({copies} array{'s' * (copies > 1)} of the "
            f"posterior's size while it fits), more than the memory available now "
            f"({_memory.describe_available(available)}): the answers have K={k:,} distinct labels. Use majority vote "
            "(MajorityVote, --method majority-vote) or its weighted forms (Wawa, ZeroBasedSkill, GoldMajorityVote; "
            "--method wawa, zero-based-skill, gold-majority-vote), which count only the (item, label) pairs "
            "answered, or the one-coin model or GLAD (OneCoinDawidSkene, GLAD; --method one-coin, glad), which fit "
            "on those pairs alone above DENSE_BYTES_LIMIT, or map the answers to fewer labels first (labelwise aggregate --parse-answers or "
            "--normalize-answers; in Python a parser of labelwise.weak.ANSWER_PARSERS)"
        )


def sparse_vote_shares(enc: EncodedAnswers) -> sp.csr_matrix:
    """Each item's vote share of each label it received: CSR ``(n_items, K)``, rows sum to 1.

    The stored values equal, bit for bit, the nonzero cells of the dense
    :func:`~labelwise.aggregate.majority.weighted_vote_shares` without weights: the counts and their
    row sums are exact integers in float64, divided the same way. Every item has an answer, so no
    row is empty.
    """
    cells, counts = np.unique(_cell_keys(enc), return_counts=True)
    indptr, cols = _csr_structure(cells, enc.n_classes, enc.n_items)
    values = counts.astype(np.float64)
    total = np.add.reduceat(values, indptr[:-1])
    values /= np.repeat(total, np.diff(indptr))
    return sp.csr_matrix((values, cols, indptr), shape=(enc.n_items, enc.n_classes))


def _cell_keys(enc: EncodedAnswers) -> np.ndarray:
    """Each answer's (item, label) cell as the int64 key ``item * K + label``."""
    keys = enc.item_idx.astype(np.int64) * enc.n_classes
    keys += enc.label_idx
    return keys


def _csr_structure(cells: np.ndarray, k: int, n_items: int) -> tuple[np.ndarray, np.ndarray]:
    """``indptr`` and column indices of the sorted cell keys ``item * k + label``."""
    rows, cols = np.divmod(cells, k)
    indptr = np.zeros(n_items + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_items), out=indptr[1:])
    return indptr, cols


@dataclass(frozen=True, eq=False)
class AnswerCells:
    """The answered (item, label) cells of an encoded table, in CSR order (by item, then label).

    Attributes
    ----------
    indptr, cols : ndarray
        The CSR structure of an ``n_items x K`` matrix with one stored entry per answered cell
        (sorted columns; every item has at least one cell).
    of_answer : ndarray of intp, shape (n_answers,)
        The cell (index into ``cols``) of each answer, in the encoding's answer order.
    shape : tuple of int
        ``(n_items, K)``.
    """

    indptr: np.ndarray
    cols: np.ndarray
    of_answer: np.ndarray
    shape: tuple[int, int]


def answer_cells(enc: EncodedAnswers) -> AnswerCells:
    """The answered cells of ``enc`` and each answer's cell (one sort of the answers' cell keys)."""
    cells, of_answer = np.unique(_cell_keys(enc), return_inverse=True)
    indptr, cols = _csr_structure(cells, enc.n_classes, enc.n_items)
    return AnswerCells(indptr, cols, of_answer.reshape(-1), (enc.n_items, enc.n_classes))


def sparse_weighted_shares(
    enc: EncodedAnswers,
    cells: AnswerCells,
    annotator_weights: np.ndarray | None = None,
    fallback_weights: np.ndarray | None = None,
) -> sp.csr_matrix:
    """:func:`~labelwise.aggregate.majority.weighted_vote_shares` on the answered cells: CSR ``(n_items, K)``.

    The stored values equal, bit for bit, the dense shares' cells (the cells whose weights are all 0
    are not stored). Both add each answer's weight into its cell in the answers' order starting from
    0 (``np.add.at`` there, ``np.bincount`` here), and both divide by the same totals
    (:func:`vote_totals`); an item whose weights are all 0 takes its votes weighted by
    ``fallback_weights`` instead (plain counts without).

    Parameters
    ----------
    enc : EncodedAnswers
    cells : AnswerCells
        ``answer_cells(enc)`` (made once per fit: iterative methods vote many times).
    annotator_weights : ndarray of shape (n_annotators,), optional
        Non-negative weight of each annotator's answers (``None``: every answer 1).
    fallback_weights : ndarray of shape (n_annotators,), optional
        The weights of the items whose ``annotator_weights`` are all 0 (``None``: every answer 1).
    """
    rows = np.repeat(np.arange(cells.shape[0]), np.diff(cells.indptr))
    values, total = _cell_sums(enc, cells, rows, annotator_weights)
    dead = total <= 0
    if annotator_weights is not None and dead.any():  # every weight 0: the fallback's vote shares
        fallback, fallback_total = _cell_sums(enc, cells, rows, fallback_weights)
        in_dead = dead[rows]
        values[in_dead] = fallback[in_dead]
        total[dead] = fallback_total[dead]
    values /= total[rows]
    cols, indptr = cells.cols, cells.indptr
    kept = values != 0.0
    if not kept.all():  # new arrays: ``cells`` is voted on again
        cols, values = cols[kept], values[kept]
        indptr = np.zeros_like(indptr)
        np.cumsum(np.bincount(rows[kept], minlength=cells.shape[0]), out=indptr[1:])
    return sp.csr_matrix((values, cols, indptr), shape=cells.shape)


def _cell_sums(
    enc: EncodedAnswers, cells: AnswerCells, rows: np.ndarray, annotator_weights: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """The answers' weights summed per stored cell (in the answers' order) and per item (as :func:`vote_totals`
    sums the dense table: the stored cells from left to right, in CSR order, since the empty ones are zeros
    and add nothing; or the answers in their order)."""
    n, k = cells.shape
    if annotator_weights is None:
        counts = np.bincount(cells.of_answer, minlength=cells.cols.size).astype(np.float64)
        return counts, np.bincount(rows, weights=counts, minlength=n)  # exact integers, in any order
    weights = np.asarray(annotator_weights, dtype=np.float64)[enc.annotator_idx]
    values = np.bincount(cells.of_answer, weights=weights, minlength=cells.cols.size)
    if k <= ORDERED_COLUMNS:
        return values, np.bincount(rows, weights=values, minlength=n)
    return values, enc.item_sum(weights)


#: Classes up to which :func:`vote_totals` adds a dense table's cells (one pass per column); past it the
#: answers' weights (one pass over the answers).
ORDERED_COLUMNS = 64


def vote_totals(enc: EncodedAnswers, scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Each item's total weight in a dense vote table ``scores`` (``weights``: each answer's), in a fixed
    order that :func:`sparse_weighted_shares` reproduces on the stored cells (``scores @ ones`` leaves the
    order to the BLAS kernel): up to :data:`ORDERED_COLUMNS` classes each row's cells added from left to
    right, starting from the first; past it the item's answer weights added in the answers' order
    (:meth:`EncodedAnswers.item_sum`, one pass over the answers instead of one per class)."""
    if scores.shape[1] > ORDERED_COLUMNS:
        return enc.item_sum(weights)
    total = scores[:, 0].copy()
    for j in range(1, scores.shape[1]):
        total += scores[:, j]
    return total


def label_shares(shares: sp.csr_matrix, codes: np.ndarray) -> np.ndarray:
    """``shares[i, codes[i]]`` for every row (0 where the cell holds no vote)."""
    per_row = np.diff(shares.indptr)
    hit = shares.indices == np.repeat(codes, per_row)
    out = np.zeros(shares.shape[0])
    out[np.repeat(np.arange(shares.shape[0]), per_row)[hit]] = shares.data[hit]
    return out


def sparse_argmax_random_ties(shares: sp.csr_matrix, rng: np.random.Generator, *, rtol: float) -> np.ndarray:
    """:func:`~labelwise.aggregate._base.argmax_random_ties` of ``shares.toarray()``, the same codes and
    random draws, without the dense array.

    ``shares`` holds positive values with no empty row and sorted column indices (as
    :func:`sparse_vote_shares` makes). The tie threshold is computed with the dense rule's operations
    in its order (the same bits). The dense rule draws one uniform per cell of each tied row, row
    after row; here only the draws of the tied cells are read, by advancing the generator over the
    others (PCG64 and PCG64DXSM, numpy's default, advance in O(log n)), and the generator ends where
    the dense draws leave it. Another bit generator draws each tied row in full, one row at a time.
    """
    n, k = shares.shape
    indptr, cols, data = shares.indptr, shares.indices, shares.data
    per_row = np.diff(indptr)
    top = np.maximum.reduceat(data, indptr[:-1])
    margin = np.abs(top)
    np.maximum(margin, 1.0, out=margin)
    margin *= rtol
    thresh = top - margin
    tied = data >= np.repeat(thresh, per_row)
    n_tied = np.add.reduceat(tied.astype(np.int64), indptr[:-1])
    zeros_tie = (thresh <= 0.0) & (per_row < k)  # the empty cells reach the threshold too
    n_tied[zeros_tie] += k - per_row[zeros_tie]
    first = np.flatnonzero(tied)
    codes = cols[first[np.searchsorted(first, indptr[:-1])]].astype(np.intp)
    draw_tied(rng, np.flatnonzero(n_tied > 1), k, indptr, cols, tied, codes, zeros_tie)
    return codes


def draw_tied(
    rng: np.random.Generator,
    multi: np.ndarray,
    k: int,
    indptr: np.ndarray,
    cols: np.ndarray,
    tied: np.ndarray,
    codes: np.ndarray,
    zeros_tie: np.ndarray | None = None,
) -> None:
    """Set ``codes[multi]`` (the rows with more than one tied cell, increasing) as the dense rule draws them:
    one uniform per cell of each of those rows, row after row, the tied cell with the largest draw (the first
    of equal draws). The tied cells of row ``r`` are its stored cells ``cols[indptr[r]:indptr[r + 1]]`` where
    ``tied`` holds, and every cell not stored where ``zeros_tie[r]``."""
    if not multi.size:
        return
    if zeros_tie is None:
        zeros_tie = np.zeros(indptr.size - 1, dtype=bool)
    if type(rng.bit_generator) in (np.random.PCG64, np.random.PCG64DXSM) and not zeros_tie[multi].any():
        _skip_to_tied_cells(rng, multi, k, indptr, cols, tied, codes)
    else:
        _draw_ties(rng, multi, k, indptr, cols, tied, zeros_tie, codes)


#: Uniforms between two tied cells up to which :func:`_skip_to_tied_cells` draws the ones between instead of
#: advancing the generator past them (an ``advance`` call costs about as much as drawing a few dozen).
RUN_GAP = 32


def _skip_to_tied_cells(
    rng: np.random.Generator,
    multi: np.ndarray,
    k: int,
    indptr: np.ndarray,
    cols: np.ndarray,
    tied: np.ndarray,
    codes: np.ndarray,
) -> None:
    """:func:`_draw_ties` when only stored cells tie and the generator advances: the positions of the tied
    cells in the dense draws (row ``m`` of ``multi``, cell ``c``: ``m * k + c``, increasing) are computed at
    once, and one loop advances to each and draws it, or, where many are close, to each run of them
    (:func:`_draw_runs`)."""
    per_row = np.diff(indptr)
    is_multi = np.zeros(per_row.size, dtype=bool)
    is_multi[multi] = True
    entries = np.flatnonzero(np.repeat(is_multi, per_row) & tied)  # in row order, columns sorted
    row_of = np.repeat(np.cumsum(is_multi) - 1, per_row)[entries]  # m: the row's place among the tied rows
    pos = row_of * k + cols[entries]
    bitgen: Any = rng.bit_generator
    gaps = np.diff(pos, prepend=-1) - 1  # uniforms to skip before each tied cell's own
    if np.count_nonzero(gaps <= RUN_GAP) * 4 < gaps.size:  # few close cells: one advance and one draw each
        advance, draw = bitgen.advance, rng.random
        draws = np.array([(advance(gap), draw())[1] for gap in gaps.tolist()])
    else:
        draws = _draw_runs(rng, pos)
    bitgen.advance(multi.size * k - int(pos[-1]) - 1)
    group = np.flatnonzero(np.diff(row_of, prepend=-1))  # each tied row's first tied cell
    best = np.repeat(np.maximum.reduceat(draws, group), np.diff(np.append(group, draws.size)))
    first_best = np.flatnonzero(draws == best)
    first_best = first_best[np.searchsorted(first_best, group)]  # the first of equal draws, as argmax
    codes[multi] = cols[entries[first_best]]


def _draw_runs(rng: np.random.Generator, pos: np.ndarray) -> np.ndarray:
    """The uniforms at positions ``pos`` (increasing) of the generator's stream from here: one ``advance`` to
    each run of positions at most :data:`RUN_GAP` apart and one draw of the run's uniforms (the same numbers
    as one call per uniform); the generator is left after the last position."""
    starts = np.flatnonzero(np.diff(pos, prepend=-RUN_GAP - 2) > RUN_GAP)  # each run's first position
    first, last = pos[starts], pos[np.append(starts[1:], pos.size) - 1]
    skips = first - np.append(-1, last[:-1]) - 1  # uniforms to skip before each run
    lengths = last - first + 1
    ends = np.cumsum(lengths)
    runs = np.empty(int(ends[-1]))  # each run's uniforms, one after the other
    advance, draw = rng.bit_generator.advance, rng.random  # type: ignore[attr-defined]
    for skip, lo, n in zip(skips.tolist(), (ends - lengths).tolist(), lengths.tolist(), strict=True):
        advance(skip)
        if n == 1:
            runs[lo] = draw()
        else:
            draw(out=runs[lo : lo + n])
    return runs[pos + np.repeat(ends - lengths - first, np.diff(np.append(starts, pos.size)))]


def _draw_ties(
    rng: np.random.Generator,
    multi: np.ndarray,
    k: int,
    indptr: np.ndarray,
    cols: np.ndarray,
    tied: np.ndarray,
    zeros_tie: np.ndarray,
    codes: np.ndarray,
) -> None:
    """Set ``codes`` of the tied rows ``multi`` as the dense rule's ``draws.argmax`` over tied cells."""
    bitgen: Any = rng.bit_generator  # PCG64 and PCG64DXSM have ``advance``
    skip = type(bitgen) in (np.random.PCG64, np.random.PCG64DXSM)
    pos = 0  # uniforms drawn so far (in the dense rule's order: row m, cell c -> m * k + c)
    for m, row in enumerate(multi.tolist()):
        lo, hi = int(indptr[row]), int(indptr[row + 1])
        if not skip or zeros_tie[row]:
            if skip:
                bitgen.advance(m * k - pos)
            draws = rng.random(k)
            pos = (m + 1) * k
            keep = np.ones(k, dtype=bool) if zeros_tie[row] else np.zeros(k, dtype=bool)
            keep[cols[lo:hi]] = tied[lo:hi]
            draws[~keep] = -1.0
            codes[row] = int(draws.argmax())
            continue
        best, best_col = -1.0, -1
        for c in cols[lo:hi][tied[lo:hi]].tolist():
            bitgen.advance(m * k + c - pos)
            u = rng.random()
            pos = m * k + c + 1
            if u > best:  # the first of equal draws wins, as argmax
                best, best_col = u, c
        codes[row] = best_col
    if skip:
        bitgen.advance(multi.size * k - pos)
