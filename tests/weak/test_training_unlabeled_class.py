"""``weak.training_labels`` refuses an ``unlabeled`` marker that is one of the model's classes (weakwalk50).

With the sentiment classes ``-1, 0, 1`` (docs/weak.md's own example of ``-1`` as a class), the default
marker ``-1`` made every negative row look unlabeled: ``SelfTrainer`` pseudo-labelled them and never saw
the class, and ``training_labels(model) != -1`` dropped them from ``CleanClassifier``'s rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression

from labelwise import weak
from labelwise.errors import InvalidParameterError
from labelwise.semi import SelfTrainer


@weak.labeling_function(vectorized=True)
def negative(df):
    return np.where(df.text.str.contains("bad|awful"), -1, None)


@weak.labeling_function(vectorized=True)
def positive(df):
    return np.where(df.text.str.contains("good|great"), 1, None)


@weak.labeling_function(vectorized=True)
def neutral(df):
    return np.where(df.text.str.contains("meh"), 0, None)


@pytest.fixture(scope="module")
def sentiment():
    """Reviews of three words (some matching no rule), the label model of three sentiment rules, the features."""
    rng = np.random.default_rng(0)
    words = ["bad", "awful", "good", "great", "meh", "day", "the", "film"]
    frame = pd.DataFrame({"text": [" ".join(rng.choice(words, 3)) for _ in range(200)]}, index=range(1000, 1200))
    votes = weak.apply([negative, positive, neutral], frame, classes=[-1, 0, 1])
    return weak.LabelModel().fit(votes), CountVectorizer().fit_transform(frame.text)


class TestUnlabeledMarkerThatIsAClass:
    def test_default_marker_minus_one_beside_class_minus_one_is_an_error(self, sentiment):
        """unlabeled=-1 with the classes [-1, 0, 1] is refused, naming the classes and unlabeled=None."""
        model, _ = sentiment
        with pytest.raises(InvalidParameterError, match=r"unlabeled .* -1, one of the model's classes \[-1, 0, 1\]"):
            weak.training_labels(model)

    def test_a_text_marker_that_is_a_class_is_an_error(self):
        """unlabeled='other' beside a class 'other' is refused too."""
        matrix = np.array([[0, -1], [1, 1], [2, 2], [-1, -1], [0, 0], [1, -1]])
        model = weak.MajorityLabelVoter(labels=["spam", "ham", "other"]).fit(matrix)
        model.probas_, model.labels_ = model.predict_proba(matrix), model.predict(matrix)
        model.n_votes_ = pd.Series((matrix >= 0).sum(axis=1), index=model.labels_.index)
        with pytest.raises(InvalidParameterError, match="'other'"):
            weak.training_labels(model, unlabeled="other")

    def test_none_marker_keeps_integer_classes_and_every_class_reaches_self_training(self, sentiment):
        """unlabeled=None leaves the classes integers, and SelfTrainer(unlabeled_value=None) learns all three."""
        model, X = sentiment
        labels = weak.training_labels(model, unlabeled=None)
        assert labels.isna().sum() == int((model.n_votes_ == 0).sum()) > 0
        assert set(labels.dropna().tolist()) == {-1, 0, 1}
        assert all(isinstance(v, (int, np.integer)) for v in labels.dropna())
        trainer = SelfTrainer(LogisticRegression(), unlabeled_value=None).fit(X, labels.to_numpy())
        assert trainer.classes_.tolist() == [-1, 0, 1]

    def test_a_marker_that_is_no_class_is_unchanged(self, sentiment):
        """unlabeled=-99 beside the classes [-1, 0, 1] marks exactly the rows no function voted on."""
        model, _ = sentiment
        labels = weak.training_labels(model, unlabeled=-99)
        assert (labels == -99).sum() == int((model.n_votes_ == 0).sum())
        assert labels.index.equals(model.labels_.index)
