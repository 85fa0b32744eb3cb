"""Known failure (session 52, gen52w; misscopy52's candidate failed its rule): where the clique search misses the
copies of a rule that votes one class only, the informative-abstain fit is rejected for relabelling majority vote's
classes and the missing-abstain fit that replaces it can put every voted item in one class."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from labelwise import weak
from labelwise.aggregate import MajorityVote


@pytest.mark.xfail(
    strict=True,
    reason="missing abstains after the rejected informative fit, every voted item class 0 (0.76 below MV); the refit "
    "with learned pairs failed part (a) of benchmarks/dev_weak_rejected_refit.py (RESULTS.md, session 52, misscopy52)",
)
def test_default_fit_with_missed_one_class_copies_is_within_half_a_point_of_majority_vote() -> None:
    """On ``bench_weak.py``'s sim6109 (seed 6109 of its tenth configuration) the default label model is not more
    than 0.5 points below majority vote on the items with a vote."""
    sim = weak.simulate_lfs(10_000, 12, 2, n_correlated=4, coverage=(0.02, 0.3), imbalance=3.0, random_state=6109)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        labels = weak.LabelModel().fit(sim.votes).labels_.to_numpy()
    majority = MajorityVote().fit(sim.votes.to_annotations()).labels_.reindex(sim.votes.items).to_numpy()
    voted = (sim.votes.matrix() >= 0).any(axis=1)
    truth = sim.truth.reindex(sim.votes.items).to_numpy()
    ours, theirs = (100 * float(np.mean(x[voted] == truth[voted])) for x in (labels, majority))
    assert ours >= theirs - 0.5
