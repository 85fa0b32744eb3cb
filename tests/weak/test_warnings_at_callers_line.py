"""Every warning of ``labelwise.weak`` points at the user's line (the first frame outside labelwise), whatever path
reached it: the label model with or without the one-class fit, ``as_votes`` called directly or inside ``fit``, the
applier, ``analysis`` and ``self_consistency`` (a fixed ``stacklevel`` is right for one call depth only)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from labelwise import weak
from labelwise.errors import LabelwiseWarning
from tests.weak.test_negative_pairs import phrase_votes


def _own(record) -> list:
    return [w for w in record if issubclass(w.category, LabelwiseWarning)]


def _at_this_file(record, *phrases: str) -> None:
    said = _own(record)
    for phrase in phrases:
        assert any(phrase in str(w.message) for w in said), (phrase, [str(w.message)[:80] for w in said])
    assert [w.filename for w in said] == [__file__] * len(said), [(w.filename, w.lineno) for w in said]


@pytest.fixture(scope="module")
def phrases() -> np.ndarray:
    return phrase_votes(4000, 0)[0]


def test_the_label_model_without_the_one_class_fit_warns_at_the_line_that_called_fit(phrases):
    """``one_class_rules=False``: the negative-pair trigger's warning and the missing fit's fallback."""
    with pytest.warns(LabelwiseWarning) as record:
        weak.LabelModel(one_class_rules=False).fit(phrases)
    _at_this_file(record, "fire together less often than independence", "falling back to majority vote")


def test_an_unconverged_fit_without_the_one_class_fit_warns_at_the_callers_line(phrases):
    with pytest.warns(LabelwiseWarning) as record:
        weak.LabelModel(one_class_rules=False, n_em_iter=2).fit(phrases)
    _at_this_file(record, "did not converge in n_em_iter=2")


REPEATED = pd.DataFrame({"item": [0, 0, 1, 1, 2], "labeler": ["a", "a", "a", "b", "b"], "label": [1, 0, 1, 1, 0]})


def test_repeated_votes_warn_at_the_callers_line_from_as_votes_and_from_fit():
    with pytest.warns(LabelwiseWarning) as record:
        weak.as_votes(REPEATED)
    _at_this_file(record, "repeated vote(s)")
    with pytest.warns(LabelwiseWarning) as record:
        weak.MajorityLabelVoter().fit(REPEATED)
    _at_this_file(record, "repeated vote(s)")


DF = pd.DataFrame({"text": ["win http://x", "hi mom", "cash http://z", "lunch?"]})


@weak.labeling_function(vectorized=True)
def snorkel_link(df):
    return np.where(df["text"].str.contains("http"), 1, -1)


def test_a_function_returning_minus_one_warns_at_the_line_that_applied_it():
    with pytest.warns(LabelwiseWarning) as record:
        weak.apply([snorkel_link], DF)
    _at_this_file(record, "returned -1, taken as a class")


MATRIX = np.array([[0, 1, -1], [1, 1, 0], [0, -1, 0], [1, 0, 1]])


def test_analysis_warnings_are_at_the_line_that_called_analysis():
    with pytest.warns(LabelwiseWarning) as record:
        weak.analysis(MATRIX, gold=[0, 1, 7, 1])
    _at_this_file(record, "no labeler voted")
    table = pd.DataFrame({"item": [0, 0, 1], "labeler": ["a", "b", "a"], "label": [1, 1, 0]})
    with pytest.warns(LabelwiseWarning) as record:
        weak.analysis(table, gold=pd.Series([1, 0, 1], index=[0, 1, 2]))
    _at_this_file(record, "have no vote in votes")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LabelwiseWarning)
        model = weak.LabelModel().fit(MATRIX[:, :2])
    with pytest.warns(LabelwiseWarning) as record:
        weak.analysis(MATRIX, model=model)
    _at_this_file(record, "was not fitted on")


SAMPLES = pd.DataFrame({"item": ["q1", "q1", "q1", "q2"], "annotator": [0, 1, 1, 0], "label": ["B", "b.", "B", "A"]})


def test_self_consistency_warnings_are_at_the_line_that_called_it():
    with pytest.warns(LabelwiseWarning) as record:
        weak.self_consistency(SAMPLES)
    _at_this_file(record, "repeated answer", "written in two or more ways")
    with pytest.warns(LabelwiseWarning) as record:
        weak.self_consistency(SAMPLES.assign(label=["B", "I am not sure", "B", "A"]), parse_answers="multiple-choice")
    _at_this_file(record, "I am not sure")
