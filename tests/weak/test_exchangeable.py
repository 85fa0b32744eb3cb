"""The label model's test for exchangeable labelers (``weak._exchangeable``): one confusion shared by every labeler where
a likelihood-ratio test cannot tell their confusions apart (crowds stored by slot)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate.priors import agreement_accuracy, diagonal_confusion_prior
from labelwise.weak import LabelModel, _exchangeable, as_votes


def slot_crowd(n: int, k: int, slots: int, accuracy, seed: int) -> tuple:
    """Each item answered once per slot; slot ``t`` right with ``accuracy[t]``, its errors on the class's look-alike
    (``y + 1``) half the time, else uniform. Equal accuracies: exchangeable slots."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    acc = np.asarray(accuracy, dtype=float)
    cols = []
    for t in range(slots):
        u = rng.random(n)
        wrong = np.where(rng.random(n) < 0.5, (y + 1) % k, (y + rng.integers(1, k, n)) % k)
        cols.append(np.where(u < acc[t], y, wrong))
    label = np.stack(cols, axis=1)
    answers = pd.DataFrame(
        {
            "item": np.repeat(np.arange(n), slots),
            "labeler": np.tile([f"s{t}" for t in range(slots)], n),
            "label": label.ravel(),
        }
    )
    return as_votes(answers), y


def shared_map_labels(matrix: np.ndarray, k: int, steps: int = 2000) -> np.ndarray:
    """Reference: Dawid and Skene's EM with one confusion for all labelers, from majority vote, under the label model's
    prior pseudo-counts (strength 8 from the crowd's agreement accuracy, plus smoothing 0.01), class balance free;
    written per item, without the package's row compression."""
    n, m = matrix.shape
    counts = np.stack([(matrix == c).sum(axis=1) for c in range(k)], axis=1).astype(float)
    pseudo = diagonal_confusion_prior(k, strength=8.0, accuracy=agreement_accuracy(counts)) + 0.01
    post = counts / counts.sum(axis=1, keepdims=True)
    for _ in range(steps):
        expected = pseudo.copy()
        for j in range(m):
            for a in range(k):
                expected[:, a] += post[matrix[:, j] == a].sum(axis=0)
        conf = expected / expected.sum(axis=1, keepdims=True)
        balance = post.mean(axis=0)
        log = np.log(balance)[None, :] + sum(np.log(conf[:, matrix[:, j]]).T for j in range(m))
        new = np.exp(log - log.max(axis=1, keepdims=True))
        new /= new.sum(axis=1, keepdims=True)
        if np.abs(new - post).max() < 1e-12:
            break
        post = new
    return post.argmax(axis=1)


class TestExchangeableSlots:
    def test_exchangeable_slots_keep_one_shared_confusion(self):
        """Three slots of one accuracy: the test does not reject, and the labels are the shared-confusion MAP fit's."""
        votes, _ = slot_crowd(3000, 4, 3, [0.75, 0.75, 0.75], seed=1)
        model = LabelModel().fit(votes)
        test = model.shared_confusion_
        assert test is not None and test.p_value >= _exchangeable.ALPHA
        assert test.df == 2 * 4 * 3
        reference = shared_map_labels(votes.matrix(), 4)
        assert np.array_equal(pd.Index(model.classes_).get_indexer(model.labels_.to_numpy()), reference)

    def test_shared_confusion_beats_one_confusion_per_slot_on_average(self):
        """Over ten exchangeable slot crowds of K = 10 and 600 items, the shared confusion labels more items right."""
        gains = []
        for seed in range(10):
            votes, y = slot_crowd(600, 10, 3, [0.7, 0.7, 0.7], seed=100 + seed)
            on = LabelModel().fit(votes).labels_.to_numpy()
            _exchangeable.ENABLED = False
            try:
                off = LabelModel().fit(votes).labels_.to_numpy()
            finally:
                _exchangeable.ENABLED = True
            gains.append(int((on == y).sum()) - int((off == y).sum()))
        assert sum(gains) > 0

    def test_predict_gives_the_fitted_labels_and_posteriors(self):
        """``predict_proba`` of the training votes equals ``probas_`` under the shared confusion (its ``group_mu_``)."""
        votes, _ = slot_crowd(2000, 3, 3, [0.8, 0.8, 0.8], seed=2)
        model = LabelModel().fit(votes)
        assert model.shared_confusion_.p_value >= _exchangeable.ALPHA
        np.testing.assert_allclose(np.asarray(model.predict_proba(votes)), model.probas_.to_numpy(), atol=1e-12)
        assert list(model.predict(votes)) == model.labels_.tolist()


class TestNotShared:
    def test_labelers_of_different_accuracy_keep_their_own_confusions(self):
        """Slots of accuracy 0.55, 0.75 and 0.95 on 5,000 items: the test rejects and the fit is the one without it."""
        votes, _ = slot_crowd(5000, 3, 3, [0.55, 0.75, 0.95], seed=3)
        model = LabelModel().fit(votes)
        assert model.shared_confusion_.p_value < 1e-6
        _exchangeable.ENABLED = False
        try:
            before = LabelModel().fit(votes)
        finally:
            _exchangeable.ENABLED = True
        assert model.labels_.equals(before.labels_)
        np.testing.assert_array_equal(model.probas_.to_numpy(), before.probas_.to_numpy())

    def test_sparse_crowd_is_not_tested(self):
        """40 workers with about 150 votes each at K = 10 (fewer than 5 per confusion cell): no test, main's fit."""
        rng = np.random.default_rng(4)
        n, k = 2000, 10
        y = rng.integers(0, k, n)
        rows = [
            (i, f"w{w}", y[i] if rng.random() < 0.7 else rng.integers(0, k))
            for i in range(n)
            for w in rng.choice(40, 3, replace=False)
        ]
        votes = as_votes(pd.DataFrame(rows, columns=["item", "labeler", "label"]))
        assert LabelModel().fit(votes).shared_confusion_ is None

    def test_informative_abstain_fit_is_not_tested(self):
        """Keyword-like rules whose abstains depend on the class keep the informative fit: no test."""
        from labelwise.weak import simulate_lfs

        sim = simulate_lfs(3000, 6, 2, coverage=(0.2, 0.6), random_state=5)
        model = LabelModel().fit(sim.votes)
        if model.abstains_ == "informative":
            assert model.shared_confusion_ is None
        else:
            pytest.skip("this simulation chose missing abstains")


class TestSharedTest:
    @settings(max_examples=25, deadline=None)
    @given(seed=st.integers(0, 10_000), k=st.integers(2, 4), slots=st.integers(2, 4))
    def test_statistic_is_nonnegative_and_ignores_the_labelers_order(self, seed, k, slots):
        """The shared model is nested in the separate one: 2Δℓ >= 0; permuting the labelers' columns changes nothing."""
        votes, _ = slot_crowd(400, k, slots, np.linspace(0.6, 0.9, slots), seed=seed)
        matrix = votes.matrix()
        w = np.ones(len(matrix))
        test = _exchangeable.shared_test(matrix, w, k)
        assert test is not None
        assert test.statistic >= 0 and 0 <= test.p_value <= 1 and test.df == (slots - 1) * k * (k - 1)
        perm = np.random.default_rng(seed).permutation(slots)
        again = _exchangeable.shared_test(matrix[:, perm], w, k)
        assert again.statistic == pytest.approx(test.statistic, rel=1e-6, abs=1e-6)

    def test_few_votes_per_cell_gives_no_test(self):
        """A labeler with fewer than 5 K² votes: None (the χ² approximation does not hold)."""
        matrix = np.array([[0, 1], [1, 1], [0, 0]] * 6)  # 18 votes each; K = 2 needs 20
        assert _exchangeable.shared_test(matrix, np.ones(len(matrix)), 2) is None
