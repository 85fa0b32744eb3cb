"""The clique search's one-class co-vote screen past a grown clique (session 54, screen54, re-judged by screen2:
``weak._one_class_covote.SCREEN_ONE_CLASS``)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from labelwise import weak
from labelwise.aggregate import MajorityVote
from tests.weak.test_clique_bars import _copy_family


def _fit(matrix: np.ndarray, k: int) -> weak.LabelModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return weak.LabelModel(labels=list(range(k))).fit(matrix)


@pytest.fixture(scope="module")
def copy52() -> tuple[np.ndarray, int, np.ndarray]:
    """Copy-family set 52 at 1,000 items (seen): K = 3, lf_1 with copies lf_9-lf_11 (a clique grown past 3), and
    lf_3, a one-class rule, with copies lf_12-lf_14 whose agreement z is under the search's screen."""
    return _copy_family(52, 1_000)


def _points(labels: np.ndarray, matrix: np.ndarray, truth: np.ndarray) -> float:
    scored = (matrix >= 0).any(axis=1)
    return 100 * float(np.mean(labels[scored] == truth[scored]))


class TestOneClassCovoteScreen:
    def test_a_one_class_rules_copies_join_past_a_grown_clique_and_the_fit_is_not_below_majority_vote(self, copy52):
        """Main's search misses lf_3's copies (its fit: 40.70 points, far below MV); the screen joins them."""
        matrix, k, truth = copy52
        model = _fit(matrix, k)
        assert ("lf_3", "lf_12", "lf_13", "lf_14") in [tuple(g) for g in model.groups_]
        votes = weak.as_votes(matrix)
        mv = MajorityVote().fit(votes.to_annotations()).labels_.reindex(votes.items).to_numpy()
        labels = model.labels_.reindex(votes.items).to_numpy()
        assert _points(labels, matrix, truth) >= _points(mv, matrix, truth) - 0.5

    def test_the_switch_off_leaves_main_s_groups(self, copy52, monkeypatch):
        """Off, the search's own cliques alone: lf_3's copies stay out."""
        from labelwise.weak import _one_class_covote

        monkeypatch.setattr(_one_class_covote, "SCREEN_ONE_CLASS", False)
        groups = [tuple(g) for g in _fit(copy52[0], copy52[1]).groups_]
        assert ("lf_3", "lf_12", "lf_13", "lf_14") not in groups
        assert ("lf_1", "lf_9", "lf_10", "lf_11") in groups

    def test_groups_and_labels_do_not_depend_on_the_item_order(self, copy52):
        """The screen reads pair tables over all items: shuffling the rows moves no group and no item's label."""
        matrix, k, _ = copy52
        order = np.random.default_rng(0).permutation(len(matrix))
        first, shuffled = _fit(matrix, k), _fit(matrix[order], k)
        assert sorted(map(tuple, shuffled.groups_)) == sorted(map(tuple, first.groups_))
        before = first.labels_.to_numpy()[order]
        assert (shuffled.labels_.to_numpy() == before).all()
