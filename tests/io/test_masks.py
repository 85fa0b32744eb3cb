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


def test_unpadded_numbers_warn_that_name_order_is_not_numeric_order(tmp_path):
    """img1, img10, img2: read in name order (as documented) with a warning naming the first pair out of numeric order."""
    from labelwise.errors import LabelwiseWarning

    for i in (1, 2, 10):
        Image.fromarray(np.full((4, 5), i % 3, np.uint8), mode="L").save(tmp_path / f"img{i}.png")
    with pytest.warns(LabelwiseWarning, match="in which 'img10.png' comes before 'img2.png'"):
        masks, names = read_masks(tmp_path)
    assert names == ["img1.png", "img10.png", "img2.png"] and masks[1, 0, 0] == 10 % 3


@pytest.mark.parametrize("stems", [("img001", "img002", "img010"), ("a", "b", "c"), ("cat3", "dog1", "dog2")])
def test_names_whose_name_order_is_numeric_order_read_without_a_warning(tmp_path, stems):
    """Zero-padded numbers, no numbers, or numbers that agree with name order: no warning."""
    import warnings

    for stem in stems:
        Image.fromarray(np.zeros((2, 2), np.uint8), mode="L").save(tmp_path / f"{stem}.png")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, names = read_masks(tmp_path)
    assert names == [f"{s}.png" for s in stems]
