"""The label model on rule sets whose votes come mostly from one-class functions (keyword rules).

A function that only ever votes one class says something by *when* it votes, not by *what*. Where more than half
the votes come from such functions (:data:`~._missing_guard.ONE_CLASS_VOTES`, the threshold of the missing-abstain
guard), three of the label model's defaults read the votes as a crowd's and are replaced:

* **The abstain model.** With missing abstains (Dawid-Skene's model) a one-class function's vote is the same in
  every class: the model is not identified and its likelihood cannot be compared with the informative model's, so
  ``abstains="auto"`` keeps informative abstains (:func:`abstain_mode`).
* **The relabelling guard.** The missing-abstain fit's guard (:func:`~._missing_guard.guard_missing`: a class most of
  whose strict-majority items get one other label falls back to majority vote) also checks the informative fit:
  one-class functions name the class they vote, and a fit giving most of a class's unanimous-or-majority items
  another label is a latent class that follows a trigger, not the class.
* **The class balance.** ``class_balance="votes"`` fixes the balance at the vote shares, which for one-class
  functions are the coverage of each class's rules, not its prevalence: a class with few or narrow rules is counted
  at a fraction of its items. The model is fitted with the balance fixed and free, and the free balance is kept when
  it pays for its ``K − 1`` parameters by the Bayesian information criterion (Schwarz 1978) on the items with a vote
  (:func:`fit_rows`).

Chosen on simulated keyword rules that share triggers (``benchmarks/dev_weak_one_class_cliques.py``, exploration
seeds 200-215 and 280-295); :data:`ONE_CLASS_RULES` switches this module and the clique search's one-class screen
(:mod:`._one_class_screen`) off together (the label model before session 49).

References
----------
G. Schwarz, "Estimating the Dimension of a Model", Annals of Statistics 6(2), 1978.
A. Ratner, B. Hancock, J. Dunnmon, F. Sala, S. Pandey and C. Ré, "Training Complex Models with Multi-Task Weak
Supervision", AAAI 2019.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ._missing_guard import ONE_CLASS_VOTES
from ._one_class import one_class_functions
from ._votes import ABSTAIN

__all__ = ["ONE_CLASS_RULES", "abstain_mode", "fit_rows", "mostly_one_class", "one_class_share"]

#: Whether the label model treats sets of mostly one-class votes as this module says (False: main before session 49).
ONE_CLASS_RULES = True


def one_class_share(matrix: np.ndarray, weights: np.ndarray) -> float:
    """Share of the votes of the vote rows ``matrix`` (``-1`` = abstain; row ``i`` standing for ``weights[i]``
    items) cast by one-class functions (:func:`~._one_class.one_class_functions`); 0 without votes."""
    voted = (np.asarray(matrix) != ABSTAIN).astype(np.float64)
    per_function = np.asarray(weights, dtype=np.float64) @ voted
    total = float(per_function.sum())
    return float(per_function[one_class_functions(matrix)].sum()) / total if total > 0 else 0.0


def mostly_one_class(matrix: np.ndarray, weights: np.ndarray) -> bool:
    """Whether :data:`ONE_CLASS_RULES` is on and more than :data:`~._missing_guard.ONE_CLASS_VOTES` of the votes
    come from one-class functions."""
    return ONE_CLASS_RULES and one_class_share(matrix, weights) > ONE_CLASS_VOTES


def abstain_mode(abstains: str, matrix: np.ndarray, weights: np.ndarray) -> str:
    """The abstain model EM fits: ``abstains``, except that ``"auto"`` is ``"informative"`` on mostly one-class votes."""
    return "informative" if abstains == "auto" and mostly_one_class(matrix, weights) else abstains


def fit_rows(model: Any, matrix: np.ndarray, w: np.ndarray, p_fixed: Any, deps: Any, votes: Any) -> tuple:
    """``model._fit_rows`` with the class balance fixed as given and, on mostly one-class votes with
    ``class_balance="votes"`` and EM, also free; the free fit is kept when its log-likelihood of the votes on the
    items with a vote exceeds the fixed fit's by more than ``(K − 1) / 2 · log n`` (BIC). The kept fit's warnings
    are the ones shown; the model's fitted attributes are the kept fit's."""
    free_too = isinstance(p_fixed, str) and p_fixed == "votes" and bool(model.n_em_iter)
    if not (free_too and mostly_one_class(matrix, w)):
        return model._fit_rows(matrix, w, p_fixed, deps, votes)
    fits = []
    for balance in (p_fixed, None):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = model._fit_rows(matrix, w, balance, deps, votes)
        fits.append((out, dict(model.__dict__), caught, float(model.log_likelihood_history_[-1])))
    n = float(w[(np.asarray(matrix) != ABSTAIN).any(axis=1)].sum())
    k = len(votes.classes)
    gain = n * (fits[1][3] - fits[0][3]) - 0.5 * (k - 1) * np.log(max(n, 2.0))
    out, state, caught, _ = fits[1] if gain > 0 else fits[0]
    model.__dict__.update(state)
    for w_ in caught:
        warnings.warn_explicit(w_.message, w_.category, w_.filename, w_.lineno)
    return out
