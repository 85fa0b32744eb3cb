"""Cliques of copies larger than ``max_clique`` (session 53, clique53): the search's cap by the joint outcome's size,
informative abstains where it grows a clique, and the fitted check keeping such a clique whole."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from labelwise import weak
from labelwise.aggregate import MajorityVote
from labelwise.weak import _clique_cap

#: ``bench_weak.py``'s sim8602 (seed 8602 of its third configuration): lf_10 has three copies (lf_22, lf_23, lf_25).
SIM8602 = weak.simulate_lfs(10_000, 20, 2, n_correlated=6, coverage=(0.01, 0.1), imbalance=1.0, random_state=8602)
COPIES = {"lf_10", "lf_22", "lf_23", "lf_25"}


@pytest.fixture
def grown(monkeypatch):
    """The candidate switched on for one test."""
    monkeypatch.setattr(_clique_cap, "GROW_CLIQUES", True)


def _fit(votes, **params) -> weak.LabelModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return weak.LabelModel(**params).fit(votes)


def _points(labels: pd.Series, votes) -> tuple[float, float]:
    """Points of ``labels`` and of majority vote on SIM8602's items with a vote."""
    v = weak.as_votes(votes)
    scored = (v.matrix() >= 0).any(axis=1)
    truth = SIM8602.truth.reindex(v.items).to_numpy()[scored]
    mv = MajorityVote().fit(v.to_annotations()).labels_.reindex(v.items).to_numpy()[scored]
    return 100 * float(np.mean(labels.reindex(v.items).to_numpy()[scored] == truth)), 100 * float(np.mean(mv == truth))


class TestCliqueLimits:
    def test_the_switch_grows_the_cap_to_the_learned_structures_past_the_plan(self, grown):
        """With the switch on the search may reach GROWN_CAP (6) functions, by complete linkage past the plan's size;
        a plan already larger is kept."""
        model = SimpleNamespace(_structure_learned=False)
        assert _clique_cap.clique_limits(model, 3) == {"max_size": 6, "full_past": 3}
        assert _clique_cap.clique_limits(model, 7) == {"max_size": 7, "full_past": 7}

    def test_learned_pairs_and_the_switch_off_keep_the_plan(self, monkeypatch):
        """The one-class fit's learned structure, or the switch off, leave the model's own cap."""
        monkeypatch.setattr(_clique_cap, "GROW_CLIQUES", True)
        assert _clique_cap.clique_limits(SimpleNamespace(_structure_learned=True), 6) == {"max_size": 6}
        monkeypatch.setattr(_clique_cap, "GROW_CLIQUES", False)
        assert _clique_cap.clique_limits(SimpleNamespace(_structure_learned=False), 3) == {"max_size": 3}

    def test_groups_join_past_the_plan_only_when_every_cross_pair_co_votes_as_copies(self, monkeypatch):
        """``all_covote`` by z (``EFFECT_LINK`` off, clique53's rule): two groups are linked only when every pair
        across them has co-vote z >= 4 x threshold."""
        monkeypatch.setattr(_clique_cap, "EFFECT_LINK", False)
        z = np.full((4, 4), 30.0)
        z[0, 3] = z[3, 0] = 19.0
        linked = _clique_cap.all_covote(SimpleNamespace(covote_z_all=lambda: z), 5.0)
        assert linked([0, 1], [2])
        assert not linked([0, 1], [2, 3])

    def test_a_grown_clique_keeps_informative_abstains_only_under_auto(self, grown):
        """``grown_abstains`` turns ``"auto"`` into ``"informative"`` only where a group has more than max_clique."""
        model = SimpleNamespace(abstains="auto", max_clique=3, _structure_learned=False)
        assert _clique_cap.grown_abstains(model, [[0, 1, 2, 3], [4]], "auto") == "informative"
        assert _clique_cap.grown_abstains(model, [[0, 1, 2], [3]], "auto") == "auto"
        assert _clique_cap.grown_abstains(model, [[0, 1, 2, 3]], "missing") == "missing"
        model.abstains = "missing"
        assert _clique_cap.grown_abstains(model, [[0, 1, 2, 3]], "missing") == "missing"


class TestFourCopiesOfARule:
    def test_all_four_copies_are_one_clique_and_the_fit_is_near_majority_vote(self, grown):
        """On sim8602 the rule lf_10 and its three copies are one clique, abstains informative, and the fit is not
        more than 0.5 points below majority vote (main: lf_23 left out, missing abstains, -2.54)."""
        model = _fit(SIM8602.votes)
        assert any(COPIES <= set(g) for g in model.groups_)
        assert model.abstains_ == "informative"
        points, mv = _points(model.labels_, SIM8602.votes)
        assert points >= mv - 0.5

    def test_the_switch_off_is_mains_fit(self, monkeypatch):
        """With the switch off the copies are split by the cap of 3 (the state before the candidate)."""
        monkeypatch.setattr(_clique_cap, "GROW_CLIQUES", False)
        model = _fit(SIM8602.votes)
        assert not any(COPIES <= set(g) for g in model.groups_)


class TestInvariantsWhereItFires:
    def test_row_order_does_not_change_any_item_label(self, grown):
        """The items' labels do not depend on the order of the long table's rows."""
        long = SIM8602.votes.to_annotations()
        before = _fit(long).labels_
        after = _fit(long.sample(frac=1.0, random_state=3)).labels_
        pd.testing.assert_series_equal(before.sort_index(), after.sort_index())

    def test_renamed_labelers_give_the_same_labels_and_cliques(self, grown):
        """Labelers renamed (in another sort order) give the same labels and the same cliques, renamed."""
        long = SIM8602.votes.to_annotations()
        names = {f"lf_{j}": f"rule_{99 - j:02d}" for j in range(26)}
        before = _fit(long)
        after = _fit(long.assign(annotator=long.annotator.map(names)))
        pd.testing.assert_series_equal(before.labels_, after.labels_.reindex(before.labels_.index))
        assert sorted(sorted(names[a] for a in g) for g in before.groups_) == sorted(sorted(g) for g in after.groups_)

    def test_renamed_classes_give_the_same_labels_renamed(self, grown):
        """Classes renamed (reversing their order) give the same labels under the new names."""
        long = SIM8602.votes.to_annotations()
        before = _fit(long)
        after = _fit(long.assign(label=long.label.map({0: "z", 1: "a"})))
        expected = before.labels_.map({0: "z", 1: "a"})
        pd.testing.assert_series_equal(expected, after.labels_.reindex(expected.index), check_dtype=False)
