"""The one-class co-vote screen where no clique was grown, its pairs confirmed by a class-conditional test of the votes
(session 56, copy56: ``weak._one_class_covote.SCREEN_GIVEN_CLASS`` and ``copied_vote_z``)."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise import weak
from labelwise.aggregate import MajorityVote
from labelwise.weak import _one_class_covote
from labelwise.weak._one_class_covote import copied_vote_z
from tests.weak.test_clique_bars import _copy_family

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def _fit(matrix: np.ndarray, k: int) -> weak.LabelModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return weak.LabelModel(labels=list(range(k))).fit(matrix)


def _points(labels: np.ndarray, matrix: np.ndarray, truth: np.ndarray) -> float:
    scored = (matrix >= 0).any(axis=1)
    return 100 * float(np.mean(labels[scored] == truth[scored]))


def _majority(matrix: np.ndarray) -> np.ndarray:
    """Majority vote's labels of the matrix's rows, in row order."""
    votes = weak.as_votes(matrix)
    return MajorityVote().fit(votes.to_annotations()).labels_.reindex(votes.items).to_numpy()


def _shares(matrix: np.ndarray, k: int) -> np.ndarray:
    counts = np.stack([(matrix == y).sum(axis=1) for y in range(k)], axis=1).astype(float)
    total = counts.sum(axis=1, keepdims=True)
    return np.where(total > 0, counts / np.maximum(total, 1), 1.0 / k)


def _crowd(seed: int, n_items: int = 2_000, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Three workers: 0 answers class 0 on every item it is given (batches 0-9 of 20 items), 1 is given the same
    batches (a shared assignment), 2 batches 5-14; 1 and 2 are right with probability 0.8. Returns votes and truth."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_items)
    matrix = np.full((n_items, 3), -1)
    batch = np.arange(n_items) // 20
    given_0 = batch < 10
    given_2 = (batch >= 5) & (batch < 15)
    matrix[given_0, 0] = 0
    for j, rows in ((1, given_0), (2, given_2)):
        right = rng.random(n_items) < 0.8
        wrong = (truth + rng.integers(1, k, n_items)) % k
        matrix[rows, j] = np.where(right, truth, wrong)[rows]
    return matrix, truth


def _copy_of_one_class(seed: int, n_items: int = 2_000, k: int = 3) -> np.ndarray:
    """A one-class rule (class 0, fires on 90% of class 0 and 10% of the others), a copy of it (its cell with
    probability 0.8, else its own vote on 20% of the items), and four independent functions voting on half the items;
    the copy's and the others' own votes right with probability 0.7."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_items)

    def own(coverage: float) -> np.ndarray:
        vote = np.where(rng.random(n_items) < 0.7, truth, (truth + rng.integers(1, k, n_items)) % k)
        return np.where(rng.random(n_items) < coverage, vote, -1)

    rule = np.where(rng.random(n_items) < np.where(truth == 0, 0.9, 0.1), 0, -1)
    copy = np.where(rng.random(n_items) < 0.8, rule, own(0.2))
    return np.column_stack([rule, copy, *[own(0.5) for _ in range(4)]])


class TestCopiedVoteZ:
    def test_a_copy_of_a_one_class_rule_is_confirmed(self):
        """The copy votes the rule's class where the rule fires, its errors too: z far over the threshold 5."""
        matrix = _copy_of_one_class(0)
        z = copied_vote_z(matrix, _shares(matrix, 3), np.ones(len(matrix)), [(0, 1)])
        assert z[0] > 5.0

    def test_a_worker_given_the_same_items_as_a_one_class_worker_is_not_confirmed(self):
        """Same batches: the worker never votes where the other abstains, so nothing is left to test (0)."""
        matrix, _ = _crowd(0)
        assert copied_vote_z(matrix, _shares(matrix, 3), np.ones(len(matrix)), [(0, 1)])[0] == 0.0

    @pytest.mark.parametrize("seed", range(5))
    def test_a_worker_sharing_half_the_batches_is_not_confirmed(self, seed):
        """Who answers is the assignment: worker 2's answers do not follow worker 0's being given the item."""
        matrix, _ = _crowd(seed)
        assert copied_vote_z(matrix, _shares(matrix, 3), np.ones(len(matrix)), [(0, 2)])[0] < 5.0

    @settings(max_examples=40, deadline=None)
    @given(st.integers(0, 10_000), st.integers(1, 4))
    def test_weighted_rows_equal_repeated_rows_and_the_row_order_does_not_matter(self, seed, times):
        """A row of weight w counts as w equal rows, and a permutation of the rows leaves z as it was."""
        rng = np.random.default_rng(seed)
        matrix = _copy_of_one_class(seed, n_items=60)
        post = rng.dirichlet(np.ones(3), len(matrix))
        weights = rng.integers(1, times + 1, len(matrix)).astype(float)
        z = copied_vote_z(matrix, post, weights, [(0, 1)])
        expanded = np.repeat(np.arange(len(matrix)), weights.astype(int))
        repeated = copied_vote_z(matrix[expanded], post[expanded], np.ones(len(expanded)), [(0, 1)])
        order = rng.permutation(len(matrix))
        shuffled = copied_vote_z(matrix[order], post[order], weights[order], [(0, 1)])
        assert np.allclose(z, repeated, atol=1e-9) and np.allclose(z, shuffled, atol=1e-9)


@pytest.fixture(scope="module")
def copy1051() -> tuple[np.ndarray, int, np.ndarray]:
    """Copy-family set 1051 at 1,000 items (seen): K = 2, lf_8 with copies lf_12-lf_15 that main's search never grows
    into a clique (main: lf_8 with lf_14 only, missing abstains, 53.51 points; majority vote 78.01)."""
    return _copy_family(1051, 1_000)


@pytest.fixture
def switched_on(monkeypatch):
    """The switch on (the default since session 56), so that these tests judge the screen whatever the default."""
    monkeypatch.setattr(_one_class_covote, "SCREEN_GIVEN_CLASS", True)


class TestScreenGivenClass:
    def test_a_one_class_rules_copies_never_grown_are_joined_and_the_fit_is_not_below_majority_vote(
        self, copy1051, switched_on
    ):
        """The screen's pairs pass the class-conditional test; the clique is kept and the fit rises over MV."""
        matrix, k, truth = copy1051
        model = _fit(matrix, k)
        assert any(len(g) > 3 for g in model.groups_)
        assert _points(model.labels_.to_numpy(), matrix, truth) >= _points(_majority(matrix), matrix, truth) - 0.5

    def test_the_switch_off_leaves_main_s_groups(self, copy1051, monkeypatch):
        """Off, no clique past 3: lf_8's copies stay apart, as in main's fit."""
        monkeypatch.setattr(_one_class_covote, "SCREEN_GIVEN_CLASS", False)
        assert all(len(g) <= 3 for g in _fit(copy1051[0], copy1051[1]).groups_)

    def test_a_shared_assignment_is_not_joined(self, switched_on):
        """Assignment-block crowd 46 (seen dev seed): the screen offers one-class workers with teammates, the test
        refuses every pair, and the fit's groups are main's."""
        sys.path.insert(0, str(BENCH))
        try:
            from dev_weak_copy_fix2 import block_set
        finally:
            sys.path.remove(str(BENCH))
        _, votes, _, k, _ = block_set(46)
        matrix = votes.matrix()
        on = _fit(matrix, k)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(_one_class_covote, "SCREEN_GIVEN_CLASS", False)
            off = _fit(matrix, k)
        assert sorted(on.groups_) == sorted(off.groups_)
        assert (on.labels_.to_numpy() == off.labels_.to_numpy()).all()

    def test_groups_and_labels_do_not_depend_on_the_item_order(self, copy1051, switched_on):
        """The test reads per-class sums over all items: shuffling the rows moves no group and no item's label."""
        matrix, k, _ = copy1051
        order = np.random.default_rng(0).permutation(len(matrix))
        first, shuffled = _fit(matrix, k), _fit(matrix[order], k)
        assert sorted(map(tuple, shuffled.groups_)) == sorted(map(tuple, first.groups_))
        assert (shuffled.labels_.to_numpy() == first.labels_.to_numpy()[order]).all()
