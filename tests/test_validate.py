"""Shared input checks in labelwise._validate (probabilities, labels, arguments)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise._validate.arguments import check_fraction, check_random_state, seed_from
from labelwise._validate.labels import encode_labels
from labelwise._validate.probabilities import check_probs, row_sums_checked
from labelwise.errors import InvalidLabelsError, InvalidParameterError, InvalidProbabilitiesError


class TestEncodeLabels:
    """encode_labels maps any hashable labels to 0..K-1 and back."""

    def test_strings_are_sorted(self):
        """Classes are the sorted unique values."""
        codes, classes = encode_labels(["b", "a", "c", "a"])
        assert list(classes) == ["a", "b", "c"]
        assert list(codes) == [1, 0, 2, 0]

    def test_declared_classes_fix_the_order(self):
        """With classes=, codes follow the given order and unknown labels are errors."""
        codes, _ = encode_labels(["x", "y"], classes=["y", "x"])
        assert list(codes) == [1, 0]
        with pytest.raises(InvalidLabelsError, match="row 1 is 'z'"):
            encode_labels(["x", "z"], classes=["y", "x"])

    def test_empty_labels(self):
        """No labels at all is an error."""
        with pytest.raises(InvalidLabelsError, match="must not be empty"):
            encode_labels([])

    def test_two_dimensional_labels(self):
        """Labels must be one-dimensional."""
        with pytest.raises(InvalidLabelsError, match="one-dimensional"):
            encode_labels(np.zeros((2, 2)))

    def test_ragged_nested_labels_are_a_labels_error(self):
        """Tuples of different lengths raised numpy's 'inhomogeneous shape' ValueError; now a labelwise error."""
        with pytest.raises(InvalidLabelsError, match="labels must hold one label per example, got nested sequences"):
            encode_labels([(1, 2), (3,), (1, 2)])

    def test_a_nullable_integer_column_names_its_missing_value_as_na(self):
        """Int64 with <NA> is refused naming <NA> in its row (it was read as floats and named 'nan')."""
        with pytest.raises(InvalidLabelsError, match="row 2 is <NA>"):
            encode_labels(pd.Series([1, 2, None], dtype="Int64"))

    @pytest.mark.parametrize("dtype", ["Int64", "int64[pyarrow]", "category"])
    def test_a_nullable_integer_column_without_na_keeps_integer_classes(self, dtype):
        """Int64, Arrow ints and a categorical of ints give integer classes, read by value (not codes)."""
        _, classes = encode_labels(pd.Series(pd.array([12, 10, 11, 10], dtype=dtype)))
        assert classes.dtype.kind == "i" and list(classes) == [10, 11, 12]


class TestCheckProbs:
    """check_probs keeps float32 and does not copy."""

    def test_no_copy_for_float_arrays(self):
        """A valid float array is returned as is."""
        p = np.array([[0.5, 0.5]], dtype=np.float32)
        assert check_probs(p) is p

    def test_single_column(self):
        """One column is not a classification."""
        with pytest.raises(InvalidProbabilitiesError, match="at least 2 columns"):
            check_probs(np.ones((3, 1)))

    def test_non_numeric(self):
        """Strings are rejected."""
        with pytest.raises(InvalidProbabilitiesError, match="numeric"):
            check_probs(np.array([["a", "b"]]))

    def test_float16_is_refused_as_too_coarse_not_as_a_bad_row(self):
        """float16 probs were refused as 'row 0 sums to 1.00029' (its rounding); now the dtype is named."""
        p = np.random.default_rng(0).dirichlet(np.ones(3), 20).astype(np.float16)
        with pytest.raises(InvalidProbabilitiesError, match=r"probs must be float32 or float64, got float16"):
            check_probs(p)


class TestSmallChecks:
    """Random states, fractions and choices."""

    def test_random_state_kinds(self):
        """None, ints and Generators are accepted; strings are not."""
        assert isinstance(check_random_state(3), np.random.Generator)
        g = np.random.default_rng(0)
        assert check_random_state(g) is g
        with pytest.raises(InvalidParameterError, match="random_state"):
            check_random_state("seed")

    @pytest.mark.parametrize("seed", [-1, np.int64(-3), 2**32])
    def test_seeds_numpy_or_sklearn_refuse_are_named(self, seed):
        """A negative or >= 2**32 int reached numpy / scikit-learn and raised their ValueError (a CLI traceback)."""
        for check in (check_random_state, seed_from):
            with pytest.raises(InvalidParameterError, match=r"random_state must be None, an int in \[0, 2\*\*32\)"):
                check(seed)
        assert seed_from(2**32 - 1) == 2**32 - 1

    def test_fraction_bounds(self):
        """A fraction outside [0, 1) names the bounds and the value."""
        assert check_fraction("budget", 0.5) == 0.5
        with pytest.raises(InvalidParameterError, match=r"budget must be in \[0, 1\), got 1.5"):
            check_fraction("budget", 1.5)

    @pytest.mark.parametrize("value", ["0.1", b"0.1", np.str_("0.1"), np.bool_(True), np.array(0.1)])
    def test_fraction_refuses_what_is_not_a_real_number(self, value):
        """A text float() parses ("0.1") was taken as 0.1; only real numbers are fractions now
        (numpy's real scalars included)."""
        with pytest.raises(InvalidParameterError, match=r"^budget must be a number, got "):
            check_fraction("budget", value)
        assert check_fraction("budget", np.float32(0.25)) == 0.25
        assert check_fraction("budget", np.int64(0)) == 0.0

    def test_string_eps_is_refused_by_spectral_signatures(self):
        """labelwise.poison.spectral_signatures(X, y, eps="0.1") ran as eps=0.1."""
        from labelwise.poison import spectral_signatures

        rng = np.random.default_rng(0)
        X, y = rng.normal(size=(40, 3)), np.repeat([0, 1], 20)
        with pytest.raises(InvalidParameterError, match=r"^eps must be a number, got '0.1'"):
            spectral_signatures(X, y, eps="0.1")


class TestRowSumsChecked:
    """float32 row sums give the float64 sums' answer to "finite?" and "within atol of 1?"."""

    @staticmethod
    def _decisions(sums: np.ndarray, atol: float) -> tuple[np.ndarray, np.ndarray]:
        finite = np.isfinite(sums)
        return finite, finite & (np.abs(sums - 1.0) > atol)

    @settings(max_examples=60, deadline=None)
    @given(
        n=st.integers(1, 200),
        k=st.integers(2, 300),
        seed=st.integers(0, 2**31 - 1),
        atol=st.sampled_from([1e-4, 1e-6, 1e-3]),
    )
    def test_same_decisions_as_float64_sums_for_rows_at_the_edge(self, n, k, seed, atol):
        rng = np.random.default_rng(seed)
        probs = rng.dirichlet(np.ones(k), n).astype(np.float32)
        # push rows onto the edge of the tolerance, both sides and exactly at it, in float32
        target = 1.0 + atol * rng.choice([-1.0, 1.0], n) * rng.choice([1 - 1e-6, 1.0, 1 + 1e-6, 0.5, 2.0], n)
        edge = rng.random(n) < 0.7
        probs[edge] *= (target[edge] / probs[edge].sum(axis=1, dtype=np.float64))[:, None].astype(np.float32)
        special = rng.random(n)
        probs[special < 0.05, 0] = np.nan
        probs[(special >= 0.05) & (special < 0.1), -1] = np.inf
        probs[(special >= 0.1) & (special < 0.15)] = np.float32(3e38)  # float32 sum overflows, float64 does not
        expected = self._decisions(probs.sum(axis=1, dtype=np.float64), atol)
        got = self._decisions(row_sums_checked(probs, atol), atol)
        for a, b in zip(got, expected, strict=True):
            np.testing.assert_array_equal(a, b)

    def test_float64_rows_are_summed_in_float64(self):
        probs = np.full((3, 4), 0.25)
        np.testing.assert_array_equal(row_sums_checked(probs, 1e-4), probs.sum(axis=1))


class TestRaggedProbs:
    """A list of probability rows of different lengths is a labelwise error naming the row."""

    def test_the_first_row_of_another_length_is_named(self):
        """probs as lists with a short row: InvalidProbabilitiesError with the row and both lengths."""
        from labelwise._validate.probabilities import check_probs
        from labelwise.errors import InvalidProbabilitiesError

        with pytest.raises(
            InvalidProbabilitiesError, match=r"probs must have the same number.*row 0 has 2, row 2 has 3"
        ):
            check_probs([[0.9, 0.1], [0.2, 0.8], [0.1, 0.1, 0.8]])

    def test_find_label_issues_names_its_parameter(self):
        """The public entry point raises the same error (it was numpy's 'inhomogeneous shape' ValueError)."""
        import labelwise as lw
        from labelwise.errors import LabelwiseError

        with pytest.raises(LabelwiseError, match="row 1 has 1"):
            lw.find_label_issues([0, 1], [[0.9, 0.1], [1.0]])
