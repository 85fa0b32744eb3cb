"""A missing-abstain fit that puts every voted item in one class falls back to majority vote (session 51, lowcov2)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise import weak
from labelwise.aggregate import simulate_sparse_crowd
from labelwise.aggregate._guard import relabelled_classes
from labelwise.errors import LabelwiseWarning
from labelwise.weak import _collapse_guard
from labelwise.weak._collapse_guard import one_label
from labelwise.weak.baselines import MajorityLabelVoter


def sparse_set_5445() -> weak.SimulatedVotes:
    """``benchmarks/dev_weak_low_coverage.py``'s seed 5445: K 5, 14 functions and one copy, 305 items."""
    return weak.simulate_lfs(
        n_items=305,
        n_lfs=14,
        n_classes=5,
        coverage=(0.05, 0.6),
        accuracy=(0.3 + 0.5 / 5, 0.9),
        unipolar=0.5869075256991368,
        n_correlated=1,
        imbalance=3.79630034452405,
        random_state=5445,
    )


def test_collapsed_missing_fit_gets_majority_votes_labels() -> None:
    """Main's missing-abstain fit labels every voted item of this set with one class (a quarter agree with MV)."""
    sim = sparse_set_5445()
    with pytest.warns(LabelwiseWarning, match="falling back to majority vote"):
        model = weak.LabelModel(labels=list(range(5))).fit(sim.votes)
    assert model.abstains_ == "missing"
    voted = (sim.votes.matrix() >= 0).any(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mv = MajorityLabelVoter(labels=list(range(5))).fit(sim.votes).labels_.to_numpy()
    labels = model.labels_.to_numpy()
    assert np.unique(labels[voted]).size > 1
    np.testing.assert_array_equal(labels[voted], mv[voted])


def test_crowd_fit_that_relabels_a_class_without_collapsing_is_untouched(monkeypatch: pytest.MonkeyPatch) -> None:
    """The dev set ``sparse_K10_r2_s1``: the missing fit relabels a class against MV (a fair correction there) and
    keeps several classes, so its labels are the same with the collapse check on and off."""
    sparse = simulate_sparse_crowd(3000, 10, 100, answers_per_item=2, random_state=1)
    votes = weak.as_votes(sparse.answers.rename(columns={"annotator": "labeler"}).astype({"labeler": str}))

    def fit() -> weak.LabelModel:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return weak.LabelModel(labels=list(range(10))).fit(votes)

    on = fit()
    monkeypatch.setattr(_collapse_guard, "COLLAPSED_FIT", False)
    off = fit()
    assert on.abstains_ == "missing"
    shares = votes.matrix()
    vote = np.stack([(shares == c).sum(axis=1) for c in range(10)], axis=1).astype(float)
    post = np.eye(10)[on.labels_.to_numpy(dtype=int)]
    assert len(relabelled_classes(vote, post))
    np.testing.assert_array_equal(on.labels_.to_numpy(), off.labels_.to_numpy())


def test_one_label_needs_one_fitted_class_against_two_or_more_majority_classes() -> None:
    vote = np.array([[2.0, 0, 0], [0, 1, 0], [0, 0, 3], [1, 1, 0]])
    to_zero = np.tile([0.9, 0.05, 0.05], (4, 1))
    assert one_label(vote, to_zero, np.ones(4))
    two = to_zero.copy()
    two[2] = [0.1, 0.1, 0.8]
    assert not one_label(vote, two, np.ones(4))
    # majority vote names one class on the rows that count (a tied row and a zero-weight row left out)
    assert not one_label(vote, to_zero, np.array([1.0, 0.0, 0.0, 1.0]))
    assert not one_label(vote, to_zero, np.zeros(4))


def test_collapse_check_is_off_for_the_informative_fit() -> None:
    vote = np.array([[2.0, 0], [0, 1]])
    post = np.array([[0.9, 0.1], [0.8, 0.2]])
    assert _collapse_guard.collapsed("missing", vote, post, np.ones(2))
    assert not _collapse_guard.collapsed("informative", vote, post, np.ones(2))


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 5).flatmap(
        lambda k: st.tuples(
            st.just(k),
            st.lists(st.lists(st.integers(0, 3), min_size=k, max_size=k), min_size=1, max_size=12),
            st.lists(st.integers(0, k - 1), min_size=12, max_size=12),
            st.permutations(list(range(k))),
        )
    )
)
def test_one_label_is_the_same_under_a_renaming_of_the_classes(case: tuple) -> None:
    k, counts, fitted, order = case
    vote = np.array(counts, dtype=float)
    post = np.eye(k)[np.array(fitted[: len(vote)])] * 0.9 + 0.1 / k
    w = np.ones(len(vote))
    assert one_label(vote, post, w) == one_label(vote[:, order], post[:, order], w)
