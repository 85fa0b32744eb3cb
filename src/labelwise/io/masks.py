"""Read a folder of label PNGs (one integer class per pixel) into an (N, H, W) array."""

from __future__ import annotations

import os
import re

import numpy as np

from .._caller import warn_at_caller
from .._extras import require
from ..errors import DataFileError, LabelwiseWarning
from .paths import require_folder

__all__ = ["read_masks"]


def read_masks(folder: str | os.PathLike, *, pattern: str = "*.png") -> tuple[np.ndarray, list[str]]:
    """Read every ``pattern`` file of ``folder`` (sorted by name) as a single-channel class mask.

    Needs Pillow (the ``images`` extra). Returns the ``(N, H, W)`` int64 masks and the file names.

    Raises
    ------
    DataFileError
        Missing folder, no matching file, a file that is not a single-channel image, or images of
        different sizes (the file is named).

    Warns
    -----
    LabelwiseWarning
        When names carry numbers that are not zero-padded, so that name order is not numeric
        order (``img10.png`` before ``img2.png``): the order stays the name order, which
        probabilities written in numeric order would not follow.
    """
    Image = require("PIL.Image", "reading mask PNGs")
    root = require_folder(folder, parameter="folder", kind="mask folder")
    files = sorted(root.glob(pattern))
    if not files:
        raise DataFileError(f"mask folder {str(root)!r} has no {pattern} files")
    arrays: list[np.ndarray] = []
    for f in files:
        try:
            with Image.open(f) as im:
                if im.mode not in ("L", "P", "I", "I;16", "1"):
                    raise DataFileError(
                        f"{f}: a label mask must be a single-channel image (mode L, P, I or 1), got mode {im.mode}"
                    )
                arr = np.asarray(im, dtype=np.int64)
        except OSError as exc:
            raise DataFileError(f"{f}: not a readable image ({exc})") from None
        if arrays and arr.shape != arrays[0].shape:
            raise DataFileError(f"{f}: size {arr.shape} differs from {files[0].name}'s {arrays[0].shape}")
        arrays.append(arr)
    names = [f.name for f in files]
    _warn_unpadded(names)
    return np.stack(arrays), names


def _numbers_first(name: str) -> list:
    """``img10.png`` -> ``['img', 10, '.png']``: a sort key that orders numbers by value."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _warn_unpadded(names: list[str]) -> None:
    """Warn when name order is not numeric order: the first name read before a smaller number named."""
    by_number = sorted(names, key=_numbers_first)
    if by_number == names:
        return
    i = next(i for i, (a, b) in enumerate(zip(names, by_number, strict=True)) if a != b)
    later = names[i]
    warn_at_caller(
        LabelwiseWarning(
            f"the {len(names)} mask files are read in name order, in which {later!r} comes before {by_number[i]!r} "
            "(their numbers are not zero-padded); the masks, and the probabilities given for them (--probs), "
            "are in that order, not the numbers' (issues.csv's file column lists it; zero-padded names, "
            "img002.png, sort the same both ways)"
        )
    )
