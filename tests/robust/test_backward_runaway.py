"""Backward loss correction that runs away warns, with the numbers and the fix (session 48).

trace47: with clean labels and a given T of 49% flips (condition number 50), backward correction
fell to chance (0.486) with coefficients of 3e4 and no word. The corrected loss is unbounded below
when T overstates the noise; its slope along the fitted weights says so.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification

from labelwise.errors import LabelwiseWarning
from labelwise.robust import ForwardCorrection


def _symmetric(k: int, rho: float) -> np.ndarray:
    return (1 - rho) * np.eye(k) + rho / (k - 1) * (np.ones((k, k)) - np.eye(k))


def _data(k: int, rho: float, seed: int = 5):
    X, y = make_classification(1500, 10, n_informative=6, n_classes=k, n_clusters_per_class=1, random_state=seed)
    rng = np.random.default_rng(seed)
    cum = _symmetric(k, rho).cumsum(axis=1)[y]
    return X, (rng.random(len(y))[:, None] > cum).sum(axis=1)


class TestWarns:
    def test_a_near_singular_t_on_clean_labels_warns_naming_the_fix(self):
        """trace47's case: T of 49% flips (condition number 50) on clean labels warns, naming the condition
        number, the loss and correction='forward'."""
        X, y = make_classification(2000, 10, random_state=0)
        T = np.array([[0.51, 0.49], [0.49, 0.51]])
        with pytest.warns(LabelwiseWarning, match=r"ran away") as said:
            ForwardCorrection(transition=T, correction="backward").fit(X, y)
        text = " ".join(str(w.message) for w in said)
        assert "condition number 50" in text and "correction='forward'" in text and "mean corrected loss -" in text

    @pytest.mark.parametrize("k", [2, 3])
    def test_a_t_that_overstates_the_noise_warns(self, k):
        """20% noise, T saying 80% of the way to singular (condition number 5): warned."""
        X, y = _data(k, 0.2)
        with pytest.warns(LabelwiseWarning, match=r"T overstates the noise or is near-singular"):
            ForwardCorrection(transition=_symmetric(k, (k - 1) / k * 0.8), correction="backward").fit(X, y)


class TestQuiet:
    @pytest.mark.parametrize("k", [2, 3])
    def test_the_true_t_does_not_warn(self, k):
        """The T that made the noise: the corrected loss stays bounded along the fit, no warning."""
        X, y = _data(k, 0.2)
        with warnings.catch_warnings():
            warnings.simplefilter("error", LabelwiseWarning)
            ForwardCorrection(transition=_symmetric(k, 0.2), correction="backward").fit(X, y)

    def test_forward_correction_is_never_checked(self):
        """Forward correction is bounded: the same overstated T fits without a warning."""
        X, y = make_classification(2000, 10, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", LabelwiseWarning)
            ForwardCorrection(transition=np.array([[0.51, 0.49], [0.49, 0.51]])).fit(X, y)


class TestSignals:
    def test_slope_is_the_limit_of_the_loss_along_the_weights(self):
        """The relative slope times the mean logit range is the limit of loss(t * theta) / t (t -> inf),
        checked against the loss evaluated at a large t."""
        from labelwise.robust._backward_runaway import runaway_signals

        X, y = _data(3, 0.2)
        T = _symmetric(3, 0.5)
        rng = np.random.default_rng(0)
        W, b = rng.normal(size=(10, 3)), rng.normal(size=3)
        w = np.full(len(y), 1 / len(y))
        rel, _, _ = runaway_signals(X, y, w, W, b, T)
        Z = X @ W + b
        spread = np.mean(Z.max(1) - Z.min(1))
        t = 1e4
        _, loss_t, _ = runaway_signals(X, y, w, t * W, t * b, T)
        assert loss_t / t == pytest.approx(rel * spread, rel=1e-3)
