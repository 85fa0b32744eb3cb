"""The label model's steps made cheaper in session 57 (fast57) give the bits of the code they replaced: the EM
step's outcome products and M-step, the moment fit's loss and gradient, and the structure learner's ADMM step
(the replaced code is kept here as the reference)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate._observed import csr_times_dense
from labelwise.weak import _structure_learning
from labelwise.weak._em import run_em
from labelwise.weak._moments import Overlaps, _dot, _loss_grad, indicator
from labelwise.weak._outcomes import _product
from labelwise.weak._posterior import em_m_step, voted_outcomes
from labelwise.weak._structure_learning import _shrink_off_diagonal, sparse_low_rank_admm

FAST = settings(max_examples=60, deadline=None)


def _bits(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a).tobytes()


@st.composite
def outcomes(draw) -> tuple:
    """A label matrix's voted outcomes (singletons, or one clique), its weights, K and a generator."""
    k = draw(st.integers(2, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    n, m = draw(st.integers(1, 80)), draw(st.integers(2, 7))
    matrix = np.where(rng.random((n, m)) < rng.uniform(0.1, 1.0), rng.integers(0, k, size=(n, m)), -1)
    groups = [[0, 1], *[[j] for j in range(2, m)]] if draw(st.booleans()) else [[j] for j in range(m)]
    voted, n_outcomes = voted_outcomes(matrix, k, groups)
    w = rng.integers(1, 9, size=n).astype(np.float64)
    return voted.weighted(w), n_outcomes, w, k, rng


class TestEMStep:
    @given(outcomes(), st.booleans())
    @FAST
    def test_product_equals_csr_times_dense_and_scipy(self, drawn: tuple, transposed: bool) -> None:
        """``_product`` gives ``csr_times_dense``'s and scipy's ``@`` bytes, and a non-contiguous operand takes the
        checked path with the same result."""
        voted, _, _, k, rng = drawn
        m = voted.lam_t if transposed else voted.lam
        x = rng.normal(size=(m.shape[1], k)) * 10.0 ** rng.integers(-5, 5)
        out = _product(m, x)
        assert _bits(out) == _bits(csr_times_dense(m, x, np.empty((m.shape[0], k))))
        assert _bits(out) == _bits(np.asarray(m @ x))
        strided = np.asfortranarray(x)
        assert _bits(_product(m, strided)) == _bits(out)

    @given(outcomes(), st.sampled_from([0.0, 0.01, 1.0]))
    @FAST
    def test_m_step_equals_the_expression_it_replaced(self, drawn: tuple, smoothing: float) -> None:
        """``em_m_step``'s ``μ`` and balance are ``(counts + s) / (mass + s·n_outcomes)`` and ``mass / mass.sum()``
        to the bit, on the voted outcomes and on a plain sparse transpose."""
        voted, n_outcomes, w, k, rng = drawn
        post = rng.dirichlet(np.ones(k), size=voted.lam.shape[0])
        mu, p = em_m_step(voted, post, smoothing, n_outcomes)
        mass = voted.mass(post)
        counts = voted.counts(post, mass)
        assert _bits(mu) == _bits((counts + smoothing) / (mass[None, :] + smoothing * n_outcomes[:, None]))
        assert _bits(p) == _bits(mass / mass.sum())
        lam_t = sp.csr_matrix(rng.random((6, len(post))) < 0.4, dtype=np.float64)
        mu2, _ = em_m_step(lam_t, post, smoothing, np.full(6, 3))
        mass2 = np.ones(len(post)) @ post
        reference = (np.asarray(lam_t @ post) + smoothing) / (mass2[None, :] + smoothing * np.full(6, 3)[:, None])
        assert _bits(mu2) == _bits(reference)

    @given(outcomes())
    @FAST
    def test_tracked_likelihood_is_the_last_e_steps(self, drawn: tuple) -> None:
        """EM's tracked log-likelihood at its last point is ``w @ log z`` of that point's E-step over the items."""
        voted, n_outcomes, w, k, rng = drawn
        post = rng.dirichlet(np.ones(k), size=voted.lam.shape[0])
        p = np.full(k, 1.0 / k)
        run = run_em(voted, n_outcomes, post, p, None, w=w, fixed=False, smoothing=0.01, n_iter=12, tol=0.0)
        assert run.log_votes is not None and len(run.history) >= 1
        assert run.history[-1] == float(w @ run.log_votes) / float(w.sum())


def _old_loss_grad(flat, ov, p, mu0, l2, const, root):
    """``_moments._loss_grad`` as it was before session 57."""
    m, k = ov.n_lfs, ov.n_classes
    mu = flat.reshape(mu0.shape)
    q = mu * root
    oq = np.asarray(ov.fitted @ q)
    qq = q.T @ q
    qb = q.reshape(m, k, k)
    gram = np.matmul(qb.transpose(0, 2, 1), qb)
    near = gram if ov.only_self else np.asarray(ov.excluded_matrix @ gram.reshape(m, k * k)).reshape(m, k, k)
    loss1 = const - 2.0 * _dot(q, oq) + _dot(qq, qq) - _dot(gram, near)
    grad_q = -4.0 * oq + 4.0 * q @ qq - 4.0 * np.matmul(qb, near).reshape(m * k, k)
    r = mu @ p - ov.diag
    loss = loss1 + float(r @ r)
    grad = grad_q * root + 2.0 * (r[:, None] * p)
    if l2:
        diff = mu - mu0
        loss += l2 * _dot(diff, diff)
        grad += 2.0 * l2 * diff
    return loss, grad.ravel()


class TestMomentFit:
    @given(st.integers(0, 2**31 - 1), st.integers(2, 5), st.integers(3, 9), st.booleans(), st.booleans(), st.booleans())
    @FAST
    def test_loss_and_gradient_equal_the_replaced_code(
        self, seed: int, k: int, m: int, dependent: bool, dense: bool, l2: bool
    ) -> None:
        """The loss and gradient equal the pre-session-57 code's bit for bit: dense and sparse overlaps, with and
        without a declared dependency, with and without the l2 term."""
        rng = np.random.default_rng(seed)
        matrix = np.where(rng.random((200, m)) < 0.6, rng.integers(0, k, size=(200, m)), -1)
        ov = Overlaps.build(indicator(matrix, k), m, k, [(0, 1)] if dependent else [], weights=np.ones(200))
        if dense:
            ov = Overlaps(ov.fitted.toarray(), ov.diag, ov.excluded, m, k)
        p = rng.dirichlet(np.ones(k))
        mu0 = rng.uniform(0.0, 1.0, size=(m * k, k))
        flat = rng.uniform(0.0, 1.0, size=m * k * k)
        const, weight = float(rng.uniform(0, 3)), (0.1 if l2 else 0.0)
        new = _loss_grad(flat, ov, p, mu0, weight, const, np.sqrt(p))
        old = _old_loss_grad(flat, ov, p, mu0, weight, const, np.sqrt(p))
        assert new[0] == old[0]
        assert _bits(new[1]) == _bits(old[1])


def _old_shrink(s: np.ndarray, threshold: float) -> np.ndarray:
    out = np.sign(s) * np.maximum(np.abs(s) - threshold, 0.0)
    np.fill_diagonal(out, s.diagonal())
    return out


def _old_admm(sigma, lam, gamma, *, rho=1.0, max_iter=2000, tol=1e-6):
    """``sparse_low_rank_admm`` as it was before session 57."""
    d = sigma.shape[0]
    ev, q = np.linalg.eigh(sigma)
    curvature = 0.5 * (ev[:, None] + ev[None, :])
    eye = np.eye(d)
    s, low, u = np.diag(1.0 / np.maximum(np.diag(sigma), 1e-12)), np.zeros((d, d)), np.zeros((d, d))
    converged, it, shifted = False, 0, curvature + rho
    while it < max_iter:
        it += 1
        r = q @ ((q.T @ (eye + rho * (s - low - u)) @ q) / shifted) @ q.T
        r = 0.5 * (r + r.T)
        s_prev, low_prev = s, low
        s = _old_shrink(r + low + u, lam * gamma / rho)
        vals, vecs = np.linalg.eigh(s - r - u)
        keep = vals > lam / rho
        kept = vecs[:, keep]
        low = (kept * (vals[keep] - lam / rho)) @ kept.T
        low = 0.5 * (low + low.T)
        residual = r - s + low
        u = u + residual
        primal = float(np.abs(residual).max())
        dual = rho * max(float(np.abs(s - s_prev).max()), float(np.abs(low - low_prev).max()))
        if primal < tol and dual < tol:
            converged = True
            break
        if max(primal, dual) > 10.0 * min(primal, dual):
            factor = 2.0 if primal > dual else 0.5
            rho, u = rho * factor, u / factor
            shifted = curvature + rho
    return s, low, it, converged


class TestStructureLearner:
    @given(st.integers(0, 2**31 - 1), st.integers(1, 12), st.floats(0.0, 2.0))
    @FAST
    def test_shrink_equals_the_replaced_code(self, seed: int, d: int, threshold: float) -> None:
        """The soft threshold with the diagonal kept gives the replaced code's bytes (signed zeros included)."""
        rng = np.random.default_rng(seed)
        s = rng.normal(size=(d, d)) * rng.choice([0.0, -0.0, 1.0, 1e-300, 3.0], size=(d, d))
        assert _bits(_shrink_off_diagonal(s, threshold)) == _bits(_old_shrink(s, threshold))

    @given(st.integers(0, 2**31 - 1), st.integers(2, 14), st.floats(0.02, 0.5))
    @settings(max_examples=25, deadline=None)
    def test_admm_equals_the_replaced_loop(self, seed: int, d: int, lam: float) -> None:
        """The ADMM solve gives the replaced loop's ``S``, ``L``, steps and convergence bit for bit."""
        rng = np.random.default_rng(seed)
        x = rng.normal(size=(300, d)) + rng.normal(size=(300, 1)) * rng.uniform(0, 2, size=d)
        cov = np.cov(x, rowvar=False)
        sd = np.sqrt(np.diag(cov))
        corr = cov / np.outer(sd, sd)
        new = sparse_low_rank_admm(corr, lam, _structure_learning.GAMMA)
        s, low, it, converged = _old_admm(corr, lam, _structure_learning.GAMMA)
        assert _bits(new.sparse) == _bits(s)
        assert _bits(new.low_rank) == _bits(low)
        assert (new.n_iter, new.converged) == (it, converged)
