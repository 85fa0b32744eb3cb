"""GLAD and MACE against crowd-kit 1.4.2 on the same answers.

GLAD. Both libraries maximise the same posterior (the paper's model with N(1, 1) priors on the
abilities ``α_j`` and on ``log β_i``, uniform class prior) by EM, but reach it differently:
crowd-kit's M-step is a conjugate-gradient run that stops at ``m_step_tol=1e-2`` and its default
run stops after two iterations (its stopping quantity, Q per (answer, class) row, is not the EM
objective and can fall), labelwise's M-step is preconditioned gradient ascent. The runs never
coincide step by step, so the test checks what both must share: at labelwise's converged
estimate, crowd-kit's own E-step gives labelwise's posteriors and crowd-kit's own gradient of the
expected complete-data log posterior is zero (a fixed point of crowd-kit's EM).

MACE. The two libraries implement the same EM and variational-Bayes updates (the defaults differ:
crowd-kit ``method="vb"``, labelwise the paper's EM) but start differently (crowd-kit draws every
restart from the same seed, labelwise one draw per annotator per restart). Given crowd-kit's
starting point, one restart and the same number of M-steps, the iterates coincide; labelwise then
runs with a stand-in generator that hands it crowd-kit's draws. crowd-kit 1.4.2 numbers annotators
and labels in order of first appearance but reads its strategy counts in sorted order, so the
answers are renamed to make the two orders agree (see ``names_in_first_seen_order``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import GLAD, MACE
from tests.aggregate._crowd import confusion_crowd, load_crowd
from tests.aggregate._peers import aligned, names_in_first_seen_order, quiet_fit, tied_rows, to_crowdkit

crowdkit = pytest.importorskip("crowdkit.aggregation")

EXACT = 1e-10


def _crowdkit_glad_at(answers: pd.DataFrame, alphas: pd.Series, log_betas: pd.Series):
    """crowd-kit's GLAD E-step and gradient of Q at the given abilities and log inverse difficulties."""
    peer = crowdkit.GLAD()
    data = to_crowdkit(answers)[["task", "worker", "label"]]
    peer._init(data)
    peer.alphas_, peer.betas_ = alphas.rename_axis("worker"), log_betas.rename_axis("task")
    data = peer._e_step(peer._join_all(data, peer.alphas_, peer.betas_, peer.priors_))
    d_alpha, d_beta = peer._gradient_Q(data)
    return peer.probas_, d_alpha, d_beta


def _assert_glad_fixed_point(answers: pd.DataFrame) -> None:
    ours = GLAD(max_iter=3000, tol=0.0, m_step_max_iter=20).fit(answers)
    probas, d_alpha, d_beta = _crowdkit_glad_at(answers, ours.alphas_, np.log(ours.betas_))
    theirs = aligned(probas, ours.probas_)
    np.testing.assert_allclose(ours.probas_.to_numpy(), theirs, atol=EXACT)
    assert np.abs(d_alpha).max() < 1e-4 and np.abs(d_beta).max() < 1e-4
    peer_labels = probas.idxmax(axis=1).reindex(ours.labels_.index)
    untied = ~tied_rows(theirs)
    assert (ours.labels_[untied] == peer_labels[untied]).all()


class TestGLAD:
    @pytest.mark.parametrize(
        "answers",
        [
            confusion_crowd(200, 3, per_item=3, seed=0)[0],
            confusion_crowd(150, 2, (0.9, 0.8, 0.7, 0.6, 0.55, 0.3), per_item=4, seed=1)[0],
        ],
        ids=["3-class", "binary-with-adversary"],
    )
    def test_converged_estimate_is_a_crowdkit_fixed_point(self, answers):
        """crowd-kit's E-step at labelwise's estimate gives labelwise's posteriors (1e-10) and crowd-kit's
        gradient there is zero (< 1e-4; about 1e-6 measured), so the labels agree."""
        _assert_glad_fixed_point(answers)

    def test_the_gradient_check_can_fail(self):
        """At the starting point (every α = log β = 1) crowd-kit's gradient is far from zero."""
        answers, _ = confusion_crowd(200, 3, per_item=3, seed=0)
        ours = GLAD(max_iter=1).fit(answers)
        ones = (pd.Series(1.0, index=ours.alphas_.index), pd.Series(1.0, index=ours.betas_.index))
        _, d_alpha, d_beta = _crowdkit_glad_at(answers, *ones)
        assert max(np.abs(d_alpha).max(), np.abs(d_beta).max()) > 1.0


class _CrowdKitStart:
    """Stands in for MACE's generator: its two ``uniform`` draws are crowd-kit's starting point."""

    def __init__(self, answers: pd.DataFrame, method: str) -> None:
        peer = crowdkit.MACE(method=method)
        peer._initialize(answers["annotator"].nunique(), answers["label"].nunique())
        self._draws = [peer.spamming_, peer.thetas_]  # [spam, know] per annotator, then strategies
        self._rng = np.random.default_rng(0)

    def uniform(self, low, high, size):
        draw = self._draws.pop(0)
        assert draw.shape == tuple(size)
        return draw

    def random(self, size=None):
        return self._rng.random(size)


def _assert_same_mace_run(answers: pd.DataFrame, method: str, max_iter: int) -> None:
    answers = names_in_first_seen_order(answers)
    ours = MACE(method=method, n_restarts=1, max_iter=max_iter, tol=0.0)
    start = _CrowdKitStart(answers, method)
    ours._rng = lambda: start
    ours.fit(answers)
    # labelwise's run made n_iter_ E-steps and n_iter_ - 1 M-steps; crowd-kit n_iter (M, E) pairs after its first E-step
    peer = quiet_fit(crowdkit.MACE(method=method, n_restarts=1, n_iter=ours.n_iter_ - 1), answers)
    np.testing.assert_allclose(ours.probas_.to_numpy(), aligned(peer.probas_, ours.probas_), atol=EXACT)
    pd.testing.assert_series_equal(ours.labels_, peer.labels_.reindex(ours.labels_.index), check_names=False)
    competence = peer.spamming_[:, 1] / peer.spamming_.sum(axis=1)  # vb's exp(E log θ) are not normalised
    np.testing.assert_allclose(ours.competence_.to_numpy(), competence, atol=EXACT)
    np.testing.assert_allclose(ours.strategy_.to_numpy(), peer.thetas_, atol=EXACT)


class TestMACE:
    @pytest.mark.parametrize("method", ["em", "vb"])
    @pytest.mark.parametrize("max_iter", [1, 10, 50])
    def test_same_start_same_iterates(self, method, max_iter):
        """From crowd-kit's starting point, posteriors, labels, competences and strategies equal crowd-kit's
        after the same number of M-steps (1e-10)."""
        answers, _ = confusion_crowd(200, 3, per_item=3, seed=0)
        _assert_same_mace_run(answers, method, max_iter)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["d_Duck_Identification", "CF", "s4_Face_Sentiment_Identification"])
def test_real_sets_agree_with_crowdkit(shared_data, name):
    """On real crowd sets: labelwise's GLAD estimate is a fixed point of crowd-kit's EM, and MACE (EM and
    VB) from crowd-kit's start runs crowd-kit's iterates."""
    answers, _ = load_crowd(shared_data, name)
    _assert_glad_fixed_point(answers)
    for method in ("em", "vb"):
        _assert_same_mace_run(answers, method, 50)
