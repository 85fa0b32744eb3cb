"""The label model's refit where its informative-abstain fit was rejected for relabelling majority vote's classes.

``abstains="auto"`` fits informative and missing abstains and keeps the one of lower BIC, but never a fit that
relabels majority vote's classes when the other does not (:func:`~._em.fit_abstain_models`). A rule that votes one
class only agrees with its copy whenever both vote, so its agreement excess is 0 and the clique search
(:func:`~._dependencies.clique_search`) never joins the pair: the informative fit then counts the rule twice or
three times, a latent class follows "the copies fire" and moves most of one of majority vote's classes elsewhere.
The guard rejects it, and the label model falls to missing abstains (Dawid-Skene's model), whose fit on such votes
can shrink or empty a class (``benchmarks/RESULTS.md``, session 52, gen52w: sim6005, sim6109, sim6201).

Where that happened, ``"auto"`` keeping missing abstains because the informative fit, and only it, relabelled
majority vote's classes (:func:`rejected_for_relabelling`), the likely cause is dependencies the search missed: they
are learned from the votes by Varma et al.'s (2019) sparse plus low-rank structure learner
(:func:`~._structure_learning.learned_pairs`, as the one-class fit of :mod:`._one_class_fit` does), and the model is
refitted with the learned pairs joined to the given ``dependencies`` (the clique search, the fitted check and the
``"auto"`` choice then run as usual). The refit is kept where it keeps informative abstains; where it keeps missing
abstains the learned pairs did not explain the rejection and the first fit stands (on a seen low-coverage set the
refit's missing fit with the learned cliques collapsed). Elsewhere, or where the learner adds no pair, the first fit
is kept. Switched by :data:`REFIT_REJECTED` (False: the label model before session 52); registered and judged in
``benchmarks/dev_weak_rejected_refit.py``.

References
----------
P. Varma, F. Sala, A. He, A. Ratner and C. Ré, "Learning Dependency Structures for Weak Supervision Models",
ICML 2019.
"""

from __future__ import annotations

import warnings
from contextvars import ContextVar
from typing import Any

import numpy as np

__all__ = ["REFIT_REJECTED", "RELABELLED", "fit_rows", "note_relabels", "rejected_for_relabelling"]

#: Whether the label model refits with learned pairs where its informative-abstain fit was rejected for relabelling
#: majority vote's classes (module docstring); False: the label model before session 52.
REFIT_REJECTED = True

#: The abstain models whose every EM run relabelled majority vote's classes in the label model's ``"auto"`` choice
#: of this context (:func:`note_relabels`); ``None``: not recorded.
RELABELLED: ContextVar[frozenset[str] | None] = ContextVar("relabelled_abstain_models", default=None)


def note_relabels(bic: dict[str, float], relabels: set[str]) -> set[str]:
    """``relabels`` (:func:`~._em.fit_abstain_models`' abstain models rejected for relabelling), recorded in
    :data:`RELABELLED` where both abstain models were fitted (``bic``: one entry per model fitted), i.e. in the
    ``"auto"`` choice and not in the refits after it."""
    if len(bic) == 2:
        RELABELLED.set(frozenset(relabels))
    return relabels


def rejected_for_relabelling(model: Any) -> bool:
    """Whether ``model``'s fit (``abstains="auto"``) kept missing abstains because the informative-abstain fit, and
    only it, relabelled majority vote's classes (:func:`~._em.choose_abstain_model`'s first rule)."""
    return model.abstains == "auto" and model.abstains_ == "missing" and RELABELLED.get() == {"informative"}


def fit_rows(model: Any, matrix: np.ndarray, w: np.ndarray, p_fixed: Any, deps: Any, votes: Any) -> tuple:
    """:func:`~._one_class_fit.fit_rows`, refitted with the learned pairs where the informative-abstain fit was
    rejected for relabelling (:func:`rejected_for_relabelling`; not where the one-class fit already chose its
    structure with them), the refit kept where it keeps informative abstains. The kept fit's warnings are the ones
    shown; the model's fitted attributes are its own."""
    from . import _one_class_fit

    if not REFIT_REJECTED:
        return _one_class_fit.fit_rows(model, matrix, w, p_fixed, deps, votes)
    token = RELABELLED.set(None)
    try:
        out, caught = _recorded(_one_class_fit.fit_rows, model, matrix, w, p_fixed, deps, votes)
        k = len(votes.classes)
        one_class = model.one_class_rules and _one_class_fit.mostly_one_class(matrix, w, k)
        if rejected_for_relabelling(model) and not one_class:
            from ._structure_learning import learned_pairs

            given = {tuple(sorted(pair)) for pair in deps}
            new = [pair for pair in learned_pairs(matrix, w, k) or [] if pair not in given]
            if new:  # the search's cliques and the fitted check run on top of the given and learned pairs
                first = dict(model.__dict__)
                refit = _recorded(model._fit_rows, matrix, w, p_fixed, [*deps, *new], votes)
                if model.abstains_ == "informative":  # else the pairs did not explain the rejection
                    out, caught = refit
                else:
                    model.__dict__.update(first)
    finally:
        RELABELLED.reset(token)
    for w_ in caught:
        warnings.warn_explicit(w_.message, w_.category, w_.filename, w_.lineno)
    return out


def _recorded(fit: Any, *args: Any) -> tuple[tuple, list]:
    """``fit(*args)`` and the warnings it raised (recorded, not shown)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fit(*args)
    return out, list(caught)
