"""Tests of the labeling_function decorator."""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.errors import InvalidParameterError
from labelwise.weak import LabelingFunction, labeling_function


class TestLabelingFunction:
    def test_bare_decorator_keeps_function_name_and_behaviour(self):
        """@labeling_function without parentheses wraps the function under its own name."""

        @labeling_function
        def lf_a(row):
            return 1

        assert isinstance(lf_a, LabelingFunction) and lf_a.name == "lf_a" and lf_a(None) == 1

    def test_options_set_name_abstain_and_vectorized(self):
        """name=, abstain= and vectorized= are stored on the function."""

        @labeling_function(name="custom", abstain=-1, vectorized=True)
        def f(df):
            return df

        assert (f.name, f.abstain, f.vectorized) == ("custom", -1, True)

    def test_abstain_none_treats_nan_and_none_as_abstain(self):
        """With abstain=None, None and NaN are both abstains."""
        lf = labeling_function(lambda r: None)
        mask = lf.abstains(np.array([None, np.nan, "a", 0], dtype=object))
        assert mask.tolist() == [True, True, False, False]

    def test_abstain_value_compares_numeric_arrays(self):
        """A numeric abstain value marks exactly the equal entries."""
        lf = labeling_function(lambda r: -1, abstain=-1)
        assert lf.abstains(np.array([-1, 0, 1, -1])).tolist() == [True, False, False, True]

    def test_empty_name_is_an_error(self):
        """An empty name is rejected with the parameter named."""
        with pytest.raises(InvalidParameterError, match="name must be a non-empty string"):
            labeling_function(name="")
