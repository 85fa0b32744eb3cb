"""Extrapolated rank-biased overlap of two rankings that may hold tie groups (Webber et al.; Corsi & Urbano)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_fraction, show
from ..errors import InvalidParameterError, TooFewExamplesError

RBO_TIES = ("a", "b", "w")


def _group(name: str, entry: Any, at: int) -> list[Any]:
    """One position of a ranking as its list of items: a set or frozenset is a tie group, anything else one item."""
    if isinstance(entry, (set, frozenset)):
        if not entry:
            raise InvalidParameterError(f"{name} must not hold an empty tie group, position {at} is {show(entry)}")
        return sorted(entry, key=repr)
    return [entry]


def ranking_groups(name: str, ranking: Any) -> tuple[list[Any], np.ndarray]:
    """``ranking``'s items in order and the size of each tie group (distinct hashable items), or an error naming
    ``name`` and the first bad position."""
    if isinstance(ranking, (str, bytes)) or not isinstance(ranking, (Sequence, np.ndarray, pd.Series, pd.Index)):
        raise InvalidParameterError(
            f"{name} must be a list of item ids (best first), got {type(ranking).__name__} {show(ranking)}"
        )
    if isinstance(ranking, pd.Series) and ranking.dtype.kind == "f" and len(ranking):
        # the shape kendall_tau and tau_ap take (scores by system): read as ids, its scores never overlap
        raise InvalidParameterError(
            f"{name} must be a ranking of item ids (best first), got a Series of numbers, which reads as "
            f"scores by item ({show(ranking.index[0])}: {show(ranking.iloc[0])}); rank the items first: "
            f"{name}.sort_values(ascending=False).index"
        )
    entries = list(ranking)
    if any(isinstance(entry, (set, frozenset)) for entry in entries):
        groups = [_group(name, entry, i) for i, entry in enumerate(entries)]
        items, sizes = [item for group in groups for item in group], np.array([len(g) for g in groups], dtype=int)
    else:
        items, sizes = entries, np.ones(len(entries), dtype=int)
    at = np.repeat(np.arange(len(sizes)), sizes)  # the position of each item's group
    first: dict[Any, int] = {}
    for k, item in enumerate(items):
        try:
            seen = first.setdefault(item, k)
        except TypeError:
            raise InvalidParameterError(
                f"{name} must hold hashable item ids (str, int, tuple, ...) or sets of them (a tie), "
                f"position {at[k]} is {type(item).__name__} {show(item)}"
            ) from None
        if seen != k:
            raise InvalidParameterError(
                f"rbo_ext needs rankings without repeated items, {name} has {show(item)} at positions {at[seen]} "
                f"and {at[k]}"
            )
    return items, sizes


def _depths(ranking: tuple[list[Any], np.ndarray], flat: bool) -> tuple[list[Any], np.ndarray, np.ndarray]:
    """The items in order with the first and last 0-based depth of their tie group (``flat``: both the first, as
    RBO^w has it)."""
    items, sizes = ranking
    top = np.repeat(np.cumsum(sizes) - sizes, sizes)
    return items, top, top if flat else top + np.repeat(sizes, sizes) - 1


def _share(depth: np.ndarray, top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """The chance that an item of the tie group at depths ``top..bottom`` lies in the prefix of each 0-based
    ``depth`` when the group's order is drawn at random (1 below the group, 0 above it)."""
    return np.clip((depth - top + 1) / (bottom - top + 1), 0.0, 1.0)


def _per_depth(
    length: int, start: np.ndarray, stop: np.ndarray, value: Callable[[np.ndarray, np.ndarray], np.ndarray]
) -> np.ndarray:
    """``sum_i f_i(d)`` for each 0-based depth ``d < length``, where ``f_i`` is 0 before ``start[i]``, ``value(i, d)``
    from ``start[i]`` up to ``stop[i]`` (a tie group's span) and 1 from ``stop[i]`` on."""
    tail = np.bincount(stop, minlength=length + 1)[: length + 1]
    out = np.cumsum(tail)[:length].astype(float)
    width = stop - start
    inside = np.flatnonzero(width > 0)
    if inside.size:
        w = width[inside]
        item = np.repeat(inside, w)
        depth = start[item] + np.arange(w.sum()) - np.repeat(np.cumsum(w) - w, w)
        out += np.bincount(depth, weights=value(item, depth), minlength=length)
    return out


def rbo_ext_groups(
    short: tuple[list[Any], np.ndarray], long: tuple[list[Any], np.ndarray], p: float, ties: str
) -> float:
    """RBO_ext of two checked rankings, each its items and the sizes of its tie groups (``short`` holds no more
    items than ``long``)."""
    s_items, s_top, s_bottom = _depths(short, ties == "w")
    l_items, l_top, l_bottom = _depths(long, ties == "w")
    ns, nl = len(s_items), len(l_items)
    position = {item: i for i, item in enumerate(s_items)}
    in_s = np.fromiter((position.get(item, -1) for item in l_items), dtype=np.int64, count=nl)
    both, only_l = np.flatnonzero(in_s >= 0), np.flatnonzero(in_s < 0)
    j = in_s[both]  # the short list's index of each shared item

    def shares(top: np.ndarray, bottom: np.ndarray, power: int = 1) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
        return lambda i, d: _share(d, top[i], bottom[i]) ** power

    s_sum = _per_depth(nl, s_top, s_bottom, shares(s_top, s_bottom))
    s_sq = _per_depth(nl, s_top, s_bottom, shares(s_top, s_bottom, 2))
    l_sum = _per_depth(nl, l_top, l_bottom, shares(l_top, l_bottom))
    l_sq = _per_depth(nl, l_top, l_bottom, shares(l_top, l_bottom, 2))
    lt, lb, st, sb = l_top[both], l_bottom[both], s_top[j], s_bottom[j]
    x = _per_depth(
        nl,
        np.maximum(lt, st),
        np.maximum(lb, sb),
        lambda i, d: _share(d, lt[i], lb[i]) * _share(d, st[i], sb[i]),
    )
    d1 = np.arange(1, nl + 1, dtype=float)
    if ties == "w":  # the prefixes' sizes count whole tie groups: the mean of the two
        agree = 2.0 * x / (s_sum + l_sum)
    elif ties == "a":
        agree = x / d1
    else:
        agree = x / np.sqrt(s_sq * l_sq)
    if nl > ns:
        # beyond the short list, its unseen items agree as it did at depth s, spread over the long list's
        # unseen items by their mean share of the prefix
        ut, ub = l_top[only_l], l_bottom[only_l]
        unseen = _per_depth(nl, ut, ub, shares(ut, ub))
        n_unseen = np.cumsum(np.bincount(ut, minlength=nl))
        rest = slice(ns, nl)
        x_ext = x[rest] + (d1[rest] - ns) * agree[ns - 1] * unseen[rest] / n_unseen[rest]
        if ties == "w":
            agree[rest] = 2.0 * x_ext / (d1[rest] + l_sum[rest])
        elif ties == "a":
            agree[rest] = x_ext / d1[rest]
        else:
            agree[rest] = x_ext / np.sqrt(d1[rest] * l_sq[rest])
    # (1-p)/p * p**d written as (1-p) * p**(d-1): for a tiny p, 1/p overflows to inf while p**d
    # underflows to 0, and inf * 0 was NaN
    head = (1 - p) * np.sum(agree * p ** (d1 - 1))
    return float(head + (x[-1] + (nl - ns) * agree[ns - 1]) / nl * p**nl)


def rbo_ext(s: Sequence[Any], t: Sequence[Any], p: float = 0.9, *, ties: str = "a") -> float:
    """Extrapolated rank-biased overlap of two ranked lists (item ids, best first; sets are tie groups).

    Without ties this is eq. (32) of Webber et al. [1]_ for lists of lengths ``s <= l``:
    ``RBO_ext = (1-p)/p * (sum_{d=1..l} X_d/d p^d + sum_{d=s+1..l} X_s (d-s)/(s d) p^d)
    + ((X_l - X_s)/l + X_s/s) p^l``, where ``X_d`` is the size of the overlap of the two prefixes
    of depth ``d`` (the shorter list's prefix stops growing at ``s``). For two lists of the same
    items this is 1 when they are equal.

    Ties follow Corsi & Urbano [2]_, chosen with ``ties``; each item of a tie group at depths
    ``t..b`` is in the prefix of depth ``d`` with some share ``c(d)``, and ``X_d`` sums the products
    of an item's shares in the two lists:

    - ``"a"``: ties are an unresolved order. ``c(d) = (d - t + 1)/(b - t + 1)`` inside the group (the
      chance under a random order of the group) and agreement is ``X_d / d``: RBO^a is exactly the
      mean RBO over every way of breaking the ties, so a list with ties agrees with itself less than 1.
    - ``"b"``: as ``"a"``, with agreement ``X_d / sqrt(sum c_S(d)^2 * sum c_L(d)^2)``, correcting for
      the order the ties hide: RBO^b of a list with itself is 1, and RBO^a <= RBO^b.
    - ``"w"``: ties are true equality (a sports table). A group is wholly in every prefix that
      reaches its first depth, and agreement is ``X_d`` over the mean size of the two prefixes.

    Without ties all three are eq. (32). The value never depends on the order of the items inside
    a tie group.

    Parameters
    ----------
    s, t : sequence of hashable, or of sets of hashable
        The two rankings, best first (a list, tuple, numpy array or pandas Series of item ids; a
        ``set`` or ``frozenset`` at a position is a group of tied items; no item twice; a bare string
        is refused rather than read letter by letter). A Series of floats is refused: it is scores
        by item (what :func:`kendall_tau` takes), whose values read as ids would never overlap; rank
        it with ``scores.sort_values(ascending=False).index``.
    p : float
        Persistence in (0, 1): the weight of depth ``d`` falls as ``p**d``.
    ties : {"a", "b", "w"}
        Corsi & Urbano's variant for tie groups (no effect on lists without ties).

    Raises
    ------
    InvalidParameterError
        If an item is unhashable (a list, say) or repeated, or a tie group is empty: the message names
        the ranking and the position; or if ``p`` or ``ties`` is out of range.

    References
    ----------
    .. [1] W. Webber, A. Moffat and J. Zobel, "A similarity measure for indefinite rankings",
       ACM Transactions on Information Systems 28(4), 2010.
    .. [2] M. Corsi and J. Urbano, "The treatment of ties in rank-biased overlap", SIGIR 2024.
    """
    p = check_fraction("p", p, closed_low=False)
    if ties not in RBO_TIES:
        raise InvalidParameterError(
            f"ties must be 'a' (mean over tie orders), 'b' (corrected for ties) or 'w' (ties are equal), got {show(ties)}"
        )
    s_groups, t_groups = ranking_groups("s", s), ranking_groups("t", t)
    n_s, n_t = len(s_groups[0]), len(t_groups[0])
    if min(n_s, n_t) == 0:
        raise TooFewExamplesError("rbo_ext needs non-empty rankings")
    return rbo_ext_groups(*((s_groups, t_groups) if n_s <= n_t else (t_groups, s_groups)), p, ties)
