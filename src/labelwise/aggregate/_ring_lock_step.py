"""The ring check's candidate groups checked together on Dask: their fits, answers and pairs at once.

:func:`~._ring_check.find_rings` checks its candidate groups (at most
:data:`~._ring_check.MAX_RINGS`) one after another, because each group's fit without it weighs the
pairs of the rings found before it; on Dask each group's check is a fit (one graph per EM round, or
a few rounds per graph on a cluster), a pass for its members' answers and a pass for its pairs.
:func:`check_groups_together` assumes that every group before a group is found a ring of all its
members, so every group's weighed pairs are known before any check, and runs all the groups' checks
at once: the fits in lock step (``data.fit_without_list``), every group's members' answers in one
pass and every group's pairs in one more (``data.gather``). ``find_rings`` then reads the groups in
order; a group whose ring is not all its members (or none) makes the pairs weighed after it other
than assumed, and ``find_rings`` checks the groups after it again from there. Each fit, gather and
check is the one the sequential loop runs on the same numbers: the same rings and rows bit for bit.

The assumption was chosen before any timing, on the ring crowds of ``benchmarks/dev_aggregate_rings.py``
(dev seeds 120 and 121), where every group checked was a ring of all its members
(benchmarks/RESULTS.md, session 47, dask47).
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np

from ._dependent import CONFIRM_TOL

__all__ = ["check_groups_together"]


def _assumed_pairs(groups: list[np.ndarray], ab: tuple[np.ndarray, np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
    """The pairs each group's fit weighs were every group before it a ring of all its members
    (``find_rings`` adds a ring's pairs not already weighed, in :func:`itertools.combinations` order)."""
    out = [ab]
    for members in groups[:-1]:
        a, b = out[-1]
        seen = set(zip(a.tolist(), b.tolist(), strict=True))
        new = [p for p in combinations(members.tolist(), 2) if p not in seen]
        na, nb = np.array(new, dtype=np.int64).reshape(-1, 2).T
        out.append((np.concatenate([a, na]), np.concatenate([b, nb])))
    return out


def check_groups_together(
    data: Any,
    groups: list[np.ndarray],
    first: int,
    ab: tuple[np.ndarray, np.ndarray],
    pseudo: np.ndarray,
    threshold: float,
) -> dict[int, tuple[tuple[np.ndarray, np.ndarray], list[tuple[float, ...]]]]:
    """``{first + h: (pairs weighed, rows)}``: :func:`~._ring_check.confirm_ring`'s rows of each of
    ``groups`` (``groups[0]`` weighing ``ab``, the next ones the pairs :func:`_assumed_pairs` gives),
    their fits in lock step and their passes shared. ``data``: a ``DaskPairs``."""
    from ._ring_check import confirmed_rows, masked_members, member_pairs, member_triples, own_fits

    est = data.est
    weighed = _assumed_pairs(groups, ab)
    tol = max(float(est.tol), CONFIRM_TOL)
    models = data.fit_without_list(
        [(pairs, members, tol) for pairs, members in zip(weighed, groups, strict=True)], pseudo, int(est.max_iter)
    )
    masked = [masked_members(conf, members) for (_, conf), members in zip(models, groups, strict=True)]
    wanted = [(prior, m, member_triples(g)) for (prior, _), m, g in zip(models, masked, groups, strict=True)]
    bases, _ = data.gather(wanted, [])  # every group's members' answers in one pass
    pairs = [member_pairs(members) for members in groups]
    calls = [
        (prior, m, own_fits(est, conf, g, got, pseudo), *ab_g)
        for (prior, conf), m, g, got, ab_g in zip(models, masked, groups, bases, pairs, strict=True)
    ]
    _, checks = data.gather([], calls)  # every group's pairs in one pass
    return {first + h: (weighed[h], confirmed_rows(check, *pairs[h], threshold)) for h, check in enumerate(checks)}
