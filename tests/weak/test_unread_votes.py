"""The abstain-model choice where many votes come from one-class functions, which the missing-abstain model cannot
read (``weak._unread_votes``, through ``_em.choose_abstain_model``)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise import weak
from labelwise.aggregate import MajorityVote
from labelwise.weak import _missing_guard, _unread_votes
from labelwise.weak._em import choose_abstain_model
from labelwise.weak._unread_votes import MIN_SHARE, MIN_VOTES, gate_votes, informative_instead, one_class_share

#: BIC and vote-value log-likelihood where BIC prefers missing abstains and the informative fit predicts the values
#: better (sim13002's numbers, rounded).
BIC = {"informative": 98177.0, "missing": 98158.0}
VOTE_LL = {"informative": -4864.0, "missing": -4932.0}


def seen_13002():
    """The benchmark generator's seen set sim13002 (K2_m20+6_cov0.1, ``bench_weak.SIM_CONFIGS[2]``) and its truth."""
    sim = weak.simulate_lfs(10_000, 20, 2, n_correlated=6, coverage=(0.01, 0.1), imbalance=1.0, random_state=13002)
    return sim.votes, sim.truth


def fit(votes, on: bool | None = None, **fit_params) -> weak.LabelModel:
    """The default label model (warnings silenced), the switch at ``on`` (None: as it is)."""
    held = _unread_votes.ENABLED
    _unread_votes.ENABLED = held if on is None else on
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return weak.LabelModel().fit(votes, **fit_params)
    finally:
        _unread_votes.ENABLED = held


def voted_accuracy(votes, truth, labels) -> float:
    """Points on the gold items with a vote (``bench_weak``'s scoring)."""
    v = weak.as_votes(votes)
    scored = (v.matrix() >= 0).any(axis=1)
    predicted = labels.reindex(v.items).to_numpy()
    return 100.0 * float(np.mean(predicted[scored] == truth.reindex(v.items).to_numpy()[scored]))


class TestOneClassShare:
    def test_votes_of_one_class_functions_with_enough_votes_count(self) -> None:
        """Column 0 votes class 1 on 30 rows, column 1 both classes on 30: half the votes are one-class."""
        matrix = np.full((60, 2), -1)
        matrix[:30, 0] = 1
        matrix[30:, 1] = np.arange(30) % 2
        assert one_class_share(matrix, np.ones(60)) == pytest.approx(0.5)

    def test_a_one_class_function_with_fewer_than_min_votes_does_not_count(self) -> None:
        """A column of MIN_VOTES - 1 votes of one class is a worker's chance, not a one-class rule."""
        matrix = np.full((MIN_VOTES + 40, 2), -1)
        matrix[: MIN_VOTES - 1, 0] = 0
        matrix[MIN_VOTES:, 1] = np.arange(40) % 2
        assert one_class_share(matrix, np.ones(len(matrix))) == 0.0

    def test_row_weights_count_as_items(self) -> None:
        """One row standing for 25 items gives its one-class vote 25 votes."""
        matrix = np.array([[0, -1], [-1, 0], [-1, 1]])
        assert one_class_share(matrix, np.array([25.0, 10.0, 15.0])) == pytest.approx(0.5)

    def test_the_gate_reads_two_classes_only_and_counts_the_voted_items(self) -> None:
        """The same rows give their share at K = 2 and 0 at K = 3 (the gate holds at two classes only); the items with
        a vote are 60 of 70 either way."""
        matrix = np.full((70, 2), -1)
        matrix[:30, 0] = 1
        matrix[30:60, 1] = np.arange(30) % 2
        share, n_voted = gate_votes(matrix, np.ones(70), 2)
        assert share == pytest.approx(0.5) and n_voted == 60.0
        assert gate_votes(matrix, np.ones(70), 3) == (0.0, 60.0)

    def test_no_votes_give_zero(self) -> None:
        """A matrix of abstains has no share."""
        assert one_class_share(np.full((5, 3), -1), np.ones(5)) == 0.0

    @settings(max_examples=40, deadline=None)
    @given(st.integers(0, 2**32 - 1))
    def test_share_does_not_depend_on_the_functions_order_or_class_codes(self, seed: int) -> None:
        """Permuting the columns and relabelling the classes leaves the share as it is."""
        rng = np.random.default_rng(seed)
        k, m = int(rng.integers(2, 5)), int(rng.integers(2, 8))
        matrix = np.where(rng.random((200, m)) < 0.3, rng.integers(0, k, (200, m)), -1)
        matrix[:, 0] = np.where(rng.random(200) < 0.5, int(rng.integers(k)), -1)  # a one-class column
        w = rng.integers(1, 4, 200).astype(float)
        perm, relabel = rng.permutation(m), rng.permutation(k)
        moved = np.where(matrix >= 0, relabel[np.maximum(matrix, 0)], -1)[:, perm]
        assert one_class_share(moved, w) == pytest.approx(one_class_share(matrix, w))


class TestInformativeInstead:
    @pytest.fixture(autouse=True)
    def _on(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(_unread_votes, "ENABLED", True)

    def test_bic_for_missing_values_for_informative_and_many_one_class_votes_keep_informative(self) -> None:
        """The module's case: the choice keeps informative abstains."""
        assert informative_instead(BIC, VOTE_LL, set(), lambda: (MIN_SHARE, 7000.0))
        assert choose_abstain_model(BIC, VOTE_LL, set(), lambda: (0.3, 7000.0)) == "informative"

    def test_switched_off_the_choice_is_main_s(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """With ENABLED off, BIC's preference for missing abstains decides."""
        monkeypatch.setattr(_unread_votes, "ENABLED", False)
        assert choose_abstain_model(BIC, VOTE_LL, set(), lambda: (0.3, 7000.0)) == "missing"

    @pytest.mark.parametrize(
        ("bic", "vote_ll", "relabels", "gate"),
        [
            (BIC, VOTE_LL, {"informative", "missing"}, (0.3, 7000.0)),  # both relabel
            (BIC, {"informative": -4940.0, "missing": -4932.0}, set(), (0.3, 7000.0)),  # the values say missing too
            (BIC, {"informative": -4924.0, "missing": -4932.0}, set(), (0.3, 7000.0)),  # a gain below log n (8.85)
            (BIC, VOTE_LL, set(), (MIN_SHARE - 0.01, 7000.0)),  # few one-class votes: a crowd
            (BIC, VOTE_LL, set(), None),  # nothing given
        ],
    )
    def test_otherwise_the_choice_is_left_alone(self, bic, vote_ll, relabels, gate) -> None:
        """Relabelling fits, values that favour missing abstains too or too little, or too few one-class votes: no
        override."""
        assert not informative_instead(bic, vote_ll, relabels, None if gate is None else lambda: gate)

    def test_the_share_is_made_only_where_the_rest_holds(self) -> None:
        """Where BIC already prefers informative abstains the share is not computed."""
        called = []
        bic = {"informative": 1.0, "missing": 2.0}
        assert not informative_instead(bic, VOTE_LL, set(), lambda: called.append(1) or (1.0, 7000.0))
        assert not called


class TestSeenGeneratorSet:
    def test_sim13002_keeps_informative_abstains_and_is_no_longer_below_majority_vote(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Seen sim13002: switched off, missing abstains and 25 points below majority vote; switched on, informative
        abstains and within 0.5 of majority vote (above it). The relabelling guard on many one-class votes
        (``_missing_guard.UNREAD_VOTES``, which gives majority vote's model where this is off) is off."""
        monkeypatch.setattr(_missing_guard, "UNREAD_VOTES", False)
        votes, truth = seen_13002()
        mv = voted_accuracy(votes, truth, MajorityVote().fit(weak.as_votes(votes).to_annotations()).labels_)
        off, on = fit(votes, False), fit(votes, True)
        assert off.abstains_ == "missing" and voted_accuracy(votes, truth, off.labels_) < mv - 20
        assert on.abstains_ == "informative" and voted_accuracy(votes, truth, on.labels_) >= mv - 0.5

    def test_the_default_keeps_informative_abstains_on_sim13002(self) -> None:
        """The default label model (the switch as shipped) keeps informative abstains on seen sim13002 and is not more
        than 0.5 points below majority vote (on main: missing abstains, 25 points below)."""
        votes, truth = seen_13002()
        mv = voted_accuracy(votes, truth, MajorityVote().fit(weak.as_votes(votes).to_annotations()).labels_)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = weak.LabelModel().fit(votes)
        assert model.abstains_ == "informative"
        assert voted_accuracy(votes, truth, model.labels_) >= mv - 0.5

    def test_renaming_labelers_and_classes_changes_nothing(self) -> None:
        """The same set as a long table (every item given) with its labelers renamed in reverse order and its classes
        as text: the same choice and labels (mapped), by default."""
        votes, _ = seen_13002()
        v = weak.as_votes(votes)
        long = v.to_annotations()
        names = {c: f"rule_{len(v.labelers) - i:02d}" for i, c in enumerate(v.labelers)}
        renamed = long.assign(annotator=long["annotator"].map(names), label=long["label"].map({0: "neg", 1: "pos"}))
        base, moved = fit(v), fit(renamed, items=v.items)
        assert moved.abstains_ == base.abstains_ == "informative"
        expect = base.labels_.map({0: "neg", 1: "pos"})
        assert (moved.labels_.reindex(expect.index) == expect).all()
