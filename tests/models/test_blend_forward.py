"""labelwise.models._blend_forward: the blend's weights by the forward-corrected log loss, checked against scipy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize
from scipy.special import softmax

from labelwise.models._blend_forward import (
    cross_fit_forward_blend,
    fold_transitions,
    forward_log_loss,
    forward_picked,
)
from labelwise.models._calibrate import fit_blend_weights
from labelwise.models._forward import anchor_transition


def _stack(n=300, k=3, m=3, seed=0):
    """``m`` random probability tables, labels, anchor probabilities and five folds."""
    rng = np.random.default_rng(seed)
    stack = [softmax(rng.normal(0, 2.0, size=(n, k)), axis=1) for _ in range(m)]
    codes = rng.integers(0, k, n)
    codes[:k] = np.arange(k)
    anchor = softmax(rng.normal(0, 3.0, size=(n, k)), axis=1)
    folds = np.array_split(rng.permutation(n), 5)
    return stack, codes, anchor, folds


class TestForwardPicked:
    def test_is_the_given_labels_entry_of_t_transposed_times_p(self):
        """Column m, row i is ``(Tᵀ p_m(x_i))[ỹᵢ]``, written out row by row."""
        stack, codes, anchor, _ = _stack(40, 4, 2)
        transition = anchor_transition(anchor)
        picked = forward_picked(stack, codes, transition)
        for m, p in enumerate(stack):
            expected = [(transition.T @ p[i])[codes[i]] for i in range(codes.size)]
            np.testing.assert_allclose(picked[:, m], expected, rtol=1e-12)

    def test_identity_transition_is_the_plain_probability_and_log_loss(self):
        """With ``T = I`` nothing is corrected."""
        stack, codes, _, _ = _stack(50, 3, 2)
        eye = np.eye(3)
        np.testing.assert_array_equal(forward_picked(stack, codes, eye)[:, 1], stack[1][np.arange(50), codes])
        assert forward_log_loss(stack[0], codes, eye) == pytest.approx(-np.mean(np.log(stack[0][np.arange(50), codes])))


class TestFoldTransitions:
    def test_each_is_the_anchor_rule_on_the_folds_training_rows_then_all_rows(self):
        """Fold j's ``T`` reads only the rows outside fold j; the last one reads every row."""
        _, _, anchor, folds = _stack(200)
        transitions = fold_transitions(anchor, folds)
        assert len(transitions) == len(folds) + 1
        for test, transition in zip(folds, transitions, strict=False):
            train = np.setdiff1d(np.arange(200), test)
            np.testing.assert_array_equal(transition, anchor_transition(anchor[train]))
        np.testing.assert_array_equal(transitions[-1], anchor_transition(anchor))


class TestCrossFitForwardBlend:
    def test_weights_minimise_the_forward_corrected_log_loss_as_scipy_finds(self):
        """The EM's weights on all rows reach scipy's minimum of ``mean -log sum_m w_m (Tᵀ p_m)_ỹ`` on the simplex."""
        stack, codes, anchor, folds = _stack(400, 3, 3, seed=1)
        _, w = cross_fit_forward_blend(stack, codes, folds, anchor, n_iter=5000, tol=0.0)
        picked = forward_picked(stack, codes, anchor_transition(anchor))

        def loss(v):
            return -np.mean(np.log(picked @ softmax(v)))

        peer = minimize(loss, np.zeros(3), method="BFGS")
        assert loss(np.log(np.maximum(w, 1e-300))) <= peer.fun + 1e-6

    def test_each_folds_rows_are_mixed_with_the_other_folds_weights(self):
        """Fold j's blended rows use weights fitted on the other folds' rows, corrected by their own ``T``."""
        stack, codes, anchor, folds = _stack(250, 3, 2, seed=2)
        blended, _ = cross_fit_forward_blend(stack, codes, folds, anchor)
        test = folds[3]
        train = np.setdiff1d(np.arange(250), test)
        transition = anchor_transition(anchor[train])
        w = fit_blend_weights(forward_picked([p[train] for p in stack], codes[train], transition))
        np.testing.assert_allclose(blended[test], w[0] * stack[0][test] + w[1] * stack[1][test], rtol=1e-12)
        np.testing.assert_allclose(blended.sum(axis=1), 1.0)

    def test_predicting_the_flipped_labels_earns_less_weight_than_under_the_noisy_log_loss(self):
        """A model that gives flipped rows' wrong labels half their probability weighs less once the loss is corrected.

        ``a`` is sharp on the true class everywhere; ``b`` is blurred on the clean rows and puts 0.5
        on the given (wrong) label of each flipped row: the noisy log loss favours ``b``.
        """
        rng = np.random.default_rng(3)
        n, k = 600, 3
        truth = rng.integers(0, k, n)
        flipped = rng.random(n) < 0.08
        codes = np.where(flipped, (truth + 1) % k, truth)
        sharp = rng.uniform(0.95, 0.995, n)
        a = np.repeat(((1 - sharp) / (k - 1))[:, None], k, axis=1)
        a[np.arange(n), truth] = sharp
        b = np.full((n, k), 0.1)
        b[np.arange(n), truth] = 0.8
        b[flipped] = 0.25
        b[flipped, codes[flipped]] = 0.5
        # the logistic's noisy-label probabilities: T (0.9 on the diagonal, 0.1 to the next class) applied to a
        noise = 0.9 * np.eye(k) + 0.1 * np.roll(np.eye(k), 1, axis=1)
        folds = np.array_split(rng.permutation(n), 5)
        _, forward = cross_fit_forward_blend([a, b], codes, folds, a @ noise)
        noisy = fit_blend_weights(np.column_stack([a[np.arange(n), codes], b[np.arange(n), codes]]))
        assert noisy[1] > 0.5
        assert forward[1] < noisy[1] - 0.2


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 4), st.integers(1, 3))
def test_permuting_rows_permutes_the_blend_and_keeps_the_weights(seed, k, m):
    """Row order does not matter (a fixed number of EM steps, so no tolerance cuts differently)."""
    stack, codes, anchor, folds = _stack(120, k, m, seed)
    order = np.random.default_rng(seed + 1).permutation(120)
    where = np.argsort(order)  # new position of each old row
    blended, w = cross_fit_forward_blend(stack, codes, folds, anchor, n_iter=60, tol=-np.inf)
    blended2, w2 = cross_fit_forward_blend(
        [p[order] for p in stack], codes[order], [where[f] for f in folds], anchor[order], n_iter=60, tol=-np.inf
    )
    np.testing.assert_allclose(w2, w, atol=1e-10)
    np.testing.assert_allclose(blended2, blended[order], atol=1e-10)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 4))
def test_renaming_classes_keeps_the_weights(seed, k):
    """Exchanging the class columns (and the labels with them) leaves the weights and the blend unchanged."""
    stack, codes, anchor, folds = _stack(150, k, 2, seed)
    rename = np.random.default_rng(seed + 2).permutation(k)  # old class c becomes rename[c]
    columns = np.argsort(rename)  # new column j holds old class columns[j]
    blended, w = cross_fit_forward_blend(stack, codes, folds, anchor, n_iter=60, tol=-np.inf)
    blended2, w2 = cross_fit_forward_blend(
        [p[:, columns] for p in stack], rename[codes], folds, anchor[:, columns], n_iter=60, tol=-np.inf
    )
    np.testing.assert_allclose(w2, w, atol=1e-10)
    np.testing.assert_allclose(blended2, blended[:, columns], atol=1e-10)
