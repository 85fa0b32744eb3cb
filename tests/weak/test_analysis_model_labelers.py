"""``weak.analysis(votes, model=...)`` with a model fitted on other labeling functions (weakgaps50).

Its ``estimated_accuracy`` was NaN for every function, without a word. A model that knows none of the votes'
functions is now an error naming both sides; one that lacks some (a function written after the fit: a normal
step of writing functions) warns naming them, and keeps the others' estimates.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from labelwise import weak
from labelwise.errors import InvalidParameterError, LabelwiseWarning

TABLE = pd.DataFrame(
    {"item": [1, 1, 2, 2, 3, 3, 4], "labeler": ["a", "b", "a", "b", "a", "b", "a"], "label": [0, 0, 1, 1, 0, 1, 1]}
)


class TestAnalysisWithAModelOfOtherFunctions:
    def test_a_model_of_none_of_the_functions_is_an_error_naming_them(self):
        """Votes of x, y against a model of a, b: InvalidParameterError naming model and both sets of names."""
        model = weak.LabelModel().fit(TABLE)
        other = TABLE.assign(labeler=TABLE.labeler.map({"a": "x", "b": "y"}))
        with pytest.raises(InvalidParameterError, match=r"model must be fitted.*\['a', 'b'\].*\['x', 'y'\]"):
            weak.analysis(other, model=model)

    def test_a_matrix_against_a_model_of_named_functions_is_an_error(self):
        """A matrix's functions are lf_0, lf_1: a model of a, b knows none of them."""
        model = weak.DawidSkeneLabelModel().fit(TABLE)
        with pytest.raises(InvalidParameterError, match=r"none of the votes' 2 \(\['lf_0', 'lf_1'\]\)"):
            weak.analysis(np.array([[0, 1], [1, 1]]), model=model)

    def test_a_function_the_model_lacks_warns_and_keeps_the_others(self):
        """Votes of x, b against a model of a, b: a warning naming x; b's estimate is the model's."""
        model = weak.LabelModel().fit(TABLE)
        renamed = TABLE.assign(labeler=TABLE.labeler.map({"a": "x", "b": "b"}))
        with pytest.warns(LabelwiseWarning, match=r"not fitted on 1 of the votes' labeling functions \(\['x'\]\)"):
            frame = weak.analysis(renamed, model=model)
        assert np.isnan(frame.loc["x", "estimated_accuracy"])
        assert frame.loc["b", "estimated_accuracy"] == model.accuracies_["b"]

    def test_the_models_own_votes_give_no_warning(self):
        """The votes the model was fitted on (or a subset of its functions): no warning, no NaN."""
        model = weak.LabelModel().fit(TABLE)
        with warnings.catch_warnings():
            warnings.simplefilter("error", LabelwiseWarning)
            frame = weak.analysis(TABLE, model=model)
            subset = weak.analysis(TABLE[TABLE.labeler == "b"], model=model)
        assert frame["estimated_accuracy"].notna().all() and subset.index.tolist() == ["b"]
