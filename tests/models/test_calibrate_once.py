"""labelwise.models._calibrate: the cross-fitted temperature takes the logits once and gives the same bits.

``_reference_*`` are temperature scaling as session 36 wrote it (kept here in its arithmetic): the
cross-fit that reads its rows of one set of logits must give the same numbers, bit for bit.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.models import _calibrate
from labelwise.models._calibrate import apply_temperature, cross_fit_temperature, fit_temperature


def _reference_fit(probs, codes, tol=1e-6, max_iter=50):
    z = np.log(np.maximum(probs, _calibrate.FLOOR))
    z = z - z.max(axis=1, keepdims=True)
    zy = z[np.arange(codes.shape[0]), codes]

    def derivatives(s):
        q = np.exp(s * z)
        q /= q.sum(axis=1, keepdims=True)
        mean_z = (q * z).sum(axis=1)
        var_z = (q * z * z).sum(axis=1) - mean_z * mean_z
        return float(np.mean(mean_z - zy)), float(np.mean(np.maximum(var_z, 0.0)))

    lo, hi = _calibrate.INVERSE_T_BOUNDS
    if derivatives(lo)[0] >= 0:
        return 1.0 / lo
    if derivatives(hi)[0] <= 0:
        return 1.0 / hi
    s = 1.0
    for _ in range(max_iter):
        grad, curv = derivatives(s)
        if grad > 0:
            hi = s
        else:
            lo = s
        step = s - grad / curv if curv > 0 else np.inf
        new = step if lo < step < hi else 0.5 * (lo + hi)
        if abs(new - s) <= tol * s or hi - lo <= tol * lo:
            s = new
            break
        s = new
    return float(1.0 / s)


def _reference_apply(probs, temperature):
    z = np.log(np.maximum(probs, _calibrate.FLOOR)) / temperature
    z -= z.max(axis=1, keepdims=True)
    out = np.exp(z)
    out /= out.sum(axis=1, keepdims=True)
    return out


def _reference_cross_fit(probs, codes, folds):
    out = np.empty_like(probs)
    everything = np.ones(codes.shape[0], dtype=bool)
    for test in folds:
        train = everything.copy()
        train[test] = False
        out[test] = _reference_apply(probs[test], _reference_fit(probs[train], codes[train]))
    return out, _reference_fit(probs, codes)


def _case(seed, n, k, sharp):
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.full(k, sharp), size=n)
    probs[rng.random(n) < 0.05] = np.eye(k)[rng.integers(0, k)]  # some one-hot rows (zeros floored)
    codes = rng.integers(0, k, n)
    codes[: min(k, n)] = np.arange(min(k, n))
    folds = np.array_split(rng.permutation(n), 5)
    return probs, codes, folds


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    n=st.integers(10, 600),
    k=st.integers(2, 12),
    sharp=st.sampled_from([0.05, 0.3, 1.0, 5.0]),
)
def test_cross_fit_is_session_36s_bit_for_bit(seed, n, k, sharp):
    """Calibrated probabilities and the all-rows temperature, on 2 to 12 classes (numpy sums 8 or more
    columns differently from fewer: both sides of that)."""
    probs, codes, folds = _case(seed, n, k, sharp)
    out, t = cross_fit_temperature(probs, codes, folds)
    ref_out, ref_t = _reference_cross_fit(probs, codes, folds)
    assert t == ref_t
    assert np.array_equal(out, ref_out)
    assert fit_temperature(probs, codes) == ref_t
    assert np.array_equal(apply_temperature(probs, 1.7), _reference_apply(probs, 1.7))


def test_logits_are_taken_once_for_all_folds(monkeypatch):
    """One ``log p`` for the five folds' fits, their calibrated rows and the all-rows fit (was eleven)."""
    probs, codes, folds = _case(0, 500, 4, 1.0)
    calls = []
    original = _calibrate._logits

    def counted(p):
        calls.append(p.shape[0])
        return original(p)

    monkeypatch.setattr(_calibrate, "_logits", counted)
    cross_fit_temperature(probs, codes, folds)
    assert calls == [500]
