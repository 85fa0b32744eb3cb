"""ForwardCorrection's backward loss running off under a transition that overstates the noise
(labelwise.robust.forward._warn_if_backward_ran_off)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification

from labelwise.errors import LabelwiseWarning
from labelwise.robust import ForwardCorrection


def _clean_binary() -> tuple[np.ndarray, np.ndarray]:
    X, y = make_classification(600, 10, n_informative=5, random_state=3)
    return X, y


def _flips(rho: float) -> np.ndarray:
    return np.array([[1 - rho, rho], [rho, 1 - rho]])


class TestBackwardRunOff:
    def test_near_singular_transition_warns_naming_the_condition_number(self):
        """Clean labels with a T that says 49% flips (condition number 50): the backward fit ends at a
        negative corrected loss and at chance accuracy, and says so instead of returning it in silence."""
        X, y = _clean_binary()
        with pytest.warns(LabelwiseWarning, match=r"below 0.*condition number 50\b.*correction='forward'"):
            model = ForwardCorrection(transition=_flips(0.49), correction="backward").fit(X[:400], y[:400])
        assert np.mean(model.predict(X[400:]) == y[400:]) < 0.6  # what the warning is about

    @pytest.mark.parametrize(
        "correction, rho",
        [("backward", 0.0), ("forward", 0.49), ("forward", 0.2)],
        ids=["backward-I", "fwd49", "fwd20"],
    )
    def test_no_warning_where_the_loss_stays_a_log_loss(self, correction, rho):
        """The identity's backward loss is the log loss, and the forward loss is bounded: no warning."""
        X, y = _clean_binary()
        with warnings.catch_warnings():
            warnings.simplefilter("error", LabelwiseWarning)
            ForwardCorrection(transition=_flips(rho), correction=correction).fit(X[:400], y[:400])
