"""``MajorityLabelVoter.probas_`` after ``fit`` (weakgaps50): the baselines were predict-only, so
``weak.training_labels`` (and through it ``CleanClassifier`` / ``SelfTrainer``) raised on them.

Snorkel 0.10's ``MajorityLabelVoter.predict_proba`` (``snorkel/labeling/model/baselines.py``): per item, count the
votes of each class (``-1`` = abstain) and put ``1`` on each class whose count is the largest, then divide the row
by its sum: ``1/t`` on each of ``t`` tied classes, ``1/K`` each for an item nobody voted on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from labelwise import weak


def _snorkel_majority_proba(matrix: np.ndarray, k: int) -> np.ndarray:
    """Snorkel 0.10's definition, loop for loop."""
    out = np.zeros((matrix.shape[0], k))
    for i, row in enumerate(matrix):
        counts = np.zeros(k)
        for vote in row:
            if vote != -1:
                counts[vote] += 1
        out[i] = np.where(counts == counts.max(), 1, 0)
    return out / out.sum(axis=1, keepdims=True)


@st.composite
def _matrices(draw):
    k = draw(st.integers(2, 4))
    shape = (draw(st.integers(1, 25)), draw(st.integers(1, 6)))
    matrix = draw(arrays(np.int64, shape, elements=st.integers(-1, k - 1)))
    matrix[0, 0] = k - 1  # every class code below k is possible; the largest one is voted
    return matrix, k


class TestMajorityLabelVoterProbas:
    @settings(max_examples=40, deadline=None)
    @given(_matrices())
    def test_probas_are_snorkels_predict_proba_of_the_fits_votes(self, drawn):
        """probas_ after fit equals Snorkel's definition and predict_proba of the same votes."""
        matrix, k = drawn
        model = weak.MajorityLabelVoter(labels=list(range(k))).fit(matrix)
        np.testing.assert_allclose(model.probas_.to_numpy(), _snorkel_majority_proba(matrix, k), rtol=0, atol=1e-15)
        pd.testing.assert_frame_equal(model.probas_, model.predict_proba(matrix))
        pd.testing.assert_series_equal(model.labels_, model.predict(matrix))

    def test_ties_split_equally_and_an_unvoted_item_gets_every_class(self):
        """Two classes tied at 2 votes: 1/2 each; three at 1 vote: 1/3 each; no vote: 1/K each."""
        matrix = np.array([[0, 0, 1, 1, 2], [0, 1, 2, -1, -1], [-1, -1, -1, -1, -1], [2, 2, 0, -1, 1]])
        probas = weak.MajorityLabelVoter().fit(matrix).probas_.to_numpy()
        np.testing.assert_allclose(probas, [[0.5, 0.5, 0], [1 / 3] * 3, [1 / 3] * 3, [0, 0, 1]])

    def test_it_feeds_training_labels_as_the_other_models_do(self):
        """training_labels(MajorityLabelVoter) gives each voted item its majority label, -1 for the unvoted."""
        table = pd.DataFrame(
            {"item": ["a", "a", "b", "c", "c"], "labeler": ["f", "g", "f", "f", "g"], "label": [1, 1, 0, 0, 0]}
        )
        model = weak.MajorityLabelVoter().fit(table, items=["a", "b", "c", "d"])
        labels = weak.training_labels(model)
        assert labels.index.tolist() == ["a", "b", "c", "d"] and labels.tolist() == [1, 0, 0, -1]
        assert model.n_votes_.tolist() == [2, 1, 2, 0]

    def test_the_other_baselines_record_probas_too(self):
        """MajorityClassVoter and RandomVoter: probas_ is their predict_proba of the fit's votes."""
        matrix = np.array([[0, 0, -1], [-1, 0, 1], [1, -1, 1]])
        for model in (weak.MajorityClassVoter(class_balance=[0.3, 0.7]), weak.RandomVoter(random_state=3)):
            model.fit(matrix)
            pd.testing.assert_frame_equal(model.probas_, model.predict_proba(matrix))
