"""The label model's steps made cheaper in session 54 (fast54) give the bits of the code they replaced: the moment
fit's projection and dot products, EM's E- and M-step products by scipy's kernel, the shared ``log μ``, and the
one-class fit's steps made once for its two or three fits."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.weak import _covote_join, _negative_pairs, _one_class_fit, simulate_lfs
from labelwise.weak._em import log_prior
from labelwise.weak._moments import _box, _dot
from labelwise.weak._posterior import FLOOR, posterior, voted_outcomes
from labelwise.weak._shared_steps import SHARED, reused_for_all

FAST = settings(max_examples=80, deadline=None)


def _bits(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a).tobytes()


@st.composite
def label_matrices(draw, max_rows: int = 60, max_lfs: int = 7) -> tuple[np.ndarray, int, np.random.Generator]:
    """A label matrix (-1 = abstain), its number of classes and a generator for the rest."""
    k = draw(st.integers(2, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    n, m = draw(st.integers(1, max_rows)), draw(st.integers(1, max_lfs))
    return np.where(rng.random((n, m)) < rng.uniform(0, 1), rng.integers(0, k, size=(n, m)), -1), k, rng


class TestMomentFitSteps:
    @given(
        st.lists(
            st.sampled_from([0.0, -0.0, 1.0, 0.5, -3.0, 2.0, 1e-300, -1e-300, np.inf, -np.inf, np.nan]), max_size=30
        )
    )
    @FAST
    def test_box_is_np_clip_to_the_bit(self, values: list[float]) -> None:
        """The projection onto ``[0, 1]`` gives ``np.clip``'s bytes, signed zeros, infinities and NaN included."""
        x = np.asarray(values, dtype=np.float64)
        assert _bits(_box(x)) == _bits(np.clip(x, 0.0, 1.0))

    @given(st.integers(0, 2**31 - 1), st.sampled_from([(1,), (7,), (50, 5), (4, 3, 3), (10, 5, 5)]))
    @FAST
    def test_dot_is_the_flattened_product_to_the_bit(self, seed: int, shape: tuple[int, ...]) -> None:
        """``_dot`` equals ``a.ravel() @ b.ravel()`` (the code it replaced) bit for bit, at any scale."""
        rng = np.random.default_rng(seed)
        a = rng.normal(size=shape) * 10.0 ** rng.integers(-8, 8)
        b = rng.normal(size=shape)
        assert _dot(a, b) == float(a.ravel() @ b.ravel())


class TestEStepAndMStep:
    @given(label_matrices(), st.booleans())
    @FAST
    def test_log_joint_and_counts_equal_scipys_products(self, votes: tuple, weighted: bool) -> None:
        """The E-step's ``λ (log μ − log μ[baseline])`` and the M-step's ``λᵀ W T`` equal scipy's ``@`` bit for bit."""
        matrix, k, rng = votes
        voted, _ = voted_outcomes(matrix, k, [[j] for j in range(matrix.shape[1])])
        if weighted:
            voted = voted.weighted(rng.integers(1, 30, size=len(matrix)).astype(np.float64))
        log_mu = np.log(rng.uniform(FLOOR, 1.0, size=(voted.lam.shape[1], k)))
        offset = rng.normal(size=k)
        expected = np.asarray(voted.lam @ (log_mu - log_mu[voted.baseline]))
        for j in range(k):  # columnwise's additions
            expected[:, j] += (log_mu[voted.starts].sum(axis=0) + offset)[j]
        assert _bits(voted.log_joint(log_mu, offset)) == _bits(expected)
        post = rng.dirichlet(np.ones(k), size=len(matrix))
        raw = np.asarray(voted.lam_t @ post)
        counts = voted.counts(post)
        rest = np.setdiff1d(np.arange(raw.shape[0]), voted.starts)
        assert _bits(counts[rest]) == _bits(raw[rest])

    @given(label_matrices(), st.floats(0.0, 1.0))
    @FAST
    def test_a_given_log_mu_changes_no_bit(self, votes: tuple, smoothing: float) -> None:
        """``posterior`` and ``log_prior`` with EM's shared ``log(max(μ, FLOOR))`` equal them computing it themselves."""
        matrix, k, rng = votes
        voted, _ = voted_outcomes(matrix, k, [[j] for j in range(matrix.shape[1])])
        mu = rng.uniform(0.0, 1.0, size=(voted.lam.shape[1], k)) * (rng.random((voted.lam.shape[1], k)) > 0.2)
        p = rng.dirichlet(np.ones(k))
        log_mu = np.log(np.maximum(mu, FLOOR))
        for a, b in zip(posterior(voted, mu, p), posterior(voted, mu, p, log_mu), strict=True):
            assert _bits(a) == _bits(b)
        assert log_prior(mu, smoothing, None) == log_prior(mu, smoothing, None, None, log_mu)


class TestOnceForTheSharedFits:
    def test_reused_for_all_holds_its_objects(self) -> None:
        """In a shared context a step is made once for the same objects, and again for an equal copy of one."""
        a, b, calls = np.arange(4), np.ones(3), []

        def make() -> float:
            calls.append(1)
            return float(a.sum() + b.sum())

        token = SHARED.set({})
        try:
            first = reused_for_all((a, b), "step", make)
            assert reused_for_all((a, b), "step", make) == first and len(calls) == 1
            assert reused_for_all((a, b.copy()), "step", make) == first and len(calls) == 2
        finally:
            SHARED.reset(token)
        assert reused_for_all((a, b), "step", make) == first and len(calls) == 3  # outside: made every time

    def test_the_negative_pair_is_judged_once_per_fit(self, monkeypatch) -> None:
        """The one-class fit's two or three fits of one set compute the same-class negative pair once (twice before
        session 54 on this set), and the posterior is that of a fit that computes it each time. lowcov55's co-vote join
        is off: on this set it makes a second fit with a co-voting pair joined (its own shared steps), which BIC drops."""
        monkeypatch.setattr(_covote_join, "ENABLED", False)
        votes = simulate_lfs(3000, 15, 3, n_correlated=4, coverage=(0.05, 0.6), imbalance=3.0, random_state=1004).votes
        from labelwise.weak import LabelModel

        with monkeypatch.context() as patch:  # each fit computes it itself
            patch.setattr(_negative_pairs, "reused_for_all", lambda objs, key, make: make())
            before = LabelModel().fit(votes)
        real, calls = _negative_pairs.lowest_same_class_z, []
        monkeypatch.setattr(_negative_pairs, "lowest_same_class_z", lambda *a: calls.append(1) or real(*a))
        after = LabelModel().fit(votes)
        assert len(calls) == 1
        assert _bits(after.probas_.to_numpy()) == _bits(before.probas_.to_numpy())

    @given(label_matrices(max_lfs=6))
    @FAST
    def test_clique_outcomes_equal_np_unique(self, votes: tuple) -> None:
        """The parameters a clique uses count its distinct joint outcomes on the voted rows, as ``np.unique`` does,
        once per clique in a shared context."""
        matrix, k, rng = votes
        m = matrix.shape[1]
        w = rng.integers(0, 3, size=len(matrix)).astype(np.float64)
        groups = [list(range(min(3, m)))] + [[j] for j in range(min(3, m), m)]
        token = SHARED.set({})
        try:
            d = _one_class_fit.used_parameters(matrix, w, groups, k)
            assert _one_class_fit.used_parameters(matrix, w, groups, k) == d
        finally:
            SHARED.reset(token)
        kept = (matrix >= 0).any(axis=1) & (w > 0)
        expected = sum(len(np.unique(matrix[:, g][kept], axis=0)) - 1 for g in groups) if kept.any() else 0
        assert d == expected * k


def test_indicator_products_are_csr() -> None:
    """The E-step's outcome table and its weighted transpose are CSR float64 (the kernel's input; else scipy's
    ``@``, the same sums)."""
    matrix = np.array([[0, -1, 1], [1, 1, -1], [-1, -1, -1]])
    voted = voted_outcomes(matrix, 2, [[0], [1], [2]])[0].weighted(np.array([1.0, 2.0, 3.0]))
    assert isinstance(voted.lam, sp.csr_matrix) and isinstance(voted.lam_t, sp.csr_matrix)
    assert voted.lam.dtype == voted.lam_t.dtype == np.float64
