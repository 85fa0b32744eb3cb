"""A rule with three copies (four functions voting together) is one clique of the default label model (session 53,
clique53; main's ``max_clique=3`` left one copy out and counted it as independent evidence)."""

from __future__ import annotations

import warnings

import numpy as np

from labelwise import weak
from labelwise.aggregate import MajorityVote

#: ``bench_weak.py``'s sim8602 (seed 8602 of its third configuration): lf_10 has three copies (lf_22, lf_23, lf_25).
SIM8602 = weak.simulate_lfs(10_000, 20, 2, n_correlated=6, coverage=(0.01, 0.1), imbalance=1.0, random_state=8602)


def _fit() -> weak.LabelModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return weak.LabelModel().fit(SIM8602.votes)


def test_the_rule_and_its_three_copies_are_one_clique_of_the_default_fit():
    """The simulation's copies of lf_10 and lf_10 itself are all in one of the default fit's groups."""
    assert sorted(np.flatnonzero(SIM8602.parent == 10).tolist()) == [22, 23, 25]
    model = _fit()
    assert any({"lf_10", "lf_22", "lf_23", "lf_25"} <= set(g) for g in model.groups_)


def test_the_default_fit_with_four_copies_is_within_half_a_point_of_majority_vote():
    """On the items with a vote the default label model is not more than 0.5 points below majority vote (main:
    69.40 against 71.93)."""
    v = SIM8602.votes
    scored = (v.matrix() >= 0).any(axis=1)
    truth = SIM8602.truth.reindex(v.items).to_numpy()[scored]
    mv = MajorityVote().fit(v.to_annotations()).labels_.reindex(v.items).to_numpy()[scored]
    labels = _fit().labels_.reindex(v.items).to_numpy()[scored]
    assert 100 * np.mean(labels == truth) >= 100 * np.mean(mv == truth) - 0.5
