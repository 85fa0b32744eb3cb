"""The audit's warnings point at the user's line: probabilities with a class no label has, from
``find_label_issues``; a label column left among the features, from ``out_of_fold_probs`` with a model and with
``"auto"`` (one function deeper, where main pointed inside ``probs.py``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

import labelwise as lw
from tests._at_line import at_line, recorded


def test_a_class_of_probs_no_label_has_is_said_at_the_callers_line():
    rng = np.random.default_rng(0)
    labels = np.arange(30) % 2
    probs = rng.dirichlet([1, 1, 1], size=30)
    at_line(recorded(lambda: lw.find_label_issues(labels, probs)), __file__, "class(es) of probs have no examples")


def test_a_label_column_among_the_features_is_said_at_the_callers_line_with_a_model_and_with_auto():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60), "target": np.arange(60) % 2})
    for model in (LogisticRegression(), "auto"):
        record = recorded(lambda m=model: lw.out_of_fold_probs(m, frame, frame["target"], cv=3, random_state=0))
        at_line(record, __file__, "column 'target' equals labels in every row")
