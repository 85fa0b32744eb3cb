"""labelwise.models._calibrate: temperature scaling and the blend, checked against scipy's optimiser."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize, minimize_scalar
from scipy.special import softmax

from labelwise.models._calibrate import (
    apply_temperature,
    cross_fit_blend,
    cross_fit_temperature,
    fit_blend_weights,
    fit_blend_weights_on_subsets,
    fit_temperature,
    log_loss,
)


def _overconfident(n=3000, k=4, true_t=3.0, seed=0):
    """Labels drawn from softmax(z); probabilities softmax(true_t * z) are too sharp by ``true_t``."""
    rng = np.random.default_rng(seed)
    z = rng.normal(0, 1.5, size=(n, k))
    p_true = softmax(z, axis=1)
    codes = (rng.random(n)[:, None] > np.cumsum(p_true, axis=1)).sum(axis=1)
    return softmax(true_t * z, axis=1), codes


def _folds(n, cv=5, seed=0):
    return np.array_split(np.random.default_rng(seed).permutation(n), cv)


def test_temperature_recovers_the_sharpening():
    probs, codes = _overconfident()
    assert fit_temperature(probs, codes) == pytest.approx(3.0, rel=0.1)


def test_temperature_matches_scipy_on_the_loss_over_t():
    """Same minimum as a direct scipy search over T itself."""
    probs, codes = _overconfident(800, 3, 2.0, seed=1)
    direct = minimize_scalar(
        lambda t: log_loss(apply_temperature(probs, t), codes), bounds=(0.05, 20), method="bounded"
    )
    assert fit_temperature(probs, codes) == pytest.approx(direct.x, rel=1e-2)


def test_cross_fitted_temperature_lowers_an_overconfident_loss():
    probs, codes = _overconfident()
    calibrated, t = cross_fit_temperature(probs, codes, _folds(len(codes)))
    assert log_loss(calibrated, codes) < log_loss(probs, codes)
    np.testing.assert_allclose(calibrated.sum(axis=1), 1.0)
    assert t == pytest.approx(fit_temperature(probs, codes))


def test_cross_fit_uses_only_other_folds(monkeypatch):
    """Changing the labels of one fold leaves that fold's calibrated probabilities unchanged."""
    probs, codes = _overconfident(500)
    folds = _folds(500)
    a, _ = cross_fit_temperature(probs, codes, folds)
    changed = codes.copy()
    changed[folds[0]] = (changed[folds[0]] + 1) % 4
    b, _ = cross_fit_temperature(probs, changed, folds)
    np.testing.assert_allclose(a[folds[0]], b[folds[0]])


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 4))
def test_blend_weights_match_scipy_and_beat_every_single_model(seed, m):
    rng = np.random.default_rng(seed)
    picked = rng.uniform(0.01, 1.0, size=(200, m))
    w = fit_blend_weights(picked, n_iter=2000, tol=1e-12)
    assert (w >= 0).all() and w.sum() == pytest.approx(1.0)

    def loss(v):
        return -np.mean(np.log(picked @ softmax(v)))

    peer = minimize(loss, np.zeros(m), method="BFGS")
    ours = -np.mean(np.log(picked @ w))
    assert ours <= peer.fun + 1e-4
    assert ours <= min(-np.mean(np.log(picked[:, j])) for j in range(m)) + 1e-9


def test_cross_fitted_blend_rows_are_distributions():
    p1, codes = _overconfident(600, 3, 2.0)
    p2 = np.full_like(p1, 1 / 3)
    blended, w = cross_fit_blend([p1, p2], codes, _folds(600))
    np.testing.assert_allclose(blended.sum(axis=1), 1.0)
    assert w.shape == (2,) and w.sum() == pytest.approx(1.0)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 4), st.integers(2, 6))
def test_blend_weights_on_subsets_are_each_subsets_own_fit(seed, m, n_subsets):
    """Fitting several row subsets side by side gives each subset's one-at-a-time weights."""
    rng = np.random.default_rng(seed)
    picked = rng.uniform(0.0, 1.0, size=(150, m)) ** 3  # some near-zero probabilities
    subsets = rng.random((n_subsets, 150)) < rng.uniform(0.3, 1.0, size=(n_subsets, 1))
    subsets[:, 0] = True
    together = fit_blend_weights_on_subsets(picked, subsets)
    for rows, w in zip(subsets, together, strict=True):
        np.testing.assert_allclose(w, fit_blend_weights(picked[rows]), atol=1e-9)
