"""class_balance given as a dict or Series is matched to the classes by name, not by position."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.errors import InvalidParameterError
from labelwise.weak import DawidSkeneLabelModel, LabelModel, MajorityClassVoter

LONG = pd.DataFrame(
    {
        "item": [1, 1, 2, 2, 3, 3, 4],
        "labeler": ["a", "b", "a", "b", "a", "b", "a"],
        "label": ["x", "x", "y", "x", "y", "y", "x"],
    }
)


@pytest.mark.parametrize("model", [LabelModel, DawidSkeneLabelModel, MajorityClassVoter])
class TestClassBalanceByName:
    def test_series_in_another_order_is_the_array_in_class_order(self, model):
        """Series {y: 0.1, x: 0.9} is the array [0.9, 0.1] (x, y); it was read by position as x: 0.1."""
        want = model(class_balance=[0.9, 0.1]).fit(LONG).predict_proba(LONG)
        got = model(class_balance=pd.Series({"y": 0.1, "x": 0.9})).fit(LONG).predict_proba(LONG)
        np.testing.assert_allclose(np.asarray(got), np.asarray(want))

    def test_dict_is_taken_by_class(self, model):
        """A dict by class (a raw TypeError from float() before) gives the same model."""
        want = model(class_balance=[0.9, 0.1]).fit(LONG).predict_proba(LONG)
        got = model(class_balance={"y": 0.1, "x": 0.9}).fit(LONG).predict_proba(LONG)
        np.testing.assert_allclose(np.asarray(got), np.asarray(want))

    def test_a_missing_class_is_named(self, model):
        """A mapping without a class is an error naming class_balance and the class."""
        with pytest.raises(InvalidParameterError, match=r"class_balance as a mapping.*got none for \['y'\]"):
            model(class_balance={"x": 1.0}).fit(LONG)
