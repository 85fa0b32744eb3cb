"""The label model's second MAP start from IWMV's labels (``weak._iwmv_start``; Li and Yu 2014), opt-in."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate.simulate import simulate_annotators
from labelwise.errors import InvalidParameterError
from labelwise.weak import LabelModel
from labelwise.weak._iwmv_start import group_vote_counts, iwmv_start, keep_iwmv_start
from labelwise.weak._moments import indicator
from labelwise.weak._posterior import voted_outcomes
from labelwise.weak.iwmv import iterative_weighted_vote


def _run(objective: float, labels: list[int], k: int = 2) -> SimpleNamespace:
    """A stand-in EM run: its MAP objective and a one-hot posterior of ``labels``; ``_replace`` as a NamedTuple's."""
    run = SimpleNamespace(objective=[objective], post=np.eye(k)[labels])
    run._replace = lambda **kw: SimpleNamespace(**{**vars(run), **kw})
    return run


def _crowd(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    truth = pd.Series(rng.integers(0, 3, 300), index=[f"i{j:03d}" for j in range(300)])
    sim = simulate_annotators(truth, n_annotators=12, answers_per_item=5, accuracy=(0.4, 0.85), random_state=seed)
    return sim.answers.rename(columns={"annotator": "labeler"})


class TestGroupVoteCounts:
    def test_single_labelers_give_the_one_hot_votes(self):
        """With every labeler its own group, the counts are the one-hot vote indicator."""
        matrix = np.array([[0, 2, -1], [1, -1, 1], [-1, -1, -1], [2, 2, 0]])
        voted = voted_outcomes(matrix, 3, [[0], [1], [2]])[0]
        np.testing.assert_array_equal(
            group_vote_counts(voted, [[0], [1], [2]], 3).toarray(), indicator(matrix, 3).toarray()
        )

    def test_a_clique_counts_its_members_votes_per_class(self):
        """A clique of two is one labeler whose count of a class is how many of its members voted it."""
        matrix = np.array([[0, 0, 1], [1, -1, 1], [-1, 2, 0], [-1, -1, 2]])
        voted = voted_outcomes(matrix, 3, [[0, 1], [2]])[0]
        counts = group_vote_counts(voted, [[0, 1], [2]], 3).toarray()
        np.testing.assert_array_equal(
            counts, [[2, 0, 0, 0, 1, 0], [0, 1, 0, 0, 1, 0], [0, 0, 1, 1, 0, 0], [0, 0, 0, 0, 0, 1]]
        )

    def test_start_is_iwmvs_labels_on_the_weighted_rows(self):
        """The start is IWMV's labels (one-hot) on the rows, each counted for its items."""
        matrix = np.array([[0, 0, 1], [1, 1, 1], [0, 1, 0], [1, 0, 0]])
        w = np.array([3.0, 1.0, 2.0, 1.0])
        voted = voted_outcomes(matrix, 2, [[0], [1], [2]])[0]
        labels = iterative_weighted_vote(indicator(matrix, 2), 2, row_weights=w).labels
        np.testing.assert_array_equal(iwmv_start(voted, w, 2, [[0], [1], [2]]), np.eye(2)[labels])


class TestKeepIWMVStart:
    ROWS = voted_outcomes(np.array([[0, 0], [1, 1], [0, 1]]), 2, [[0], [1]])[0]

    def test_higher_map_objective_is_kept(self):
        """The refit from IWMV's labels replaces the usual fit when its MAP objective is higher by more than tol."""
        usual, better = _run(-1.0, [0, 1, 0]), _run(-0.9, [0, 1, 0])
        kept = keep_iwmv_start(
            usual, self.ROWS, np.ones(3), 2, [[0], [1]], np.eye(2)[[0, 1, 0]], lambda s: better, 1e-6
        )
        assert kept.iwmv == "kept" and kept.objective == [-0.9]

    def test_lower_or_equal_map_objective_is_not_kept(self):
        """A refit no better than the usual fit (within tol) leaves the usual fit."""
        usual = _run(-1.0, [0, 1, 0])
        for other in (-1.0 + 1e-7, -1.2):
            kept = keep_iwmv_start(
                usual,
                self.ROWS,
                np.ones(3),
                2,
                [[0], [1]],
                np.eye(2)[[0, 1, 0]],
                lambda s, o=other: _run(o, [0, 1, 0]),
                1e-6,
            )
            assert kept.iwmv == "not kept" and kept.objective == [-1.0]

    def test_a_refit_that_relabels_majority_votes_classes_is_not_kept(self):
        """A higher refit that swaps majority vote's classes is not kept while the usual fit does not swap them."""
        usual, swapped = _run(-1.0, [0, 1, 0]), _run(-0.5, [1, 0, 1])
        kept = keep_iwmv_start(
            usual, self.ROWS, np.ones(3), 2, [[0], [1]], np.eye(2)[[0, 1, 0]], lambda s: swapped, 1e-6
        )
        assert kept.iwmv == "not kept"


class TestLabelModelIWMVStart:
    def test_off_by_default_and_reported(self):
        """``LabelModel(iwmv_start=True)`` runs the IWMV start on a crowd and says whether it kept it; by default
        (off: its CPU cost the speed goal against Snorkel on ZenCrowd_us) it says it did not run."""
        answers = _crowd()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            on = LabelModel(iwmv_start=True).fit(answers)
            off = LabelModel().fit(answers)
        assert LabelModel().iwmv_start is False
        assert on.iwmv_start_ in ("kept", "not kept") and off.iwmv_start_ == "not run: iwmv_start=False"
        assert on.em_objective_history_[-1] >= off.em_objective_history_[-1] - 1e-6

    def test_saved_model_keeps_the_report(self, tmp_path):
        """``save`` / ``load`` keep ``iwmv_start_``."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = LabelModel(iwmv_start=True).fit(_crowd(1))
        loaded = LabelModel().load(model.save(tmp_path / "model.npz"))
        assert loaded.iwmv_start_ == model.iwmv_start_

    def test_non_boolean_switch_is_named(self):
        """``iwmv_start`` must be True or False: anything else is an error naming it and the value."""
        with pytest.raises(InvalidParameterError, match=r"iwmv_start must be True or False, got 'yes'"):
            LabelModel(iwmv_start="yes").fit(np.array([[0, 1], [1, 1]]))
