"""Ibrahim et al.'s MultiSPA and MultiSPA-KL start in ``weak.LabelModel`` (``weak._multispa``): the estimate on a
planted crowd, SPA, the KL fit's ascent, where it cannot run, invariances and the ``spectral_start="multispa"``
switch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise.errors import InvalidParameterError
from labelwise.weak import LabelModel
from labelwise.weak._moments import indicator
from labelwise.weak._multispa import kl_refine, multispa_confusions, spa
from labelwise.weak._posterior import vote_counts, vote_shares, voted_outcomes


def ds_crowd(n: int = 4000, k: int = 3, m: int = 10, per_item: int = 5, seed: int = 0, anchors: bool = False):
    """Dawid-Skene's model: each item answered by ``per_item`` random workers of ``m``, worker ``j`` by its
    confusion (accuracy 0.55-0.85 per class, the rest spread by a Dirichlet draw), classes of shares 0.5/0.3/0.2
    (K = 3); returns the vote matrix, the truth and the confusions ``[j, class, answer]``. ``anchors``: the paper's
    anchor condition, worker ``j``'s errors all go to class ``j mod K`` (and it never errs on that class), so its
    other answers are given on their own class only."""
    rng = np.random.default_rng(seed)
    y = rng.choice(k, n, p=np.arange(k, 0, -1) / np.arange(k, 0, -1).sum())
    conf = np.empty((m, k, k))
    for j in range(m):
        for z in range(k):
            acc = rng.uniform(0.55, 0.85)
            conf[j, z] = np.insert(rng.dirichlet(np.full(k - 1, 2.0)) * (1 - acc), z, acc)
            if anchors:
                conf[j, z] = np.eye(k)[z] * acc + np.eye(k)[j % k] * (1 - acc)
    matrix = np.full((n, m), -1)
    for i in range(n):
        for j in rng.choice(m, per_item, replace=False):
            matrix[i, j] = rng.choice(k, p=conf[j, y[i]])
    return matrix, y, conf


def estimate(matrix: np.ndarray, k: int, groups: list[list[int]] | None = None, kl: bool = True):
    """``multispa_confusions`` on a vote matrix (rows of weight 1, majority vote's shares as the reference)."""
    m = matrix.shape[1]
    groups = [[j] for j in range(m)] if groups is None else groups
    voted = voted_outcomes(matrix, k, groups)[0]
    lam = indicator(matrix, k)
    majority = vote_shares(lam, m, k, vote_counts(lam, m, k))
    return multispa_confusions(voted, np.ones(len(matrix)), k, groups, majority, kl=kl)


def fit(matrix: np.ndarray, k: int, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LabelModel(labels=list(range(k)), **params).fit(matrix)


class TestSpa:
    def test_finds_the_vertices_of_points_in_a_simplex(self):
        """Columns that are convex combinations of four vertices, the vertices among them: SPA picks the vertices."""
        rng = np.random.default_rng(0)
        vertices = rng.dirichlet(np.ones(6), size=4).T * 3  # (6, 4)
        mix = rng.dirichlet(np.ones(4), size=50).T * 0.9 + 0.1 / 4  # interior points
        z = np.hstack([vertices @ mix[:, :20], vertices, vertices @ mix[:, 20:]])
        assert sorted(spa(z, 4).tolist()) == [20, 21, 22, 23]


class TestKLFit:
    @settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(seed=st.integers(0, 2**16))
    def test_criterion_never_falls(self, seed):
        """From any start, each EM step of the KL fit raises ``Σ R̂ log A_m D A_lᵀ`` (lowers the KL criterion)."""
        rng = np.random.default_rng(seed)
        k, m = 3, 5
        first, second = np.triu_indices(m, 1)
        r_hat = rng.dirichlet(np.ones(k * k), size=len(first)).reshape(-1, k, k)
        a = rng.dirichlet(np.ones(k), size=(m, k)).transpose(0, 2, 1)  # columns are distributions
        _, _, history = kl_refine(r_hat, first, second, a, rng.dirichlet(np.ones(k)))
        assert len(history) > 2
        assert np.all(np.diff(history) >= -1e-12)

    def test_exact_cooccurrences_are_a_fixed_point(self):
        """Given the exact ``R = A_m D A_lᵀ`` of planted confusions, the fit started there stays there."""
        rng = np.random.default_rng(1)
        k, m = 3, 4
        a = rng.dirichlet(np.ones(k), size=(m, k)).transpose(0, 2, 1)
        d = np.array([0.5, 0.3, 0.2])
        first, second = np.triu_indices(m, 1)
        r = np.matmul(a[first] * d, np.transpose(a[second], (0, 2, 1)))
        a_out, d_out, _ = kl_refine(r, first, second, a, d)
        np.testing.assert_allclose(a_out, a, atol=1e-9)
        np.testing.assert_allclose(d_out, d, atol=1e-9)


class TestEstimate:
    @pytest.mark.parametrize("seed", [0, 1])
    def test_recovers_planted_confusions(self, seed):
        """On 4,000 items of a Dawid-Skene crowd meeting the paper's anchor condition (5 of 10 workers per item),
        every estimated confusion entry is within 0.07 of the planted one, and the class balance within 0.01."""
        matrix, y, conf = ds_crowd(seed=seed, anchors=True)
        out = estimate(matrix, 3)
        assert out.reason is None
        assert np.abs(out.confusion - conf).max() < 0.07
        np.testing.assert_allclose(out.balance, np.bincount(y, minlength=3) / len(y), atol=0.01)
        np.testing.assert_allclose(out.post.sum(axis=1), 1.0)

    def test_kl_fit_improves_on_spa_alone(self):
        """MultiSPA-KL's estimate is closer to the planted confusions than MultiSPA's alone (``kl=False``), which is
        still within 0.15 of them."""
        matrix, _, conf = ds_crowd(seed=2, anchors=True)
        with_kl, alone = estimate(matrix, 3), estimate(matrix, 3, kl=False)
        assert np.abs(alone.confusion - conf).max() < 0.15
        assert np.abs(with_kl.confusion - conf).mean() < np.abs(alone.confusion - conf).mean()

    def test_cliques_say_why_they_cannot_run(self):
        """Labelers modelled jointly give a reason and no start."""
        matrix, _, _ = ds_crowd(n=500)
        out = estimate(matrix, 3, [[0, 1], *[[j] for j in range(2, 10)]])
        assert out.post is None and "cliques" in out.reason

    def test_sparse_crowd_says_why_it_cannot_run(self):
        """Two votes per item from 200 workers: no worker has K columns of 20 co-occurrences, and no start."""
        rng = np.random.default_rng(3)
        matrix = np.full((2000, 200), -1)
        for i in range(2000):
            matrix[i, rng.choice(200, 2, replace=False)] = rng.integers(0, 3, 2)
        out = estimate(matrix, 3)
        assert out.post is None and out.reason.startswith("fewer than two labelers share 20 items per column")


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16), perm_seed=st.integers(0, 2**16))
def test_estimate_follows_item_order_and_class_names(seed, perm_seed):
    """Reordering the items and renaming the classes reorders and renames the estimate."""
    matrix, _, _ = ds_crowd(n=1500, seed=seed)
    rng = np.random.default_rng(perm_seed)
    perm, rename = rng.permutation(len(matrix)), rng.permutation(3)
    moved = np.where(matrix[perm] >= 0, rename[np.maximum(matrix[perm], 0)], -1)
    a, b = estimate(matrix, 3), estimate(moved, 3)
    assert a.reason is None and b.reason is None
    np.testing.assert_allclose(b.confusion[:, rename][:, :, rename], a.confusion, atol=1e-7)
    np.testing.assert_allclose(b.post[:, rename], a.post[perm], atol=1e-7)


class TestLabelModelMultiSPAStart:
    @pytest.mark.parametrize("start", ["multispa", "multispa-kl"])
    def test_the_switch_runs_the_multispa_start(self, start):
        """``spectral_start="multispa"`` (or ``"multispa-kl"``) runs the MultiSPA start on a crowd; on a plain
        Dawid-Skene crowd both starts reach one optimum and the usual fit is kept, bit for bit."""
        matrix, _, _ = ds_crowd(n=1500)
        on, off = fit(matrix, 3, spectral_start=start), fit(matrix, 3, spectral_start=False)
        assert on.spectral_start_ == "not kept"
        np.testing.assert_array_equal(on.probas_.to_numpy(), off.probas_.to_numpy())

    def test_multispa_start_wins_where_majority_vote_stops_lower(self):
        """``spectral_start="multispa"`` runs the MultiSPA start (off by default); on ``test_spectral``'s crowd of permutation-confused workers,
        EM from it ends at a MAP fit whose objective is higher, by far more than ``tol``, than majority vote's start
        reaches, and the model keeps it."""
        from tests.weak.test_spectral import search_crowd

        matrix, _, k = search_crowd(292)
        on = fit(matrix, k, lured_items=False, spectral_start="multispa")
        off = fit(matrix, k, lured_items=False)
        assert LabelModel().spectral_start is False and on.spectral_start_ == "kept"
        assert on.em_objective_history_[-1] > off.em_objective_history_[-1] + 1e-4

    def test_reason_reaches_the_model(self):
        """A sparse crowd's fit says why the MultiSPA start did not run."""
        rng = np.random.default_rng(4)
        matrix = np.full((1500, 200), -1)
        for i in range(1500):
            matrix[i, rng.choice(200, 2, replace=False)] = rng.integers(0, 3, 2)
        out = fit(matrix, 3, abstains="missing", spectral_start="multispa")
        assert out.spectral_start_.startswith("not run: fewer than two labelers share")

    @pytest.mark.parametrize("value", ["MultiSPA", "tensor", 2])
    def test_other_values_are_refused(self, value):
        """A ``spectral_start`` other than True, False or "multispa" is refused, naming the three."""
        with pytest.raises(InvalidParameterError, match=r'spectral_start must be True or False, got .*"multispa"'):
            LabelModel(spectral_start=value).fit(np.array([[0, 1], [1, 1]]))
