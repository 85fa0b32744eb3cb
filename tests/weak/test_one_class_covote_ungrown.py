"""The one-class co-vote screen where the clique search grew no clique (session 55, copy55:
``weak._one_class_covote.SCREEN_UNGROWN`` and ``screened_groups``)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from labelwise import weak
from labelwise.aggregate import MajorityVote
from labelwise.weak._one_class_covote import screened_groups
from tests.weak.test_clique_bars import _copy_family

COPIES = ("lf_11", "lf_15", "lf_16", "lf_17")


def _fit(matrix: np.ndarray, k: int) -> weak.LabelModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return weak.LabelModel(labels=list(range(k))).fit(matrix)


@pytest.fixture(scope="module")
def copy4213() -> tuple[np.ndarray, int, np.ndarray]:
    """Copy-family set 4213 at 1,000 items (seen): K = 3, 15 functions, lf_11 a one-class rule with copies
    lf_15-lf_17; the search joins no pair of them and grows no clique."""
    return _copy_family(4213, 1_000)


def _points(labels: np.ndarray, matrix: np.ndarray, truth: np.ndarray) -> float:
    scored = (matrix >= 0).any(axis=1)
    return 100 * float(np.mean(labels[scored] == truth[scored]))


class TestScreenWithoutAGrownClique:
    def test_a_one_class_rule_and_its_three_copies_are_one_clique_and_the_fit_is_not_below_majority_vote(
        self, copy4213
    ):
        """Main misses lf_11's copies (73.30 points against MV's 88.10); the screen joins all four."""
        matrix, k, truth = copy4213
        model = _fit(matrix, k)
        assert COPIES in [tuple(g) for g in model.groups_]
        assert model.abstains_ == "informative"
        votes = weak.as_votes(matrix)
        mv = MajorityVote().fit(votes.to_annotations()).labels_.reindex(votes.items).to_numpy()
        labels = model.labels_.reindex(votes.items).to_numpy()
        assert _points(labels, matrix, truth) >= _points(mv, matrix, truth) - 0.5

    def test_the_switch_off_leaves_main_s_groups(self, copy4213, monkeypatch):
        """Off, the screen waits for a grown clique, which this set's search never makes: every function alone."""
        from labelwise.weak import _one_class_covote

        monkeypatch.setattr(_one_class_covote, "SCREEN_UNGROWN", False)
        assert all(len(g) == 1 for g in _fit(copy4213[0], copy4213[1]).groups_)

    def test_groups_and_labels_do_not_depend_on_the_item_order(self, copy4213):
        """Shuffling the rows moves no group and no item's label."""
        matrix, k, _ = copy4213
        order = np.random.default_rng(1).permutation(len(matrix))
        first, shuffled = _fit(matrix, k), _fit(matrix[order], k)
        assert sorted(map(tuple, shuffled.groups_)) == sorted(map(tuple, first.groups_))
        assert (shuffled.labels_.to_numpy() == first.labels_.to_numpy()[order]).all()


class TestScreenedGroups:
    def test_only_new_cliques_past_the_plan_are_kept_and_the_old_groups_lose_their_members(self, monkeypatch):
        """A new pair stays apart; a new clique of four is kept and taken out of the old triple it reaches."""
        old = [[0, 1, 2], [3], [4], [5], [6], [7], [8]]
        new = [[0, 1, 2, 3], [4], [5, 6], [7], [8]]
        assert screened_groups(old, new, 3) == [[0, 1, 2, 3], [4], [5], [6], [7], [8]]
        partial = [[0, 1], [2, 5, 6, 7], [3], [4], [8]]
        assert screened_groups(old, partial, 3) == [[0, 1], [2, 5, 6, 7], [3], [4], [8]]

    def test_past_a_grown_clique_the_screen_s_groups_are_kept_as_they_are(self):
        """Where the search grew a clique already (screen2's case), every new group stays, pairs included."""
        old = [[0, 1, 2, 3], [4], [5], [6]]
        new = [[0, 1, 2, 3], [4, 5], [6]]
        assert screened_groups(old, new, 3) == new
        assert screened_groups(old, new, None) == new
