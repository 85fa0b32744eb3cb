"""The lured-item mixture in ``weak.LabelModel`` (``weak._lure``): exact E-step, gate, invariances, the switch."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise.errors import InvalidParameterError, LabelwiseWarning
from labelwise.weak import LabelModel
from labelwise.weak._lure import LureFit, lure_applies
from labelwise.weak._posterior import voted_outcomes


def lured_crowd(n: int = 300, k: int = 4, m: int = 25, share: float = 0.5, lured: float = 0.3, seed: int = 5):
    """Workers of accuracy 0.55-0.9 answering ``share`` of the items; on a ``lured`` share of the items
    each non-spammer answers the item's look-alike class with probability 0.5 (0.1 for the good ones)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    look = (y + rng.integers(1, k, n)) % k
    hard = rng.random(n) < lured
    acc = rng.uniform(0.55, 0.9, m)
    pull = np.where(acc > 0.8, 0.1, 0.5)
    answered = rng.random((n, m)) < share
    item, worker = np.nonzero(answered)
    t = y[item]
    right = rng.random(len(item)) < acc[worker]
    label = np.where(right, t, (t + rng.integers(1, k, len(item))) % k)
    label = np.where(hard[item] & (rng.random(len(item)) < pull[worker]), look[item], label)
    matrix = np.full((n, m), -1)
    matrix[item, worker] = label
    return matrix, y


def fit(matrix: np.ndarray, k: int, **params) -> LabelModel:
    return LabelModel(labels=list(range(k)), **params).fit(matrix)


class TestExactEStep:
    def test_row_likelihood_sums_type_and_lure_out_exactly(self):
        """Each row's log P(votes) equals the explicit sum over class, item type and lure class."""
        rng = np.random.default_rng(0)
        k, m = 3, 4
        matrix = rng.integers(-1, k, (6, m))
        matrix[:, 0] = rng.integers(0, k, 6)  # every row has a vote
        voted = voted_outcomes(matrix, k, [[j] for j in range(m)])[0].weighted(np.ones(6))
        model = LureFit(voted, k, np.zeros((voted.lam.shape[1], k)), free=True)
        pi = rng.dirichlet(np.ones(k), size=(m, k))  # [j, z, a]
        s, rho, p = rng.uniform(0.1, 0.9, m), 0.3, rng.dirichlet(np.ones(k))
        lam = rng.dirichlet(np.ones(k - 1), size=k)
        lam_full = np.zeros((k, k))
        for z in range(k):
            lam_full[z, [c for c in range(k) if c != z]] = lam[z]
        with np.errstate(divide="ignore"):
            theta = model.pack(np.log(pi), s, rho, np.log(lam_full), np.log(p), 0.5)
        _, _, log_z, _ = model.e_step(theta)
        for i, row in enumerate(matrix):
            votes = [(j, a) for j, a in enumerate(row) if a >= 0]
            total = 0.0
            for z in range(k):
                normal = np.prod([pi[j, z, a] for j, a in votes])
                lured = sum(
                    lam_full[z, lure] * np.prod([(1 - s[j]) * pi[j, z, a] + s[j] * (a == lure) for j, a in votes])
                    for lure in range(k)
                    if lure != z
                )
                total += p[z] * ((1 - rho) * normal + rho * lured)
            assert log_z[i] == pytest.approx(np.log(total), rel=1e-12)


class TestLabelModelLuredItems:
    def test_lured_crowd_is_labelled_better_than_by_dawid_skene(self):
        """On a crowd whose ordinary workers are drawn to one look-alike class on 30% of the items, the
        mixture runs, finds about that share and labels more items right than the MAP Dawid-Skene fit."""
        matrix, y = lured_crowd()
        lured = fit(matrix, 4)
        plain = fit(matrix, 4, lured_items=False)
        assert lured.lured_items_ and not plain.lured_items_
        acc_lured = float(np.mean(lured.labels_.to_numpy() == y))
        acc_plain = float(np.mean(plain.labels_.to_numpy() == y))
        assert acc_lured > acc_plain
        rho = float(1 / (1 + np.exp(-lured.lure_params_[-(1 + 4 + 4 * 3 + 1)])))  # logit ρ, then λ (12), p (4), μ
        assert 0.15 < rho < 0.45

    @pytest.mark.parametrize(("k", "share"), [(2, 0.5), (4, 0.2)])
    def test_two_classes_or_few_votes_per_item_keep_dawid_skene(self, k, share):
        """Below the gate (two classes; under 10 votes per item) the fit is the MAP fit, bit for bit."""
        matrix, _ = lured_crowd(k=k, share=share)
        on, off = fit(matrix, k), fit(matrix, k, lured_items=False)
        assert not on.lured_items_ and on.lure_params_ is None
        np.testing.assert_array_equal(on.probas_.to_numpy(), off.probas_.to_numpy())

    def test_gate_counts_votes_per_item_and_classes(self):
        """``lure_applies``: at least 3 classes, 10 votes per item on average, single labelers."""
        matrix = np.tile(np.arange(12) % 3, (5, 1))
        voted = voted_outcomes(matrix, 3, [[j] for j in range(12)])[0]
        groups = [[j] for j in range(12)]
        assert lure_applies(voted, np.ones(5), 3, groups)
        assert not lure_applies(voted, np.ones(5), 2, groups)
        assert not lure_applies(voted, np.ones(5), 3, [[0, 1], *groups[2:]])
        matrix[:, 3:] = -1
        assert not lure_applies(voted_outcomes(matrix, 3, groups)[0], np.ones(5), 3, groups)

    def test_predict_on_the_training_votes_gives_labels_and_survives_save(self, tmp_path):
        """``predict_proba`` uses the lured-item posterior (also after ``save``/``load``)."""
        matrix, _ = lured_crowd(n=200)
        model = fit(matrix, 4)
        assert model.lured_items_
        np.testing.assert_allclose(model.predict_proba(matrix), model.probas_.to_numpy(), atol=1e-12)
        np.testing.assert_array_equal(model.predict(matrix).to_numpy(), model.labels_.to_numpy())
        loaded = LabelModel().load(model.save(tmp_path / "m.npz"))
        np.testing.assert_allclose(loaded.predict_proba(matrix), model.probas_.to_numpy(), atol=1e-12)

    @pytest.mark.parametrize("value", ["yes", 1, None])
    def test_lured_items_must_be_a_bool(self, value):
        """A non-boolean ``lured_items`` is refused with its name and value."""
        with pytest.raises(InvalidParameterError, match=r"lured_items must be True or False, got"):
            LabelModel(lured_items=value).fit(np.array([[0, 1], [1, 1]]))


FIXED = {"n_em_iter": 25, "tol": 0.0}  # fixed EM steps: no stopping tolerance decides the comparison
STEPS_RUN_OUT = pytest.mark.filterwarnings("ignore:LabelModel's EM did not converge")


@STEPS_RUN_OUT
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16), perm_seed=st.integers(0, 2**16))
def test_item_order_permutes_the_result(seed, perm_seed):
    """Reordering the items (fixed EM steps) reorders the labels and posteriors."""
    matrix, _ = lured_crowd(n=150, seed=seed)
    perm = np.random.default_rng(perm_seed).permutation(len(matrix))
    a, b = fit(matrix, 4, **FIXED), fit(matrix[perm], 4, **FIXED)
    assert a.lured_items_ and b.lured_items_
    np.testing.assert_allclose(b.probas_.to_numpy(), a.probas_.to_numpy()[perm], atol=1e-10)
    np.testing.assert_array_equal(b.labels_.to_numpy(), a.labels_.to_numpy()[perm])


@STEPS_RUN_OUT
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16), order=st.permutations(range(4)))
def test_renaming_classes_renames_the_result(seed, order):
    """Renaming the classes (their sorted order changes; fixed EM steps) renames the labels and posteriors."""
    matrix, _ = lured_crowd(n=150, seed=seed)
    names = np.array(["d", "b", "a", "c"])[list(order)]
    long = pd.DataFrame(
        [(i, f"w{j:02d}", int(a)) for (i, j), a in np.ndenumerate(matrix) if a >= 0],
        columns=["item", "labeler", "label"],
    )
    a = LabelModel(**FIXED).fit(long)
    b = LabelModel(**FIXED).fit(long.assign(label=names[long.label]))
    assert a.lured_items_ and b.lured_items_
    # the same arithmetic in another class order: rounding differences, amplified by SQUAREM's jumps
    np.testing.assert_allclose(b.probas_[names].to_numpy(), a.probas_.to_numpy(), atol=1e-6)
    top2 = np.sort(a.probas_.to_numpy(), axis=1)[:, -2:]
    clear = top2[:, 1] - top2[:, 0] > 1e-5
    np.testing.assert_array_equal(names[a.labels_.to_numpy().astype(int)][clear], b.labels_.to_numpy()[clear])


def test_each_stage_never_lowers_its_objective():
    """Both EM runs (shared, then per-labeler susceptibility) raise their log posterior at every accepted point."""
    from labelwise.weak._lure import fit_lured_items

    matrix, _ = lured_crowd(n=200)
    k, m = 4, matrix.shape[1]
    voted = voted_outcomes(matrix, k, [[j] for j in range(m)])[0].weighted(np.ones(len(matrix)))
    mu = np.zeros((voted.lam.shape[1], k))
    for j, z in itertools.product(range(m), range(k)):
        mu[voted.starts[j] + 1 : voted.starts[j] + 1 + k, z] = np.where(np.arange(k) == z, 0.7, 0.1)
    prior = np.full((voted.lam.shape[1], k), 1.0)
    _, _, _, runs = fit_lured_items(voted, mu, np.full(k, 0.25), k, prior, free=True, n_iter=40, tol=0.0)
    for run in runs:
        assert np.all(np.diff(run.history) >= -1e-9)


def test_tol_zero_ends_the_lured_fit_at_its_fixed_point():
    """``tol=0`` stops both lured stages at the first cycle that does not raise their objective, converged and
    without a non-convergence warning: the stop lives in the shared ``weak._squarem.squarem``, as the plain fit's."""
    matrix, _ = lured_crowd()
    with warnings.catch_warnings():
        warnings.simplefilter("error", LabelwiseWarning)
        model = fit(matrix, 4, tol=0.0, n_em_iter=3000)
    assert model.lured_items_
