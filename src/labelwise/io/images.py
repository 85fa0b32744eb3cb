"""Images for the image checks: file paths or pixel arrays, read in row blocks into 8-bit pixels.

Every image becomes one of three pixel layouts, the ones cleanvision scores without conversion:
``L`` (a 2-D ``uint8`` array), ``RGB`` (``h x w x 3``) or ``RGBA`` (``h x w x 4``). Other modes
are converted first, and this is where labelwise's scores may differ from cleanvision's, which
scores the raw mode (``P`` by its palette indices, 16-bit values as if they were 8-bit):

- ``1``, ``LA``, ``La``: to ``L`` (the alpha band dropped);
- ``P``, ``PA``: through the palette to ``RGBA`` when the image has transparency, else ``RGB``;
- ``I;16`` (any byte order), ``I``: 16-bit values divided by 257 and rounded (65535 -> 255),
  clipped to 0..255; ``F``: values rounded and clipped to 0..255;
- ``CMYK``, ``YCbCr``, ``LAB``, ``HSV``, ``RGBX``, ``RGBa``: to ``RGB`` (Pillow's conversion).

Pixel arrays given directly follow the same rules: ``uint8`` as they are (a single or a second,
alpha, channel as ``L``), ``uint16`` divided by 257, booleans as 0 / 255, other integers when
every value lies in 0..255. Float arrays are refused (their scale is unknown).

A path that cannot be read (missing, not an image, truncated) raises a one-line
:class:`~labelwise.errors.DataFileError` naming the row and the path, or, with
``unreadable="flag"``, gives ``None`` for that row (:func:`read_block`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._extras import require
from ..errors import DataFileError, InvalidParameterError, ShapeMismatchError

if TYPE_CHECKING:
    from PIL import Image

_AS_L = {"1", "LA", "La", "L"}
_SIXTEEN_BIT = {"I", "I;16", "I;16B", "I;16L", "I;16N"}
UNREADABLE = ("raise", "flag")


def check_images(images: Any) -> list[Any]:
    """The images as a list (one entry per row): a sequence of paths and / or pixel arrays, a
    pandas Series, or one array of shape ``(n, h, w)`` or ``(n, h, w, c)``."""
    if isinstance(images, (str, os.PathLike)):
        raise InvalidParameterError(
            f"images must be one entry per row (a list of paths or pixel arrays), got a single path {str(images)!r}"
        )
    if isinstance(images, pd.Series):
        return images.tolist()
    if isinstance(images, np.ndarray):
        if images.dtype != object and images.ndim not in (3, 4):
            raise ShapeMismatchError(
                f"images as one array must have shape (n, h, w) or (n, h, w, c), got shape {images.shape}"
            )
        return list(images)
    if not isinstance(images, Sequence):
        raise InvalidParameterError(f"images must be a sequence of paths or pixel arrays, got {type(images).__name__}")
    return list(images)


def pillow() -> Any:
    """Pillow's ``PIL.Image`` module (the ``images`` extra), imported when an image is first read."""
    return require("PIL.Image", "reading images")


def from_pil(image: Image.Image) -> np.ndarray:
    """The 8-bit pixels of a Pillow image (module docstring: the modes and their conversions)."""
    mode = image.mode
    if mode in ("L", "RGB", "RGBA"):
        return np.asarray(image)
    if mode in _AS_L:
        return np.asarray(image.convert("L"))
    if mode in ("P", "PA"):
        alpha = mode == "PA" or "transparency" in image.info
        return np.asarray(image.convert("RGBA" if alpha else "RGB"))
    if mode in _SIXTEEN_BIT:
        return _sixteen_bit(np.asarray(image).astype(np.int64))
    if mode == "F":
        return np.clip(np.rint(np.asarray(image, dtype=np.float64)), 0, 255).astype(np.uint8)
    return np.asarray(image.convert("RGB"))


def _sixteen_bit(values: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(values / 257.0), 0, 255).astype(np.uint8)


def from_array(pixels: Any, row: int) -> np.ndarray:
    """The 8-bit pixels of an array given for row ``row`` (module docstring)."""
    arr = np.asarray(pixels)
    if arr.ndim == 3 and arr.shape[2] in (1, 2):
        arr = arr[:, :, 0]  # one grey band (and its alpha)
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (3, 4)) or 0 in arr.shape:
        raise ShapeMismatchError(
            f"images[{row}] must be pixels of shape (h, w) or (h, w, c) with c in 1..4 and h, w >= 1, "
            f"got shape {arr.shape}"
        )
    if arr.dtype == np.uint8:
        return arr
    if arr.dtype == bool:
        return arr.astype(np.uint8) * 255
    if arr.dtype == np.uint16:
        return _sixteen_bit(arr.astype(np.int64))
    if arr.dtype.kind in "iu" and arr.size and (arr.min() < 0 or arr.max() > 255):
        raise InvalidParameterError(
            f"images[{row}] must hold values 0..255 (or be uint16), got values {arr.min()}..{arr.max()}"
        )
    if arr.dtype.kind not in "iu":
        raise InvalidParameterError(
            f"images[{row}] must be integer pixels (uint8 0..255 or uint16), got dtype {arr.dtype}: "
            "convert floats in [0, 1] with (x * 255).round().astype(np.uint8)"
        )
    return arr.astype(np.uint8)


def read_image(source: Any, row: int, root: Path | None = None) -> np.ndarray:
    """The 8-bit pixels of one image: a path (relative to ``root`` when given) or an array.

    Raises
    ------
    DataFileError
        The path is missing or not an image Pillow can read; the message names the row and path.
    """
    if not isinstance(source, (str, os.PathLike)):
        if source is None or (isinstance(source, float) and np.isnan(source)):
            raise DataFileError(f"images[{row}] is missing (no path or pixels given)")
        return from_array(source, row)
    path = Path(source)
    if root is not None and not path.is_absolute():
        path = root / path
    Image = pillow()
    try:
        with Image.open(path) as image:
            image.load()
            return from_pil(image)
    except FileNotFoundError:
        raise DataFileError(f"images[{row}]: no file {str(path)!r}") from None
    except Image.UnidentifiedImageError:
        raise DataFileError(
            f"images[{row}]: cannot read {str(path)!r} as an image (not a format Pillow reads)"
        ) from None
    except (OSError, ValueError, SyntaxError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DataFileError(f"images[{row}]: cannot read {str(path)!r} as an image ({reason})") from None


def read_block(
    images: list[Any],
    start: int,
    stop: int,
    *,
    root: Path | None,
    unreadable: str,
    n_jobs: int,
    then: Callable[[np.ndarray], Any] = lambda pixels: pixels,
) -> tuple[list[Any], list[str]]:
    """``then(pixels)`` for rows ``start:stop`` (``n_jobs`` threads: Pillow decodes without the
    GIL, and a row's pixels are dropped once ``then`` has measured them); an unreadable row is
    ``None`` with its reason (``unreadable="flag"``) or raises (``"raise"``)."""

    def one(row: int) -> tuple[Any, str]:
        try:
            pixels = read_image(images[row], row, root)
        except DataFileError as error:
            if unreadable == "raise":
                raise
            return None, str(error)
        return then(pixels), ""

    rows = range(start, stop)
    if n_jobs > 1 and stop - start > 1:
        with ThreadPoolExecutor(max_workers=n_jobs) as pool:
            done = list(pool.map(one, rows))
    else:
        done = [one(row) for row in rows]
    return [p for p, _ in done], [r for _, r in done]
