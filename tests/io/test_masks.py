"""Tests of labelwise.io.read_masks."""

import numpy as np
import pytest

from labelwise.errors import DataFileError
from labelwise.io import read_masks

Image = pytest.importorskip("PIL.Image")


def test_reads_pngs_sorted_by_name(tmp_path):
    """Files come back in name order as one (N, H, W) int array."""
    for i in (2, 0, 1):
        Image.fromarray(np.full((4, 5), i, np.uint8), mode="L").save(tmp_path / f"m{i}.png")
    masks, names = read_masks(tmp_path)
    assert names == ["m0.png", "m1.png", "m2.png"]
    assert masks.shape == (3, 4, 5) and masks[2, 0, 0] == 2


def test_different_sizes_and_rgb_are_errors(tmp_path):
    """An image of another size, or an RGB image, names the file."""
    Image.fromarray(np.zeros((4, 5), np.uint8), mode="L").save(tmp_path / "a.png")
    Image.fromarray(np.zeros((3, 5), np.uint8), mode="L").save(tmp_path / "b.png")
    with pytest.raises(DataFileError, match="b.png: size"):
        read_masks(tmp_path)
    Image.fromarray(np.zeros((4, 5, 3), np.uint8), mode="RGB").save(tmp_path / "b.png")
    with pytest.raises(DataFileError, match="single-channel"):
        read_masks(tmp_path)


def test_missing_folder(tmp_path):
    """A folder that does not exist is a DataFileError."""
    with pytest.raises(DataFileError, match="does not exist"):
        read_masks(tmp_path / "nope")
