"""PriorShiftAdjuster: the adapted classifier beats the unadapted one on prior-shifted data."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from labelwise.errors import EstimatorError, ShapeMismatchError, TooFewExamplesError
from labelwise.shift import PriorShiftAdjuster
from tests.shift._data import shifted_problem


@pytest.mark.parametrize("method", ["mlls", "bbse", "rlls"])
def test_adapted_accuracy_improves_on_a_strong_shift(method):
    """On a one-class-boosted target (80% class 2), adapting raises accuracy."""
    model, Xv, yv, Xt, yt, _ = shifted_problem([0.1, 0.1, 0.8], seed=1)
    adj = PriorShiftAdjuster(model, method=method).fit(Xv, yv).adapt(Xt)
    assert (adj.predict(Xt) == yt).mean() > (model.predict(Xt) == yt).mean()
    np.testing.assert_allclose(adj.predict_proba(Xt).sum(1), 1.0)


def test_unfitted_model_and_order_of_calls():
    """An unfitted model, or adapt before fit, is a clear EstimatorError."""
    with pytest.raises(EstimatorError, match="fitted"):
        PriorShiftAdjuster(LogisticRegression()).fit(np.zeros((2, 2)), [0, 1])
    with pytest.raises(EstimatorError, match="fit on validation data before adapt"):
        PriorShiftAdjuster(LogisticRegression()).adapt(np.zeros((2, 2)))


def test_mismatched_or_empty_inputs_are_named():
    """y_val shorter than X_val was numpy's 'operands could not be broadcast'; an empty X_target was
    scikit-learn's 'Found array with 0 sample(s)'."""
    model, Xv, yv, Xt, _, _ = shifted_problem([0.1, 0.1, 0.8], seed=1)
    with pytest.raises(ShapeMismatchError, match=rf"y_val must hold one label per row of X_val \({len(Xv)}\)"):
        PriorShiftAdjuster(model).fit(Xv, yv[:-1])
    with pytest.raises(TooFewExamplesError, match="X_target must have at least one row"):
        PriorShiftAdjuster(model).fit(Xv, yv).adapt(Xt[:0])
