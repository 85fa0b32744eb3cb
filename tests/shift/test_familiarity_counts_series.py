"""familiarity refuses a value_counts() Series, whose counts would be read as label names."""

from __future__ import annotations

import pandas as pd
import pytest

from labelwise.errors import InvalidLabelsError
from labelwise.shift import familiarity

TRAIN = ["person"] * 5 + ["city"]


class TestCountsSeries:
    def test_value_counts_as_train_labels_is_refused_saying_to_dict(self):
        """Counts by label (value_counts) are an error naming train_labels and .to_dict() (it scored 0.0,
        the nearest training label '1')."""
        with pytest.raises(InvalidLabelsError, match=r"train_labels is a Series of integers.*'person': 5.*to_dict"):
            familiarity(pd.Series(TRAIN).value_counts(), ["persons"], k=3)

    def test_the_suggested_dict_gives_the_occurrence_lists_score(self):
        """.to_dict() of the counts scores as the list of occurrences does."""
        got = familiarity(pd.Series(TRAIN).value_counts().to_dict(), ["persons"], k=3).score
        assert got == pytest.approx(familiarity(TRAIN, ["persons"], k=3).score)

    def test_value_counts_as_eval_labels_is_refused(self):
        """eval_labels as counts by label is refused too, naming eval_labels."""
        with pytest.raises(InvalidLabelsError, match=r"eval_labels is a Series of integers.*eval_labels\.index"):
            familiarity(TRAIN, pd.Series(["persons", "town", "town"]).value_counts(), k=3)

    def test_series_of_labels_is_read_as_labels(self):
        """A Series of label names (or of integers indexed 0..n-1) is one label per entry, as before."""
        assert familiarity(pd.Series(TRAIN), ["persons"], k=3).score == pytest.approx(
            familiarity(TRAIN, ["persons"], k=3).score
        )
        assert familiarity(pd.Series([1, 2, 3]), [1], k=3).nearest.iloc[0] == "1"
