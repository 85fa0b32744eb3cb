"""``labelwise.robust``'s warnings point at the line that called ``fit``: the backward correction's runaway (two
functions below ``fit``), ``CrowdClassifier``'s and ``ForwardCorrection``'s convergence."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from labelwise.robust import CrowdClassifier, ForwardCorrection
from tests._at_line import at_line, recorded
from tests.robust._crowd_data import simulated_crowd


def test_a_runaway_backward_correction_is_said_at_the_line_that_called_fit():
    X, y = make_classification(2000, 10, random_state=0)
    T = np.array([[0.51, 0.49], [0.49, 0.51]])
    at_line(recorded(lambda: ForwardCorrection(transition=T, correction="backward").fit(X, y)), __file__, "ran away")


def test_crowd_classifier_not_converging_is_said_at_the_line_that_called_fit():
    X, _, answers = simulated_crowd(150, seed=2)
    at_line(recorded(lambda: CrowdClassifier(random_state=0, max_iter=1).fit(X, answers)), __file__, "did not converge")


def test_forward_correction_not_converging_is_said_at_the_line_that_called_fit():
    X, y = make_classification(300, 10, random_state=0)
    T = np.array([[0.9, 0.1], [0.1, 0.9]])  # given: no transition estimate (whose own model would warn too)
    record = recorded(lambda: ForwardCorrection(transition=T, max_iter=1).fit(X, y))
    at_line(record, __file__, "ForwardCorrection did not converge", category=ConvergenceWarning)


def test_a_rare_tag_skipped_by_the_multilabel_classifier_is_said_at_the_line_that_called_fit():
    from sklearn.datasets import make_multilabel_classification
    from sklearn.linear_model import LogisticRegression

    from labelwise.robust import CleanMultilabelClassifier

    X, Y = make_multilabel_classification(240, n_features=8, n_classes=4, n_labels=2, random_state=3)
    y = np.column_stack([Y, np.zeros(len(Y), dtype=np.int64)])
    y[:2, -1] = 1
    model = CleanMultilabelClassifier(LogisticRegression(max_iter=300), cv=3, random_state=0)
    at_line(recorded(lambda: model.fit(X, y)), __file__, "fewer than cv=3 present")
