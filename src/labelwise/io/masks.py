"""Read a folder of label PNGs (one integer class per pixel) into an (N, H, W) array."""

from __future__ import annotations

import os

import numpy as np

from .._extras import require
from ..errors import DataFileError
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
    return np.stack(arrays), [f.name for f in files]
