"""Known failure (session 52, misscopy52; session 53, copy53's candidate failed its rule): where the clique search
misses the copy of a rule that votes one class only and the informative-abstain fit is KEPT, the fit counts the rule
twice and the fitted co-vote check no longer sees the copy (a latent class follows its trigger)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from labelwise import weak
from labelwise.aggregate import MajorityVote

SIM6909 = weak.simulate_lfs(10_000, 12, 2, n_correlated=4, coverage=(0.02, 0.3), imbalance=3.0, random_state=6909)


def _fit() -> weak.LabelModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return weak.LabelModel().fit(SIM6909.votes)


def _points_below_majority_vote(model: weak.LabelModel) -> float:
    """How many points ``model``'s labels are below majority vote's on sim6909's items with a vote."""
    labels = model.labels_.to_numpy()
    majority = MajorityVote().fit(SIM6909.votes.to_annotations()).labels_.reindex(SIM6909.votes.items).to_numpy()
    voted = (SIM6909.votes.matrix() >= 0).any(axis=1)
    truth = SIM6909.truth.reindex(SIM6909.votes.items).to_numpy()
    ours, theirs = (100 * float(np.mean(x[voted] == truth[voted])) for x in (labels, majority))
    return theirs - ours


def test_the_default_keeps_informative_abstains_with_the_copy_apart():
    """The state the xfail below records: lf_12 copies the one-class rule lf_7 (the simulation's parent), the
    default keeps informative abstains and leaves the two in different groups."""
    model = _fit()
    assert SIM6909.parent[12] == 7 and model.abstains_ == "informative"
    assert not any({"lf_7", "lf_12"} <= set(g) for g in model.groups_)


@pytest.mark.xfail(
    strict=True,
    reason="the copy lf_7 / lf_12 stays apart inside the kept informative fit (3.3 points below MV); copy53's screen "
    "and refit with Varma et al.'s pairs fixed it (84.26) but failed part (a) of benchmarks/dev_weak_copy_screen.py "
    "(RESULTS.md, session 53); lowcov55's co-vote join fixes it (84.24) but is off by default for its cost "
    "(weak._covote_join; RESULTS.md, session 55)",
)
def test_default_fit_with_a_missed_copy_kept_informative_is_within_half_a_point_of_majority_vote():
    """On ``bench_weak.py``'s sim6909 (seed 6909 of its tenth configuration) the default label model is not more
    than 0.5 points below majority vote on the items with a vote."""
    assert _points_below_majority_vote(_fit()) <= 0.5


def test_with_the_co_vote_join_on_the_copy_is_joined_and_the_fit_is_within_half_a_point_of_majority_vote(
    monkeypatch,
):
    """The same set with ``weak._covote_join`` switched on (session 55): lf_7 and lf_12 in one group, and the fit not
    more than 0.5 points below majority vote on the items with a vote."""
    from labelwise.weak import _covote_join

    monkeypatch.setattr(_covote_join, "ENABLED", True)
    model = _fit()
    assert any({"lf_7", "lf_12"} <= set(g) for g in model.groups_)
    assert _points_below_majority_vote(model) <= 0.5
