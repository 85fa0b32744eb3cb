"""STAPLE's EM converges on ordinary crowds (SQUAREM), to plain EM's fixed point."""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.aggregate import STAPLE
from labelwise.aggregate._masks_simulate import simulate_masks

from .test_masks import dense_staple


@pytest.mark.parametrize("seed", [0, 1])
def test_three_annotators_with_a_spammer_converge_within_the_default_budget(seed):
    """Two careful annotators and a spammer: plain EM needed more than 200 steps at ``tol=1e-6``."""
    masks, _ = simulate_masks(n_items=10, size=64, n_annotators=3, n_spammers=1, random_state=seed)
    model = STAPLE().fit(masks)
    assert model.converged_
    assert model.n_iter_ < 200


def test_the_accelerated_fit_reaches_plain_ems_fixed_point():
    """Parameters and W equal a long plain-EM run of the paper's equations (the dense reference)."""
    masks, _ = simulate_masks(n_items=3, size=32, n_annotators=3, n_spammers=1, random_state=0)
    model = STAPLE(tol=1e-12, max_iter=2000).fit(masks)
    p, q, w, raters = dense_staple(masks, prior="all", tol=1e-13, max_iter=20000)
    assert model.converged_
    np.testing.assert_allclose(model.annotator_sensitivity_.loc[raters], p, atol=1e-8)
    np.testing.assert_allclose(model.annotator_specificity_.loc[raters], q, atol=1e-8)
    np.testing.assert_allclose(np.concatenate([model.probas_[i].ravel() for i in masks]), w, atol=1e-8)


def test_the_loss_never_increases_from_cycle_to_cycle():
    """SQUAREM keeps a jump only when it does not lower the likelihood."""
    masks, _ = simulate_masks(n_items=6, size=48, n_annotators=3, n_spammers=1, random_state=2)
    history = np.array(STAPLE(tol=1e-10, max_iter=1000).fit(masks).loss_history_)
    assert (np.diff(history) <= 1e-12).all()


def test_the_step_budget_is_respected():
    """``max_iter`` bounds the EM steps, SQUAREM's included; a short budget is not convergence."""
    masks, _ = simulate_masks(n_items=4, size=32, n_annotators=3, n_spammers=1, random_state=0)
    for budget in (1, 2, 3, 5, 7):
        model = STAPLE(tol=1e-14, max_iter=budget).fit(masks)
        assert model.n_iter_ <= budget
        assert not model.converged_


def test_a_flat_ridge_does_not_stall_the_acceleration():
    """One image, two careful annotators and a spammer: the likelihood is flat (to 13 digits) along the
    trade between the careful ones' sensitivities; an uncapped SQUAREM jump lands on the boundary and
    falls back every cycle (plain EM: over 3000 steps). The capped steplength converges."""
    masks, _ = simulate_masks(n_items=40, size=64, n_annotators=3, n_spammers=1, missing=0.1, random_state=0)
    model = STAPLE(pool="item", prior="item", max_iter=1500).fit({8: masks[8]})
    assert model.converged_
    assert model.n_iter_ < 1000


def test_pool_item_runs_each_items_acceleration_on_its_own():
    """``pool="item"``: items are independent problems; each gets its own steplength and likelihood
    check, so the joint run takes about the steps of its slowest item, and equals each item run alone."""
    masks, _ = simulate_masks(n_items=40, size=64, n_annotators=3, n_spammers=1, missing=0.1, random_state=0)
    joint = STAPLE(pool="item", prior="item", max_iter=700).fit(masks)
    assert joint.converged_
    for item in (3, 8, 24):
        alone = STAPLE(pool="item", prior="item", max_iter=700, tol=1e-9).fit({item: masks[item]})
        np.testing.assert_allclose(
            joint.annotator_sensitivity_.loc[item].to_numpy(),
            alone.annotator_sensitivity_.loc[item].to_numpy(),
            atol=1e-3,
        )
