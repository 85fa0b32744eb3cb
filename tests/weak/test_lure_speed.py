"""The lured-item fit's cheaper E- and M-step (session 38, lurespeed38) gives main's answers bit for bit.

``reference_e_step`` and ``reference_step`` are the fit's step as merged in is15h (commit 1ead208a),
verbatim but for ``self`` -> ``model``: per answer gathers by fancy indexing, ``logaddexp`` over
every answer, numpy's reductions. The fit now computes the log-terms per (labeler, vote), gathers
with ``np.take``, adds the lured table in place and sums the short last axis column by column; the
tests require the same bits (``np.testing.assert_array_equal``, not a tolerance).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise.weak import _lure
from labelwise.weak._lure import FLOOR, KAPPA, LAMBDA_PRIOR, RHO_PRIOR, S_PRIOR, LureFit, _last_max, _last_sum
from labelwise.weak._posterior import voted_outcomes
from tests.weak.test_lure import lured_crowd


def reference_e_step(model, x):
    log_pi, s, rho, log_lam, log_p, mu = model.unpack(x)
    r, k = model.r, model.k
    own = log_pi[model.labeler, :, model.vote]
    u = np.log1p(-s)[model.labeler][:, None] + own
    v = np.logaddexp(u, np.log(s)[model.labeler][:, None])
    normal = np.asarray(model.by_row @ own) + np.log1p(-rho) + log_p
    lured = (
        np.asarray(model.by_row @ u)[:, :, None]
        + np.asarray(model.by_vote @ (v - u)).reshape(r, k, k).transpose(0, 2, 1)
        + log_lam[None]
        + np.log(rho)
        + log_p[None, :, None]
    )
    top = np.maximum(normal.max(axis=1), lured.max(axis=(1, 2)))
    t0 = np.exp(normal - top[:, None])
    t1 = np.exp(lured - top[:, None, None])
    total_row = t0.sum(axis=1) + t1.sum(axis=(1, 2))
    log_z = np.log(total_row) + top
    t0 /= total_row[:, None]
    t1 /= total_row[:, None, None]
    return t0, t1, log_z, v


def labeler_sums(model):
    """The (labelers x answers) 0/1 matrix the merged fit kept as ``by_labeler`` (fast53 sums by ``bincount``)."""
    n = len(model.row)
    return sp.csr_matrix((np.ones(n), (model.labeler, np.arange(n))), shape=(model.m, n)).tocsr()


def reference_step(model, x):
    log_pi, s, rho, log_lam, log_p, mu = model.unpack(x)
    t0, t1, log_z, v = reference_e_step(model, x)
    w, wn, k, m = model.w, model.wn, model.k, model.m
    pz = t0 + t1.sum(axis=2)
    p_lured = t1.sum(axis=(1, 2))
    value = model.log_posterior(float(w @ log_z), log_pi, s, rho, log_lam, mu)
    resp = t1[model.row, :, model.vote] * np.exp(np.log(s)[model.labeler][:, None] - v)
    by_labeler = labeler_sums(model)
    lure_votes = by_labeler @ (wn * resp.sum(axis=1))
    trials = by_labeler @ (wn * p_lured[model.row])
    if model.shared:
        s_new = np.full(m, (lure_votes.sum() + S_PRIOR[0] - 1) / (trials.sum() + S_PRIOR[0] + S_PRIOR[1] - 2))
    else:
        s_new = (lure_votes + KAPPA * mu) / (trials + KAPPA)
    weight = wn[:, None] * (pz[model.row] - resp)
    counts = np.asarray(model.by_labeler_vote @ weight).reshape(m, k, k).transpose(0, 2, 1)
    votes = counts + model.a_prior
    pi = votes / np.maximum(votes.sum(axis=2, keepdims=True), FLOOR)
    pi = np.where(votes.sum(axis=2, keepdims=True) > 0, np.maximum(pi, FLOOR), np.exp(log_pi))
    rho_new = (float(w @ p_lured) + RHO_PRIOR[0] - 1) / (float(w.sum()) + RHO_PRIOR[0] + RHO_PRIOR[1] - 2)
    lam = np.tensordot(w, t1, axes=1) + (LAMBDA_PRIOR - 1)
    lam[~model.off] = 0.0
    log_lam_new = np.log(np.maximum(lam, FLOOR) / lam.sum(axis=1, keepdims=True))
    if model.free:
        log_p = np.log(np.maximum(w @ pz, FLOOR) / max(float(w @ pz.sum(axis=1)), FLOOR))
    s_new = np.clip(s_new, 1e-6, 1 - 1e-6)
    rho_new = float(np.clip(rho_new, 1e-9, 1 - 1e-9))
    new = model.pack(np.log(pi / pi.sum(axis=2, keepdims=True)), s_new, rho_new, log_lam_new, log_p, mu)
    return value / float(w.sum()), new, (pz, log_z)


class ReferenceFit(LureFit):
    """:class:`LureFit` stepping by the merged (is15h) code."""

    def step(self, x):
        return reference_step(self, x)


def problem(k: int, seed: int, n: int = 150, m: int = 20):
    """A lured crowd's distinct rows and the fit's inputs: a start ``μ`` near 0.7 accuracy, flat prior."""
    matrix, _ = lured_crowd(n=n, k=k, m=m, seed=seed)
    voted = voted_outcomes(matrix, k, [[j] for j in range(m)])[0].weighted(np.ones(len(matrix)))
    mu = np.full((voted.lam.shape[1], k), 0.3 / (k - 1))
    for j, z in itertools.product(range(m), range(k)):
        mu[voted.starts[j] + 1 + z, z] = 0.7
    prior = np.random.default_rng(seed).uniform(0.5, 3.0, (voted.lam.shape[1], k))
    return voted, mu, prior


@pytest.mark.parametrize("k", [2, 3, 4, 7, 8, 11])
def test_last_axis_sum_and_max_give_numpys_bits(k):
    """Column-by-column sums equal ``a.sum(axis=-1)`` bit for bit (numpy adds fewer than 8 entries left to
    right; from 8 on it is numpy's own), maxima equal ``a.max(axis=-1)``, NaN included; on 1-, 2- and 3-d arrays."""
    rng = np.random.default_rng(k)
    for shape in [(k,), (500, k), (60, k, k)]:
        a = rng.standard_normal(shape) * np.exp(3 * rng.standard_normal(shape))
        np.testing.assert_array_equal(_last_sum(a), a.sum(axis=-1))
        a.flat[::7] = np.nan
        np.testing.assert_array_equal(_last_max(a), a.max(axis=-1))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(k=st.integers(3, 9), seed=st.integers(0, 2**16), shared=st.booleans(), free=st.booleans())
def test_one_step_equals_the_merged_step_bit_for_bit(k, seed, shared, free):
    """At a random point (random confusions, susceptibilities, ρ, λ, balance) the E-step's posteriors and
    ``log P(votes)``, the objective and the M-step's point are the merged code's, to the last bit."""
    voted, _, prior = problem(k, seed, n=80, m=12)
    model = LureFit(voted, k, prior, free=free)
    model.shared = shared
    x = np.random.default_rng(seed).uniform(-3.0, 3.0, model.sizes[-1] + k + 1)
    new = model.step(x)
    ref = reference_step(model, x)
    assert new[0] == ref[0]
    np.testing.assert_array_equal(new[1], ref[1])
    np.testing.assert_array_equal(new[2][0], ref[2][0])
    np.testing.assert_array_equal(new[2][1], ref[2][1])
    for a, b in zip(model.e_step(x), reference_e_step(model, x), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(("k", "seed"), [(3, 11), (4, 12), (5, 13)])
def test_both_stages_end_where_the_merged_fit_ends(k, seed, monkeypatch):
    """The whole two-stage fit (SQUAREM's jumps amplify any difference) gives the merged fit's posterior,
    ``log P(votes)``, class balance, parameters and number of steps, bit for bit, on fresh lured crowds."""
    voted, mu, prior = problem(k, seed)
    p = np.full(k, 1.0 / k)
    args = {"free": True, "n_iter": 100, "tol": 1e-6}
    new = _lure.fit_lured_items(voted, mu, p, k, prior, **args)
    monkeypatch.setattr(_lure, "LureFit", ReferenceFit)
    ref = _lure.fit_lured_items(voted, mu, p, k, prior, **args)
    for a, b in zip(new[:3], ref[:3], strict=True):
        np.testing.assert_array_equal(a, b)
    for run_new, run_ref in zip(new[3], ref[3], strict=True):
        np.testing.assert_array_equal(run_new.theta, run_ref.theta)
        assert run_new.n_evals == run_ref.n_evals
        assert run_new.history == run_ref.history


@pytest.mark.parametrize("shape", [(4,), (9,), (30, 3), (7, 4, 4), (5, 9, 9)])
def test_logsumexp_gives_the_merged_bits(shape):
    """``_logsumexp`` over the last axis (column by column) equals the merged numpy-reduction version, ``-inf``
    entries and a whole ``-inf`` slice included; over another axis it is numpy's reduction as before."""
    rng = np.random.default_rng(len(shape))
    a = 5 * rng.standard_normal(shape)
    a.flat[::5] = -np.inf
    a[..., :] = np.where(np.arange(a.size).reshape(shape) < shape[-1], -np.inf, a)  # the first slice all -inf
    for axis in range(a.ndim):
        top = np.max(a, axis=axis, keepdims=True)
        top = np.where(np.isfinite(top), top, 0.0)
        with np.errstate(divide="ignore"):
            ref = np.log(np.sum(np.exp(a - top), axis=axis, keepdims=True)) + top
            np.testing.assert_array_equal(_lure._logsumexp(a, axis, keepdims=True), ref)
            np.testing.assert_array_equal(_lure._logsumexp(a, axis), np.squeeze(ref, axis=axis))


@pytest.mark.parametrize("width", [1, 4, 9, 16, 25, 36, 37, 49, 100])
def test_row_maximum_is_numpys_on_narrow_and_wide_rows(width):
    """``_row_max`` (column by column up to 36 columns, numpy's reduction beyond) equals ``a.max(axis=1)``, NaN and
    ``-inf`` entries included (fast53)."""
    rng = np.random.default_rng(width)
    a = 5 * rng.standard_normal((300, width))
    a.flat[::11] = -np.inf
    a.flat[::17] = np.nan
    np.testing.assert_array_equal(_lure._row_max(a), a.max(axis=1))


@settings(max_examples=200, deadline=None)
@given(x=st.floats(allow_nan=True, allow_infinity=True), low=st.floats(-1.0, 0.5), span=st.floats(0.0, 1.0))
def test_clip_of_one_float_is_numpys(x, low, span):
    """``_clip`` of one float equals ``float(np.clip(x, low, high))``, NaN staying NaN (fast53)."""
    high = low + span
    got, ref = _lure._clip(x, low, high), float(np.clip(x, low, high))
    assert (np.isnan(got) and np.isnan(ref)) or got == ref
