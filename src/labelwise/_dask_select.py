"""Exact quantiles of a 1-D dask array, found by selection passes on the workers.

The client never holds the array. Values are mapped to unsigned 64-bit *keys* whose integer order is
the values' order (floats: the sign-magnitude bit pattern made monotone; ints: the sign bit
flipped), so a value interval is an integer interval and its bins are exact integer ranges, with
infinities as ordinary keys. Every order statistic the quantiles need is bracketed by a key range
``[lo, hi]`` and the number of values below ``lo``; a pass counts, per chunk, the values of each
open bracket in up to ``2**BIN_BITS`` bins (``np.bincount`` of ``(key - lo) >> shift``), the counts
are summed on the workers, and each bracket narrows to the bin that holds its rank. A bracket of one
key is solved (however many equal values it holds); brackets holding at most :data:`GATHER_CAP`
values in all are gathered to the client in one pass and selected exactly. All wanted ranks of all
quantiles share the passes. A bracket narrows by at least ``BIN_BITS`` bits a pass, so at most
``ceil(64 / BIN_BITS)`` counting passes follow the first (which counts values and NaNs and finds the
key range). The new bracket is the chosen bin narrowed to the least and greatest key in it (``np.minimum.at``
per bin), so a long run of equal values is solved by the pass that isolates it.

The quantile is then interpolated from its two order statistics with numpy's own formula
(``numpy/lib/_function_base_impl.py``: ``_get_indexes``, ``_get_gamma``, ``_lerp``, method
``"linear"``), written out here step by step, so the result is bit for bit ``np.quantile``'s. One
exception: ``-0.0`` and ``0.0`` are equal, numpy's partition may put either at a rank where both
occur, and so may the answer's sign differ from numpy's where both occur at the selected rank (the
keys order ``-0.0`` first).

Each pass is one dask computation run by :func:`labelwise._stage_progress.compute`, so stage
progress bars count its tasks. ``x`` is recomputed by every pass unless it is persisted.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._chunks import as_dask_rows, tree_reduce_delayed
from ._stage_progress import compute as tracked_compute
from .errors import InvalidParameterError, TooFewExamplesError

__all__ = ["GATHER_CAP", "BIN_BITS", "exact_quantiles", "exact_median"]

#: Values one pass may bring to the client (over all brackets it gathers).
GATHER_CAP = 1 << 16
#: A counting pass splits each bracket into at most ``2**BIN_BITS`` bins.
BIN_BITS = 10

_SIGN = np.uint64(1 << 63)
_LOW = np.uint64((1 << 63) - 1)


def _keys(a: np.ndarray) -> np.ndarray:
    """Order-preserving uint64 keys of a chunk of ints or floats (floats as float64, exactly)."""
    if a.dtype.kind == "u":
        return a.astype(np.uint64)
    if a.dtype.kind == "i":
        return a.astype(np.int64).view(np.uint64) ^ _SIGN
    bits = a.astype(np.float64).view(np.uint64)
    return bits ^ (((bits >> np.uint64(63)) * _LOW) | _SIGN)  # negative: all bits flipped; else the sign bit


def _values(keys: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """The inverse of :func:`_keys`: values of ``dtype`` from their keys."""
    keys = np.asarray(keys, dtype=np.uint64)
    if dtype.kind == "u":
        return keys.astype(dtype)
    if dtype.kind == "i":
        return (keys ^ _SIGN).view(np.int64).astype(dtype)
    bits = keys ^ (((np.uint64(1) - (keys >> np.uint64(63))) * _LOW) | _SIGN)
    return bits.view(np.float64).astype(dtype)


def _survey(chunk: np.ndarray) -> tuple[int, int, int | None, int | None]:
    """Pass 0 on a chunk: its length, its NaN count, its least and greatest key (None when empty)."""
    nans = int(np.isnan(chunk).sum()) if chunk.dtype.kind == "f" else 0
    if chunk.size == 0 or nans:
        return chunk.size, nans, None, None
    keys = _keys(chunk)
    return chunk.size, nans, int(keys.min()), int(keys.max())


def _merge_surveys(parts: list[tuple]) -> tuple:
    lows = [p[2] for p in parts if p[2] is not None]
    highs = [p[3] for p in parts if p[3] is not None]
    return (
        sum(p[0] for p in parts),
        sum(p[1] for p in parts),
        min(lows) if lows else None,
        max(highs) if highs else None,
    )


def _count_pass(chunk: np.ndarray, plan: tuple[tuple[str, int, int, int], ...]) -> list[Any]:
    """One selection pass on a chunk: for each bracket ``(kind, lo, hi, shift)`` of ``plan``, its keys
    themselves (``kind == "gather"``) or, per bin, their count and least and greatest key (``"count"``)."""
    keys = _keys(chunk)
    out: list[Any] = []
    for kind, lo, hi, shift in plan:
        inside = keys[(keys >= np.uint64(lo)) & (keys <= np.uint64(hi))]
        if kind == "gather":
            out.append(inside)
            continue
        n_bins = ((hi - lo) >> shift) + 1
        bins = ((inside - np.uint64(lo)) >> np.uint64(shift)).astype(np.intp)
        least, greatest = np.full(n_bins, hi, dtype=np.uint64), np.full(n_bins, lo, dtype=np.uint64)
        np.minimum.at(least, bins, inside)
        np.maximum.at(greatest, bins, inside)
        out.append((np.bincount(bins, minlength=n_bins), least, greatest))
    return out


def _merge_passes(parts: list[list[Any]], plan: tuple[tuple[str, int, int, int], ...]) -> list[Any]:
    merged: list[Any] = []
    for i, (kind, *_rest) in enumerate(plan):
        pieces = [p[i] for p in parts]
        if kind == "gather":
            merged.append(np.concatenate(pieces))
        else:
            merged.append(
                (
                    np.sum([c for c, _, _ in pieces], axis=0),
                    np.min([lo for _, lo, _ in pieces], axis=0),
                    np.max([hi for _, _, hi in pieces], axis=0),
                )
            )
    return merged


def _run(blocks: list[Any], fn: Any, combine: Any) -> Any:
    """One pass: ``fn`` on every chunk, tree-combined on the workers, the small result computed."""
    import dask

    task = dask.delayed(fn, pure=True)
    return tracked_compute(tree_reduce_delayed([task(b) for b in blocks], combine))[0]


def _select(blocks: list[Any], ranks: Sequence[int], n: int, lo: int, hi: int) -> dict[int, int]:
    """The key of every order statistic in ``ranks`` (0-based, of ``n`` values with keys in
    ``[lo, hi]``), by counting passes and one gather per bracket."""
    brackets = {r: (lo, hi, 0, n) for r in ranks}  # rank -> (lo, hi, values below lo, values in [lo, hi])
    found: dict[int, int] = {}
    for _pass in range(-(-64 // BIN_BITS) + 1):  # each bracket narrows by BIN_BITS bits a pass, or is solved
        for r, (b_lo, b_hi, _below, _count) in list(brackets.items()):
            if b_lo == b_hi:
                found[r] = b_lo
                del brackets[r]
        groups: dict[tuple[int, int, int, int], list[int]] = {}
        for r, bracket in brackets.items():
            groups.setdefault(bracket, []).append(r)
        if not groups:
            return found
        plan, room = [], GATHER_CAP
        for b_lo, b_hi, _below, count in sorted(groups, key=lambda g: g[3]):
            if count <= room:
                plan.append(("gather", b_lo, b_hi, 0))
                room -= count
            else:
                plan.append(("count", b_lo, b_hi, max(0, (b_hi - b_lo).bit_length() - BIN_BITS)))
        frozen = tuple(plan)
        results = _run(
            blocks, functools.partial(_count_pass, plan=frozen), functools.partial(_merge_passes, plan=frozen)
        )
        by_range = {(p[1], p[2]): (p, res) for p, res in zip(frozen, results, strict=True)}
        for bracket, members in groups.items():
            (kind, b_lo, b_hi, shift), res = by_range[bracket[:2]]
            below = bracket[2]
            if kind == "gather":
                ordered = np.sort(res)
                for r in members:
                    found[r] = int(ordered[r - below])
                    del brackets[r]
                continue
            counts, least, greatest = res
            cumulative = below + np.cumsum(counts)
            for r in members:  # the bin that holds rank r, narrowed to the keys it holds
                j = int(np.searchsorted(cumulative, r, side="right"))
                brackets[r] = (int(least[j]), int(greatest[j]), int(cumulative[j] - counts[j]), int(counts[j]))
    if brackets:  # pragma: no cover - a bug, not an input: fail rather than loop
        raise RuntimeError(
            f"exact quantile selection did not converge: open brackets {sorted(set(brackets.values()))[:3]}"
        )
    return found


@functools.cache
def _weak_scalar_q() -> bool:
    """Whether this numpy gives a Python float ``q`` weak promotion (numpy >= 2: float32 stays float32)."""
    return np.quantile(np.array([0.0, 1.0], dtype=np.float32), 0.5).dtype == np.float32


def _lerp(a: np.ndarray, b: np.ndarray, t: Any) -> Any:
    """numpy's ``_lerp``: ``a + (b - a) * t``, or ``b - (b - a) * (1 - t)`` where ``t >= 0.5``."""
    diff_b_a = b - a
    lerp = np.array(np.add(a, diff_b_a * t))
    np.subtract(b, diff_b_a * (1 - t), out=lerp, where=t >= 0.5, casting="unsafe", dtype=type(lerp.dtype))
    return lerp[()] if lerp.ndim == 0 else lerp


def _check_x(x: Any) -> tuple[Any, np.dtype]:
    if not (type(x).__module__.split(".")[0] == "dask" and hasattr(x, "__dask_graph__")):
        raise InvalidParameterError(f"x must be a 1-D dask array of numbers, got {type(x).__name__}")
    x = as_dask_rows(x, "x")
    if x.ndim != 1:
        raise InvalidParameterError(f"x must be a 1-D dask array of numbers, got {x.ndim} dimensions (shape {x.shape})")
    if x.dtype.kind not in "iuf":
        raise InvalidParameterError(f"x must hold ints or floats, got dtype {x.dtype}")
    return x, np.dtype(x.dtype)


def _order_statistics(x: Any, ranks_of: Any) -> tuple[dict[int, Any], int, np.dtype]:
    """Pass 0 (length, NaNs, key range), then the values at ``ranks_of(n)`` (an iterable of ranks)."""
    x, dtype = _check_x(x)
    blocks = list(x.to_delayed().ravel())
    n, nans, lo, hi = _run(blocks, _survey, _merge_surveys)
    if nans:
        raise InvalidParameterError(f"x must not contain NaN, got {nans} NaN value(s) among {n}")
    if n == 0:
        raise TooFewExamplesError("x must hold at least one value, got an empty array")
    ranks = sorted({int(r) for r in ranks_of(n)})
    keys = _select(blocks, ranks, n, lo, hi) if ranks else {}
    return {r: _values(np.array([k], dtype=np.uint64), dtype)[0] for r, k in keys.items()}, n, dtype


def exact_quantiles(x: Any, q: float | Sequence[float] | np.ndarray) -> Any:
    """Quantiles of a 1-D dask array, exactly ``np.quantile(x.compute(), q)``, without gathering ``x``.

    Parameters
    ----------
    x : dask.array.Array or dask Series
        One-dimensional, ints or floats, any chunking (chunks of one row, empty chunks, unknown
        chunk sizes). Persist it first: every selection pass reads it.
    q : float or array_like of float
        Quantiles in ``[0, 1]``.

    Returns
    -------
    numpy.ndarray or numpy scalar
        What ``np.quantile(x.compute(), q)`` returns (method ``"linear"``): the same shape, dtype
        and bits, except possibly the sign of a zero result where both ``-0.0`` and ``0.0`` are
        at the selected rank (see the module docstring).

    Raises
    ------
    InvalidParameterError
        ``x`` is not a 1-D dask array of ints or floats or contains NaN; ``q`` is outside ``[0, 1]``
        or not numeric.
    TooFewExamplesError
        ``x`` is empty.

    Notes
    -----
    With ``v = (n - 1) q`` the result interpolates the order statistics at ``floor(v)`` and
    ``floor(v) + 1`` with weight ``v - floor(v)`` (Hyndman and Fan's definition 7, numpy's
    default). The order statistics come from selection passes (module docstring); at most
    :data:`GATHER_CAP` values reach the client in any pass.

    References
    ----------
    R. J. Hyndman and Y. Fan, "Sample quantiles in statistical packages", The American
    Statistician 50(4), 361-365, 1996.
    """
    weak_q = type(q) in (int, float) and _weak_scalar_q()  # as np.quantile: weak promotion for a Python scalar
    q_arr = np.asanyarray(q)
    if q_arr.dtype.kind not in "iuf":
        raise InvalidParameterError(f"q must be a number or a sequence of numbers in [0, 1], got dtype {q_arr.dtype}")
    if q_arr.size and not (np.all(q_arr >= 0) and np.all(q_arr <= 1)):
        bad = q_arr.ravel()[~((q_arr.ravel() >= 0) & (q_arr.ravel() <= 1))][0]
        raise InvalidParameterError(f"q must be in [0, 1], got {bad!r}")
    plan: dict[str, Any] = {}

    def ranks_of(n: int) -> np.ndarray:
        virtual = np.asanyarray((n - 1) * q_arr)  # numpy's "linear" virtual index
        plan["virtual"] = virtual
        if np.issubdtype(virtual.dtype, np.integer):
            plan["indexes"] = (virtual.astype(np.intp),)
        else:  # numpy's _get_indexes
            previous = np.array(np.floor(virtual))
            following = np.array(previous + 1)
            above, below = virtual >= n - 1, virtual < 0
            previous[above], following[above] = -1, -1
            previous[below], following[below] = 0, 0
            plan["indexes"] = (previous.astype(np.intp), following.astype(np.intp))
        return np.concatenate([np.where(i < 0, n + i, i).ravel() for i in plan["indexes"]])

    stats, n, dtype = _order_statistics(x, ranks_of)

    def at(indexes: np.ndarray) -> np.ndarray:
        return np.array([stats[int(i) % n] for i in indexes.ravel()], dtype=dtype).reshape(indexes.shape)

    virtual, indexes = plan["virtual"], plan["indexes"]
    if len(indexes) == 1:  # integer q: the order statistics themselves
        picked = at(indexes[0])
        return picked[()] if picked.ndim == 0 else picked
    previous_i, following_i = indexes
    gamma = np.asanyarray(np.asanyarray(virtual - previous_i), dtype=virtual.dtype)  # numpy's _get_gamma
    return _lerp(at(previous_i), at(following_i), float(gamma) if weak_q else gamma.reshape(virtual.shape))


def exact_median(x: Any) -> float:
    """The median of a 1-D dask array, exactly ``float(np.median(x.compute()))``, without gathering ``x``.

    Parameters
    ----------
    x : dask.array.Array or dask Series
        As for :func:`exact_quantiles`.

    Returns
    -------
    float
        The middle order statistic, or numpy's mean of the two middle ones (``np.median``'s
        arithmetic, in ``x``'s dtype as numpy does it).

    Raises
    ------
    InvalidParameterError, TooFewExamplesError
        As for :func:`exact_quantiles`.
    """
    stats, n, dtype = _order_statistics(x, lambda n: [n // 2] if n % 2 else [n // 2 - 1, n // 2])
    middle = np.array([stats[r] for r in sorted(stats)], dtype=dtype)
    return float(np.median(middle))
