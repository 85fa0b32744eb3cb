"""Tests for labelwise.aggregate.simulate: annotators of known skill."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import simulate_annotators
from labelwise.errors import InvalidParameterError


class TestSimulateAnnotators:
    def test_digits_default_shape_and_distinct_annotators(self):
        """Every digit gets answers_per_item answers from distinct annotators."""
        sim = simulate_annotators(n_annotators=6, answers_per_item=4, accuracy=0.8, random_state=0)
        assert sim.answers.shape == (1797 * 4, 3)
        assert not sim.answers.duplicated(["item", "annotator"]).any()
        assert sim.true_labels.shape == (1797,) and set(sim.true_labels) == set(range(10))

    def test_observed_accuracy_tracks_true_accuracy(self):
        """Each annotator's share of correct answers is close to their set accuracy."""
        acc = [0.2, 0.5, 0.8, 0.95]
        sim = simulate_annotators(
            np.tile(np.arange(5), 1000), n_annotators=4, answers_per_item=2, accuracy=acc, random_state=3
        )
        np.testing.assert_allclose(sim.observed_accuracy.to_numpy(), acc, atol=0.03)
        frame = sim.to_frame()
        by_annotator = frame.groupby("annotator")["correct"].mean()
        np.testing.assert_allclose(by_annotator.to_numpy(), sim.observed_accuracy.to_numpy())

    def test_confusion_errors_concentrate_on_one_wrong_class(self):
        """With errors="confusion" most mistakes on a class go to one favourite wrong class."""
        sim = simulate_annotators(
            np.tile(np.arange(4), 2000),
            n_annotators=1,
            answers_per_item=1,
            accuracy=0.5,
            errors="confusion",
            confusion_share=1.0,
            random_state=0,
        )
        wrong = sim.to_frame().query("~correct")
        per_true = wrong.groupby("true_label")["label"].nunique()
        assert (per_true == 1).all()
        assert (wrong["label"] != wrong["true_label"]).all()

    def test_deterministic_and_keeps_given_ids(self):
        """The same seed gives the same answers; a Series' index gives the item ids."""
        truth = pd.Series(["a", "b", "a", "c"], index=["x1", "x2", "x3", "x4"])
        one = simulate_annotators(truth, n_annotators=3, answers_per_item=2, random_state=5)
        two = simulate_annotators(truth, n_annotators=3, answers_per_item=2, random_state=5)
        pd.testing.assert_frame_equal(one.answers, two.answers)
        assert set(one.answers["item"]) == set(truth.index)
        assert one.true_labels.to_dict() == truth.to_dict()

    def test_bad_parameters(self):
        """Too many answers per item, accuracies outside [0, 1] or of the wrong length are errors."""
        with pytest.raises(InvalidParameterError, match="answers_per_item must be at most n_annotators"):
            simulate_annotators([0, 1], n_annotators=2, answers_per_item=3)
        with pytest.raises(InvalidParameterError, match="accuracy values must be in"):
            simulate_annotators([0, 1], n_annotators=3, accuracy=1.2)
        with pytest.raises(InvalidParameterError, match="one value per annotator"):
            simulate_annotators([0, 1], n_annotators=4, accuracy=[0.5, 0.6, 0.7])
        with pytest.raises(InvalidParameterError, match="errors must be one of"):
            simulate_annotators([0, 1], errors="adversarial")


def test_repeated_items_in_true_labels_are_named():
    """A true_labels Series with a repeated index names the repeated items."""
    truth = pd.Series(["a", "b", "a"], index=[0, 5, 5])
    with pytest.raises(InvalidParameterError, match=r"got repeated items \[5\]"):
        simulate_annotators(truth, n_annotators=3)
