"""Reading and writing one binary mask per file (``.npy`` or single-channel ``.png``), for
``labelwise aggregate-masks``.

A ``.npy`` mask is memory-mapped (read block by block by the aggregators) and must hold 0/1 or
bool. A ``.png`` mask is read whole; its non-zero pixels are the foreground (so 0/255 and 0/1
PNGs both work), and :func:`write_mask` writes the foreground with the value the inputs used.
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


def read_mask(path: str | os.PathLike, *, parameter: str) -> tuple[np.ndarray, int]:
    """The mask in ``path`` and the value its foreground pixels hold (1 for ``.npy``).

    Raises
    ------
    DataFileError
        The file is missing, unreadable, of another suffix than ``.npy``/``.png``, or a PNG with
        more than one channel; the message names ``parameter`` and the file.
    """
    p = require_file(path, parameter=parameter, kind="mask file")
    suffix = p.suffix.lower()
    if suffix == ".npy":
        return load_npy(p, parameter=parameter, mmap=True), 1
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
    except OSError as exc:
        raise DataFileError(f"{parameter} file {str(p)!r} is not a readable image ({exc})") from None
    top = int(pixels.max()) if pixels.size else 0
    return (pixels != 0).astype(np.uint8), max(top, 1)


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


def write_mask(mask: np.ndarray, path: str | os.PathLike, *, foreground: int = 1) -> Path:
    """Write a boolean mask atomically: ``.npy`` as bool, ``.png`` as 8-bit (16-bit above 255)
    with ``foreground`` on its foreground pixels."""
    dest = Path(path)
    if dest.suffix.lower() == ".npy":
        with atomic_write(dest, "wb") as fh:
            np.save(fh, np.asarray(mask, dtype=bool), allow_pickle=False)
        return dest
    Image = require("PIL.Image", "writing PNG masks")
    dtype = np.uint8 if foreground <= 255 else np.uint16
    buffer = io.BytesIO()
    pixels = np.where(np.asarray(mask, dtype=bool), foreground, 0).astype(dtype)
    Image.fromarray(pixels).save(buffer, format="PNG")
    with atomic_write(dest, "wb") as fh:
        fh.write(buffer.getvalue())
    return dest
