"""Tests for labelwise.noise.flip_labels and instance_dependent_flips."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import InvalidLabelsError, InvalidParameterError, ShapeMismatchError
from labelwise.noise import FlippedLabels, flip_counts, flip_labels, instance_dependent_flips, noise_matrix


def _crosstab(given_codes, true_codes, k):
    table = np.zeros((k, k), dtype=np.int64)
    np.add.at(table, (given_codes, true_codes), 1)
    return table


class TestFlipCounts:
    @settings(max_examples=40, deadline=None)
    @given(counts=st.lists(st.integers(0, 300), min_size=2, max_size=6), seed=st.integers(0, 10_000))
    def test_columns_sum_exactly_to_class_counts(self, counts, seed):
        """Largest-remainder rounding hands out every example of every class exactly once."""
        k = len(counts)
        m = noise_matrix(k, 0.3 if k > 2 else 0.2, kind="random", random_state=seed)
        table = flip_counts(np.array(counts), m)
        assert np.array_equal(table.sum(axis=0), counts)
        assert (np.abs(table - m * np.array(counts)) < 1).all()


class TestFlipLabels:
    def test_flips_exactly_the_counts_the_matrix_implies(self):
        """Each (given, true) cell holds exactly n_j * M[i, j] examples when that is an integer."""
        y = np.repeat([0, 1, 2], [40, 60, 100])
        m = np.array([[0.8, 0.1, 0.05], [0.1, 0.75, 0.15], [0.1, 0.15, 0.8]])
        res = flip_labels(y, m, random_state=0)
        expected = np.rint(m * np.array([40, 60, 100])).astype(int)
        assert np.array_equal(_crosstab(res.labels, y, 3), expected)
        assert res.n_flipped == 200 - np.trace(expected)

    def test_same_counts_as_cleanlab_generate_noisy_labels(self):
        """cleanlab's generator, on a matrix with integral counts, realises the same joint counts."""
        ng = pytest.importorskip("cleanlab.benchmarking.noise_generation")
        y = np.repeat([0, 1, 2], [40, 60, 100])
        m = np.array([[0.8, 0.1, 0.05], [0.1, 0.75, 0.15], [0.1, 0.15, 0.8]])
        np.random.seed(0)  # noqa: NPY002 - cleanlab's generator draws from the global RNG
        theirs = ng.generate_noisy_labels(y, m)
        ours = flip_labels(y, m, random_state=0).labels
        assert np.array_equal(_crosstab(ours, y, 3), _crosstab(theirs, y, 3))

    def test_string_labels_and_dtype_are_preserved(self):
        """Flipped labels keep the user's label values and dtype."""
        y = np.array(["cat", "dog", "emu"] * 20)
        res = flip_labels(y, 0.2, random_state=1)
        assert res.labels.dtype == y.dtype
        assert set(res.labels) <= {"cat", "dog", "emu"}
        assert res.n_flipped == 12
        assert np.array_equal(res.is_flipped, res.labels != y)
        assert np.array_equal(res.true_labels, y)

    def test_a_float_rate_means_the_symmetric_matrix(self):
        """flip_labels(y, r) uses noise_matrix(K, r)."""
        res = flip_labels(np.repeat([3, 7], 50), 0.1, random_state=0)
        assert np.allclose(res.noise_matrix, noise_matrix(2, 0.1))
        assert res.n_flipped == 10

    def test_deterministic_under_random_state(self):
        """The same seed flips the same examples; another seed flips others."""
        y = np.repeat([0, 1], 100)
        a = flip_labels(y, 0.2, random_state=5)
        b = flip_labels(y, 0.2, random_state=5)
        c = flip_labels(y, 0.2, random_state=6)
        assert np.array_equal(a.labels, b.labels)
        assert not np.array_equal(a.labels, c.labels)

    @settings(max_examples=25, deadline=None)
    @given(seed=st.integers(0, 10_000))
    def test_renaming_classes_renames_the_result(self, seed):
        """Flipping string labels equals flipping their integer codes, then renaming."""
        y = np.repeat([0, 1, 2], [7, 11, 13])
        names = np.array(["a", "b", "c"])
        m = noise_matrix(3, 0.3, kind="random", random_state=seed)
        ints = flip_labels(y, m, random_state=seed)
        strs = flip_labels(names[y], m, random_state=seed)
        assert np.array_equal(names[ints.labels], strs.labels)

    def test_to_frame_has_one_row_per_example(self):
        """to_frame() lists true label, noisy label and the flip flag."""
        res = flip_labels(pd.Series(["x", "y"] * 5), 0.2, random_state=0)
        frame = res.to_frame()
        assert list(frame.columns) == ["true_label", "label", "is_flipped"]
        assert len(frame) == 10 and frame["is_flipped"].sum() == 2
        assert isinstance(res, FlippedLabels)

    def test_classes_argument_allows_an_absent_class(self):
        """With classes= a 3x3 matrix applies to labels that only use two of the classes."""
        res = flip_labels(np.repeat([0, 1], 50), noise_matrix(3, 0.2), random_state=0, classes=[0, 1, 2])
        assert set(np.unique(res.labels)) == {0, 1, 2}

    def test_wrong_shape_matrix_is_rejected(self):
        """A 3x3 matrix for two classes raises ShapeMismatchError."""
        with pytest.raises(ShapeMismatchError, match=r"noise_matrix_or_rate must have shape \(2, 2\)"):
            flip_labels([0, 1, 0, 1], np.eye(3))

    def test_matrix_with_bad_column_is_rejected(self):
        """A matrix whose column does not sum to one raises InvalidParameterError."""
        with pytest.raises(InvalidParameterError, match="column 1 sums to 1.1"):
            flip_labels([0, 1, 0, 1], np.array([[0.9, 0.2], [0.1, 0.9]]))

    def test_rate_that_makes_the_matrix_invalid_is_rejected(self):
        """A binary flip rate of 0.5 or more is rejected."""
        with pytest.raises(InvalidParameterError, match=r"noise_rate must be < 0.5"):
            flip_labels([0, 1, 0, 1], 0.6)

    def test_single_class_is_rejected(self):
        """Labels with one class cannot be flipped by a rate."""
        with pytest.raises(InvalidParameterError, match="at least 2 classes"):
            flip_labels([1, 1, 1], 0.1)

    def test_missing_labels_are_rejected(self):
        """A missing label is an InvalidLabelsError naming the row."""
        with pytest.raises(InvalidLabelsError, match="row 1"):
            flip_labels(np.array(["a", None, "b"], dtype=object), 0.1)


class TestInstanceDependentFlips:
    def _data(self, n=3000, seed=0):
        rng = np.random.default_rng(seed)
        probs = rng.dirichlet(np.ones(3), n)
        y = rng.integers(0, 3, n)
        return y, probs

    def test_flips_the_exact_number_and_only_to_other_classes(self):
        """round(rate * n) labels change, each to a different class."""
        y, probs = self._data(n=501)
        res = instance_dependent_flips(y, probs, 0.1, random_state=0)
        assert res.n_flipped == 50
        assert (res.labels[res.is_flipped] != y[res.is_flipped]).all()
        assert np.allclose(res.noise_matrix.sum(axis=0), 1.0)

    def test_flips_concentrate_on_confusing_examples(self):
        """Flipped examples have a lower model probability for their own label than kept ones."""
        y, probs = self._data()
        res = instance_dependent_flips(y, probs, 0.2, random_state=0, sharpness=2.0)
        own = probs[np.arange(len(y)), y]
        assert own[res.is_flipped].mean() < own[~res.is_flipped].mean() - 0.1

    def test_new_label_follows_the_models_other_classes(self):
        """When the model puts all non-own mass on one class, flips go to that class."""
        y = np.repeat([0, 1], 100)
        probs = np.zeros((200, 3))
        probs[:, 2] = 0.6
        probs[np.arange(200), y] = 0.4
        res = instance_dependent_flips(y, probs, 0.3, random_state=0)
        assert set(res.labels[res.is_flipped]) == {2}

    def test_deterministic_under_random_state(self):
        """The same seed gives the same flips."""
        y, probs = self._data(n=300)
        a = instance_dependent_flips(y, probs, 0.2, random_state=3)
        b = instance_dependent_flips(y, probs, 0.2, random_state=3)
        assert np.array_equal(a.labels, b.labels)

    def test_string_labels_need_matching_probs_columns(self):
        """String labels map to probs columns by their sorted values and come back as strings."""
        y, probs = self._data(n=300)
        names = np.array(["a", "b", "c"])
        res = instance_dependent_flips(names[y], probs, 0.2, random_state=3)
        ints = instance_dependent_flips(y, probs, 0.2, random_state=3)
        assert np.array_equal(res.labels, names[ints.labels])

    def test_length_mismatch_is_rejected(self):
        """labels and probs of different lengths raise ShapeMismatchError."""
        y, probs = self._data(n=10)
        with pytest.raises(ShapeMismatchError):
            instance_dependent_flips(y[:9], probs, 0.1)

    def test_bad_rate_and_sharpness_are_rejected(self):
        """noise_rate outside [0, 1) and a non-positive sharpness raise InvalidParameterError."""
        y, probs = self._data(n=10)
        with pytest.raises(InvalidParameterError, match="noise_rate"):
            instance_dependent_flips(y, probs, 1.2)
        with pytest.raises(InvalidParameterError, match="sharpness"):
            instance_dependent_flips(y, probs, 0.1, sharpness=0)
