"""Properties of ``CleanMultilabelClassifier``: row order, tag renaming and reordering, determinism."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.naive_bayes import GaussianNB

from labelwise.robust import CleanMultilabelClassifier

ACTIONS = st.sampled_from(["flip", "drop", "reweight"])


def _problem(seed: int, n: int, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, noisy 0/1 tags (each tag present on 20-60% of rows, then 30% dropped, 3% added) and
    continuous out-of-fold-like probabilities."""
    rng = np.random.default_rng(seed)
    truth = rng.random((n, k)) < rng.uniform(0.2, 0.6, size=k)
    X = rng.normal(size=(n, 3)) + truth[:, : min(k, 3)].sum(axis=1, keepdims=True)
    noisy = np.where(truth, rng.random((n, k)) > 0.3, rng.random((n, k)) < 0.03).astype(np.int64)
    probs = np.clip(np.where(truth, 0.75, 0.25) + rng.normal(0, 0.15, size=(n, k)), 0.001, 0.999)
    return X, noisy, probs


def _model(action: str, cv: int = 3) -> CleanMultilabelClassifier:
    return CleanMultilabelClassifier(GaussianNB(), cv=cv, action=action, random_state=0)


class TestProperties:
    @settings(max_examples=15, deadline=None)
    @given(seed=st.integers(0, 10_000), n=st.integers(40, 120), k=st.integers(1, 4), action=ACTIONS)
    def test_permuting_rows_permutes_the_flags_and_keeps_the_model(self, seed, n, k, action):
        """With given probabilities, shuffled rows give the same flags (shuffled) and the same predictions."""
        X, noisy, probs = _problem(seed, n, k)
        perm = np.random.default_rng(seed + 1).permutation(n)
        a = _model(action).fit(X, noisy, pred_probs=probs)
        b = _model(action).fit(X[perm], noisy[perm], pred_probs=probs[perm])
        np.testing.assert_array_equal(a.issues_.is_issue[perm], b.issues_.is_issue)
        np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-6, atol=1e-9)

    @settings(max_examples=10, deadline=None)
    @given(seed=st.integers(0, 10_000), n=st.integers(40, 90), k=st.integers(2, 4), action=ACTIONS)
    def test_renaming_and_reordering_tags_permutes_the_columns(self, seed, n, k, action):
        """Tags given as lists under other names, in another order, give the same per-tag flags and
        probabilities (cross-validated: a tag's folds do not depend on its position or name)."""
        X, noisy, _ = _problem(seed, n, k)
        names = np.array([f"t{j}" for j in range(k)])
        renamed = np.array([f"{chr(ord('a') + k - j)}-new" for j in range(k)])  # sorted in reverse
        a = _model(action, cv=2).fit(X, [names[np.flatnonzero(r)].tolist() for r in noisy])
        b = _model(action, cv=2).fit(X, [renamed[np.flatnonzero(r)].tolist() for r in noisy])
        order = [renamed.tolist().index(t) for t in b.classes_]  # b's column -> original tag
        assert a.classes_.tolist() == names.tolist()
        np.testing.assert_array_equal(a.issues_.is_issue[:, order], b.issues_.is_issue)
        np.testing.assert_array_equal(a.pred_probs_[:, order], b.pred_probs_)
        np.testing.assert_array_equal(a.predict_proba(X)[:, order], b.predict_proba(X))

    @settings(max_examples=8, deadline=None)
    @given(seed=st.integers(0, 10_000), action=ACTIONS)
    def test_same_seed_same_model(self, seed, action):
        """Two cross-validated fits with the same random_state are identical, bit for bit."""
        X, noisy, _ = _problem(seed, 60, 3)
        a, b = _model(action).fit(X, noisy), _model(action).fit(X, noisy)
        np.testing.assert_array_equal(a.pred_probs_, b.pred_probs_)
        np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
