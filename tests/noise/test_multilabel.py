"""Tests of labelwise.noise.flip_tags."""

import numpy as np
import pytest

from labelwise.errors import LabelwiseError
from labelwise.noise import flip_tags


def test_drop_and_add_rates_are_respected():
    """Realised drop/add shares match the requested rates."""
    truth = np.random.default_rng(0).random((4000, 5)) < 0.3
    noisy = flip_tags(truth, drop_rate=0.25, add_rate=0.02, random_state=1)
    assert abs(noisy.n_dropped / truth.sum() - 0.25) < 0.02
    assert abs(noisy.n_added / (~truth).sum() - 0.02) < 0.005
    np.testing.assert_array_equal(noisy.labels ^ noisy.true_labels, noisy.is_flipped)


def test_same_seed_same_flips():
    """The same random_state gives the same noisy tags."""
    truth = np.eye(5, dtype=bool)
    a, b = flip_tags(truth, random_state=3), flip_tags(truth, random_state=3)
    np.testing.assert_array_equal(a.labels, b.labels)


def test_rejects_non_binary_matrix():
    """A matrix with values other than 0/1 is an error."""
    with pytest.raises(LabelwiseError, match="0/1 matrix"):
        flip_tags(np.array([[0, 3]]))
