"""``labelwise.semi``'s warnings point at the line that called ``SelfTrainer.fit``, at whatever depth below it they
are raised (``fit`` itself, the safeguard, the label split)."""

from __future__ import annotations

import numpy as np
from sklearn.exceptions import DataConversionWarning
from sklearn.linear_model import LogisticRegression

from labelwise.semi import SelfTrainer
from tests._at_line import at_line, recorded

RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 2))


def test_labels_without_an_unlabeled_row_are_said_at_the_line_that_called_fit():
    y = np.arange(40) % 2
    at_line(recorded(lambda: SelfTrainer(LogisticRegression()).fit(X, y)), __file__, "has no unlabeled examples")


def test_a_safeguard_without_two_labeled_rows_per_class_is_said_at_the_line_that_called_fit():
    y = np.full(40, -1)
    y[:3] = [0, 1, 1]
    record = recorded(lambda: SelfTrainer(LogisticRegression(), safeguard="cv").fit(X, y))
    at_line(record, __file__, "safeguard='cv' needs at least 2 labeled examples")


def test_a_column_vector_y_is_said_at_the_line_that_called_fit():
    y = np.where(np.arange(40) < 10, np.arange(40) % 2, -1).reshape(-1, 1)
    record = recorded(lambda: SelfTrainer(LogisticRegression()).fit(X, y))
    at_line(record, __file__, "A column-vector y was passed", category=DataConversionWarning)
