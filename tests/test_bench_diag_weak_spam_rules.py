"""``benchmarks/diag_weak_spam_rules.py``'s helpers: the true structure read from the phrases, the gold-parameter
model, the EM run from it, and the same-class co-firing statistic."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def diag():
    sys.path.insert(0, str(BENCH))  # the script imports its siblings
    try:
        spec = importlib.util.spec_from_file_location("spam52_diag", BENCH / "diag_weak_spam_rules.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(BENCH))


def independent_votes(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Four one-class rules independent given a balanced binary class: two vote 1, two vote 0."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    rates = np.array([[0.1, 0.6], [0.05, 0.4], [0.5, 0.1], [0.4, 0.05]])  # [rule, class]: P(fires | class)
    fire = rng.random((n, 4)) < rates[:, y].T
    return np.where(fire, np.array([1, 1, 0, 0]), -1), y


class TestSharedTriggerPairs:
    def test_rules_firing_on_one_phrase_are_paired(self, diag):
        """Two rules that fire on a common phrase are a pair; a rule with phrases of its own is in none."""
        fire = np.array([[1, 1, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]], dtype=bool)
        assert diag.shared_trigger_pairs(fire) == [(0, 1)]

    def test_a_rule_firing_on_every_phrase_is_paired_with_none(self, diag):
        """A length rule (it fires on every phrase) shares no trigger with the keyword rules."""
        fire = np.array([[1, 0, 0], [1, 1, 1], [0, 0, 1]], dtype=bool)
        assert diag.shared_trigger_pairs(fire) == []

    def test_the_spam_rules_share_the_check_and_the_love_song_triggers(self, diag):
        """On the walk's phrases: check, check_out and its regex copy share "check out my channel"; love and song
        share "i love this song"; short (every phrase is short) is paired with none."""
        pairs = diag.shared_trigger_pairs(diag.phrase_firing())
        assert pairs == [(0, 1), (0, 2), (1, 2), (6, 7)]
        assert diag.cliques(8, pairs) == [[0, 1, 2], [3], [4], [5], [6, 7]]


class TestGoldModel:
    def test_gold_parameters_are_the_class_conditional_firing_shares(self, diag):
        """Each singleton's fire probability given the class is its share among that class's items."""
        matrix, y = independent_votes(4000, 0)
        lam, n_outcomes, mu, p = diag.gold_model(matrix, y, 2, [[j] for j in range(4)])
        assert np.allclose(p, np.bincount(y) / len(y))
        for j, vote in enumerate([1, 1, 0, 0]):
            column = j * 3 + 1 + vote  # group j's outcomes: abstain, vote 0, vote 1
            for c in (0, 1):
                expected = ((matrix[y == c, j] >= 0).sum() + diag.SMOOTHING) / ((y == c).sum() + 3 * diag.SMOOTHING)
                assert mu[column, c] == pytest.approx(expected)
        groups = diag._group_of(n_outcomes)
        for g in range(4):
            assert np.allclose(mu[groups == g].sum(axis=0), 1.0)

    def test_em_from_gold_never_lowers_the_likelihood_and_stays_near_the_class_when_the_model_holds(self, diag):
        """On rules independent given the class, EM from gold's parameters rises monotonically, by about the
        parameters' count in likelihood ratio, and keeps the gold model's accuracy."""
        matrix, y = independent_votes(20000, 1)
        lam, n_outcomes, mu, p = diag.gold_model(matrix, y, 2, [[j] for j in range(4)])
        post, ll_gold = diag.log_likelihood(lam, mu, p)
        _, _, post_em, hist = diag.em_from(lam, n_outcomes, np.eye(2)[y])
        assert all(b >= a - 1e-12 for a, b in zip(hist, hist[1:], strict=False))
        assert 2 * len(y) * (hist[-1] - ll_gold) < 60  # 9 parameters: far below the spam set's hundreds
        assert (post_em.argmax(axis=1) == post.argmax(axis=1)).mean() > 0.98


class TestSameClassCofireZ:
    def test_independent_rules_of_one_class_cofire_positively(self, diag):
        """Two rules independent given the class that both prefer class 1 fire together more than chance."""
        matrix, _ = independent_votes(20000, 2)
        assert diag.same_class_cofire_z(matrix) > 5

    def test_rules_that_exclude_each_other_give_a_negative_z(self, diag):
        """Two class-1 rules that never fire on the same item (one phrase per item) are far below independence."""
        rng = np.random.default_rng(3)
        which = rng.integers(0, 3, 5000)  # 0: rule a's phrase, 1: rule b's, 2: neither
        matrix = np.stack([np.where(which == 0, 1, -1), np.where(which == 1, 1, -1)], axis=1)
        assert diag.same_class_cofire_z(matrix) < -20

    def test_pairs_of_opposite_classes_are_not_counted(self, diag):
        """A rule of class 0 and one of class 1 that exclude each other give no pair: the statistic is +inf."""
        which = np.arange(100) % 3
        matrix = np.stack([np.where(which == 0, 0, -1), np.where(which == 1, 1, -1)], axis=1)
        assert diag.same_class_cofire_z(matrix) == np.inf


def test_trigger_pairs_join_a_features_rules_and_copies(diag):
    """A shared-trigger set's rules reading the same feature are pairs; class rules are in none."""
    names = ["feat0_rule0", "feat0_rule0_copy", "feat1_rule0", "class0_rule0", "class1_rule0"]
    assert diag.trigger_pairs(names) == [(0, 1)]
