"""One-coin Dawid-Skene and GLAD on the answered cells plus one rest per item (their path above the dense
table's byte budget, forced here with the budget at 0 bytes) against crowd-kit 1.4.2's dense implementations
on the same answers.

One-coin: crowd-kit starts from the vote shares, takes ``p_k`` as the mean posterior and ``s_j`` as the mean
posterior of ``j``'s own labels, as labelwise does; it clips every confusion entry to ``[1e-10, 1 - 1e-10]``
where labelwise clips ``s_j`` (they differ only for an annotator with ``s_j`` within ``K * 1e-10`` of 1, which
the test rules out), and it stops on its own lower bound, so both run a fixed number of iterations. GLAD: the
runs never coincide step by step (see ``test_vs_crowdkit_em.py``); at labelwise's converged estimate
crowd-kit's own E-step gives labelwise's posteriors and its gradient is zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import GLAD, OneCoinDawidSkene, _sparse_votes
from tests.aggregate._crowd import confusion_crowd
from tests.aggregate._peers import aligned, quiet_fit, tied_rows
from tests.aggregate.test_rest_posterior_sparse import implied_probas
from tests.aggregate.test_vs_crowdkit_em import _crowdkit_glad_at

crowdkit = pytest.importorskip("crowdkit.aggregation")

EXACT = 1e-10


@pytest.mark.parametrize("n_iter", [1, 4, 15])
@pytest.mark.parametrize("k", [3, 6])
def test_one_coin_iterates_as_crowdkits(n_iter, k, monkeypatch):
    """After the same number of iterations, the sparse fit's posteriors (answered cells and rests), skills and
    priors equal crowd-kit's OneCoinDawidSkene (1e-10); labels equal on the items without a tie."""
    answers, _ = confusion_crowd(150, k, (0.8, 0.7, 0.6, 0.55, 0.5), per_item=3, seed=k)
    monkeypatch.setattr(_sparse_votes, "DENSE_BYTES_LIMIT", 0)
    ours = OneCoinDawidSkene(max_iter=n_iter, tol=0.0).fit(answers)
    assert ours.n_iter_ == n_iter and "probas_" not in vars(ours)
    assert ours.skills_.max() < 1 - k * 1e-10  # no skill where crowd-kit's clipping differs
    peer = quiet_fit(crowdkit.OneCoinDawidSkene(n_iter=n_iter, tol=-np.inf), answers)
    probas = implied_probas(ours)
    items = ours.labels_.index
    theirs = peer.probas_.reindex(index=items, columns=ours.classes_).to_numpy()
    np.testing.assert_allclose(probas, theirs, atol=EXACT, rtol=0)
    np.testing.assert_allclose(ours.skills_, peer.skills_.reindex(ours.annotator_skill_.index), atol=EXACT, rtol=0)
    np.testing.assert_allclose(ours.priors_.to_numpy(), peer.priors_.reindex(ours.classes_), atol=EXACT, rtol=0)
    untied = ~tied_rows(theirs)
    assert untied.mean() > 0.8
    assert (ours.labels_[untied] == peer.labels_.reindex(items)[untied]).all()


@pytest.mark.parametrize("k", [3, 5])
def test_glad_converges_to_a_crowdkit_fixed_point(k, monkeypatch):
    """At the sparse fit's estimate crowd-kit's GLAD E-step gives its posteriors (1e-10) and crowd-kit's
    gradient of Q is zero (< 1e-4)."""
    answers, _ = confusion_crowd(150, k, (0.9, 0.8, 0.7, 0.6, 0.55, 0.3), per_item=3, seed=k)
    monkeypatch.setattr(_sparse_votes, "DENSE_BYTES_LIMIT", 0)
    ours = GLAD(max_iter=3000, tol=0.0, m_step_max_iter=20).fit(answers)
    assert "probas_" not in vars(ours)
    probas, d_alpha, d_beta = _crowdkit_glad_at(answers, ours.alphas_, np.log(ours.betas_))
    mine = implied_probas(ours)
    theirs = aligned(probas, pd.DataFrame(mine, index=ours.labels_.index, columns=ours.classes_))
    np.testing.assert_allclose(mine, theirs, atol=EXACT, rtol=0)
    assert np.abs(d_alpha).max() < 1e-4 and np.abs(d_beta).max() < 1e-4
    untied = ~tied_rows(theirs)
    peer_labels = probas.idxmax(axis=1).reindex(ours.labels_.index)
    assert (ours.labels_[untied] == peer_labels[untied]).all()
