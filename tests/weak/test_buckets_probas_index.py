"""weak.filter_unlabeled matches a probas DataFrame (predict_proba's, indexed by item) to df by index."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.errors import ShapeMismatchError
from labelwise.weak import filter_unlabeled

DF = pd.DataFrame({"text": ["a", "b", "c", "d"]}, index=["m1", "m2", "m3", "m4"])
VOTES = pd.DataFrame({"item": ["m3", "m1", "m4"], "labeler": ["f", "f", "f"], "label": ["x", "y", "x"]})
PROBAS = pd.DataFrame({"x": [0.2, 0.5, 0.9, 0.7], "y": [0.8, 0.5, 0.1, 0.3]}, index=["m1", "m2", "m3", "m4"])


class TestFilterUnlabeledProbas:
    def test_reordered_probas_frame_keeps_each_rows_own_probabilities(self):
        """Probabilities in another row order than df are matched by item (they were read by position)."""
        got = filter_unlabeled(DF, VOTES, PROBAS.iloc[::-1])
        assert got.frame.index.tolist() == ["m1", "m3", "m4"]
        np.testing.assert_allclose(got.probas, PROBAS.loc[["m1", "m3", "m4"]].to_numpy())

    def test_probas_of_other_items_are_refused(self):
        """A probas frame indexed by keys df lacks is an error naming probas and df."""
        with pytest.raises(ShapeMismatchError, match=r"probas must have one row per index key of df"):
            filter_unlabeled(DF, VOTES, PROBAS.set_axis(["m1", "m2", "m3", "m9"]))

    def test_probas_array_is_read_by_position(self):
        """An array has no index: its rows are df's rows in order."""
        got = filter_unlabeled(DF, VOTES, PROBAS.to_numpy())
        np.testing.assert_allclose(got.probas, PROBAS.to_numpy()[[0, 2, 3]])
