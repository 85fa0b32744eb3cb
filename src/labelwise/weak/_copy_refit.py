"""Copies of one-class labeling functions that the label model's structure missed: a screen, the learner, a refit.

Two functions that vote one class only agree whenever they vote together, copy or not, so the clique search
(:func:`~._dependencies.clique_search`, which reads agreement) does not join a copy of such a rule; and where the
informative-abstain fit counts the rule twice, a latent class follows its trigger and the fitted model's co-vote check
(:mod:`._one_class`) no longer sees the copy (its co-votes are what the fit predicts). Varma et al.'s structure
learner (:func:`~._structure_learning.learned_pair_strengths`) separates the latent class (low rank) from the
dependencies given it (sparse), and finds such copies, but it costs about as much as the fit itself. So, after the
fit (``fit_rows``, where :data:`REFIT_COPIES` is on and the one-class fit of :mod:`._one_class_fit` has not already
chosen its structure with the learned pairs):

1. **Screen** (:func:`copy_screen`, read from the vote indicators' gram the fit already made): the largest
   correlation, over the items, between a one-class function's vote indicator and a vote indicator of a function in
   another of the fit's groups. A copy fires with its rule most of the time; two independent rules of one class
   correlate only through the class. The learner runs only where it reaches :data:`SCREEN`.
2. **Learner**: Varma et al.'s pairs, with their partial correlation given the latent class; those with a one-class
   member and at least :data:`STRONG` are kept (on the learner's own scale: copies sit far above the pairs of
   independent one-class rules that the class's low rank leaks into ``Ŝ``, which are just above its threshold).
3. **Refit** where a kept pair lies outside the fit's groups: the model is fitted again with the kept pairs added to
   ``dependencies`` (the clique search, the fitted check and the ``"auto"`` abstain choice run as usual on top), and
   the refit is kept where it keeps informative abstains (where it keeps missing abstains the pairs did not explain
   the fit); otherwise the first fit stands. The kept fit's warnings are the ones shown.

Off by default (:data:`REFIT_COPIES`): a candidate judged by ``benchmarks/dev_weak_copy_screen.py``.

References
----------
P. Varma, F. Sala, A. He, A. Ratner and C. Ré, "Learning Dependency Structures for Weak Supervision Models",
ICML 2019. https://arxiv.org/abs/1903.05844
S. H. Bach, B. He, A. Ratner and C. Ré, "Learning the Structure of Generative Models without Labeled Data",
ICML 2017.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ._one_class import one_class_functions
from ._one_class_fit import fit_rows as one_class_fit_rows
from ._one_class_fit import mostly_one_class
from ._shared_steps import SHARED, reused

__all__ = ["REFIT_COPIES", "SCREEN", "STRONG", "copy_screen", "fit_rows", "missed_copies"]

#: Whether the label model screens its fit for missed one-class copies and refits with the learned ones.
REFIT_COPIES = False

#: The screen's threshold on the correlation of a one-class function's votes with another group's votes.
SCREEN = 0.7

#: The learned partial correlation (given the latent class) a pair needs to enter the refit.
STRONG = 0.3


def fit_rows(model: Any, matrix: np.ndarray, w: np.ndarray, p_fixed: Any, deps: list, votes: Any) -> tuple:
    """:func:`~._one_class_fit.fit_rows`, refitted with the learned copies where :func:`missed_copies` finds some
    (:data:`REFIT_COPIES`); the refit kept where it keeps informative abstains. The two fits share their steps
    (:data:`~._shared_steps.SHARED`: the vote indicator, its gram, the starts), and the screen reads the gram."""
    if not (REFIT_COPIES and model.n_em_iter):
        return one_class_fit_rows(model, matrix, w, p_fixed, deps, votes)
    token = SHARED.set({"copy_refit": True})  # not empty: the one-class fit shares this memo (it keeps a non-empty one)
    try:
        out, caught = _caught(model, (matrix, w, p_fixed, deps, votes))
        pairs = missed_copies(model, matrix, w, len(votes.classes))
        if pairs:
            state = dict(model.__dict__)
            refit, again = _caught(model, (matrix, w, p_fixed, deps + [p for p in pairs if p not in deps], votes))
            if model.abstains_ == "informative":
                out, caught = refit, again
            else:
                model.__dict__.clear()
                model.__dict__.update(state)
    finally:
        SHARED.reset(token)
    for w_ in caught:
        warnings.warn_explicit(w_.message, w_.category, w_.filename, w_.lineno)
    return out


def _caught(model: Any, args: tuple) -> tuple[tuple, list]:
    """:func:`~._one_class_fit.fit_rows` on ``args`` and the warnings it raised (not shown)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = one_class_fit_rows(model, *args)
    return out, list(caught)


def missed_copies(model: Any, matrix: np.ndarray, w: np.ndarray, n_classes: int) -> list[tuple[int, int]]:
    """The learned pairs with a one-class member (:func:`~._one_class.one_class_functions`) and a partial correlation
    of at least :data:`STRONG` to refit ``model``'s fit with, or ``[]``: none of them lies outside the fit's groups,
    the screen (:func:`copy_screen`) is under :data:`SCREEN`, or the fit is not one this applies to (no clique
    search; the one-class fit, which chose its structure with and without the learned pairs)."""
    if model.dependency_threshold is None or getattr(model, "_structure_learned", False):
        return []
    if model.one_class_rules and reused("mostly_one_class", lambda: mostly_one_class(matrix, w, n_classes)):
        return []
    one = one_class_functions(matrix)
    if not one.any():
        return []
    from ._moments import indicator, weighted_gram
    from ._structure_learning import learned_pair_strengths

    gram = reused("gram", lambda: weighted_gram(reused("lam", lambda: indicator(matrix, n_classes)), w))  # the fit's
    owner = np.empty(matrix.shape[1], dtype=np.int64)
    for t, g in enumerate(model._groups):
        owner[g] = t
    if copy_screen(gram, float(np.sum(w)), n_classes, one, owner, matrix) < SCREEN:
        return []
    found = learned_pair_strengths(matrix, w, n_classes, gram) or []
    copies = [(j, jj) for j, jj, value in found if value >= STRONG and (one[j] or one[jj])]
    return copies if any(owner[j] != owner[jj] for j, jj in copies) else []


def copy_screen(
    gram: Any, total: float, n_classes: int, one: np.ndarray, owner: np.ndarray, matrix: np.ndarray
) -> float:
    """The largest correlation over the items between the vote indicator of a one-class function (``one``) and an
    indicator ``[λ_j' = b]`` of a function in another group (``owner``: each function's group), read from the
    indicators' weighted gram ``λᵀWλ`` (``gram``, column ``j·K + a``; ``total`` items); 0 where none is positive.
    ``matrix``: the vote rows (a one-class function's class)."""
    mean = np.asarray(gram.diagonal(), dtype=np.float64) / total
    spread = mean * (1.0 - mean)
    other = np.repeat(owner, n_classes)
    funcs = np.flatnonzero(one)
    own = funcs * n_classes + np.asarray(matrix).max(axis=0)[funcs]  # one-class: the column's maximum is its class
    rows = np.asarray(gram[own].todense() if hasattr(gram, "todense") else np.asarray(gram)[own], dtype=np.float64)
    usable = (other[None, :] != owner[funcs][:, None]) & (spread[None, :] > 0.0) & (spread[own][:, None] > 0.0)
    if not usable.any():
        return 0.0
    scale = np.sqrt(np.maximum(np.outer(spread[own], spread), 1e-300))
    corr = (rows / total - np.outer(mean[own], mean)) / scale
    return max(0.0, float(corr[usable].max()))
