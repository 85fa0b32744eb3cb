"""The label model's missing-abstain MAP refit where it empties a class: refitted with majority vote's class balance.

Where the label model keeps missing abstains (Dawid and Skene's model [1]_) it returns the MAP fit under a
diagonal-favouring Dirichlet prior on each function's votes given the class (:func:`~._em.diagonal_pseudo_counts`,
after Kim and Ghahramani [2]_ and Paun et al. [3]_), with the class balance estimated. On a few low-coverage
functions that fit can end with a class *emptied*: no vote row keeps it as its most probable class although majority
vote gives it a strict majority on some (the balance near 0 there, every such item moved to the classes left).
Plain Dawid-Skene (:class:`labelwise.aggregate.DawidSkene`) falls back to majority vote on any relabelled class;
that fallback on every missing fit moved crowd-like sets down (session 51), where the relabelled class is a small
one kept at part of its size, the prior's fair correction of a noisy majority, not an emptied one.

So where the returned MAP fit empties a class (the test above; a fit that keeps every class is never touched), the
MAP estimate is refitted from majority vote's shares with the class balance held at majority vote's (the mean vote
shares of the voted items): the prior and the votes then set each function's votes given the class, and the fit
cannot empty a class by shrinking it to nothing. That refit is returned where it empties no class; otherwise the fit
stands. It applies only with an estimated class balance (not a given one, nor the one-class path's anchored balance) and
at K >= 3: at K = 2 an emptied class is "predict the larger class", which beats majority vote on skewed sets of weak
functions (sessions 51 and 54, lowcov2 and lowmap54).
It runs after :func:`._map_keep.keep_classes` (the balance of the maximum-likelihood fit, K >= 3), which it leaves as
it is where that refit keeps every class.

References
----------
.. [1] A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates Using the EM Algorithm",
   Applied Statistics 28(1), 20-28, 1979.
.. [2] H.-C. Kim and Z. Ghahramani, "Bayesian Classifier Combination", AISTATS 2012.
.. [3] S. Paun, B. Carpenter, J. Chamberlain, D. Hovy, U. Kruschwitz and M. Poesio, "Comparing Bayesian Models of
   Annotation", TACL 6, 571-585, 2018.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..aggregate._guard import strict_classes
from ._one_class_balance import ANCHOR
from ._shared_steps import reused_for

__all__ = ["ENABLED", "emptied_classes", "keep_every_class"]

#: Whether the missing-abstain MAP fit that empties a class is refitted with majority vote's class balance (session
#: 56, lowmiss56: registered with the rule of ``benchmarks/dev_weak_low_coverage_fix56m.py``; off until it passes).
ENABLED = False


def emptied_classes(classes: np.ndarray, post: np.ndarray) -> np.ndarray:
    """The classes that some row's strict majority vote names (``classes``: each row's, -1 for none) and that no
    row of ``post`` has as its most probable class."""
    named = np.unique(classes[classes >= 0])
    kept = np.unique(post.argmax(axis=1))
    return np.setdiff1d(named, kept)


def keep_every_class(run: Any, fit: Any, rows: tuple, free: bool, prior: np.ndarray) -> Any:
    """``run`` (the missing-abstain MAP fit), or the MAP refit from majority vote with its class balance held at
    majority vote's where ``run`` empties a class (see the module's docstring).

    ``fit``: the refit's :func:`~._em.run_em` (start posterior; ``p``, ``fixed``, ``prior`` by keyword); ``rows``:
    its ``VotedOutcomes``, row weights, K, groups and reference shares (majority vote's; the checked fit's posterior
    in :func:`~._fit_check.refit_best`'s warm start); ``free``: whether the class balance is estimated; ``prior``:
    the refit's pseudo-counts.
    """
    _, w, k, _, vote = rows
    if not ENABLED or k < 3 or not free or ANCHOR.get() is not None:
        return run
    classes = reused_for(vote, "strict_classes", lambda: strict_classes(vote))
    if not len(emptied_classes(classes, run.post)):
        return run
    shares = w @ vote / float(w.sum())
    held = fit(vote, p=shares, fixed=True, prior=prior)
    if len(emptied_classes(classes, held.post)):
        return run
    return held._replace(spectral=run.spectral, iwmv=run.iwmv)
