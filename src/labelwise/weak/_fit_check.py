"""The label model's dependence check on its fitted model (``LabelModel(pair_check=True)``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from ._crowd_pairs import dependent_pairs
from ._one_class import one_class_groups
from ._posterior import posterior, voted_outcomes
from ._votes import Votes

__all__ = ["fitted_check"]


def fitted_check(
    model: Any,
    matrix: np.ndarray,
    lam: sp.csr_matrix,
    weights: np.ndarray,
    groups: list[list[int]],
    lam_g: Any,
    run: Any,
    votes: Votes,
) -> tuple[list[list[int]], Any, np.ndarray, np.ndarray | None] | None:
    """Pairs of functions the fitted model (``run``: its EM run, ``lam_g``: the groups' outcome
    indicator of every row) treats as independent but which are not, and the new groups.

    Missing abstains (Dawid-Skene's model): :class:`labelwise.aggregate.DawidSkene`'s dependent-pair
    check on ``votes``, recorded in ``model._pairs`` and modelled by ``model._model_pairs``.
    Informative abstains: the co-vote check of one-class functions
    (:func:`._one_class.one_class_groups`) under the fitted posterior. Returns the new groups,
    their outcome indicator and outcome counts and EM's start (``None``: the same starts), or
    ``None`` when the groups do not change. ``matrix``, ``lam``, ``weights``: the vote rows, their
    one-hot indicator and the items each row stands for.
    """
    threshold, k = float(model.dependency_threshold), len(votes.classes)
    if model.abstains_ == "missing":
        model._pairs = dependent_pairs(votes, threshold=threshold, prior_strength=float(model.prior_strength))
        return model._model_pairs(matrix, k, groups, model._pairs)
    fitted = posterior(lam_g, run.mu, run.p)[0]
    new = one_class_groups(
        matrix,
        lam,
        weights,
        k,
        groups,
        fitted,
        threshold=threshold,
        min_shared=model.min_shared,
        max_size=model.max_clique,
    )
    return None if new is None else (new, *voted_outcomes(matrix, k, new), None)
