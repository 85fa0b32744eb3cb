"""BradleyTerry and NoisyBradleyTerry against crowd-kit 1.4.2's on the same comparisons.

crowd-kit's ``BradleyTerry`` normalises the strengths to sum 1; labelwise reports log-strengths,
so ``exp(scores_)`` is normalised before comparing. crowd-kit's stopping test compares the
strength vector with itself (``p_old = p_new`` keeps one array, updated in place), so with its
default ``tol`` it stops after two MM steps whatever the data; with ``tol=0`` it runs ``n_iter``
steps and reaches the maximum-likelihood estimate, which is what is compared here.

crowd-kit's ``NoisyBradleyTerry`` fits the same model (Bugakova et al. 2019) by L-BFGS-B, but
its gradient is not the gradient of its own objective (annotator entries are written at an index
one lower than the parameters they belong to, and assigned instead of summed over an annotator's
answers), so the optimiser stops far from the optimum. The test below shows this, and that
labelwise's fit (prior=0: the likelihood alone) reaches a lower value of crowd-kit's own objective
than crowd-kit does; scores agree in order only roughly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import check_grad
from scipy.stats import kendalltau

from labelwise.aggregate import BradleyTerry, NoisyBradleyTerry
from labelwise.aggregate._pairwise_sim import simulate_comparisons

crowdkit = pytest.importorskip("crowdkit.aggregation")


def _to_crowdkit(pairs: pd.DataFrame) -> pd.DataFrame:
    return pairs.rename(columns={"winner": "label", "annotator": "worker"})


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1 - p))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bradley_terry_equals_crowdkit_at_convergence(seed):
    """On a connected simulated set both reach the same normalised strengths (to 1e-9)."""
    sim = simulate_comparisons(60, 3000, random_state=seed)
    ours = BradleyTerry(prior=0, tol=1e-12, max_iter=20000).fit(sim.pairs)
    theirs = crowdkit.BradleyTerry(n_iter=3000, tol=0).fit(_to_crowdkit(sim.pairs)).scores_
    p = np.exp(ours.scores_)
    p /= p.sum()
    np.testing.assert_allclose(p.to_numpy(), theirs.reindex(p.index).to_numpy(), atol=1e-9)


def test_crowdkit_bradley_terry_default_tol_stops_after_two_steps():
    """crowd-kit with its default tol returns the same scores as two steps: far from the MLE labelwise gives."""
    sim = simulate_comparisons(60, 3000, random_state=0)
    ck = _to_crowdkit(sim.pairs)
    default = crowdkit.BradleyTerry(n_iter=1000).fit(ck).scores_
    two = crowdkit.BradleyTerry(n_iter=2, tol=0).fit(ck).scores_
    np.testing.assert_allclose(default.to_numpy(), two.to_numpy())
    p = np.exp(BradleyTerry(prior=0, tol=1e-12, max_iter=20000).fit(sim.pairs).scores_)
    assert np.abs((p / p.sum()).to_numpy() - default.reindex(p.index).to_numpy()).max() > 1e-3


def test_noisy_reaches_a_better_optimum_of_crowdkits_own_objective():
    """labelwise's noisy fit scores lower on crowd-kit's negative log-likelihood than crowd-kit's own fit,
    whose analytic gradient disagrees with finite differences of that objective."""
    sim = simulate_comparisons(30, 800, n_annotators=8, random_state=2)
    ck = _to_crowdkit(sim.pairs)
    ours = NoisyBradleyTerry(prior=0).fit(sim.pairs)
    theirs = crowdkit.NoisyBradleyTerry(n_iter=100).fit(ck)
    from crowdkit.aggregation.utils import factorize

    items, data = factorize(ck[["left", "right", "label"]].values)
    workers, who = factorize(ck.worker.values)
    data = data + 1
    n, m = len(items), len(workers)

    def objective(x):
        return crowdkit.NoisyBradleyTerry._compute_log_likelihood(x, data, who, n, m, 1e-5)

    def gradient(x):
        return crowdkit.NoisyBradleyTerry._compute_gradient(x, data, who, n, m, 1e-5)

    def params(scores, bias, skill):
        return np.concatenate([[scores.mean()], scores, bias, skill])

    x_ours = params(
        ours.scores_.reindex(items).to_numpy(),
        _logit(ours.annotator_bias_.reindex(workers).to_numpy()),
        _logit(ours.annotator_skill_.reindex(workers).to_numpy()),
    )
    x_theirs = params(
        _logit(theirs.scores_.reindex(items).to_numpy()),
        _logit(theirs.biases_.reindex(workers).to_numpy()),
        _logit(theirs.skills_.reindex(workers).to_numpy()),
    )
    assert objective(x_ours) < objective(x_theirs) - 10
    assert check_grad(objective, gradient, x_theirs) > 1.0
    tau = kendalltau(ours.scores_, theirs.scores_.reindex(ours.scores_.index))[0]
    assert tau > 0.6
