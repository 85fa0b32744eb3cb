"""The exact ``k`` nearest columns of every row of a float32 slab of ``||b||^2 - 2ab``: the selection
every exact search shares (:func:`~labelwise.checks.graph.exact_knn`, the dask sharded search's
(query block, shard) pairs, the scaling choice's neighbour lists, and the pools of the cells and
spill indexes, :func:`~labelwise.checks._cells.pool_best`).

A float32 product is off by up to ``tol`` (per row, the error bound the caller passes,
:func:`float32_product_tol`: proven at every dimension, and narrowed above 165 dimensions for rows
with a large common offset by taking the products of shifted rows, :func:`search_shift`), so the
slab alone cannot rank rows closer than that. :func:`exact_best` settles every row in up to three
steps, each only for the rows the one before could not settle:

1. The ``m`` smallest values by ``argpartition``, re-scored exactly in float64 from the
   differences, the ``k`` best kept by (distance, column). A left-out column's value is at least
   the cut (the ``m``-th smallest), so its true ``||b||^2 - 2ab`` is at least ``cut - tol``: when
   the ``k``-th best found is below that, no left-out column can be nearer and the row is settled.
   Ordinary rows all end here, with one partition and ``m`` re-scored columns per row.
2. The rows whose ``k``-th best lies within ``tol`` of the cut: every column clearly below the cut
   plus the near-ties within ``tol`` of it, at most ``4m`` (:func:`smallest_by_value_then_index`,
   two passes over the row), re-scored and checked the same way: a left-out column has a value
   above ``cut + tol`` (above ``cut - tol`` where the near-ties overflowed the cap), so it is
   farther when the ``k``-th best is below ``cut`` (``cut - 2 tol``).
3. The rows still in doubt (tightly packed rows, e.g. near-one-hot predicted probabilities, whose
   whole cluster lies within ``tol`` of each other, or many exact copies, where the kept near-ties
   are the lowest columns, not the nearest): every column whose float32 value is within ``tol``
   of the ``k``-th best exact distance found (the only ones that can be nearer) is re-scored
   exactly, in column order and in bounded chunks, keeping the ``k`` best by (distance, column);
   a row with ``k`` exact copies stops at the chunk that completes them (no later column can beat
   a distance of 0 with a lower column).

Each step returns the ``k`` best by (float64 distance, column) over all valid columns, so which
step settled a row does not change its result, bit for bit. ``inf`` marks a column that is never
the row's neighbour (itself), in every step.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Query rows re-scored at a time: their float64 differences (``RESCORE_ROWS x d``) stay in cache.
RESCORE_ROWS = 512
#: Float64 differences held at once when a row's band is re-scored (its chunks grow up to this).
BAND_ELEMENTS = 1 << 20
#: Candidates kept per row at most, in multiples of ``m``.
CAP = 4
#: Columns of a row's band re-scored in its first chunk (at least ``CAP * m``; later chunks grow
#: 8-fold): most bands fit in one, and a row with ``k`` exact copies among them stops there.
FIRST_COLUMNS = 1024


def smallest_by_value_then_index(slab: np.ndarray, m: int, tol: np.ndarray) -> np.ndarray:
    """Columns of (at least) the ``m`` smallest values of every row, near-ties at the cut taken by lower column.

    Values within ``tol`` (per row, the float32 error bound of the product) of the ``m``-th
    smallest count as tied with it; all clearly smaller values are kept, then the tied ones in
    column order, up to ``4m`` candidates per row. Rows with fewer are padded with ``-1``. So
    the candidates do not depend on how the BLAS kernel rounded the tied entries, nor on the
    blocking. They hold the row's true ``k <= m`` nearest columns only where nothing within
    ``tol`` of the cut was left out; :func:`exact_best` checks that and settles the other rows.
    """
    return _select(slab, m, tol)[0]


def _select(
    slab: np.ndarray, m: int, tol: np.ndarray, cut: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`smallest_by_value_then_index`'s candidates, the cut (``rows x 1``) and whether each
    row's near-ties overflowed the cap (some were left out); ``cut``, the ``m``-th smallest value
    of each row (``rows x 1``) when the caller has it already."""
    rows = slab.shape[0]
    if cut is None:
        cut = np.partition(slab, m - 1, axis=1)[:, m - 1 : m]
    rs, cs = np.nonzero(slab < cut - tol)
    rn, cn = np.nonzero((slab <= cut + tol) & (slab >= cut - tol))
    n_sure = np.bincount(rs, minlength=rows)
    n_near = np.bincount(rn, minlength=rows)
    width = max(m, min(int((n_sure + n_near).max()), CAP * m))
    rank_s = np.arange(rs.size) - np.r_[0, np.cumsum(n_sure)[:-1]][rs]
    rank_n = np.arange(rn.size) - np.r_[0, np.cumsum(n_near)[:-1]][rn] + n_sure[rn]
    keep = rank_n < width  # near-ties beyond the cap: the lower columns win (nonzero is column-ordered)
    out = np.full((rows, width), -1, dtype=np.int64)
    out[rs, rank_s] = cs
    out[rn[keep], rank_n[keep]] = cn[keep]
    return out, cut, n_sure + n_near > width


#: Unit roundoff of float32 and float64 (round to nearest).
_U32 = 2.0**-24
_U64 = 2.0**-53
#: Dimensions up to which session 27's ``1e-5 (|a|^2 + M)`` is itself a proven bound: rows of at
#: most this many columns are searched as given, bit for bit as before session 29.
PLAIN_DIMENSIONS = 165
#: Rows (evenly spaced) on which :func:`search_shift` measures what a shift would do.
SHIFT_SAMPLE = 256


def search_shift(S: np.ndarray) -> np.ndarray | None:
    """The float32 vector subtracted from both sides of an exact search's product, or None.

    Squared distances do not change when every row is shifted by the same vector, but the float32
    product's error bound (:func:`float32_product_tol`) grows with the rows' norms, as
    ``d u |a| max |b|`` above :data:`PLAIN_DIMENSIONS` dimensions. Rows with a large common offset
    (raw pixels, all-positive embeddings searched without z-scoring) have norms far above their
    distances, so that bound would put most columns of every row in :func:`exact_best`'s band.
    Above ``PLAIN_DIMENSIONS``, the column mean ``c`` (rounded to float32) of a sample of the
    searched rows ``S`` (every ``n // SHIFT_SAMPLE``-th row: fewer than ``2 SHIFT_SAMPLE``; any
    common vector keeps the distances, and a sample keeps the check cheap beside the products of
    :func:`~labelwise.checks._cells.pool_best`'s few query rows) is returned when it at least
    halves a typical row's squared norm, which the bound of its products scales with: the median
    of ``||b - c||^2`` below half the median of ``||b||^2`` over the sample. The medians, so that
    one huge row neither hides the common offset of all the others nor, pulling the mean its way,
    passes for one; None otherwise (z-scored rows have a mean near 0, and no copy of the rows is
    made for them). The caller takes the products of :func:`shifted_rows`, passes ``shifted=True``
    to :func:`float32_product_tol` (the shift's rounding) and the shifted query rows' squared
    norms to :func:`exact_best`, which re-scores the rows as given.
    """
    n, d = S.shape
    if d <= PLAIN_DIMENSIONS or n == 0:
        return None
    some = S[:: max(1, n // SHIFT_SAMPLE)].astype(np.float64)
    centre = some.mean(axis=0).astype(np.float32)
    plain = np.median(np.einsum("ij,ij->i", some, some))
    some -= centre
    return centre if 2.0 * np.median(np.einsum("ij,ij->i", some, some)) < plain else None


def shifted_rows(X: np.ndarray, shift: np.ndarray | None) -> np.ndarray:
    """``fl32(X - shift)``, one float32 rounding per element (``X`` itself when ``shift`` is None)."""
    return X if shift is None else np.subtract(X, shift, dtype=np.float32)


def sq_norms(Y: np.ndarray) -> np.ndarray:
    """The float64 squared norms of the rows of ``Y``: :func:`exact_best`'s ``q_norm`` for query rows
    ``Y`` the products were taken of (:func:`shifted_rows`)."""
    return np.einsum("ij,ij->i", Y, Y, dtype=np.float64)


def sq_norms32(Y: np.ndarray) -> np.ndarray:
    """:func:`sq_norms` rounded to float32, as the searches hold them: the slab's column offsets
    (:func:`product_slab`) and the norms :func:`float32_product_tol` takes."""
    return sq_norms(Y).astype(np.float32)


def product_slab(
    Yq: np.ndarray, Ys: np.ndarray, sq_s: np.ndarray, self_cols: np.ndarray | None, out: np.ndarray | None = None
) -> np.ndarray:
    """The float32 slab ``||b||^2 - 2 a.b`` of query rows ``Yq`` against rows ``Ys`` (``sq_s``: their
    :func:`sq_norms32`), ``inf`` at each query row's own column ``self_cols`` (None: no query row is
    among ``Ys``); the products are written into ``out`` where given (one buffer for every block)."""
    slab = np.matmul(Yq, Ys.T, out=out)
    slab *= -2.0
    slab += sq_s[None, :]
    if self_cols is not None:
        slab[np.arange(slab.shape[0]), self_cols] = np.inf  # no self-matches
    return slab


def float32_product_tol(sq_norm: np.ndarray, top_sq_norm: float, d: int, *, shifted: bool = False) -> np.ndarray:
    """Per query row, the bound every exact search takes on the float32 error of ``||b||^2 - 2ab``.

    ``E``, the rounding-error bound below, which is a proof at every dimension ``d``, with
    ``M = max ||b||^2`` over the searched rows; up to :data:`PLAIN_DIMENSIONS` (165) dimensions
    ``max(1e-5 (|a|^2 + M), E)``. ``E`` is below ``1e-5 (|a|^2 + M)`` for ``d <= 165`` (whatever the
    norms, unless ``|a|^2 + M`` is below about ``1e-30``), so those tables keep the session-27
    ``tol`` exactly; above, ``E`` grows about as ``2 u M + 2 d u |a| sqrt(M)``, which is why rows
    with a common offset are shifted first (:func:`search_shift`). (A long function for its proof,
    in the Notes.)

    Parameters
    ----------
    sq_norm : array_like
        The query rows' squared norms ``|a|^2`` (any shape; taken as float32, as the callers hold
        them), of the rows the products were taken of (the shifted ones where ``shifted``).
    top_sq_norm : float
        ``M``, the largest squared norm of the searched rows (float32 or float64), shifted likewise.
    d : int
        The rows' dimension (the length of the dot products).
    shifted : bool, default False
        Whether the products were taken of :func:`shifted_rows` (``a' = fl32(a - c)``,
        ``b' = fl32(b - c)``) while :func:`exact_best` re-scores the rows ``a``, ``b`` as given:
        adds the shift's rounding, ``8 u (|a'|^2 + M')``, and its underflow.

    Returns
    -------
    ndarray of float64, the shape of ``sq_norm``

    Notes
    -----
    Every caller computes the slab as ``v = fl32(N + (-2) fl32(a . b))``: ``a``, ``b`` float32 rows,
    ``N = fl32(||b||^2)`` from a float64 sum of the (exact in float64) squares, the scaling by ``-2``
    exact, the product a BLAS ``sgemm``. With ``u = 2^-24`` and ``gamma_d = d u / (1 - d u)``
    (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., SIAM 2002, sec. 3.1, eq. 3.5:
    a dot product of length ``d`` evaluated in any order, with or without fused multiply-adds, is off
    by at most ``gamma_d sum_i |a_i b_i|``), and ``B = ||b||^2 <= M``:

    * ``|fl32(a . b) - a . b| <= gamma_d sum_i |a_i b_i| <= gamma_d |a| |b|`` (Cauchy-Schwarz),
      doubled by the ``-2``;
    * ``|N - B| <= u B + (1 + u) gamma64_d B`` (the float64 sum, then the cast);
    * the float32 sum rounds by at most ``u |N - 2 fl32(a . b)| <= u (B + 2 |a| |b|)`` (to first
      order).

    So ``|v - (B - 2 a . b)| <= 2 u (1 + u) M + 2 ((1 + u) gamma_d + u) |a| sqrt(M)`` plus terms of
    order ``u gamma64_d M``; ``|a| |b| <= |a| sqrt(M)`` is tighter per row than
    ``(|a|^2 + M) / 2``, with which the bound is about ``(d + 3) u (|a|^2 + M)`` (session 27). The
    float32 rows are the ones re-scored (no input error). :func:`exact_best` compares ``v`` with
    float64 values: the re-scored ``||a - b||^2 - ||a||^2`` (off by at most
    ``gamma64_{d+2} 2 (|a|^2 + M) + gamma64_d |a|^2``, ``gamma64`` with ``2^-53``) and the cut
    plus or minus ``tol`` (one float64 rounding each); ``16 (d + 4) 2^-53 (|a|^2 + M)`` covers
    these, so its tests (a left-out column's true value is at least ``cut - tol``, above ``cut``
    past the near-ties, or at least ``cut - 2 tol`` where near-ties were dropped, against the
    ``k``-th best's) hold for the float64 distances the results are ranked by. Underflow (gradual
    or flushed to zero) adds at most ``2^-126`` per product and per rounding: ``(d + 1) 2^-123``
    in all. The norms given are float32 roundings (relative error ``u``); the factor ``1 + 8u``
    covers them and the float64 evaluation of ``E``. The bound needs ``d u < 1/2`` (``d`` below 8
    million); beyond, ``inf`` (every column re-scored).

    Shifted rows (``shifted=True``). The products are of ``a' = fl32(a - c)``, ``b' = fl32(b - c)``
    for a float32 vector ``c``, and the float64 values compared with them are
    ``||a - b||^2 - ||a'||^2`` (re-scored from ``a``, ``b``; ``||a'||^2`` is the row offset
    :func:`exact_best` is given). Everything above holds for ``a'``, ``b'`` with ``|a'|^2``, ``M'``:
    ``v`` is within ``E`` of ``||b'||^2 - 2 a' . b' = ||a' - b'||^2 - ||a'||^2``, and the float64
    terms only need ``||a - b||^2 <= 2 (|a - c|^2 + |b - c|^2)`` (shift-invariant). What is left is
    ``| ||a' - b'||^2 - ||a - b||^2 |``. Per element ``a'_i = (a_i - c_i)(1 + delta_i) + xi_i``,
    ``|delta_i| <= u`` and ``|xi_i| <= 2^-126`` (a subnormal result is exact, a flushed one is off by
    less than ``2^-126``), so ``e = (a' - b') - (a - b)`` has ``|e| <= u R + eta`` with
    ``R = |a - c| + |b - c|`` and ``eta = 2 sqrt(d) 2^-126``. Then
    ``| ||a' - b'||^2 - ||a - b||^2 | = |2 (a - b) . e + |e|^2| <= |e| (2 R + |e|)
    <= (3 u + u^2 (2 + u)) R^2 + eta^2 (1 + (1 + u) / u)`` (``2 eta R <= u R^2 + eta^2 / u``), and
    ``R^2 <= 2 (|a - c|^2 + |b - c|^2)`` with ``|a - c| <= (|a'| + sqrt(d) 2^-126) / (1 - u)``:
    at most ``6 u (1 + 4u) (|a'|^2 + M')`` plus an absolute term below ``d 2^-190``. The bound adds
    ``8 u (|a'|^2 + M')`` and a second ``(d + 1) 2^-123``.
    """
    a2 = np.asarray(sq_norm, dtype=np.float32).astype(np.float64)
    top = float(top_sq_norm)
    if d * _U32 >= 0.5:
        return np.full(a2.shape, np.inf)
    gamma = d * _U32 / (1.0 - d * _U32)
    proven = (
        2.0 * _U32 * (1.0 + _U32) * top
        + 2.0 * ((1.0 + _U32) * gamma + _U32) * np.sqrt(a2 * top)
        + 16.0 * (d + 4) * _U64 * (a2 + top)
        + (d + 1) * 2.0**-123
    )
    if shifted:
        proven = proven + 8.0 * _U32 * (a2 + top) + (d + 1) * 2.0**-123
    proven *= 1.0 + 8.0 * _U32
    return np.maximum(1e-5 * (a2 + top), proven) if d <= PLAIN_DIMENSIONS else proven


def block_best(
    Yq: np.ndarray,
    Ys: np.ndarray,
    Zq: np.ndarray,
    Zs: np.ndarray,
    norms: tuple[np.ndarray, np.ndarray, float],
    k: int,
    m: int,
    self_cols: np.ndarray | None,
    *,
    shifted: bool,
    out: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """One block of an exact search: :func:`product_slab` of the rows the products are taken of
    (``Yq`` against ``Ys``: :func:`shifted_rows` of the query rows ``Zq`` and searched rows ``Zs``),
    its :func:`float32_product_tol` and :func:`exact_best` on it. ``norms``: ``Yq``'s and ``Ys``'s
    :func:`sq_norms32` and the largest squared norm of the searched rows; ``out``: the slab's buffer."""
    sq_q, sq_s, top_norm = norms
    slab = product_slab(Yq, Ys, sq_s, self_cols, out=out)
    tol = float32_product_tol(sq_q[:, None], top_norm, Zq.shape[1], shifted=shifted)
    return exact_best(slab, Zq, Zs, k, m, tol, self_cols=self_cols, q_norm=sq_norms(Yq))


def sq_distances_between(Q: Any, S: Any, cand: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """Float64 squared distances from ``Q[i]`` (``Q[rows[i]]`` when ``rows`` is given) to
    ``S[cand[i, j]]``, from the float32 rows' differences; ``Q`` and ``S`` are float32 matrices or
    anything that gives float32 rows by index (a :class:`~labelwise.checks.graph.StandardizedRows`
    view), read ``RESCORE_ROWS`` query rows at a time."""
    d2 = np.empty(cand.shape, dtype=np.float64)
    for s in range(0, cand.shape[0], RESCORE_ROWS):
        block = Q[s : s + RESCORE_ROWS] if rows is None else Q[rows[s : s + RESCORE_ROWS]]
        q, part = block.astype(np.float64), cand[s : s + RESCORE_ROWS]
        for j in range(cand.shape[1]):
            diff = S[part[:, j]].astype(np.float64) - q
            d2[s : s + RESCORE_ROWS, j] = np.einsum("ij,ij->i", diff, diff)
    return d2


def exact_best(
    slab: np.ndarray,
    Q: np.ndarray,
    S: np.ndarray,
    k: int,
    m: int,
    tol: np.ndarray,
    self_cols: np.ndarray | None = None,
    q_norm: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest rows of ``S`` to every row of ``Q`` by (float64 distance, column), exactly.

    The steps of the module's docstring: each row is settled by the ``m`` smallest values where
    they decide it, else by the near-ties at the cut, else by re-scoring its band.

    Parameters
    ----------
    slab : ndarray of float32, shape (q, s)
        ``||S_j||^2 - 2 Q_i . S_j`` as the caller computed it (``inf`` where column ``j`` may not
        be row ``i``'s neighbour, e.g. itself).
    Q, S : ndarray of float32, shapes (q, d), (s, d)
        The query rows and the searched rows.
    k, m : int
        Neighbours wanted; candidates kept per row before the check (``1 <= m <= s``).
    tol : ndarray, shape (q, 1)
        Per row, a bound on the float32 error of the slab's values.
    self_cols : ndarray of int, shape (q,), optional
        Each query row's own column in ``S`` (never its neighbour); None when ``Q`` is not in ``S``.
    q_norm : ndarray of float64, shape (q,), optional
        The slab's row offset: the float64 squared norms of the query rows the products were
        taken of, where those were :func:`shifted_rows` (``tol`` then with ``shifted=True``);
        by default those of ``Q``.

    Returns
    -------
    indices : ndarray of int64, shape (q, k)
        Columns of ``S``, nearest first, ties by lower column; ``-1`` past the row's valid columns.
    sq_distances : ndarray of float64, shape (q, k)
        Their squared distances from the float32 rows' differences (``inf`` with ``-1``).
    """
    rows = slab.shape[0]
    tol1 = np.broadcast_to(tol, (rows, 1))[:, 0]
    if q_norm is None:
        q_norm = sq_norms(Q)
    cand = np.argpartition(slab, m - 1, axis=1)[:, :m].astype(np.int64, copy=False)
    values = np.take_along_axis(slab, cand, 1)
    cut = values.max(axis=1)  # the m-th smallest value
    idx, best = _k_best(cand, sq_distances_between(Q, S, cand), _invalid(cand, values, self_cols), k)
    del values
    # a left-out column's value is at least the cut: its true ||b||^2 - 2ab at least cut - tol
    doubt = np.flatnonzero(~(best[:, k - 1] - q_norm < cut - tol1))
    if doubt.size:
        if 2 * doubt.size > rows:  # most rows (packed ones): all of them, rather than a copy of the slab's
            idx2, best2 = _near_ties_best(slab, Q, S, k, m, tol1, q_norm, cut[:, None], self_cols)
            idx[doubt], best[doubt] = idx2[doubt], best2[doubt]
        else:
            own = None if self_cols is None else self_cols[doubt]
            idx[doubt], best[doubt] = _near_ties_best(
                slab[doubt], Q[doubt], S, k, m, tol1[doubt], q_norm[doubt], cut[doubt, None], own
            )
    return idx, best


def _invalid(cand: np.ndarray, values: np.ndarray, self_cols: np.ndarray | None) -> np.ndarray:
    """Which candidates (``cand``, their slab ``values``) are no neighbour: padding (``-1``), an
    ``inf`` value or the row's own column."""
    bad = (cand < 0) | ~np.isfinite(values)
    if self_cols is not None:
        bad |= cand == self_cols[:, None]
    return bad


def _k_best(cand: np.ndarray, d2: np.ndarray, bad: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best of each row's candidate columns ``cand`` by (``d2``, column), the ``bad`` ones
    left out; padded with ``-1`` and ``inf``."""
    d2[bad] = np.inf
    order = np.lexsort((cand, d2), axis=1)[:, :k]
    idx, best = np.take_along_axis(cand, order, 1), np.take_along_axis(d2, order, 1)
    if idx.shape[1] < k:  # fewer candidates than k (a small shard)
        short = k - idx.shape[1]
        idx = np.hstack([idx, np.full((idx.shape[0], short), -1, dtype=np.int64)])
        best = np.hstack([best, np.full((best.shape[0], short), np.inf)])
    idx[np.isinf(best)] = -1
    return idx, best


def _near_ties_best(
    slab: np.ndarray,
    Q: np.ndarray,
    S: np.ndarray,
    k: int,
    m: int,
    tol1: np.ndarray,
    q_norm: np.ndarray,
    cut: np.ndarray,
    self_cols: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Steps 2 and 3 of the module's docstring for the rows the ``m`` smallest did not settle
    (``tol1``, ``q_norm``: per row; ``cut``: their ``m``-th smallest values, ``rows x 1``)."""
    cand, cut, overflow = _select(slab, m, tol1[:, None], cut)
    bad = _invalid(cand, np.take_along_axis(slab, np.maximum(cand, 0), 1), self_cols)
    n_valid = cand.shape[1] - np.count_nonzero(bad, axis=1)
    idx, best = _k_best(cand, sq_distances_between(Q, S, cand), bad, k)
    del bad
    t_k = best[:, k - 1] - q_norm  # an upper bound of the true k-th ||b||^2 - 2ab
    # a left-out column's value exceeds cut + tol (cut - tol where near-ties were dropped): its
    # true ||b||^2 - 2ab exceeds that minus tol, so it is farther than the k-th best when this holds
    floor = np.where(overflow, cut[:, 0] - 2.0 * tol1, cut[:, 0])
    doubt = np.flatnonzero(~(t_k < floor))
    if doubt.size:  # else nothing was left out: every valid column is a candidate
        doubt = doubt[n_valid[doubt] < np.isfinite(slab[doubt]).sum(axis=1)]
    if doubt.size:  # the band of each row in doubt: every column that may be nearer than its k-th
        band = slab[doubt] <= (t_k[doubt] + tol1[doubt])[:, None]
        band &= np.isfinite(slab[doubt])
        if self_cols is not None:
            band[np.arange(doubt.size), self_cols[doubt]] = False
        rb, cb = np.nonzero(band)  # about as many pairs as the near-ties of _select (a slab at most)
        del band
        ends = np.searchsorted(rb, np.arange(doubt.size + 1))
        first = max(FIRST_COLUMNS, CAP * m)
        for i, r in enumerate(doubt):
            idx[r], best[r] = _band_best(slab[r], Q[r], S, k, cb[ends[i] : ends[i + 1]], (tol1[r], q_norm[r]), first)
    return idx, best


def _band_best(
    values: np.ndarray, q: np.ndarray, S: np.ndarray, k: int, cols: np.ndarray, tol: tuple[float, float], size: int
) -> tuple[np.ndarray, np.ndarray]:
    """One row's ``k`` best among the columns ``cols`` (increasing), re-scored in float64 by chunks
    (``size`` columns first, growing); after each chunk the columns whose ``values`` exceed the
    ``k``-th best found (less the row's slab offset ``||a||^2``) plus the row's error bound are
    dropped (``tol``: the bound and the offset), and a ``k``-th best of 0 ends the search."""
    q64 = q.astype(np.float64)
    bound, q_norm = tol
    idx = np.full(k, -1, dtype=np.int64)
    best = np.full(k, np.inf)
    most = max(size, BAND_ELEMENTS // max(S.shape[1], 1))
    while cols.size:
        part, cols = cols[:size], cols[size:]
        diff = S[part].astype(np.float64) - q64
        d2 = np.einsum("ij,ij->i", diff, diff)
        both_idx, both_d2 = np.concatenate([idx, part]), np.concatenate([best, d2])
        order = np.lexsort((np.where(both_idx < 0, np.iinfo(np.int64).max, both_idx), both_d2))[:k]
        idx, best = both_idx[order], both_d2[order]
        if best[-1] == 0.0:  # k exact copies: every later column is as far or farther, and higher
            break
        if cols.size:
            cols = cols[values[cols] <= best[-1] - q_norm + bound]
        size = min(8 * size, most)
    return idx, best
