"""``labelwise.shift``'s warnings point at the user's line from ``estimate_priors`` and from
``PriorShiftAdjuster.adapt`` (one frame deeper): a fixed ``stacklevel`` is right for one of them only."""

from __future__ import annotations

import warnings

import numpy as np

from labelwise.shift import PriorShiftAdjuster, estimate_priors
from tests._at_line import at_line


def _hand_example():
    """Lipton et al.'s C w = mu by hand (as in test_bbse_clipped_warning.py): class 1's raw target prior is -0.2; the
    40 identical target rows resample to one prior, so the bootstrap interval is not an interval."""
    labels = np.array([0] * 50 + [1] * 50)
    predicted = np.array([0] * 45 + [1] * 5 + [0] * 20 + [1] * 30)
    return np.eye(2)[predicted], labels, np.eye(2)[np.zeros(40, int)]


class _Probs:
    """A fitted model whose probabilities are its input rows."""

    classes_ = np.array([0, 1])

    def fit(self, X, y):
        return self

    def predict_proba(self, X):
        return np.asarray(X, dtype=float)


PHRASES = ("negative target priors", "is not an interval")


def test_estimate_priors_warns_at_the_callers_line():
    vp, vl, tp = _hand_example()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        estimate_priors(vp, vl, tp, method="bbse", n_boot=20, random_state=0)
    at_line(record, __file__, *PHRASES)


def test_the_adjusters_adapt_warns_at_the_callers_line():
    vp, vl, tp = _hand_example()
    adjuster = PriorShiftAdjuster(_Probs(), method="bbse", calibration="none").fit(vp, vl)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        adjuster.adapt(tp, n_boot=20, random_state=0)
    at_line(record, __file__, *PHRASES)
