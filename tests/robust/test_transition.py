"""``estimate_transition`` (anchor points, confident joint) and ``check_transition``."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise import find_label_issues
from labelwise.errors import InvalidParameterError, InvalidProbabilitiesError
from labelwise.robust import estimate_transition
from labelwise.robust.transition import check_transition


def _noisy_posteriors(seed: int, n: int, T: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Noisy posteriors ``clean @ T`` of clean posteriors that include exact anchors of every class."""
    rng = np.random.default_rng(seed)
    k = T.shape[0]
    clean = rng.dirichlet(np.ones(k), size=n)
    clean[:k] = np.eye(k)  # one sure example per class
    labels = np.array([rng.choice(k, p=row) for row in clean @ T])
    return clean @ T, labels


def _probs_and_labels(seed: int, n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % k
    probs = rng.dirichlet(np.ones(k), size=n) * 0.5
    probs[np.arange(n), labels] += 0.5
    return probs, labels


class TestAnchor:
    def test_rows_are_the_posteriors_of_each_class_anchor(self):
        """With percentile=100 each row of T is the probability row of that class's most probable example."""
        probs = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.2, 0.8]])
        assert np.allclose(estimate_transition(probs, percentile=100), [[0.9, 0.1], [0.2, 0.8]])

    def test_percentile_rule_skips_the_largest_values(self):
        """Below the 97th percentile, an outlier at the very top of a column is not taken as the anchor."""
        probs = np.tile([0.5, 0.5], (100, 1))
        probs[:, 0] = np.linspace(0.2, 0.8, 100)
        probs[:, 1] = 1 - probs[:, 0]
        T = estimate_transition(probs, percentile=97)
        assert T[0, 0] < probs[:, 0].max()
        assert T[0, 0] == pytest.approx(np.sort(probs[:, 0])[-4])

    def test_ties_at_the_anchor_value_are_averaged(self):
        """Rows tied at the anchor value contribute their mean, whatever their order."""
        probs = np.array([[0.6, 0.4, 0.0], [0.6, 0.0, 0.4], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]])
        T = estimate_transition(probs, percentile=100)
        assert np.allclose(T[0], [0.6, 0.2, 0.2])

    def test_recovers_a_known_transition_from_exact_posteriors(self):
        """Noisy posteriors made from a T, with anchors present, give that T back."""
        T = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.0, 0.3, 0.7]])
        noisy, _ = _noisy_posteriors(0, 300, T)
        assert np.allclose(estimate_transition(noisy, percentile=100), T)

    def test_rows_sum_to_one(self):
        """Every row of the estimate is a distribution."""
        probs, _ = _probs_and_labels(3, 80, 4)
        assert np.allclose(estimate_transition(probs).sum(axis=1), 1.0)


class TestConfidentJoint:
    def test_is_the_transposed_noise_matrix_of_confident_learning(self):
        """T is find_label_issues' noise matrix P(given=i | true=j) transposed."""
        probs, labels = _probs_and_labels(1, 90, 3)
        labels = labels.copy()
        labels[:12] = (labels[:12] + 1) % 3
        expected = find_label_issues(labels, probs).noise_matrix.T
        assert np.allclose(estimate_transition(probs, labels, method="confident_joint"), expected)

    def test_needs_labels(self):
        """Without labels, the confident joint cannot be counted: an error names labels."""
        probs, _ = _probs_and_labels(1, 30, 3)
        with pytest.raises(InvalidParameterError, match="labels must be given"):
            estimate_transition(probs, method="confident_joint")

    def test_string_labels_with_classes(self):
        """String labels name the columns through classes."""
        probs, labels = _probs_and_labels(2, 60, 3)
        names = np.array(["a", "b", "c"])
        T = estimate_transition(probs, names[labels], method="confident_joint", classes=names)
        assert np.allclose(T, estimate_transition(probs, labels, method="confident_joint"))


class TestErrors:
    @pytest.mark.parametrize("percentile", [0, -1, 100.5, float("nan"), "high"])
    def test_bad_percentile(self, percentile):
        """A percentile outside (0, 100] is refused, naming percentile."""
        probs, _ = _probs_and_labels(1, 30, 3)
        with pytest.raises(InvalidParameterError, match="percentile"):
            estimate_transition(probs, percentile=percentile)

    def test_unknown_method(self):
        """An unknown method is refused, listing the methods."""
        probs, _ = _probs_and_labels(1, 30, 3)
        with pytest.raises(InvalidParameterError, match="method must be one of"):
            estimate_transition(probs, method="gold")

    def test_probs_rows_must_sum_to_one(self):
        """Probabilities that are not distributions are refused."""
        with pytest.raises(InvalidProbabilitiesError, match="probs"):
            estimate_transition(np.full((4, 2), 0.7))


class TestCheckTransition:
    def test_wrong_shape_names_the_expected_shape(self):
        """A matrix of the wrong size names the shape one row and column per class needs."""
        with pytest.raises(InvalidProbabilitiesError, match=r"shape \(3, 3\).*got shape \(2, 2\)"):
            check_transition(np.eye(2), 3)

    def test_negative_entry_names_its_place(self):
        """A negative entry is refused with its row and column."""
        T = np.array([[1.2, -0.2], [0.0, 1.0]])
        with pytest.raises(InvalidProbabilitiesError, match="row 0, column 1"):
            check_transition(T, 2)

    def test_rows_must_sum_to_one(self):
        """A row that is not a distribution is named with its sum."""
        with pytest.raises(InvalidProbabilitiesError, match="row 1 sums to 0.9"):
            check_transition([[1.0, 0.0], [0.4, 0.5]], 2)

    def test_singular_matrix_refused_where_an_inverse_is_needed(self):
        """A T with two equal rows cannot be inverted: refused only when asked to be invertible."""
        T = np.array([[0.5, 0.5], [0.5, 0.5]])
        assert np.allclose(check_transition(T, 2), T)
        with pytest.raises(InvalidProbabilitiesError, match="invertible"):
            check_transition(T, 2, invertible=True)

    def test_not_numeric(self):
        """Text is not a matrix."""
        with pytest.raises(InvalidProbabilitiesError, match="numeric matrix"):
            check_transition([["a", "b"], ["c", "d"]], 2)


class TestProperties:
    @settings(max_examples=20, deadline=None)
    @given(seed=st.integers(0, 10_000), k=st.integers(2, 5), method=st.sampled_from(["anchor", "confident_joint"]))
    def test_row_order_does_not_matter(self, seed, k, method):
        """Shuffling the examples gives the same T."""
        probs, labels = _probs_and_labels(seed, 12 * k, k)
        order = np.random.default_rng(seed).permutation(labels.size)
        a = estimate_transition(probs, labels, method=method)
        b = estimate_transition(probs[order], labels[order], method=method)
        assert np.allclose(a, b)

    @settings(max_examples=20, deadline=None)
    @given(seed=st.integers(0, 10_000), k=st.integers(2, 5), method=st.sampled_from(["anchor", "confident_joint"]))
    def test_renaming_classes_permutes_rows_and_columns(self, seed, k, method):
        """Relabelling the classes by a permutation permutes T's rows and columns the same way."""
        probs, labels = _probs_and_labels(seed, 12 * k, k)
        perm = np.random.default_rng(seed + 1).permutation(k)  # old class c becomes perm[c]
        renamed_probs = np.empty_like(probs)
        renamed_probs[:, perm] = probs
        a = estimate_transition(probs, labels, method=method)
        b = estimate_transition(renamed_probs, perm[labels], method=method)
        assert np.allclose(b[np.ix_(perm, perm)], a)

    @settings(max_examples=10, deadline=None)
    @given(seed=st.integers(0, 10_000))
    def test_deterministic(self, seed):
        """Two calls give the same bits."""
        probs, labels = _probs_and_labels(seed, 40, 3)
        assert np.array_equal(estimate_transition(probs), estimate_transition(probs))
