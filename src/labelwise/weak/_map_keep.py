"""The label model's missing-abstain MAP refit held to the classes its maximum-likelihood fit keeps.

Where the label model keeps missing abstains (Dawid and Skene's model [1]_) it refits them as the MAP estimate under
a diagonal-favouring Dirichlet prior on each function's votes given the class
(:func:`~._em.diagonal_pseudo_counts`, after Kim and Ghahramani [2]_ and Paun et al. [3]_), with the class balance
estimated. On a few low-coverage functions with several classes that refit can end with one class absorbing others
(the balance near 1 on it) where the maximum-likelihood fit of the same model keeps every class: the pseudo-counts
make every function look accurate, and with little data per function the fit of highest posterior is one that puts
most items in one class. The abstain-model choice (:func:`~._em.choose_abstain_model`) compared the
maximum-likelihood fits and tests those for a relabelling of majority vote's classes, never the refit it returns.

This module puts the returned refit through the same relabelling test
(:func:`~labelwise.aggregate._guard.relabelled_given`, Dawid-Skene's guard) and, where it relabels a class and the
maximum-likelihood fit (from majority vote, as :func:`~._em.fit_abstain_models` fits it) relabels none, refits the
MAP estimate from the maximum-likelihood fit's posterior with the class balance held at that fit's: the prior then
acts on the functions' votes given the class only, and cannot move items into a class by growing it. That refit is
returned where it relabels no class; otherwise the refit stands. It applies only with an estimated class balance
(not one given, nor the one-class path's anchored balance) and at K >= 3: at K = 2 a fit that leaves one class is
"predict the larger class", which beats majority vote on skewed sets of weak functions (session 51, lowcov2).

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

from ..aggregate._guard import relabelled_given, strict_classes
from ._one_class_balance import ANCHOR
from ._shared_steps import reused_for

__all__ = ["ENABLED", "keep_classes"]

#: Whether the missing-abstain MAP refit is held to the maximum-likelihood fit's classes (session 54, lowmap54:
#: adopted by the registered rule of ``benchmarks/dev_weak_low_coverage_map.py``, which it passed).
ENABLED = True


def keep_classes(run: Any, fit: Any, rows: tuple, free: bool, prior: np.ndarray, tol: float) -> Any:
    """``run`` (the missing-abstain MAP refit), or the MAP refit from the maximum-likelihood fit with its class
    balance held, where ``run`` relabels a class of ``rows``' reference shares and the maximum-likelihood fit does
    not (see the module's docstring).

    ``fit``: the refit's :func:`~._em.run_em` (start posterior; ``p``, ``fixed``, ``prior``, ``tol`` by keyword);
    ``rows``: its ``VotedOutcomes``, row weights, K, groups and reference shares (majority vote's; the checked fit's
    posterior in :func:`~._fit_check.refit_best`'s warm start); ``free``: whether the class balance is estimated;
    ``prior``: the refit's pseudo-counts; ``tol``: the maximum-likelihood fit's stopping tolerance.
    """
    voted, w, k, groups, vote = rows
    if not ENABLED or k < 3 or not free or ANCHOR.get() is not None:
        return run
    classes = reused_for(vote, "strict_classes", lambda: strict_classes(vote))
    if not len(relabelled_given(classes, run.post, w)):
        return run
    ml = fit(vote, fixed=False, prior=None, tol=tol)
    if len(relabelled_given(classes, ml.post, w)):
        return run
    held = fit(ml.post, p=ml.p, fixed=True, prior=prior)
    if len(relabelled_given(classes, held.post, w)):
        return run
    return held._replace(spectral=run.spectral, iwmv=run.iwmv)
