"""Differential tests: label-noise generation against ``cleanlab.benchmarking.noise_generation`` 2.9.

``test_flip.py`` and ``test_matrix.py`` compare flips on a matrix with integral counts and
cleanlab's validity check on one random matrix. Here: flips on cleanlab's own random matrices
(non-integral counts), where cleanlab truncates ``n_j * M[i, j]`` and labelwise rounds by largest
remainder (so every column keeps its exact total: a deliberate difference of at most one example
per cell), and labelwise's random matrices against cleanlab's generator: the same trace and number
of zero noise rates, and cleanlab's identifiability check passed. The random draws themselves
differ (cleanlab seeds numpy's global generator), so they are compared by these properties.
"""

from __future__ import annotations

import numpy as np
import pytest

noise_generation = pytest.importorskip("cleanlab.benchmarking.noise_generation")

from labelwise.noise import check_noise_matrix, flip_labels, noise_matrix  # noqa: E402


def _crosstab(given, true, k):
    return np.array([[np.sum((given == i) & (true == j)) for j in range(k)] for i in range(k)])


class TestFlipsOnCleanlabsMatrices:
    """flip_labels on matrices from ``generate_noise_matrix_from_trace``."""

    @pytest.mark.parametrize(("k", "seed"), [(3, 1), (5, 2), (8, 3)])
    def test_cells_are_cleanlabs_truncated_counts_or_one_more(self, k, seed):
        """Off-diagonal counts: cleanlab's ``floor(n_j M[i, j])`` or one more; columns keep n_j."""
        rng = np.random.default_rng(seed)
        y = rng.integers(0, k, 997)
        py = np.bincount(y, minlength=k) / y.size
        m = noise_generation.generate_noise_matrix_from_trace(k, 0.7 * k, py=py, valid_noise_matrix=True, seed=seed)
        check_noise_matrix(m)
        np.random.seed(seed)  # noqa: NPY002 - cleanlab's generator draws from the global RNG
        theirs = _crosstab(noise_generation.generate_noisy_labels(y, m), y, k)
        ours = _crosstab(flip_labels(y, m, random_state=seed).labels, y, k)
        off = ~np.eye(k, dtype=bool)
        np.testing.assert_array_equal(theirs[off], np.floor(m * np.bincount(y, minlength=k) + 1e-9)[off])
        assert set(np.unique(ours[off] - theirs[off])) <= {0, 1}
        np.testing.assert_array_equal(ours.sum(axis=0), np.bincount(y, minlength=k))


class TestRandomMatrices:
    """noise_matrix(kind="random") has the properties of ``generate_noise_matrix_from_trace``."""

    @pytest.mark.parametrize("k", [3, 4, 6, 10])
    @pytest.mark.parametrize("noise_rate", [0.1, 0.3, 0.45])
    def test_valid_by_cleanlabs_check_with_the_same_trace(self, k, noise_rate):
        """Trace ``K (1 - noise_rate)`` as cleanlab's matrix of that trace; cleanlab's check passes (uniform prior)."""
        py = np.full(k, 1.0 / k)
        trace = k * (1 - noise_rate)
        theirs = noise_generation.generate_noise_matrix_from_trace(k, trace, py=py, valid_noise_matrix=True, seed=0)
        for seed in range(10):
            ours = noise_matrix(k, noise_rate, kind="random", random_state=seed)
            assert np.trace(ours) == pytest.approx(np.trace(theirs), abs=1e-12)
            np.testing.assert_allclose(ours.sum(axis=0), theirs.sum(axis=0), atol=1e-12)
            assert noise_generation.noise_matrix_is_valid(ours, py)

    @pytest.mark.parametrize(("k", "frac"), [(4, 0.25), (5, 0.5), (6, 0.6)])
    def test_as_many_zero_noise_rates_as_cleanlab(self, k, frac):
        """``frac_zero_noise_rates`` of the ``K (K - 1)`` off-diagonal entries are zero in both (an integral count)."""
        assert float(frac * k * (k - 1)).is_integer()
        py = np.full(k, 1.0 / k)
        off = ~np.eye(k, dtype=bool)
        theirs = noise_generation.generate_noise_matrix_from_trace(
            k, 0.75 * k, py=py, valid_noise_matrix=True, frac_zero_noise_rates=frac, seed=0
        )
        ours = noise_matrix(k, 0.25, kind="random", frac_zero_noise_rates=frac, random_state=0)
        assert np.sum(ours[off] == 0) == np.sum(theirs[off] == 0) == int(frac * k * (k - 1))
        assert (np.sum(ours * off == 0, axis=0) - 1 <= k - 2).all()  # cleanlab's cap per column too
