"""The label model's fit after EM has chosen the abstain model: the fitted model's checks and refits, in order, and
the fitted attributes.

:class:`~.label_model.LabelModel`'s fit (``_fit_rows``) runs EM (:func:`~._em.fit_abstain_models`), which chooses the
abstain model; then :func:`checked_run` runs these steps on the kept EM run, one call each:

1. the dependence check of the fitted model and, where it finds pairs, the refit with them as cliques
   (:func:`pair_checked`: ``pair_check``, :func:`._fit_check.fitted_check` and :func:`._fit_check.refit_best`);
2. the missing-abstain relabelling guard (:func:`._fit_check.guard_missing`);
3. one confusion shared by exchangeable labelers (:func:`._exchangeable.shared_confusion_run`).

Once the fit is kept (:func:`._one_class_fit.fit_rows`), :func:`set_results` sets the fitted attributes from the
posterior of the distinct vote rows.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from . import _exchangeable, _identified
from ._em import EMRun
from ._fit_check import fitted_check, guard_missing, refit_best
from ._posterior import FLOOR, confusion_given_votes
from ._ties import item_argmax
from ._votes import Votes

__all__ = ["EMData", "checked_run", "pair_checked", "set_results"]


class EMData(NamedTuple):
    """What the label model's EM ran on, for the steps after it."""

    #: The distinct vote rows (``-1`` = abstain), their one-hot vote indicator and the items each row stands for.
    matrix: np.ndarray
    lam: Any
    w: np.ndarray
    #: The indicator's weighted gram ``λᵀWλ`` (the overlaps' and the agreement test's counts).
    gram: Any
    #: The rows with a vote, which EM ran on, and whether they are all the rows.
    cov: np.ndarray
    every: bool
    #: The groups' outcomes on those rows (weighted), each column's group size in outcomes, and EM's starts (the moment
    #: fit's posterior, majority vote).
    lam_gc: Any
    n_outcomes: np.ndarray
    starts: list[np.ndarray]


def checked_run(
    model: Any, em: Any, run: EMRun, data: EMData, groups: list[list[int]], lam_g: Any, votes: Votes
) -> tuple[EMRun, list[list[int]], Any]:
    """The EM ``run`` after the checks and refits that follow EM's choice of the abstain model (module docstring),
    with the groups and their outcome indicator of every vote row (``lam_g``), changed where the check joined pairs.

    ``em``: :func:`~._em.fit_abstain_models` with the model's settings; ``votes``: the votes the rows come from."""
    run, groups, lam_g, voted = pair_checked(model, em, run, data, groups, lam_g, votes)
    run = guard_missing(model, em, run, voted, groups, votes)
    matrix = data.matrix if data.every else data.matrix[data.cov]
    run = _exchangeable.shared_confusion_run(model, em, run, matrix, groups, len(votes.classes))
    return run, groups, lam_g


def pair_checked(
    model: Any, em: Any, run: EMRun, data: EMData, groups: list[list[int]], lam_g: Any, votes: Votes
) -> tuple[EMRun, list[list[int]], Any, tuple[Any, np.ndarray, np.ndarray]]:
    """:func:`checked_run`'s first step: where ``dependency_threshold`` and ``pair_check`` are set, the fitted model's
    dependence check (:func:`._fit_check.fitted_check`) and, where it changes the groups, their refit
    (:func:`._fit_check.refit_best`, from majority vote, or the check's start, and the checked fit). Returns the run,
    the groups, their outcomes of every row, and what EM of the groups runs on (their outcomes on the rows with a
    vote, each column's group size in outcomes, majority vote's start)."""
    lam_gc, n_outcomes, starts = data.lam_gc, data.n_outcomes, data.starts
    if model.dependency_threshold is not None and model.pair_check:  # the fitted model's dependence check
        changed = fitted_check(model, data.matrix, data.lam, data.w, groups, lam_g, run, votes, data.gram)
        changed = _identified.checked(changed, groups)  # refused where too few groups would be left (_identified)
        if changed is not None:
            groups, lam_g, n_outcomes, start = changed
            starts[1] = starts[1] if start is None else start[data.cov]
            lam_gc = lam_g if data.every else lam_g[data.cov]
            run = refit_best(model, em, lam_gc, n_outcomes, starts, run, groups)[0]
    return run, groups, lam_g, (lam_gc, n_outcomes, starts[-1])


def set_results(
    model: Any, v: Votes, mu: np.ndarray, p: np.ndarray, post: np.ndarray, inverse: np.ndarray, matrix: np.ndarray
) -> None:
    """The fitted attributes from the distinct vote rows' posterior ``post`` and votes ``matrix`` (``inverse``: each
    item's row), ``μ`` and the class balance ``p``."""
    k, m = len(v.classes), v.n_labelers
    model.classes_ = v.classes
    model.labelers_ = v.labelers
    model.mu_ = mu
    model.class_balance_ = p
    cond = mu.reshape(m, k, k)  # [j, a, y]
    votes_given_y = np.maximum(cond.sum(axis=1), FLOOR)  # (m, K): P(vote | y)
    model.confusion_ = confusion_given_votes(mu, m, k)
    accuracy = np.clip(np.einsum("jyy,y->j", cond, p) / np.maximum(votes_given_y @ p, FLOOR), 0, 1)
    accuracy[~(matrix >= 0).any(axis=0)] = np.nan  # a labeler that never voted: none
    model.accuracies_ = pd.Series(accuracy, index=pd.Index(v.labelers, name="labeler"), name="accuracy")
    classes = pd.Index(v.classes)
    codes = item_argmax(post, model.random_state, v.items, inverse)  # a tie: one draw per tied item
    model.probas_ = pd.DataFrame(post[inverse], index=v.items, columns=classes)
    model.labels_ = pd.Series(classes.take(codes).array, index=v.items, name="label")
    model.n_votes_ = pd.Series((matrix >= 0).sum(axis=1)[inverse], index=v.items, name="n_votes")
