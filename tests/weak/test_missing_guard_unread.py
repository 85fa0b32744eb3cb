"""The relabelling guard on a missing-abstain fit where many (not most) votes come from one-class functions
(``weak._missing_guard.unread_votes``, switch ``UNREAD_VOTES``)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise import weak
from labelwise.aggregate import MajorityVote
from labelwise.errors import LabelwiseWarning
from labelwise.weak import _missing_guard
from labelwise.weak._unread_votes import MIN_SHARE, MIN_VOTES
from tests.weak.test_unread_votes import voted_accuracy  # bench_weak's scoring


def seen_20902():
    """The benchmark generator's seen set sim20902 (K2_m20+6_cov0.1, ``bench_weak.SIM_CONFIGS[2]``) and its truth."""
    sim = weak.simulate_lfs(10_000, 20, 2, n_correlated=6, coverage=(0.01, 0.1), imbalance=1.0, random_state=20902)
    return sim.votes, sim.truth


def fit(votes, on: bool | None = None, **fit_params) -> weak.LabelModel:
    """The default label model (warnings silenced), the switch at ``on`` (None: as it is)."""
    held = _missing_guard.UNREAD_VOTES
    _missing_guard.UNREAD_VOTES = held if on is None else on
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return weak.LabelModel().fit(votes, **fit_params)
    finally:
        _missing_guard.UNREAD_VOTES = held


def one_class_votes(n_one: int, n_two: int) -> weak.Votes:
    """Column 0 votes class 1 on ``n_one`` items; column 1 votes both classes, alternating, on ``n_two`` others."""
    matrix = np.full((n_one + n_two, 2), -1)
    matrix[:n_one, 0] = 1
    matrix[n_one:, 1] = np.arange(n_two) % 2
    return weak.as_votes(matrix)


class TestUnreadVotes:
    def test_switched_off_it_never_holds(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """With ``UNREAD_VOTES`` False the gate is main's: no set holds, however many one-class votes."""
        monkeypatch.setattr(_missing_guard, "UNREAD_VOTES", False)
        assert not _missing_guard.unread_votes(one_class_votes(50, 50))

    def test_holds_from_min_share_of_one_class_votes(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A one-class function of 30 votes among 270 two-class ones (0.1 of the votes) holds; 29 among 271 not."""
        monkeypatch.setattr(_missing_guard, "UNREAD_VOTES", True)
        assert MIN_SHARE == pytest.approx(0.1)
        assert _missing_guard.unread_votes(one_class_votes(30, 270))
        assert not _missing_guard.unread_votes(one_class_votes(29, 271))

    def test_a_one_class_function_under_min_votes_does_not_count(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A one-class function of MIN_VOTES - 1 votes (a worker's chance) does not count, however large its share."""
        monkeypatch.setattr(_missing_guard, "UNREAD_VOTES", True)
        assert not _missing_guard.unread_votes(one_class_votes(MIN_VOTES - 1, MIN_VOTES))
        assert _missing_guard.unread_votes(one_class_votes(MIN_VOTES, MIN_VOTES))

    @settings(max_examples=30, deadline=None)
    @given(seed=st.integers(0, 2**31 - 1))
    def test_it_does_not_depend_on_the_functions_order_or_class_codes(self, seed: int) -> None:
        """Columns permuted and class codes renamed: the same answer."""
        rng = np.random.default_rng(seed)
        k = int(rng.integers(2, 4))
        matrix = rng.integers(-1, k, size=(int(rng.integers(20, 200)), int(rng.integers(1, 6))))
        for j in np.flatnonzero(rng.random(matrix.shape[1]) < 0.5):  # some columns one class only
            matrix[matrix[:, j] >= 0, j] = int(rng.integers(0, k))
        codes = np.append(rng.permutation(k), -1)  # -1 stays abstain (index -1)
        moved = codes[matrix][:, rng.permutation(matrix.shape[1])]
        held = _missing_guard.UNREAD_VOTES
        _missing_guard.UNREAD_VOTES = True
        try:
            a = _missing_guard.unread_votes(weak.as_votes(matrix))
            b = _missing_guard.unread_votes(weak.as_votes(moved))
        finally:
            _missing_guard.UNREAD_VOTES = held
        assert a == b


class TestSeenGeneratorSet:
    def test_sim20902_falls_back_to_majority_vote_switched_on(self) -> None:
        """Seen sim20902: switched off, missing abstains and 19 points below majority vote (every item one class);
        switched on, the same missing-abstain fit relabels a class, so majority vote's model: within 0.5 of it."""
        votes, truth = seen_20902()
        mv = voted_accuracy(votes, truth, MajorityVote().fit(weak.as_votes(votes).to_annotations()).labels_)
        off = fit(votes, False)
        assert off.abstains_ == "missing" and voted_accuracy(votes, truth, off.labels_) < mv - 15
        with pytest.warns(LabelwiseWarning, match="falling back to majority vote"):
            _missing_guard.UNREAD_VOTES, held = True, _missing_guard.UNREAD_VOTES
            try:
                on = weak.LabelModel().fit(votes)
            finally:
                _missing_guard.UNREAD_VOTES = held
        assert on.abstains_ == "missing" and voted_accuracy(votes, truth, on.labels_) >= mv - 0.5

    def test_the_default_is_not_below_majority_vote_on_sim20902(self) -> None:
        """The default label model (the switch as shipped) is within 0.5 points of majority vote on seen sim20902 (on
        main: 53.55 against majority vote's 72.93)."""
        votes, truth = seen_20902()
        mv = voted_accuracy(votes, truth, MajorityVote().fit(weak.as_votes(votes).to_annotations()).labels_)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = weak.LabelModel().fit(votes)
        assert voted_accuracy(votes, truth, model.labels_) >= mv - 0.5

    def test_renaming_labelers_and_classes_changes_nothing(self) -> None:
        """The same set as a long table (every item given) with its labelers renamed in reverse order and its classes
        as text, switched on: the same labels (mapped)."""
        votes, _ = seen_20902()
        v = weak.as_votes(votes)
        long = v.to_annotations()
        names = {c: f"rule_{len(v.labelers) - i:02d}" for i, c in enumerate(v.labelers)}
        renamed = long.assign(annotator=long["annotator"].map(names), label=long["label"].map({0: "neg", 1: "pos"}))
        base, moved = fit(v, True), fit(renamed, True, items=v.items)
        assert moved.abstains_ == base.abstains_ == "missing"
        expect = base.labels_.map({0: "neg", 1: "pos"})
        assert (moved.labels_.reindex(expect.index) == expect).all()
