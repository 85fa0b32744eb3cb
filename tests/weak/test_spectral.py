"""Zhang et al.'s spectral start in ``weak.LabelModel`` (``weak._spectral``): Stage 1's estimate, where it
cannot run, invariances, the kept fit and the switch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise.errors import InvalidParameterError
from labelwise.weak import LabelModel
from labelwise.weak._posterior import voted_outcomes
from labelwise.weak._spectral import power_method, spectral_confusions


def ds_crowd(n: int = 3000, k: int = 3, m: int = 9, share: float = 1.0, seed: int = 0):
    """Dawid-Skene's model: worker ``j`` answers ``share`` of the items by its confusion row (accuracy
    0.55-0.85, the rest spread by a Dirichlet draw); returns the vote matrix, the truth and the confusions."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    conf = np.empty((m, k, k))
    for j in range(m):
        acc = rng.uniform(0.55, 0.85)
        for z in range(k):
            off = rng.dirichlet(np.full(k - 1, 2.0)) * (1 - acc)
            conf[j, z] = np.insert(off, z, acc)
    matrix = np.full((n, m), -1)
    for j in range(m):
        on = rng.random(n) < share
        votes = (rng.random(n)[:, None] > conf[j][y].cumsum(axis=1)).sum(axis=1)
        matrix[on, j] = np.minimum(votes, k - 1)[on]
    return matrix, y, conf


def stage1(matrix: np.ndarray, k: int, groups: list[list[int]] | None = None):
    groups = [[j] for j in range(matrix.shape[1])] if groups is None else groups
    voted = voted_outcomes(matrix, k, groups)[0]
    return spectral_confusions(voted, np.ones(len(matrix)), k, groups)


def search_crowd(seed: int):
    """A crowd of random confusions, some workers confused by a permutation of the classes (the search
    that found a crowd where the two starts end at different MAP optima; see ``test_spectral_start_wins``)."""
    rng = np.random.default_rng(1000 + seed)
    k, m, n = int(rng.integers(3, 6)), int(rng.integers(6, 30)), int(rng.integers(150, 600))
    y = rng.integers(0, k, n)
    conf = np.empty((m, k, k))
    for j in range(m):
        strength = rng.uniform(-0.5, 3.0)
        alpha = np.ones((k, k)) + np.eye(k) * max(strength, 0) * 3
        if strength < 0:
            alpha = np.ones((k, k)) + np.eye(k)[rng.permutation(k)] * 4
        conf[j] = np.array([rng.dirichlet(a) for a in alpha])
    share = rng.uniform(0.2, 1.0)
    matrix = np.full((n, m), -1)
    for j in range(m):
        on = rng.random(n) < share
        votes = (rng.random(n)[:, None] > conf[j][y].cumsum(axis=1)).sum(axis=1)
        matrix[on, j] = votes[on]
    return np.minimum(matrix, k - 1), y, k


def fit(matrix: np.ndarray, k: int, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LabelModel(labels=list(range(k)), **params).fit(matrix)


class TestStageOne:
    def test_recovers_the_confusions_of_a_dawid_skene_crowd(self):
        """On 3,000 items of a Dawid-Skene crowd, every worker's estimated confusion row is within 0.06 of the truth."""
        matrix, _, conf = ds_crowd()
        out = stage1(matrix, 3)
        assert out.reason is None
        assert np.abs(out.confusion - conf).max() < 0.06
        np.testing.assert_allclose(out.balance, np.bincount(ds_crowd()[1], minlength=3) / 3000, atol=0.03)

    def test_missing_votes_are_divided_out(self):
        """Workers answering 60% of the items: the confusion rows (columns normalised) still match the truth."""
        matrix, _, conf = ds_crowd(n=5000, share=0.6, seed=1)
        out = stage1(matrix, 3)
        assert out.reason is None
        assert np.abs(out.confusion - conf).max() < 0.08
        np.testing.assert_allclose(out.confusion.sum(axis=2), 1.0)

    def test_power_method_finds_an_orthogonal_decomposition(self):
        """A tensor Σ λ_h v_h⊗v_h⊗v_h of orthonormal ``v`` gives back its eigenvalues and vectors."""
        v = np.linalg.qr(np.random.default_rng(2).standard_normal((4, 4)))[0]
        lam = np.array([3.0, 2.0, 1.5, 0.5])
        t = np.einsum("h,ah,bh,ch->abc", lam, v, v, v)
        values, vectors = power_method(t, np.random.default_rng(0).standard_normal((6, 4)))
        order = np.argsort(-values)
        np.testing.assert_allclose(values[order], lam, atol=1e-8)
        np.testing.assert_allclose(np.abs(vectors[:, order].T @ v), np.eye(4), atol=1e-6)

    def test_sparse_crowd_says_why_it_cannot_run(self):
        """Two votes per item: too few items voted on by all three groups, and no start."""
        rng = np.random.default_rng(3)
        matrix = np.full((2000, 60), -1)
        for i in range(2000):
            matrix[i, rng.choice(60, 2, replace=False)] = rng.integers(0, 3, 2)
        out = stage1(matrix, 3)
        assert out.post is None and out.confusion is None
        assert "too few items voted on by all three groups" in out.reason

    def test_cliques_and_two_labelers_say_why_they_cannot_run(self):
        """Labelers modelled jointly, or fewer than three labelers with a vote, give a reason and no start."""
        matrix, _, _ = ds_crowd(n=500)
        joined = stage1(matrix, 3, [[0, 1], *[[j] for j in range(2, 9)]])
        assert joined.post is None and "cliques" in joined.reason
        two = stage1(matrix[:, :2], 3)
        assert two.post is None and "fewer than three labelers" in two.reason

    def test_a_class_nobody_votes_for_is_a_singular_moment(self):
        """Votes that never use class 2 of three make ``M_ab`` singular: a reason, no start."""
        matrix, _, _ = ds_crowd(n=2000)
        out = stage1(np.where(matrix == 2, 0, matrix), 3)
        assert out.post is None and "singular" in out.reason


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16), perm_seed=st.integers(0, 2**16))
def test_stage_one_follows_item_order_and_class_names(seed, perm_seed):
    """Reordering the items and renaming the classes reorders and renames Stage 1's estimate (its power
    method runs a fixed number of iterations from the whitened class directions: no tolerance decides)."""
    matrix, _, _ = ds_crowd(n=1500, seed=seed)
    rng = np.random.default_rng(perm_seed)
    perm, rename = rng.permutation(len(matrix)), rng.permutation(3)
    moved = np.where(matrix[perm] >= 0, rename[np.maximum(matrix[perm], 0)], -1)
    a, b = stage1(matrix, 3), stage1(moved, 3)
    assert a.reason is None and b.reason is None
    np.testing.assert_allclose(b.confusion[:, rename][:, :, rename], a.confusion, atol=1e-7)
    np.testing.assert_allclose(b.post[:, rename], a.post[perm], atol=1e-7)


class TestLabelModelSpectralStart:
    def test_spectral_start_wins_where_majority_vote_stops_lower(self):
        """On a crowd with permutation-confused workers, EM from the spectral start ends at a MAP fit whose
        objective is higher (by far more than ``tol``) than majority vote's start reaches; the model keeps it."""
        matrix, _, k = search_crowd(292)
        on = fit(matrix, k, lured_items=False, spectral_start=True)
        off = fit(matrix, k, lured_items=False, spectral_start=False)
        assert on.spectral_start_ == "kept" and off.spectral_start_ == "not run: spectral_start=False"
        assert on.em_objective_history_[-1] > off.em_objective_history_[-1] + 1e-4

    def test_same_optimum_keeps_majority_votes_fit(self):
        """On a plain Dawid-Skene crowd both starts reach one optimum: the usual fit is kept, bit for bit."""
        matrix, _, _ = ds_crowd(n=600)
        on, off = fit(matrix, 3, spectral_start=True), fit(matrix, 3)
        assert on.spectral_start_ == "not kept"
        np.testing.assert_array_equal(on.probas_.to_numpy(), off.probas_.to_numpy())

    def test_reason_reaches_the_model(self):
        """A sparse crowd's fit says why the spectral start did not run; LF-like informative fits say so too."""
        rng = np.random.default_rng(4)
        matrix = np.full((1500, 40), -1)
        for i in range(1500):
            matrix[i, rng.choice(40, 2, replace=False)] = rng.integers(0, 3, 2)
        assert fit(matrix, 3, abstains="missing", spectral_start=True).spectral_start_.startswith(
            "not run: too few items"
        )
        assert fit(matrix, 3, n_em_iter=0, spectral_start=True).spectral_start_ == "not run: no EM"

    @pytest.mark.parametrize("value", ["yes", 1, None])
    def test_spectral_start_must_be_a_bool(self, value):
        """A non-boolean ``spectral_start`` is refused with its name and value."""
        with pytest.raises(InvalidParameterError, match=r"spectral_start must be True or False, got"):
            LabelModel(spectral_start=value).fit(np.array([[0, 1], [1, 1]]))

    def test_kept_fit_survives_save_and_load(self, tmp_path):
        """``spectral_start_`` is saved with the model, and ``predict_proba`` gives the kept fit's posterior."""
        matrix, _, k = search_crowd(292)
        model = fit(matrix, k, spectral_start=True)
        loaded = LabelModel().load(model.save(tmp_path / "m.npz"))
        assert loaded.spectral_start_ == "kept"
        np.testing.assert_allclose(loaded.predict_proba(matrix), model.probas_.to_numpy(), atol=1e-12)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(perm_seed=st.integers(0, 2**16))
def test_kept_spectral_fit_follows_item_order_and_class_names(perm_seed):
    """With ``tol=0`` (each EM run stops at its fixed point, not where a tolerance cuts), reordering the
    items and renaming the classes of the crowd where the spectral start wins reorders and renames the fit."""
    matrix, _, k = search_crowd(292)
    rng = np.random.default_rng(perm_seed)
    perm, rename = rng.permutation(len(matrix)), rng.permutation(k)
    moved = np.where(matrix[perm] >= 0, rename[np.maximum(matrix[perm], 0)], -1)
    a, b = fit(matrix, k, tol=0.0, spectral_start=True), fit(moved, k, tol=0.0, spectral_start=True)
    assert a.spectral_start_ == b.spectral_start_ == "kept"
    # fixed points reached in another summation order agree to ~1e-9 in the posteriors (seen: 4.5e-9)
    np.testing.assert_allclose(b.probas_.to_numpy()[:, rename], a.probas_.to_numpy()[perm], atol=1e-7)
    np.testing.assert_array_equal(b.labels_.to_numpy(), rename[a.labels_.to_numpy()[perm]])
