"""Extrapolated rank-biased overlap of two rankings that may hold tie groups (Webber et al.; Corsi & Urbano)."""

from __future__ import annotations

from collections.abc import Sequence
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


def ranking_groups(name: str, ranking: Any) -> list[list[Any]]:
    """``ranking`` as a list of tie groups of distinct hashable items, or an error naming ``name`` and the
    first bad position."""
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
    groups = [_group(name, entry, i) for i, entry in enumerate(ranking)]
    first: dict[Any, int] = {}
    for i, group in enumerate(groups):
        for item in group:
            try:
                seen = first.setdefault(item, i)
            except TypeError:
                raise InvalidParameterError(
                    f"{name} must hold hashable item ids (str, int, tuple, ...) or sets of them (a tie), "
                    f"position {i} is {type(item).__name__} {show(item)}"
                ) from None
            if seen != i or group.count(item) > 1:
                raise InvalidParameterError(
                    f"rbo_ext needs rankings without repeated items, {name} has {show(item)} at positions {seen} and {i}"
                )
    return groups


def _depths(groups: list[list[Any]], flat: bool) -> dict[Any, tuple[int, int]]:
    """Each item's first and last 0-based depth of its tie group (``flat``: both the first, as RBO^w has it)."""
    out: dict[Any, tuple[int, int]] = {}
    depth = 0
    for group in groups:
        last = depth if flat else depth + len(group) - 1
        out.update((item, (depth, last)) for item in group)
        depth += len(group)
    return out


def _share(depth: np.ndarray, top: int, bottom: int) -> np.ndarray:
    """The chance that an item of the tie group at depths ``top..bottom`` lies in the prefix of each 0-based
    ``depth`` when the group's order is drawn at random (1 below the group, 0 above it)."""
    return np.clip((depth - top + 1) / (bottom - top + 1), 0.0, 1.0)


class _Sums:
    """Per-depth sums of functions that are 0, then a ramp over a short window, then 1 (a difference array for
    the constant tail, the ramps added where they are)."""

    def __init__(self, length: int) -> None:
        self.tail = np.zeros(length + 1)
        self.ramp = np.zeros(length)

    def add(self, start: int, stop: int, values: np.ndarray) -> None:
        self.ramp[start:stop] += values
        self.tail[stop] += 1.0

    def total(self) -> np.ndarray:
        return self.ramp + np.cumsum(self.tail)[:-1]


def rbo_ext_groups(short: list[list[Any]], long: list[list[Any]], p: float, ties: str) -> float:
    """RBO_ext of two checked rankings of tie groups (``short`` holds no more items than ``long``)."""
    S, L = _depths(short, ties == "w"), _depths(long, ties == "w")
    ns, nl = len(S), len(L)
    depth = np.arange(nl, dtype=float)
    overlap, s_sum, s_sq, l_sum, l_sq, unseen = (_Sums(nl) for _ in range(6))
    for sums, sq, ranks in ((s_sum, s_sq, S), (l_sum, l_sq, L)):
        for top, bottom in ranks.values():
            share = _share(depth[top:bottom], top, bottom)
            sums.add(top, bottom, share)
            sq.add(top, bottom, share**2)
    n_unseen = np.zeros(nl + 1)
    for item, (top, bottom) in L.items():
        if item in S:
            s_top, s_bottom = S[item]
            start, stop = max(top, s_top), max(bottom, s_bottom)
            d = depth[start:stop]
            overlap.add(start, stop, _share(d, top, bottom) * _share(d, s_top, s_bottom))
        else:
            unseen.add(top, bottom, _share(depth[top:bottom], top, bottom))
            n_unseen[top] += 1
    x = overlap.total()
    d1 = depth + 1.0
    if ties == "w":  # the prefixes' sizes count whole tie groups: the mean of the two
        agree = 2.0 * x / (s_sum.total() + l_sum.total())
    elif ties == "a":
        agree = x / d1
    else:
        agree = x / np.sqrt(s_sq.total() * l_sq.total())
    if nl > ns:
        # beyond the short list, its unseen items agree as it did at depth s, spread over the long list's
        # unseen items by their mean share of the prefix
        rest = slice(ns, nl)
        mean_unseen = unseen.total()[rest] / np.cumsum(n_unseen)[:-1][rest]
        x_ext = x[rest] + (d1[rest] - ns) * agree[ns - 1] * mean_unseen
        if ties == "w":
            agree[rest] = 2.0 * x_ext / (d1[rest] + l_sum.total()[rest])
        elif ties == "a":
            agree[rest] = x_ext / d1[rest]
        else:
            agree[rest] = x_ext / np.sqrt(d1[rest] * l_sq.total()[rest])
    # (1-p)/p * p**d written as (1-p) * p**(d-1): for a tiny p, 1/p overflows to inf while p**d
    # underflows to 0, and inf * 0 was NaN
    head = (1 - p) * np.sum(agree * p**depth)
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
    n_s, n_t = (sum(len(g) for g in x) for x in (s_groups, t_groups))
    if min(n_s, n_t) == 0:
        raise TooFewExamplesError("rbo_ext needs non-empty rankings")
    return rbo_ext_groups(*((s_groups, t_groups) if n_s <= n_t else (t_groups, s_groups)), p, ties)
