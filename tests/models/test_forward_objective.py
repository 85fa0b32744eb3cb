"""labelwise.models._forward: the corrected fit's objective, made cheaper, gives the same numbers bit for bit.

``_reference_objective`` is the objective as session 36 wrote it (kept here, verbatim in its
arithmetic): the faster one must return the same value and gradient, hence the same fit.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from labelwise.models import _forward
from labelwise.models._calibrate import row_max
from labelwise.models._forward import ForwardLogistic, _objective, anchor_transition


def _reference_objective(theta, X, codes, T_given, penalty):
    k = T_given.shape[1]
    n_out = 1 if k == 2 else k
    d = X.shape[1]
    W, b = theta[: d * n_out].reshape(d, n_out), theta[d * n_out :]
    Z = np.asarray(X @ W) + b
    if k == 2:
        Z = np.hstack([np.zeros((Z.shape[0], 1)), Z])
    Z -= Z.max(axis=1, keepdims=True)
    q = np.exp(Z, out=Z)
    q /= q.sum(axis=1, keepdims=True)
    r = np.maximum(np.einsum("ij,ij->i", q, T_given), _forward._TINY)
    n = codes.size
    loss = -float(np.log(r).mean()) + 0.5 * penalty * float((W * W).sum())
    dZ = q * (1.0 - T_given / r[:, None])
    dZ /= n
    if k == 2:
        dZ = dZ[:, 1:]
    grad_W = np.asarray(X.T @ dZ) + penalty * W
    return loss, np.concatenate([grad_W.ravel(), dZ.sum(axis=0)])


def _problem(n, d, k, seed, sparse=False):
    """Features as the column transformer gives them, labels, ``T[:, ỹ]`` per row and a point."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * rng.uniform(0.1, 3.0, d)
    if sparse:
        X[rng.random((n, d)) < 0.7] = 0.0
        X = sp.csr_matrix(X)
    codes = rng.integers(0, k, n)
    T = anchor_transition(rng.dirichlet(np.ones(k) * 0.5, 2000))
    n_out = 1 if k == 2 else k
    theta = rng.normal(scale=0.5, size=d * n_out + n_out)
    return X, codes, np.ascontiguousarray(T[:, codes].T), theta


class TestRowMax:
    @settings(max_examples=60, deadline=None)
    @given(
        hnp.arrays(
            np.float64,
            hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=12),
            elements=st.floats(allow_nan=True, allow_infinity=True, width=64),
        )
    )
    def test_is_the_row_maximum(self, values):
        """The same numbers as ``ndarray.max(axis=1)``, NaN and infinities included."""
        np.testing.assert_array_equal(row_max(values), values.max(axis=1))


class TestObjective:
    @pytest.mark.parametrize("k", [2, 3, 5, 10])
    @pytest.mark.parametrize("sparse", [False, True])
    def test_value_and_gradient_are_session_36s_bit_for_bit(self, k, sparse):
        X, codes, T_given, theta = _problem(30_000, 40, k, seed=k, sparse=sparse)
        loss, grad = _objective(theta, X, codes, T_given, 1e-3)
        ref_loss, ref_grad = _reference_objective(theta, X, codes, T_given, 1e-3)
        assert loss == ref_loss
        assert np.array_equal(grad, ref_grad)

    @settings(max_examples=20, deadline=None)
    @given(seed=st.integers(0, 2**31 - 1), k=st.integers(2, 9), n=st.integers(5, 400), d=st.integers(1, 12))
    def test_same_bits_on_random_problems(self, seed, k, n, d):
        X, codes, T_given, theta = _problem(n, d, k, seed)
        loss, grad = _objective(theta, X, codes, T_given, 0.01)
        ref_loss, ref_grad = _reference_objective(theta, X, codes, T_given, 0.01)
        assert loss == ref_loss
        assert np.array_equal(grad, ref_grad)

    @pytest.mark.parametrize("k", [2, 4])
    def test_the_fit_is_the_one_with_session_36s_objective(self, k, monkeypatch):
        """Coefficients, intercepts and predicted probabilities equal bit for bit."""
        X, codes, _, _ = _problem(4000, 12, k, seed=11)
        X = X + 1.5 * np.eye(k, 12)[codes]
        fast = ForwardLogistic().fit(X, codes)
        monkeypatch.setattr(_forward, "_objective", _reference_objective)
        slow = ForwardLogistic().fit(X, codes)
        assert np.array_equal(fast.coef_, slow.coef_)
        assert np.array_equal(fast.intercept_, slow.intercept_)
        assert np.array_equal(fast.predict_proba(X), slow.predict_proba(X))
