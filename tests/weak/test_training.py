"""Tests of training on probabilistic labels: expand_soft_labels and training_labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from labelwise.errors import ShapeMismatchError
from labelwise.semi import SelfTrainer
from labelwise.weak import LabelModel, expand_soft_labels, simulate_lfs, training_labels


@pytest.fixture(scope="module")
def weakly_labelled():
    """Features that reveal the class, and a label model fitted on simulated votes for them."""
    sim = simulate_lfs(1500, 8, 2, coverage=(0.1, 0.5), random_state=21)
    y = sim.truth.to_numpy()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(len(y), 4)) + y[:, None] * 1.5
    return X, y, LabelModel().fit(sim.votes)


class TestExpandSoftLabels:
    def test_rows_repeat_per_class_with_probability_weights(self):
        """Each row appears once per class with that class's probability as weight."""
        probas = pd.DataFrame([[0.25, 0.75], [1.0, 0.0]], columns=["a", "b"])
        X2, y, w = expand_soft_labels(np.array([[1.0], [2.0]]), probas)
        assert X2[:, 0].tolist() == [1.0, 1.0, 2.0] and y.tolist() == ["a", "b", "a"]
        np.testing.assert_allclose(w, [0.25, 0.75, 1.0])

    def test_classifier_trained_on_soft_labels_learns_the_truth(self, weakly_labelled):
        """A weighted logistic regression on the label model's probabilities predicts the true class."""
        X, y, model = weakly_labelled
        X2, y2, w = expand_soft_labels(X, model.probas_)
        clf = LogisticRegression().fit(X2, y2, sample_weight=w)
        assert (clf.predict(X) == y).mean() > 0.85

    def test_row_count_mismatch_is_an_error(self):
        """X and probas must describe the same rows."""
        with pytest.raises(ShapeMismatchError, match="same number of rows"):
            expand_soft_labels(np.zeros((3, 1)), np.full((2, 2), 0.5))


class TestTrainingLabels:
    def test_self_trainer_trains_on_confident_labels(self, weakly_labelled):
        """Unsure or unvoted items become unlabeled (-1) and SelfTrainer pseudo-labels them."""
        X, y, model = weakly_labelled
        labels = training_labels(model, min_confidence=0.9)
        assert (labels == -1).any() and (labels != -1).any()
        student = SelfTrainer(LogisticRegression()).fit(X, labels.to_numpy())
        assert (student.predict(X) == y).mean() > 0.85
