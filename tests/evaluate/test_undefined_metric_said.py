"""scikit-learn's UndefinedMetricWarning is said once in labelwise's words (session 48).

On main a class a model never predicted made ``precision_macro`` warn in scikit-learn's words at every
call ("Precision is ill-defined and being set to 0.0 in labels with no predicted samples"), naming
neither the class nor the model; ``slice_scores`` used the 0.0 without a word.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import precision_score

from labelwise.errors import LabelwiseWarning
from labelwise.evaluate import corrected_benchmark, slice_scores

GIVEN = np.array(["cat", "cat", "dog", "dog", "eel", "eel", "cat", "dog", "eel", "cat"])
CORRECTED = GIVEN.copy()
CORRECTED[0] = "dog"
NEVER_EEL = np.array(["cat", "cat", "dog", "dog", "cat", "cat", "cat", "dog", "cat", "cat"])


def _said(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    raw = [w for w in caught if issubclass(w.category, UndefinedMetricWarning)]
    ours = [str(w.message) for w in caught if issubclass(w.category, LabelwiseWarning)]
    return result, raw, ours


class TestCorrectedBenchmark:
    def test_a_class_never_predicted_is_named_once_with_the_model_and_value(self):
        """precision_macro, model 'a' never predicts eel: one labelwise warning naming the metric, the model, the
        class, the labels and the 0.0 used; no raw scikit-learn warning."""
        result, raw, ours = _said(
            lambda: corrected_benchmark({"a": NEVER_EEL, "b": GIVEN}, GIVEN, CORRECTED, metric="precision_macro")
        )
        assert raw == []
        assert len(ours) == 1, ours
        text = ours[0]
        assert "metric 'precision_macro'" in text and "used 0.0" in text
        assert "model 'a': no predicted row of class 'eel' (original labels, corrected labels)" in text
        assert "zero_division=np.nan" in text
        assert result.table.loc["b", "original"] == 1.0

    def test_a_predicted_class_absent_from_the_labels_is_named_for_recall(self):
        """recall_macro, a model predicting a class no label has: 'no true row of class'."""
        odd = GIVEN.copy()
        odd[4] = "fox"
        _, raw, ours = _said(
            lambda: corrected_benchmark(
                {"a": odd}, GIVEN, GIVEN, metric="recall_macro", classes=["cat", "dog", "eel", "fox"]
            )
        )
        assert raw == [] and len(ours) == 1
        assert "model 'a': no true row of class 'fox'" in ours[0]

    def test_binary_precision_names_the_positive_class(self):
        """precision on classes 0/1 with a model that predicts only 0: class 1 is named, not class 0."""
        given = np.array([0, 1, 0, 1, 1, 0])
        _, raw, ours = _said(lambda: corrected_benchmark({"zeros": np.zeros(6, int)}, given, given, metric="precision"))
        assert raw == [] and len(ours) == 1
        assert "model 'zeros': no predicted row of class 1" in ours[0] and "class 0" not in ours[0]

    def test_every_class_predicted_says_nothing(self):
        """A model that predicts every class on every scored subset: no warning at all."""
        _, raw, ours = _said(lambda: corrected_benchmark({"b": CORRECTED}, GIVEN, CORRECTED, metric="precision_macro"))
        assert raw == [] and ours == []

    def test_zero_division_chosen_by_the_user_says_nothing(self):
        """A callable with zero_division set is the user's choice: scikit-learn does not warn, nor do we."""
        metric = functools.partial(precision_score, average="macro", zero_division=np.nan)
        _, raw, ours = _said(lambda: corrected_benchmark({"a": NEVER_EEL}, GIVEN, CORRECTED, metric=metric))
        assert raw == [] and ours == []

    def test_the_prevalence_curve_says_it_in_one_warning(self):
        """The curve's many metric calls give one labelwise warning, not scikit-learn's at each call."""
        res, _, _ = _said(lambda: corrected_benchmark({"a": NEVER_EEL}, GIVEN, CORRECTED, metric="precision_macro"))
        _, raw, ours = _said(lambda: res.prevalence_curve(seeds=2))
        assert raw == []
        assert len(ours) == 1 and "of the prevalence curve" in ours[0]


class TestSliceScores:
    def test_the_slice_and_class_are_named(self):
        """slice_scores used scikit-learn's 0.0 in silence; now one warning names the rows and the class."""
        slices = {"first_half": np.arange(10) < 5}
        result, raw, ours = _said(
            lambda: slice_scores(GIVEN, NEVER_EEL, slices, metrics=["precision_macro"], n_bootstrap=20)
        )
        assert raw == []
        assert len(ours) == 1, ours
        assert "all rows: no predicted row of class 'eel'" in ours[0]
        assert "slice 'first_half': no predicted row of class 'eel'" in ours[0]
        assert result.table.loc["overall", "precision_macro"] == pytest.approx(
            precision_score(GIVEN, NEVER_EEL, average="macro", zero_division=0)
        )
