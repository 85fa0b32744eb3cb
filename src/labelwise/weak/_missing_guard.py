"""The label model's guard on its missing-abstain fit: Dawid-Skene's relabelling check, and majority vote's fit.

References
----------
.. [1] A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates Using
   the EM Algorithm", Applied Statistics 28(1), 20-28, 1979.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._caller import warn_at_caller
from .._validate.arguments import show
from ..aggregate._guard import relabelled_classes
from ..errors import LabelwiseWarning
from . import _emptied_class, _unread_votes
from ._em import EMRun, diagonal_pseudo_counts
from ._posterior import VotedOutcomes, em_m_step_missing, outcome_patterns, posterior
from ._votes import Votes

__all__ = ["ONE_CLASS_VOTES", "UNREAD_VOTES", "guard_missing", "one_class_vote_share", "unread_votes"]

#: The share of the votes, cast by functions that vote one class only, above which a relabelling missing-abstain
#: fit is taken for the non-identified case: "most votes" (a half), not tuned.
ONE_CLASS_VOTES = 0.5

#: Whether the check also holds on a missing-abstain fit where fewer, but many, votes come from one-class functions
#: (:func:`unread_votes`): on since session 57 (guard57), when it passed the rule of
#: ``benchmarks/dev_weak_missing_guard57.py``; False gives the guard before it.
UNREAD_VOTES = True


def one_class_vote_share(votes: Votes) -> float:
    """Share of the votes (rows of ``votes.answers``, one per item and function: the label matrix's entries) cast
    by functions that vote one class only; 0 without votes."""
    matrix = votes.matrix()
    voted = matrix >= 0
    n_votes = int(np.count_nonzero(voted))
    if not n_votes:
        return 0.0
    k = len(votes.classes)
    column = np.broadcast_to(np.arange(matrix.shape[1]), matrix.shape)[voted]
    per_class = np.bincount(column * k + matrix[voted], minlength=matrix.shape[1] * k).reshape(-1, k)
    one_class = np.count_nonzero(per_class, axis=1) == 1
    return int(per_class.sum(axis=1)[one_class].sum()) / n_votes  # exact counts: the mean of the votes' flags


def unread_votes(votes: Votes) -> bool:
    """Whether, where :data:`UNREAD_VOTES`, at least :data:`._unread_votes.MIN_SHARE` of the votes come from functions
    that vote one class only and have cast at least :data:`._unread_votes.MIN_VOTES` votes
    (:func:`._unread_votes.one_class_share`): votes the missing-abstain model cannot read, as
    :func:`._em.choose_abstain_model` measures them."""
    if not UNREAD_VOTES:
        return False
    matrix = votes.matrix()
    return _unread_votes.one_class_share(matrix, np.ones(len(matrix))) >= _unread_votes.MIN_SHARE


def _one_class_votes(model: Any, votes: Votes) -> bool:
    """Whether ``votes`` are one-class enough for the relabelling check: most of them (:data:`ONE_CLASS_VOTES`), or
    on a missing-abstain fit :func:`unread_votes`."""
    if one_class_vote_share(votes) > ONE_CLASS_VOTES:
        return True
    return model.abstains_ == "missing" and unread_votes(votes)


def guard_missing(
    model: Any, em: Any, run: EMRun, rows: tuple[Any, np.ndarray, np.ndarray], groups: list[list[int]], votes: Votes
) -> EMRun:
    """``run``, or majority vote's fit when the missing-abstain fit relabels a class (the informative-abstain fit
    too, on mostly one-class votes: :mod:`._one_class_fit`).

    With missing abstains (``model.abstains_ == "missing"``, chosen or given) the label model is
    Dawid-Skene's model [1]_, in which a function that only ever votes one class (a keyword rule)
    says nothing: given that it votes, its vote is the same whatever the class. On a set of such
    rules the model is not identified, and EM can end with one class absorbing another (the class
    balance near 1 on one class, every item labelled that class). The check is that case:
    :class:`labelwise.aggregate.DawidSkene`'s guard,
    :func:`~labelwise.aggregate._guard.relabelled_classes` (a class most of whose items with a
    strict majority vote get one other label), where most votes (more than half) come from
    functions that vote one class only (:data:`ONE_CLASS_VOTES`), or, on a missing-abstain fit, at
    least a tenth come from such functions of 20 votes or more (:func:`unread_votes`: votes that
    model cannot read; a fit of K = 2 then often puts every item in one class); on a crowd, a relabelled
    small class can be the prior's fair correction of a noisy majority. It also fires where the missing fit empties a
    class of three or more (:mod:`._emptied_class`), whatever the votes. When it fires, the fit falls back, as Dawid-Skene's
    does, to majority vote, with a :class:`~labelwise.errors.LabelwiseWarning`, here as majority
    vote's own model so that ``predict`` gives the same labels: every function (every clique
    member) of one accuracy, ``settings["accuracy"]`` (the crowd's mean accuracy from its
    agreements, clipped as :func:`~labelwise.aggregate.priors.diagonal_confusion_prior` clips it),
    its errors uniform over the other classes, which functions vote independent of the class (the
    observed pattern shares), and a uniform class balance unless the fit's is fixed (then that
    one, the vote reweighted by it as Dawid-Skene's fallback is). Its labels are majority vote's,
    exact ties included. The run's convergence record stays (its EM converged; its result is what
    was rejected).

    ``em``: the label model's :func:`~._em.fit_abstain_models` with its settings (a
    ``functools.partial``: its ``p_fixed``, ``w``, ``accuracy``, ``smoothing`` are read); ``rows``:
    the groups' outcome indicator of the voted rows, their outcome counts and the rows' vote
    shares (majority vote's posterior).
    """
    lam_g, n_outcomes, vote = rows
    settings = em.keywords
    from . import _one_class_fit

    informative = model.abstains_ != "missing"
    if informative and not model.one_class_rules:
        return run  # the informative fit is checked too, on mostly one-class votes (:mod:`._one_class_fit`)
    moved = relabelled_classes(vote, run.post, settings["w"])
    emptied = np.empty(0, dtype=np.intp)
    if not len(moved) or not _one_class_votes(model, votes):  # not mostly one-class votes
        emptied = _emptied_class.emptied_fit(model, vote, run.post, settings["p_fixed"])  # K >= 3: no item left in it
        if not len(emptied):
            return run
        moved = emptied
    if informative and _one_class_fit.invisible_class(settings["w"] @ vote / float(settings["w"].sum())):
        return run  # a class the votes barely name: the label model before session 49 (:mod:`._one_class_fit`)
    k, p_fixed = vote.shape[1], settings["p_fixed"]
    free = p_fixed is None or (isinstance(p_fixed, str) and p_fixed == "votes")
    p = np.full(k, 1.0 / k) if free else run.p
    pattern_of, pattern_group = outcome_patterns(groups, k)
    # the pattern shares of the data: the M-step's share, the same for every class
    voted = lam_g if isinstance(lam_g, VotedOutcomes) else VotedOutcomes.build(lam_g, n_outcomes)
    smoothing = float(settings["smoothing"])
    fitted = em_m_step_missing(voted.weighted(settings["w"]), vote, smoothing, pattern_of, pattern_group)[0]
    share = np.bincount(pattern_of, weights=fitted[:, 0], minlength=len(pattern_group))[pattern_of]
    cond = diagonal_pseudo_counts(groups, k, 0.0, settings["accuracy"], 1.0)  # one-coin votes given the pattern
    cond[cond.sum(axis=1) == 0] = 1.0  # a group's all-abstain outcome, alone in its pattern
    mu = cond * share[:, None]
    post, log_votes = posterior(voted, mu, p)
    if model.abstains_ == "missing":
        fit_name = "missing-abstain fit (Dawid-Skene's model)"
        advice = (
            "The informative-abstain model does not fit these functions either (their co-firing, warned above)"
            if getattr(model, "_negative_pair", None) is not None  # informative abstains ruled out (warned)
            else "The fit left that class no item: a collapse, not the correction of a noisy majority"
            if len(emptied)
            else "abstains='auto' chose this model: every function votes one class only and a class is nearly "
            "invisible in the votes, where the informative-abstain fit follows the rules' triggers, not the classes"
            if getattr(model, "_invisible_missing", False)
            else "With functions that vote one class only the model is not identified: "
            "abstains='informative' may avoid it"
        )
    else:
        fit_name = "informative-abstain fit"
        advice = "Functions that vote one class only name their class: a fit that moves a whole class follows a trigger"
    warn_at_caller(
        LabelwiseWarning(
            f"{type(model).__name__}'s {fit_name} relabelled {len(moved)} class(es) "
            f"(e.g. {show(votes.classes[moved[0]])}: most items whose majority vote it is got another single label); "
            f"falling back to majority vote. {advice}"
        )
    )
    return run._replace(post=post, mu=mu, p=p, log_votes=log_votes, lure=None)
