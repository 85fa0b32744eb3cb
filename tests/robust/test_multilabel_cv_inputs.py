"""CleanMultilabelClassifier's cv as scikit-learn takes it: a list of (train, test) pairs; a splitter
that cannot split (it needs groups) or folds that are not pairs are named."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, KFold

from labelwise.errors import InvalidParameterError
from labelwise.robust import CleanMultilabelClassifier


@pytest.fixture(scope="module")
def tags():
    """150 rows, three tags that follow the features."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(150, 3))
    return X, (X + rng.normal(scale=0.8, size=(150, 3)) > 0.4).astype(np.int64)


def _model(cv) -> CleanMultilabelClassifier:
    return CleanMultilabelClassifier(LogisticRegression(max_iter=300), cv=cv, random_state=0)


class TestCvAsSklearnTakesIt:
    def test_a_list_of_train_test_pairs_gives_the_splitters_fit(self, tags):
        """cv=list(KFold(3).split(X)) fits as cv=KFold(3) does: the same out-of-fold probabilities,
        flags and thresholds."""
        X, y = tags
        by_list = _model(list(KFold(3).split(X))).fit(X, y)
        by_splitter = _model(KFold(3)).fit(X, y)
        np.testing.assert_array_equal(by_list.pred_probs_, by_splitter.pred_probs_)
        np.testing.assert_array_equal(by_list.issues_.is_issue, by_splitter.issues_.is_issue)
        np.testing.assert_array_equal(by_list.thresholds_, by_splitter.thresholds_)

    def test_a_splitter_that_needs_groups_is_named(self, tags):
        """GroupKFold raises for want of groups: an InvalidParameterError naming cv and the splitter."""
        with pytest.raises(InvalidParameterError, match=r"cv must split .*GroupKFold raising ValueError.*groups"):
            _model(GroupKFold(3)).fit(*tags)

    def test_folds_that_are_not_pairs_are_named(self, tags):
        """A list of index arrays rather than (train, test) pairs is named as cv's error."""
        X, y = tags
        with pytest.raises(
            InvalidParameterError, match="cv must split the 150 rows into \\(train, test\\) index pairs"
        ):
            _model([np.arange(50), np.arange(50, 100), np.arange(100, 150)]).fit(X, y)

    def test_an_object_that_is_no_cv_is_named_briefly(self, tags):
        """A large object (a dict of arrays) is named by its type, not printed whole."""
        with pytest.raises(InvalidParameterError, match=r"or a list of \(train, test\) row index pairs\), got dict$"):
            _model({"folds": np.arange(1000)}).fit(*tags)
