"""Tests of labelwise.noise.corrupt_masks and kms_field."""

import numpy as np
import pytest

from labelwise.errors import LabelwiseError
from labelwise.noise import corrupt_masks, kms_field


def test_kms_field_has_the_kms_covariance():
    """Unit variance and neighbour correlation rho along both axes."""
    f = kms_field((200, 64, 64), 0.8, random_state=0)
    assert abs(f.var() - 1) < 0.05
    assert abs(np.mean(f[:, 1:, :] * f[:, :-1, :]) - 0.8) < 0.03
    assert abs(np.mean(f[:, :, 2:] * f[:, :, :-2]) - 0.64) < 0.03


def _masks():
    m = np.zeros((4, 40, 40), int)
    m[:, 5:20, 5:20] = 1
    m[:, 25:35, 22:38] = 2
    return m


def test_correlated_noise_rate_and_blobs():
    """About `rate` of pixels flip, in connected blobs (many flipped neighbours)."""
    noisy = corrupt_masks(_masks(), rate=0.1, rho=0.9, random_state=1)
    assert 0.05 < noisy.noise_rate < 0.15
    c = noisy.is_corrupted
    assert (c[:, 1:, :] & c[:, :-1, :]).sum() / c.sum() > 0.6


@pytest.mark.parametrize("kind", ["boundary", "missing"])
def test_boundary_and_missing_change_only_object_edges_or_whole_objects(kind):
    """boundary touches pixels near objects; missing erases whole objects to 0."""
    m = _masks()
    noisy = corrupt_masks(m, kind=kind, rate=0.5, random_state=2)
    assert noisy.is_corrupted.any()
    if kind == "missing":
        assert (noisy.labels[noisy.is_corrupted] == 0).all()


def test_rejects_float_masks():
    """Masks must be integer class indices."""
    with pytest.raises(LabelwiseError, match="integer"):
        corrupt_masks(np.zeros((1, 2, 2)))
