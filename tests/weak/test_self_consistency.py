"""Tests of weak.self_consistency (majority over repeated model samples)."""

from __future__ import annotations

import pandas as pd
import pytest

from labelwise.errors import AnnotationError, MissingColumnError
from labelwise.weak import self_consistency

SAMPLES = pd.DataFrame(
    {
        "item": ["q1", "q1", "q1", "q2", "q2", "q3"],
        "annotator": [0, 1, 2, 0, 1, 0],
        "label": ["A", "B", "A", "C", "C", None],
    }
)


class TestSelfConsistency:
    def test_majority_answer_and_share_agreeing(self):
        """The label is the most frequent answer; confidence is the share of samples giving it."""
        out = self_consistency(SAMPLES)
        assert out.loc["q1", "label"] == "A" and out.loc["q1", "confidence"] == pytest.approx(2 / 3)
        assert out.loc["q2", "confidence"] == 1.0 and out.loc["q1", "n_distinct"] == 2
        assert "q3" not in out.index  # only an empty answer

    def test_ties_are_broken_reproducibly(self):
        """A tie gives the same answer for the same random_state."""
        tie = pd.DataFrame({"item": [1, 1], "annotator": [0, 1], "label": ["x", "y"]})
        assert self_consistency(tie, random_state=3).equals(self_consistency(tie, random_state=3))
        assert self_consistency(tie)["confidence"].iloc[0] == 0.5

    def test_missing_column_is_named(self):
        """A missing column is named in the error."""
        with pytest.raises(MissingColumnError, match="label"):
            self_consistency(SAMPLES.drop(columns="label"))

    def test_a_nested_answer_is_named_by_row_and_value_type(self):
        """A list answer: the error names the column, the row position with its index label and the
        value's type, as every answer table's check does (on main: the index label only, no type)."""
        answers = pd.DataFrame(
            {"item": [1, 1, 2], "annotator": [0, 1, 0], "label": [None, "x", {"a": 1}]}, index=[10, 11, 12]
        )
        with pytest.raises(
            AnnotationError,
            match=r"answers column 'label' must hold hashable answers \(text, numbers\), row 2 \(index 12\) is dict \{'a': 1\}$",
        ):
            self_consistency(answers)
