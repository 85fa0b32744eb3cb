"""labelwise.models._forward: the logistic family's forward-corrected fit, scored by auto."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression

import labelwise as lw
from labelwise.columns import infer_column_roles
from labelwise.models import FAMILIES, choose_model, default_model
from labelwise.models._forward import ForwardLogistic, anchor_transition
from labelwise.robust import ForwardCorrection, estimate_transition

BIG = 1e6  # a time budget no test reaches


def _noisy_blobs(n=240, k=3, d=4, rate=0.2, seed=0):
    """Gaussian classes with ``rate`` of the labels moved to the next class."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    X = rng.normal(size=(n, d)) + 2.0 * np.eye(k, d)[y]
    noisy = np.where(rng.random(n) < rate, (y + 1) % k, y)
    return X, noisy


class TestAnchorTransition:
    @settings(max_examples=25, deadline=None)
    @given(seed=st.integers(0, 2**31 - 1), k=st.integers(2, 5), n=st.integers(40, 200))
    def test_equals_robust_estimate_transition(self, seed, k, n):
        """On continuous probabilities the anchor rule is labelwise.robust's (Patrini et al.'s 97th percentile)."""
        probs = np.random.default_rng(seed).dirichlet(np.ones(k), size=n)
        np.testing.assert_allclose(anchor_transition(probs), estimate_transition(probs, method="anchor"), atol=1e-12)

    def test_rows_are_the_anchor_rows(self):
        """Class i's row is the probability row whose p(i) is the largest below the cut, not the maximum."""
        probs = np.array([[0.95, 0.05], [0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.2, 0.8], [0.1, 0.9]])
        T = anchor_transition(probs, percentile=90.0)
        np.testing.assert_allclose(T, [[0.9, 0.1], [0.2, 0.8]])


class TestForwardLogistic:
    def test_fit_is_robust_forward_correction_with_the_same_transition(self):
        """The corrected fit minimises labelwise.robust.ForwardCorrection's objective for the T it estimated."""
        X, y = _noisy_blobs()
        ours = ForwardLogistic(C=0.1, tol=1e-9).fit(X, y)
        theirs = ForwardCorrection(C=0.1, transition=ours.transition_, tol=1e-9).fit(X, y)
        # both stop on L-BFGS-B's relative-decrease test (ftol 2.2e-9), about 2e-5 apart here
        np.testing.assert_allclose(ours.clean_proba(X), theirs.predict_proba(X), atol=1e-4)

    def test_transition_comes_from_the_plain_fit_on_the_training_rows(self):
        X, y = _noisy_blobs(seed=1)
        plain = LogisticRegression(C=0.1, max_iter=2000).fit(X, y)
        model = ForwardLogistic(C=0.1).fit(X, y)
        np.testing.assert_allclose(model.transition_, anchor_transition(plain.predict_proba(X)), atol=1e-12)

    def test_predicts_the_noisy_posterior(self):
        """predict_proba is Tᵀ q(x): rows sum to 1, and it is not the clean posterior when T is not I."""
        X, y = _noisy_blobs(seed=2)
        model = ForwardLogistic().fit(X, y)
        probs = model.predict_proba(X)
        np.testing.assert_allclose(probs, model.clean_proba(X) @ model.transition_, atol=1e-12)
        np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-12)
        assert np.abs(probs - model.clean_proba(X)).max() > 0.05

    def test_two_classes_and_sparse_input(self):
        """Two classes use scikit-learn's one-column logits; a sparse matrix gives the dense result."""
        import scipy.sparse as sp

        X, y = _noisy_blobs(k=2, seed=3)
        dense = ForwardLogistic(tol=1e-9).fit(X, y)
        sparse = ForwardLogistic(tol=1e-9).fit(sp.csr_matrix(X), y)
        assert dense.coef_.shape == (X.shape[1], 1)
        np.testing.assert_allclose(sparse.predict_proba(sp.csr_matrix(X)), dense.predict_proba(X), atol=1e-6)

    @settings(max_examples=8, deadline=None)
    @given(seed=st.integers(0, 2**31 - 1))
    def test_row_order_and_class_names(self, seed):
        """Permuting rows or renaming classes changes nothing else.

        Fits at gtol 1e-9 stop on L-BFGS-B's relative-decrease test (ftol 2.2e-9), whose cut may
        fall one step apart for two orders; compared at 1e-4, as labelwise.robust's ForwardCorrection.
        """
        X, y = _noisy_blobs(n=150, seed=seed % 1000)
        order = np.random.default_rng(seed).permutation(y.size)
        base = ForwardLogistic(tol=1e-9).fit(X, y).predict_proba(X)
        shuffled = ForwardLogistic(tol=1e-9).fit(X[order], y[order]).predict_proba(X)
        np.testing.assert_allclose(shuffled, base, atol=1e-4)
        renamed = ForwardLogistic(tol=1e-9).fit(X, np.array(["c", "b", "a"])[y])
        np.testing.assert_allclose(renamed.predict_proba(X)[:, ::-1], base, atol=1e-4)


class TestAutoScoresTheForwardFit:
    def test_logistic_candidate_is_the_forward_fit_out_of_fold(self):
        """auto's logistic probabilities are ForwardLogistic's out-of-fold ones; --model logistic stays plain."""
        X, y = _noisy_blobs(seed=4)
        frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
        choice = choose_model(frame, y, families=["logistic"], calibrate=False, time_budget=BIG, random_state=7)
        audit = FAMILIES["logistic"].build(infer_column_roles(frame), 7, audit=True)
        expected = lw.out_of_fold_probs(audit, frame, y, random_state=7, verbose=False)
        np.testing.assert_allclose(choice.probs, expected, atol=1e-12)
        assert isinstance(audit.named_steps["classifier"], ForwardLogistic)
        assert type(default_model(frame, model="logistic").named_steps["classifier"]) is LogisticRegression
        assert type(choice.estimator.named_steps["classifier"]) is LogisticRegression
