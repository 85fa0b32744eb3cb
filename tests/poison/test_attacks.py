"""Tests for the label-flipping attacks in labelwise.poison."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.svm import SVC

from labelwise.errors import InvalidLabelsError, InvalidParameterError, ShapeMismatchError
from labelwise.poison import ATTACKS, PoisonedLabels, alfa, budget_count, farthest_first, lfa, random_flips, topk_sv


def _svc_accuracy(X, y, X_test, y_test):
    return SVC(C=10.0, gamma="scale").fit(X, y).score(X_test, y_test)


class TestBudget:
    @pytest.mark.parametrize(
        ("budget", "n", "expected"), [(0.1, 200, 20), (0.05, 500, 25), (0.0, 10, 0), (7, 10, 7), (10, 10, 10)]
    )
    def test_fraction_and_count(self, budget, n, expected):
        """A float is a fraction of n (rounded half up); an int is a count."""
        assert budget_count(budget, n) == expected

    @pytest.mark.parametrize("budget", [1.0, -0.1, 1.5, float("nan")])
    def test_fraction_outside_unit_interval_is_rejected(self, budget):
        """A fraction outside [0, 1) raises InvalidParameterError naming the range."""
        with pytest.raises(InvalidParameterError, match=r"budget as a fraction must be in \[0, 1\)"):
            budget_count(budget, 100)

    def test_count_above_n_is_rejected(self):
        """A count larger than the number of examples is rejected with both numbers."""
        with pytest.raises(InvalidParameterError, match=r"between 0 and the number of examples \(10\), got 11"):
            budget_count(11, 10)

    @pytest.mark.parametrize("budget", ["0.1", None, True])
    def test_non_numbers_are_rejected(self, budget):
        """Strings, None and booleans are not budgets."""
        with pytest.raises(InvalidParameterError, match="budget"):
            budget_count(budget, 10)


class TestAttacksSpendTheBudgetExactly:
    @pytest.mark.parametrize("name", ["random", "farthest", "topk_sv", "alfa"])
    @settings(max_examples=8, deadline=None)
    @given(budget=st.one_of(st.integers(0, 60), st.floats(0.0, 0.3)))
    def test_flips_equal_the_budget(self, moons, name, budget):
        """Every attack flips exactly budget_count(budget, n) labels and reports them."""
        X, y, _, _ = moons
        res = ATTACKS[name](X, y, budget, random_state=0)
        assert isinstance(res, PoisonedLabels)
        assert res.n_flipped == budget_count(budget, len(y)) == res.budget
        assert np.array_equal(res.is_flipped, res.labels != y)

    def test_lfa_flips_equal_the_budget(self, moons):
        """LFA flips exactly the budget (count form)."""
        X, y, _, _ = moons
        assert lfa(X, y, 4, random_state=0, n_candidates=4).n_flipped == 4


class TestAttacksHurtMoreThanRandom:
    @pytest.mark.parametrize(("name", "budget"), [("farthest", 0.2), ("topk_sv", 0.2), ("alfa", 0.2), ("lfa", 0.1)])
    def test_attack_lowers_svc_accuracy_more_than_random_flips(self, moons, name, budget):
        """A plain SVC trained on attacked labels is less accurate than after random flips of the same budget."""
        X, y, X_test, y_test = moons
        random_acc = np.mean(
            [_svc_accuracy(X, random_flips(X, y, budget, random_state=s).labels, X_test, y_test) for s in range(5)]
        )
        attacked = ATTACKS[name](X, y, budget, random_state=0)
        assert _svc_accuracy(X, attacked.labels, X_test, y_test) < random_acc - 0.005


class TestAttackDetails:
    def test_labels_keep_the_users_values_and_dtype(self, moons):
        """String labels come back as the same strings, same dtype."""
        X, y, _, _ = moons
        names = np.array(["ham", "spam"])[y]
        res = alfa(X, names, 0.1)
        assert res.labels.dtype == names.dtype and set(res.labels) == {"ham", "spam"}
        assert res.to_frame().shape == (len(y), 3)

    def test_alfa_is_deterministic_and_reports_iterations(self, moons):
        """ALFA gives the same flips twice and records its LP/SVM alternations."""
        X, y, _, _ = moons
        a, b = alfa(X, y, 0.1), alfa(X, y, 0.1)
        assert np.array_equal(a.labels, b.labels)
        assert 1 <= a.info["n_iter"] <= 10

    def test_alfa_costs_bound_the_total_cost(self, moons):
        """With per-label costs, the flipped labels' total cost stays within the budget."""
        X, y, _, _ = moons
        costs = np.linspace(0.5, 2.0, len(y))
        res = alfa(X, y, 10, costs=costs)
        assert costs[res.is_flipped].sum() <= 10 + 1e-9

    def test_farthest_first_flips_the_most_confident_points(self, moons):
        """Farthest-first flips points with larger clean margins than the points it keeps."""
        X, y, _, _ = moons
        res = farthest_first(X, y, 0.1)
        margin = (2 * y - 1) * SVC(C=10.0, gamma="scale").fit(X, y).decision_function(X)
        assert margin[res.is_flipped].min() >= margin[~res.is_flipped].max() - 1e-9

    def test_multiclass_attacks_flip_to_other_classes(self):
        """random and farthest work with three classes and never 'flip' to the same class."""
        rng = np.random.default_rng(0)
        X = rng.normal(size=(90, 2)) + np.repeat(np.array([[0, 0], [4, 0], [0, 4]]), 30, axis=0)
        y = np.repeat([0, 1, 2], 30)
        for attack in (random_flips, farthest_first):
            res = attack(X, y, 9, random_state=0)
            assert res.n_flipped == 9 and set(np.unique(res.labels)) == {0, 1, 2}

    @pytest.mark.parametrize("attack", [topk_sv, alfa, lfa])
    def test_binary_only_attacks_name_the_multiclass_ones(self, attack):
        """Binary-only attacks reject three classes and list the attacks that handle them."""
        X = np.random.default_rng(0).normal(size=(30, 2))
        y = np.repeat([0, 1, 2], 10)
        with pytest.raises(
            InvalidLabelsError,
            match=r"needs binary labels, got 3 classes; multi-class capable attacks: \['random', 'farthest'\]",
        ):
            attack(X, y, 0.1)

    def test_attacks_need_features_except_random(self, moons):
        """Only the random attack works with X=None."""
        _, y, _, _ = moons
        assert random_flips(None, y, 0.1, random_state=0).n_flipped == 20
        with pytest.raises(InvalidParameterError, match="X is required by the 'alfa' attack"):
            alfa(None, y, 0.1)

    def test_length_mismatch_is_rejected(self, moons):
        """X and labels of different lengths raise ShapeMismatchError."""
        X, y, _, _ = moons
        with pytest.raises(ShapeMismatchError):
            farthest_first(X[:-1], y, 0.1)

    def test_single_class_is_rejected(self):
        """Labels with one class cannot be attacked."""
        with pytest.raises(InvalidLabelsError, match="at least 2 classes"):
            random_flips(None, [1, 1, 1], 1)
