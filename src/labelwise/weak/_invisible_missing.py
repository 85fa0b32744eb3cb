"""The abstain model on one-class rules of three or more classes, one of which the votes barely name: missing abstains.

Where the votes come mostly from one-class functions (:data:`~._missing_guard.ONE_CLASS_VOTES`) and a class is nearly
invisible in them (:func:`~._one_class_fit.invisible_class`: its vote share below a quarter of ``1 / K``), the label
model is the one before session 49 (:mod:`._one_class_fit`), and ``abstains="auto"`` compares the informative-abstain
fit (Ratner et al. 2016) with Dawid and Skene's (1979) missing-abstain fit by BIC and the vote values' likelihood.
The informative fit there is a mixture whose latent classes follow the triggers the rules read, not the classes: the
nearly invisible class gets a balance near 0 (its items are told apart only by which rules do *not* fire), and with
``K >= 3`` the two or more classes left split the items by trigger. On simulated keyword rules that share triggers
(``benchmarks/dev_weak_shared_triggers.py``) this is where most of the label model's falls below majority vote are,
and the deepest (``benchmarks/RESULTS.md``, session 53, trig53), although the same family's parameters counted from
gold separate the classes well above majority vote: the fit is a likelihood optimum the votes cannot tell from the
class. With missing abstains a one-class function's vote says nothing given the class, the model is not identified,
and the fit that moves a class falls back to majority vote's model (:func:`~._missing_guard.guard_missing`).

So where :data:`ENABLED`, ``abstains="auto"``, ``one_class_rules`` is on (the caution above is its own), ``K >= 3``,
every function that votes votes one class only and a class is nearly invisible, :func:`abstain_mode` keeps missing
abstains. Every function, not most: there the missing-abstain model is not identified at all and its guard lands on
majority vote's model, while one function of several classes makes it a Dawid-Skene fit that can be kept, and on
sparse low-coverage rules such fits fall below majority vote too (seen low-coverage sets, session 53). With ``K = 2``
the informative fit is left: a nearly invisible class of two is the items no rule of the other class fires on, which
informative abstains read and missing ones cannot (on the seen shared-trigger sets of ``K = 2`` the missing fit was
no better).

References
----------
Ratner et al. (2016) and Dawid and Skene (1979): as listed in :mod:`._negative_pairs`, whose abstain model this wraps.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _negative_pairs
from ._one_class import one_class_functions
from ._one_class_balance import vote_share_balance
from ._one_class_fit import invisible_class, reused
from ._votes import ABSTAIN

__all__ = ["ENABLED", "abstain_mode", "invisible_one_class_votes"]

#: Whether ``abstains="auto"`` keeps missing abstains on votes of one-class functions only, of ``K >= 3`` classes
#: with a nearly invisible class (module docstring). On since session 53, when it passed the rule of
#: ``benchmarks/dev_weak_trigger_fix.py``; False gives the fit before.
ENABLED = True


def invisible_one_class_votes(matrix: np.ndarray, weights: np.ndarray, n_classes: int) -> bool:
    """Whether ``n_classes >= 3``, every function that votes in the vote rows ``matrix`` (row ``i`` standing for
    ``weights[i]`` items) votes one class only (:func:`~._one_class.one_class_functions`) and a class is nearly
    invisible in the votes (:func:`~._one_class_fit.invisible_class`)."""
    if n_classes < 3:
        return False
    voting = (matrix != ABSTAIN).any(axis=0)
    if not voting.any() or not one_class_functions(matrix)[voting].all():
        return False
    shares = reused("vote_shares", lambda: vote_share_balance(matrix, weights, n_classes))
    return invisible_class(shares)


def abstain_mode(model: Any, matrix: np.ndarray, weights: np.ndarray, votes: Any) -> str:
    """The abstain model EM fits: :func:`~._negative_pairs.abstain_mode`'s, or ``"missing"`` where :data:`ENABLED`,
    it is ``"auto"`` (neither the one-class fit nor the negative-pair check chose), ``model.one_class_rules`` is on
    and :func:`invisible_one_class_votes` holds."""
    abstains = _negative_pairs.abstain_mode(model, matrix, weights, votes)
    model._invisible_missing = False  # whether this gate chose, for the missing fit's guard's advice
    if not ENABLED or abstains != "auto" or not model.one_class_rules:
        return abstains
    matrix = np.asarray(matrix)
    w = np.asarray(weights, dtype=np.float64)
    model._invisible_missing = invisible_one_class_votes(matrix, w, len(votes.classes))
    return "missing" if model._invisible_missing else abstains
