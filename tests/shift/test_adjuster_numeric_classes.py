"""PriorShiftAdjuster matches y_val to the model's classes as numbers (True == 1.0) across dtypes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from labelwise.errors import InvalidLabelsError
from labelwise.shift import PriorShiftAdjuster


def _fitted(dtype: str, values: list) -> tuple[LogisticRegression, np.ndarray, pd.Series]:
    rng = np.random.default_rng(0)
    y = pd.Series(values * 100, dtype=dtype)
    X = rng.normal(size=(len(y), 2)) + 1.5 * np.asarray(y.astype("Int64").astype(float))[:, None]
    return LogisticRegression().fit(X, y), X, y


class TestNumbersMatchClasses:
    @pytest.mark.parametrize(("dtype", "values"), [("boolean", [False, True]), ("Int64", [0, 1, 2])])
    def test_bool_or_int_y_val_matches_float_classes(self, dtype, values):
        """A model fitted on an Int64 / boolean Series has float classes_; y_val of the user's own dtype fits."""
        model, X, y = _fitted(dtype, values)
        assert model.classes_.dtype.kind == "f"
        y_val = y.astype("bool" if dtype == "boolean" else "int64").to_numpy()
        adjuster = PriorShiftAdjuster(model).fit(X, y_val)
        assert np.array_equal(adjuster.y_val_, y_val.astype(float))
        adjuster.adapt(X[: len(values) * 40])
        assert adjuster.priors_.shape == (len(values),) and np.isclose(adjuster.priors_.sum(), 1.0)

    def test_same_as_giving_the_float_labels(self):
        """Matching True to 1.0 gives the very adjuster that float labels 0.0 / 1.0 give."""
        model, X, y = _fitted("boolean", [False, True])
        by_bool = PriorShiftAdjuster(model).fit(X, y.astype(bool)).adapt(X[:150])
        by_float = PriorShiftAdjuster(model).fit(X, y.astype(float).to_numpy()).adapt(X[:150])
        assert np.allclose(by_bool.predict_proba(X), by_float.predict_proba(X))
        assert np.array_equal(by_bool.predict(X), by_float.predict(X))

    def test_a_label_equal_to_no_class_is_still_refused(self):
        """A value no class equals as a number (0.5) is refused, naming its row."""
        model, X, y = _fitted("boolean", [False, True])
        y_val = y.astype(float).to_numpy(copy=True)
        y_val[3] = 0.5
        with pytest.raises(InvalidLabelsError, match=r"y_val must be one of the classes .*row 3 is 0.5"):
            PriorShiftAdjuster(model).fit(X, y_val)

    def test_text_labels_are_not_matched_to_numbers(self):
        """Text '1' is no number: a y_val of text against float classes is refused as before."""
        model, X, y = _fitted("Int64", [0, 1])
        with pytest.raises(InvalidLabelsError, match="y_val must be one of the classes"):
            PriorShiftAdjuster(model).fit(X, y.astype(str).to_numpy())
