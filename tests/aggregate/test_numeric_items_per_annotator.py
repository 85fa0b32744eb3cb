"""Numeric aggregation says how many items each annotator's bias and sd rest on (``annotator_n_items_``):
with one answer on one shared item, BiasPrecision's bias is a guess from that item."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate.numeric import BiasPrecision, NumericMean, NumericMedian, RobustBiasPrecision


def test_one_shared_item_each_is_counted_as_one():
    """Walk44a's crowd: one item, three annotators; each bias rests on 1 item (main gave no count)."""
    answers = pd.DataFrame({"item": 0, "annotator": ["a", "b", "c"], "value": [10.0, 13.0, 7.4]})
    est = BiasPrecision().fit(answers)
    assert est.annotator_n_items_.to_dict() == {"a": 1, "b": 1, "c": 1}
    assert est.annotator_n_items_.name == "n_items"


def test_an_item_answered_once_is_not_counted():
    """a's only item has no other answer: 0 items; b's two items: 1 shared (item 1), 1 alone (item 2)."""
    answers = pd.DataFrame({"item": [0, 1, 1, 2], "annotator": ["a", "b", "c", "b"], "value": [1.0, 2.0, 3.0, 5.0]})
    for cls in (BiasPrecision, RobustBiasPrecision, NumericMean, NumericMedian):
        est = cls().fit(answers)
        assert est.annotator_n_items_.to_dict() == {"a": 0, "b": 1, "c": 1}, cls.__name__


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 3), st.floats(-5, 5)), min_size=1, max_size=20))
def test_the_count_is_the_distinct_items_holding_two_answers_or_more(rows):
    """Brute force: per annotator, its distinct items whose answers (anyone's, repeats kept) number two or more."""
    answers = pd.DataFrame(rows, columns=["item", "annotator", "value"])
    est = NumericMean().fit(answers)
    per_item = answers.groupby("item").size()
    for annotator, group in answers.groupby("annotator"):
        expected = sum(per_item[i] >= 2 for i in np.unique(group["item"]))
        assert est.annotator_n_items_[annotator] == expected
        assert est.annotator_n_items_[annotator] <= est.annotator_n_answers_[annotator]
