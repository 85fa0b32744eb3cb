"""Tests for GLAD (labelwise.aggregate.glad)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import GLAD, MajorityVote
from labelwise.aggregate._answers import encode_answers
from labelwise.errors import InvalidParameterError
from tests.aggregate._crowd import accuracy, confusion_crowd, load_crowd


def _difficulty_crowd(n_items=300, seed=0):
    """Binary items, half easy (annotators 90% right) and half hard (annotators guess)."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 2, n_items)
    hard = np.arange(n_items) >= n_items // 2
    rows = []
    for j in range(7):
        p_right = np.where(hard, 0.5, 0.9)
        right = rng.random(n_items) < p_right
        rows.append(
            pd.DataFrame({"item": np.arange(n_items), "annotator": f"a{j}", "label": np.where(right, truth, 1 - truth)})
        )
    return pd.concat(rows, ignore_index=True), truth, hard


class TestGLAD:
    def test_adversarial_annotator_gets_negative_ability(self):
        """An annotator who is usually wrong gets alpha < 0, good ones alpha > 0."""
        answers, truth = confusion_crowd(400, 2, (0.9, 0.85, 0.8, 0.1), seed=1)
        g = GLAD().fit(answers)
        assert g.alphas_["a3"] < 0 < min(g.alphas_[["a0", "a1", "a2"]])
        assert accuracy(g.labels_, truth) > accuracy(MajorityVote().fit(answers).labels_, truth)

    def test_hard_items_get_lower_inverse_difficulty(self):
        """Items where annotators guess get smaller beta than items they agree on."""
        answers, _, hard = _difficulty_crowd()
        beta = GLAD().fit(answers).betas_.to_numpy()
        assert np.median(beta[hard]) < np.median(beta[~hard])

    def test_loss_never_increases(self):
        """EM with a gradient M-step that never lowers Q does not raise the negative log posterior."""
        answers, _ = confusion_crowd(150, 3, per_item=3, seed=2)
        loss = np.array(GLAD(tol=0, max_iter=15).fit(answers).loss_history_)
        assert len(loss) >= 5 and np.all(np.diff(loss) <= 1e-9)

    def test_m_step_gradient_matches_finite_differences(self):
        """The analytic gradient used by the M-step matches a finite-difference gradient of Q."""
        answers, _ = confusion_crowd(30, 3, per_item=3, seed=3)
        enc = encode_answers(answers)
        g = GLAD()
        rng = np.random.default_rng(0)
        alpha, b = rng.normal(1, 0.5, enc.n_annotators), rng.normal(1, 0.5, enc.n_items)
        post, _ = g._e_step(enc, alpha, b, np.log(np.full(3, 1 / 3)))
        p = post[enc.item_idx, enc.label_idx]

        def q(a, bb):
            x = a[enc.annotator_idx] * np.exp(bb)[enc.item_idx]
            val = np.sum(p * -np.logaddexp(0, -x) + (1 - p) * (-np.logaddexp(0, x) - np.log(2)))
            return val - 0.5 * (np.sum((a - 1) ** 2) + np.sum((bb - 1) ** 2))

        x = alpha[enc.annotator_idx] * np.exp(b)[enc.item_idx]
        resid = p - 1 / (1 + np.exp(-x))
        grad_a = np.bincount(enc.annotator_idx, weights=resid * np.exp(b)[enc.item_idx]) - (alpha - 1)
        eps = 1e-6
        for j in range(enc.n_annotators):
            d = np.zeros_like(alpha)
            d[j] = eps
            assert abs((q(alpha + d, b) - q(alpha - d, b)) / (2 * eps) - grad_a[j]) < 1e-4
        # and the M-step itself increases Q
        a2, b2 = g._m_step(enc, p, alpha, b)  # each answer's T[i, l]
        assert q(a2, b2) > q(alpha, b)

    def test_class_prior_must_be_a_distribution(self):
        """A class_prior of the wrong length or not summing to 1 is rejected."""
        answers, _ = confusion_crowd(10, 2, seed=4)
        with pytest.raises(InvalidParameterError, match="class_prior"):
            GLAD(class_prior=[0.5, 0.6]).fit(answers)
        with pytest.raises(InvalidParameterError, match="m_step_max_iter"):
            GLAD(m_step_max_iter=0).fit(answers)


@pytest.mark.slow
def test_accuracy_on_real_sets(shared_data):
    """GLAD reaches its measured accuracy on RTE and Dog."""
    for name, floor in (("smem_rte", 0.92), ("s4_Dog_data", 0.83)):
        answers, gold = load_crowd(shared_data, name)
        assert accuracy(GLAD().fit(answers).labels_, gold) >= floor
