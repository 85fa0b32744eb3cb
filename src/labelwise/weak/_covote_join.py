"""Functions that vote on the same items more than the class explains, joined for the informative-abstain model.

With abstains informative the label model's likelihood covers *who votes* as well as *what*: each function's chance
of voting given the class is a parameter, and functions are independent given the class unless a clique joins them.
The clique search (:func:`~._dependencies.clique_search`) joins a pair only where the two *agree* more than the vote
shares predict (and also vote together more than coverages independent given the class explain, and the joint table
pays for itself by BIC). A function whose coverage follows another's (a copy firing where its original fires) but
whose vote values do not agree beyond chance fails the first test. On few low-coverage functions the informative fit
then spends its latent class on "which of these functions fire together" (lowcov51's kind 1), and its labels fall
below majority vote; the fit started from the true classes climbs to the same optimum (session 55), so it is the
model, not the search, that is wrong.

Here, after a fit that keeps informative abstains, the pairs not in one clique whose co-vote z-score
(:meth:`~._dependencies.PairTables.covote_z_all`, under majority vote's shares: the clique search's own statistic
and threshold ``dependency_threshold``) is over the threshold, whose co-vote correlation given those shares is at
least :data:`NEAR_COVOTE_CORR` (a near-copy by who votes) and whose joint table pays for itself
(:meth:`~._dependencies.PairTables.bic_gain` > 0) are given to a second fit as dependencies; the second fit is kept
where its Bayesian information criterion (Schwarz [1]_; ``bic_`` of its kept abstain model) is lower than the first
fit's, else the first fit stands. Off by default (:data:`ENABLED`). The model is Ratner et al.'s informative-abstain label model [2]_ with the clique
structure of Varma et al. [3]_'s kind (joint outcome tables of dependent functions).

References
----------
.. [1] G. Schwarz, "Estimating the Dimension of a Model", Annals of Statistics 6(2), 461-464, 1978.
.. [2] A. Ratner, B. Hancock, J. Dunnmon, F. Sala, S. Pandey and C. Ré, "Training Complex Models with Multi-Task Weak
   Supervision", AAAI 2019.
.. [3] P. Varma, F. Sala, A. He, A. Ratner and C. Ré, "Learning Dependency Structures for Weak Supervision Models",
   ICML 2019.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ._one_class_fit import _keep

__all__ = ["ENABLED", "NEAR_COVOTE_CORR", "covoting_pairs", "fit_joined"]

#: Whether a fit with informative abstains is tried again with its co-voting pairs joined. Off by default: it passed
#: the registered rule of ``benchmarks/dev_weak_low_coverage_fix55.py`` (session 55, lowcov55), whose CPU clause read
#: only the benchmark's 19 sets, the very sets :data:`NEAR_COVOTE_CORR` was partly chosen to keep it off; on the
#: benchmark generator's fresh seeds the second fit runs on 19 of 160 sets, doubling their fit (13 of them with no
#: label changed), against 2 of 160 fresh low-coverage sets lifted (the lead, session 55; ``benchmarks/RESULTS.md``).
ENABLED = False

#: The least co-vote correlation given the class (:meth:`~._dependencies.PairTables.covote_corr_all`, an effect size
#: that does not grow with the items) of a pair joined here: a near-copy by who votes. Chosen on seen sets (session
#: 55): the joins kept by BIC on seen low-coverage sets below it (0.31-0.47) all moved the labels down.
NEAR_COVOTE_CORR = 0.5


def covoting_pairs(
    matrix: np.ndarray, w: np.ndarray, k: int, groups: list[list[int]], threshold: float
) -> list[tuple[int, int]]:
    """Pairs of functions (column indices of ``matrix``, -1 = abstain; rows weighted by ``w``) in different
    ``groups`` whose co-vote z-score under majority vote's shares is over ``threshold``, whose co-vote correlation
    given those shares is at least :data:`NEAR_COVOTE_CORR` and whose joint outcome table has a positive BIC gain,
    the tests computed as the clique search computes them."""
    from ._dependencies import PairTables

    voted = (matrix >= 0).any(axis=1)
    rows = matrix[voted]
    counts = np.stack([(rows == c).sum(axis=1) for c in range(k)], axis=1).astype(np.float64)
    shares = counts / counts.sum(axis=1, keepdims=True)
    tables = PairTables(rows, shares, np.asarray(w, dtype=np.float64)[voted], k)
    z, corr = tables.covote_z_all(), tables.covote_corr_all()
    group_of = np.empty(matrix.shape[1], dtype=np.int64)
    for i, g in enumerate(groups):
        group_of[g] = i
    a, b = np.nonzero(
        np.triu((z > threshold) & (corr >= NEAR_COVOTE_CORR), 1) & (group_of[:, None] != group_of[None, :])
    )
    pairs = list(zip(a.tolist(), b.tolist(), strict=True))
    if not pairs:
        return []
    return [pair for pair, gain in zip(pairs, tables.bic_gain(pairs), strict=True) if gain > 0]


def fit_joined(model: Any, fit: Callable[..., tuple], args: tuple) -> tuple:
    """``fit(model, *args)`` (the label model's :func:`~._one_class_fit.fit_rows` on ``args``: vote rows, weights,
    fixed balance, given pairs, votes), and where :data:`ENABLED`, the kept abstain model is informative and
    :func:`covoting_pairs` finds pairs, the same fit with those pairs added to the given ones, kept if its BIC is
    lower (see the module's docstring). The kept fit's warnings are the ones shown."""
    if not ENABLED:
        return fit(model, *args)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fit(model, *args)
    matrix, w, p_fixed, deps, votes = args
    thr = model.dependency_threshold
    if model.abstains_ == "informative" and thr is not None and model.n_em_iter:
        pairs = covoting_pairs(matrix, w, len(votes.classes), model._groups, float(thr))
        if pairs:
            state, first = dict(model.__dict__), model.bic_[model.abstains_]
            with warnings.catch_warnings(record=True) as again:
                warnings.simplefilter("always")
                joined = fit(model, matrix, w, p_fixed, [*deps, *pairs], votes)
            if model.bic_[model.abstains_] < first:
                out, caught = joined, again
            else:
                model.__dict__.clear()
                model.__dict__.update(state)
    return _keep(model, out, dict(model.__dict__), caught)  # its warnings shown as the one-class fit shows them
