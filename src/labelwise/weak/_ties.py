"""Each item's most probable class, exact ties broken by one seeded draw per tied item, as majority vote breaks them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_random_state
from ..aggregate._base import TIE_RTOL, _tied_cells, argmax_random_ties

__all__ = ["item_argmax", "sorted_positions"]


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
