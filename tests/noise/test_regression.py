"""Tests of labelwise.noise.corrupt_targets."""

import numpy as np
import pytest

from labelwise.errors import LabelwiseError
from labelwise.noise import corrupt_targets


@pytest.mark.parametrize("kind", ["shift", "decimal", "swap", "mixed"])
def test_corrupts_the_requested_share(kind):
    """About rate * n targets change and is_corrupted marks exactly them."""
    y = np.random.default_rng(0).normal(10, 2, 1000)
    noisy = corrupt_targets(y, rate=0.1, kind=kind, random_state=1)
    assert 90 <= noisy.n_corrupted <= 100
    np.testing.assert_array_equal(noisy.is_corrupted, noisy.labels != noisy.true_labels)


def test_nan_targets_are_rejected():
    """Non-finite y is an error."""
    with pytest.raises(LabelwiseError, match="finite"):
        corrupt_targets([1.0, np.nan])
