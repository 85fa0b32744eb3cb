"""``SelfTrainer`` on labels whose unlabeled rows are written ``""`` or ``"?"`` (not the default marker -1)
says which class looks like the marker, and how to make it one."""

from __future__ import annotations

import re

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from labelwise.errors import LabelwiseWarning
from labelwise.semi import SelfTrainer


def _data(marker: str):
    rng = np.random.default_rng(0)
    y = np.array(["red", "blue"] * 15, dtype=object)
    X = rng.normal(size=(30, 2)) + (y == "red")[:, None] * 3.0
    y[rng.random(30) < 0.5] = marker
    return X, y


@pytest.mark.parametrize("marker", ["", "?", " "])
def test_a_blank_or_question_mark_class_is_named_in_the_warning(marker):
    """The plain-fit warning names the class and the unlabeled_value that marks it."""
    X, y = _data(marker)
    said = f"the class {marker!r} looks like the marker of unlabeled rows: pass unlabeled_value={marker!r}"
    with pytest.warns(LabelwiseWarning, match=re.escape(said)):
        SelfTrainer(LogisticRegression()).fit(X, y)


def test_with_that_unlabeled_value_the_rows_are_pseudo_labeled():
    """A guard: unlabeled_value='' makes those rows unlabeled (two classes, no warning of a plain fit)."""
    X, y = _data("")
    model = SelfTrainer(LogisticRegression(), unlabeled_value="").fit(X, y)
    assert list(model.classes_) == ["blue", "red"]
