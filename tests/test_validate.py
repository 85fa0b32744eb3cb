"""Shared input checks in labelwise._validate."""

from __future__ import annotations

import numpy as np
import pytest

from labelwise import _validate as v
from labelwise.errors import InvalidLabelsError, InvalidParameterError, InvalidProbabilitiesError


class TestEncodeLabels:
    """encode_labels maps any hashable labels to 0..K-1 and back."""

    def test_strings_are_sorted(self):
        """Classes are the sorted unique values."""
        codes, classes = v.encode_labels(["b", "a", "c", "a"])
        assert list(classes) == ["a", "b", "c"]
        assert list(codes) == [1, 0, 2, 0]

    def test_declared_classes_fix_the_order(self):
        """With classes=, codes follow the given order and unknown labels are errors."""
        codes, _ = v.encode_labels(["x", "y"], classes=["y", "x"])
        assert list(codes) == [1, 0]
        with pytest.raises(InvalidLabelsError, match="row 1 is 'z'"):
            v.encode_labels(["x", "z"], classes=["y", "x"])

    def test_empty_labels(self):
        """No labels at all is an error."""
        with pytest.raises(InvalidLabelsError, match="must not be empty"):
            v.encode_labels([])

    def test_two_dimensional_labels(self):
        """Labels must be one-dimensional."""
        with pytest.raises(InvalidLabelsError, match="one-dimensional"):
            v.encode_labels(np.zeros((2, 2)))


class TestCheckProbs:
    """check_probs keeps float32 and does not copy."""

    def test_no_copy_for_float_arrays(self):
        """A valid float array is returned as is."""
        p = np.array([[0.5, 0.5]], dtype=np.float32)
        assert v.check_probs(p) is p

    def test_single_column(self):
        """One column is not a classification."""
        with pytest.raises(InvalidProbabilitiesError, match="at least 2 columns"):
            v.check_probs(np.ones((3, 1)))

    def test_non_numeric(self):
        """Strings are rejected."""
        with pytest.raises(InvalidProbabilitiesError, match="numeric"):
            v.check_probs(np.array([["a", "b"]]))


class TestSmallChecks:
    """Random states, fractions and choices."""

    def test_random_state_kinds(self):
        """None, ints and Generators are accepted; strings are not."""
        assert isinstance(v.check_random_state(3), np.random.Generator)
        g = np.random.default_rng(0)
        assert v.check_random_state(g) is g
        with pytest.raises(InvalidParameterError, match="random_state"):
            v.check_random_state("seed")

    def test_fraction_bounds(self):
        """A fraction outside [0, 1) names the bounds and the value."""
        assert v.check_fraction("budget", 0.5) == 0.5
        with pytest.raises(InvalidParameterError, match=r"budget must be in \[0, 1\), got 1.5"):
            v.check_fraction("budget", 1.5)
