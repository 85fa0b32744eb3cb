"""Known failure (session 52, misscopy52; session 53, copy53's candidate failed its rule): where the clique search
misses the copy of a rule that votes one class only and the informative-abstain fit is KEPT, the fit counts the rule
twice and the fitted co-vote check no longer sees the copy (a latent class follows its trigger). Fixed in session 55
(lowcov55): the co-vote join (``weak._covote_join``) joins the copy after the informative fit, kept by BIC."""

from __future__ import annotations

import warnings

import numpy as np

from labelwise import weak
from labelwise.aggregate import MajorityVote

SIM6909 = weak.simulate_lfs(10_000, 12, 2, n_correlated=4, coverage=(0.02, 0.3), imbalance=3.0, random_state=6909)


def _fit() -> weak.LabelModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return weak.LabelModel().fit(SIM6909.votes)


def test_the_default_keeps_informative_abstains_and_joins_the_copy():
    """lf_12 copies the one-class rule lf_7 (the simulation's parent): the default keeps informative abstains and
    joins the two (main before session 55 left them apart, 3.3 points below majority vote)."""
    model = _fit()
    assert SIM6909.parent[12] == 7 and model.abstains_ == "informative"
    assert any({"lf_7", "lf_12"} <= set(g) for g in model.groups_)


def test_default_fit_with_a_missed_copy_kept_informative_is_within_half_a_point_of_majority_vote():
    """On ``bench_weak.py``'s sim6909 (seed 6909 of its tenth configuration) the default label model is not more
    than 0.5 points below majority vote on the items with a vote."""
    labels = _fit().labels_.to_numpy()
    majority = MajorityVote().fit(SIM6909.votes.to_annotations()).labels_.reindex(SIM6909.votes.items).to_numpy()
    voted = (SIM6909.votes.matrix() >= 0).any(axis=1)
    truth = SIM6909.truth.reindex(SIM6909.votes.items).to_numpy()
    ours, theirs = (100 * float(np.mean(x[voted] == truth[voted])) for x in (labels, majority))
    assert ours >= theirs - 0.5
