"""``labelwise.io``'s warning of mask names out of numeric order points at the line that called ``read_masks``."""

from __future__ import annotations

import warnings

import numpy as np

from labelwise.io import read_masks
from tests._at_line import at_line


def test_unpadded_mask_names_are_said_at_the_line_that_read_them(tmp_path):
    from PIL import Image

    for i in (1, 2, 10):
        Image.fromarray(np.full((4, 5), i % 3, np.uint8), mode="L").save(tmp_path / f"img{i}.png")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        read_masks(tmp_path)
    at_line(record, __file__, "read in name order")
