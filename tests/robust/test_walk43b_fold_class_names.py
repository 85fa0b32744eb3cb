"""The loss-correction estimators name a class too small for ``cv`` folds as the user wrote it, not by its code."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import labelwise as lw
from labelwise.errors import TooFewExamplesError


def _data():
    rng = np.random.default_rng(0)
    labels = np.array(["owl"] * 2 + ["cat"] * 20 + ["dog"] * 20, dtype=object)
    return rng.normal(size=(labels.size, 3)), labels


@pytest.mark.parametrize(
    "make",
    [
        lambda: lw.robust.ImportanceReweighting(LogisticRegression()),
        lambda: lw.robust.ForwardCorrection(),
        lambda: lw.robust.ForwardCorrection(correction="backward"),
    ],
    ids=["reweighting", "forward", "backward"],
)
def test_the_small_class_is_named_by_its_label(make):
    """'owl' (code 2 of the sorted classes cat, dog, owl) is named 'owl' with its 2 rows."""
    X, labels = _data()
    with pytest.raises(TooFewExamplesError, match=r"class 'owl' has 2 \("):
        make().fit(X, labels)
