"""Reading and writing one mask or label map per file (``.npy`` or single-channel ``.png``), for
``labelwise aggregate-masks``.

A ``.npy`` mask is memory-mapped (read block by block by the aggregators): 0/1, bool, or integer
class labels. A ``.png`` is read whole, its values as they are (grey levels, or a palette image's
indices, whose palette is kept for writing); ``binary=True`` reads its non-zero pixels as the
foreground. :func:`write_mask` writes a boolean mask with the foreground value the inputs used, and a
label map with its class values (and the inputs' palette).
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import numpy as np

from .._extras import require
from ..errors import DataFileError
from .arrays import load_npy
from .atomic import atomic_write
from .paths import require_file

__all__ = ["MASK_SUFFIXES", "mask_file_name", "read_mask", "write_mask"]

MASK_SUFFIXES = (".npy", ".png")


def read_mask(
    path: str | os.PathLike, *, parameter: str, binary: bool = False
) -> tuple[np.ndarray, int, list[int] | None]:
    """The mask in ``path``, the largest value it holds (at least 1: the foreground value of a binary
    mask) and a palette image's palette (else None). ``binary``: non-zero pixels as 1 (a
    ``.npy`` is then read whole).

    Raises
    ------
    DataFileError
        The file is missing, unreadable, of another suffix than ``.npy``/``.png``, or a PNG with
        more than one channel; the message names ``parameter`` and the file.
    """
    p = require_file(path, parameter=parameter, kind="mask file")
    suffix = p.suffix.lower()
    if suffix == ".npy":
        array = load_npy(p, parameter=parameter, mmap=True)
        return ((np.asarray(array) != 0).astype(np.uint8) if binary else array), 1, None
    if suffix != ".png":
        raise DataFileError(f"{parameter} file {str(p)!r} must be a .npy or .png mask, got suffix {p.suffix!r}")
    Image = require("PIL.Image", "reading PNG masks")
    try:
        with Image.open(p) as im:
            if im.mode not in ("L", "P", "I", "I;16", "1"):
                raise DataFileError(
                    f"{parameter} file {str(p)!r} must be a single-channel image (mode L, P, I or 1), got mode {im.mode}"
                )
            pixels = np.asarray(im)
            palette = im.getpalette() if im.mode == "P" else None
    except OSError as exc:
        raise DataFileError(f"{parameter} file {str(p)!r} is not a readable image ({exc})") from None
    top = int(pixels.max()) if pixels.size else 0
    if binary:
        return (pixels != 0).astype(np.uint8), max(top, 1), None
    return pixels, max(top, 1), palette


def mask_file_name(item: object, taken: set[str], suffix: str) -> str:
    """A file name for ``item``'s mask: its text with characters other than letters, digits, ``.``,
    ``_`` and ``-`` replaced by ``_`` (no leading dot), made unique among ``taken`` (which it joins)."""
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", str(item)).lstrip(".") or "item"
    name, n = f"{stem}{suffix}", 1
    while name.lower() in taken:
        n += 1
        name = f"{stem}-{n}{suffix}"
    taken.add(name.lower())
    return name


def write_mask(
    mask: np.ndarray, path: str | os.PathLike, *, foreground: int = 1, palette: list[int] | None = None
) -> Path:
    """Write a mask atomically. A boolean mask: ``.npy`` as bool, ``.png`` as 8-bit (16-bit above
    255) with ``foreground`` on its foreground pixels. A label map (integers): ``.npy`` as it is,
    ``.png`` with its values (8-bit up to 255, else 16-bit), as a palette image when ``palette`` is given."""
    dest = Path(path)
    array = np.asarray(mask)
    if dest.suffix.lower() == ".npy":
        with atomic_write(dest, "wb") as fh:
            np.save(fh, array, allow_pickle=False)
        return dest
    Image = require("PIL.Image", "writing PNG masks")
    if array.dtype == bool:
        array = np.where(array, foreground, 0)
    top = int(array.max()) if array.size else 0
    buffer = io.BytesIO()
    image = Image.fromarray(array.astype(np.uint8 if top <= 255 else np.uint16))
    if palette is not None and top <= 255:
        image = image.convert("P") if image.mode != "P" else image
        image.putpalette(palette)
    image.save(buffer, format="PNG")
    with atomic_write(dest, "wb") as fh:
        fh.write(buffer.getvalue())
    return dest
