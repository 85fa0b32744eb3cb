"""Tests for labelwise.noise.noise_matrix and check_noise_matrix."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import InvalidParameterError, ShapeMismatchError
from labelwise.noise import check_noise_matrix, noise_matrix


class TestNoiseMatrix:
    def test_symmetric_spreads_the_rate_evenly_over_other_classes(self):
        """A symmetric matrix keeps 1 - r on the diagonal and r / (K-1) elsewhere."""
        m = noise_matrix(4, 0.3)
        assert np.allclose(np.diag(m), 0.7)
        assert np.allclose(m[~np.eye(4, dtype=bool)], 0.1)

    def test_pair_sends_each_class_to_the_next(self):
        """Pair noise puts the whole rate of true class j on given class j + 1 (mod K)."""
        m = noise_matrix(3, 0.2, kind="pair")
        expected = np.array([[0.8, 0.0, 0.2], [0.2, 0.8, 0.0], [0.0, 0.2, 0.8]])
        assert np.allclose(m, expected)

    @settings(max_examples=30, deadline=None)
    @given(
        k=st.integers(2, 8),
        rate=st.floats(0.0, 0.45),
        kind=st.sampled_from(["symmetric", "pair", "random"]),
        seed=st.integers(0, 1000),
    )
    def test_every_kind_gives_columns_that_sum_to_one_with_the_requested_trace(self, k, rate, kind, seed):
        """Columns are distributions, the trace is K(1 - rate) and the diagonal dominates its column."""
        m = noise_matrix(k, rate, kind=kind, random_state=seed)
        assert m.shape == (k, k)
        assert np.allclose(m.sum(axis=0), 1.0)
        assert (m >= 0).all()
        assert np.isclose(np.trace(m), k * (1 - rate))
        off = m * ~np.eye(k, dtype=bool)
        assert (np.diag(m) >= off.max(axis=0) - 1e-12).all()

    def test_random_honours_trace_and_zero_fraction(self):
        """kind='random' with a trace and a zero fraction has that trace and that many zero entries."""
        m = noise_matrix(5, kind="random", trace=4.0, frac_zero_noise_rates=0.5, random_state=3)
        assert np.isclose(np.trace(m), 4.0)
        off = m[~np.eye(5, dtype=bool)]
        assert (off == 0).sum() == 10

    def test_random_is_deterministic_under_a_seed(self):
        """The same random_state gives the same random matrix."""
        a = noise_matrix(4, 0.2, kind="random", random_state=7)
        b = noise_matrix(4, 0.2, kind="random", random_state=7)
        assert np.array_equal(a, b)

    def test_random_matrix_is_accepted_by_cleanlab(self):
        """cleanlab's own validity check accepts labelwise's random matrix (same convention)."""
        noise_generation = pytest.importorskip("cleanlab.benchmarking.noise_generation")
        m = noise_matrix(4, 0.3, kind="random", random_state=0)
        py = np.full(4, 0.25)
        assert noise_generation.noise_matrix_is_valid(m, py)

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"K": 3, "noise_rate": 0.7}, r"noise_rate must be < 0.6667 for kind='symmetric'"),
            ({"K": 3, "noise_rate": 0.5, "kind": "pair"}, r"noise_rate must be < 0.5 for kind='pair'"),
            ({"K": 3, "noise_rate": 1.0}, r"noise_rate must be in \[0, 1\)"),
            ({"K": 3, "noise_rate": -0.1}, r"noise_rate must be in \[0, 1\)"),
            ({"K": 1, "noise_rate": 0.1}, r"K must be an integer >= 2"),
            ({"K": 3, "noise_rate": 0.1, "kind": "uniform"}, r"kind must be one of"),
            ({"K": 3, "noise_rate": 0.1, "trace": 2.0}, r"trace is only used with kind='random'"),
            ({"K": 3, "kind": "random", "trace": 3.5}, r"trace must be a number in \(1, 3\]"),
            ({"K": 3, "noise_rate": 0.1, "kind": "random", "trace": 2.0}, r"noise_rate and trace disagree"),
            (
                {"K": 3, "noise_rate": 0.1, "kind": "random", "frac_zero_noise_rates": 0.8},
                r"frac_zero_noise_rates must be <= 0.5",
            ),
            ({"K": 3}, r"noise_rate must be a number"),
        ],
    )
    def test_bad_parameters_raise_a_message_naming_them(self, kwargs, match):
        """Out-of-range parameters and rates that make the matrix invalid raise InvalidParameterError."""
        with pytest.raises(InvalidParameterError, match=match):
            noise_matrix(**kwargs)


class TestCheckNoiseMatrix:
    def test_columns_that_do_not_sum_to_one_are_named(self):
        """A column summing to 0.9 is reported by index and sum."""
        m = np.array([[0.9, 0.1], [0.0, 0.9]])
        with pytest.raises(InvalidParameterError, match=r"column 0 sums to 0.9"):
            check_noise_matrix(m)

    def test_row_stochastic_matrix_is_rejected(self):
        """A matrix whose rows (not columns) sum to one is rejected: the convention is columns."""
        m = np.array([[0.9, 0.1], [0.3, 0.7]])
        with pytest.raises(InvalidParameterError, match="columns must sum to 1"):
            check_noise_matrix(m)

    @pytest.mark.parametrize("shape", [(2, 3), (3,), (1, 1)])
    def test_non_square_shapes_are_rejected(self, shape):
        """Anything but a (K, K) array with K >= 2 raises ShapeMismatchError."""
        with pytest.raises(ShapeMismatchError, match="square"):
            check_noise_matrix(np.ones(shape))

    def test_wrong_number_of_classes_is_rejected(self):
        """A 3x3 matrix for 2 classes raises ShapeMismatchError naming the expected shape."""
        with pytest.raises(ShapeMismatchError, match=r"must have shape \(2, 2\)"):
            check_noise_matrix(np.eye(3), 2)

    def test_negative_entry_is_rejected(self):
        """A negative entry is named by position."""
        with pytest.raises(InvalidParameterError, match=r"entry \[1, 0\]"):
            check_noise_matrix(np.array([[1.2, 0.0], [-0.2, 1.0]]))
