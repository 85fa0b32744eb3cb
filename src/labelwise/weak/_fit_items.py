"""A label model's votes over every item of the data: ``fit(votes, items=...)`` beside a long table.

A long table (item, labeler, label; ``votes.csv`` read back) holds only the items some function voted
on, where :func:`~labelwise.weak.apply`'s :class:`~labelwise.weak.Votes` (Snorkel's label matrix) has a
row for every item. With ``items`` (every item of the data, e.g. ``df.index``) the table is read as
that label matrix, so that a fit on it is the fit on ``apply``'s votes: the class balance and the abstain
model see the items nobody voted on, and ``probas_`` / ``labels_`` have a row for each item, in the
order of ``items``.
"""

from __future__ import annotations

from typing import Any

from ._params import fit_votes
from ._votes import Votes, with_items

__all__ = ["fit_votes_over"]


def fit_votes_over(votes: Any, classes: Any, items: Any = None) -> Votes:
    """:func:`~labelwise.weak._params.fit_votes` (a table's labelers sorted), over ``items`` when given.

    Parameters
    ----------
    votes : Votes, DataFrame (item, labeler, label) or matrix (n_items, n_labelers), -1 = abstain
    classes : sequence or None
        The model's ``labels``.
    items : sequence, optional
        Every item, in the order the fitted rows take; the items without a vote are rows nobody voted
        on. Each voted item must be one of them, each given once (else
        :class:`~labelwise.errors.ShapeMismatchError` naming an item).

    Returns
    -------
    Votes
    """
    v = fit_votes(votes, classes)
    return v if items is None else with_items(v, items)
