"""The segmentation audit's input checks: masks (N, H, W) and probabilities (N, K, H, W), class values, ignore_index."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validate.arguments import show
from ..errors import InvalidLabelsError, InvalidParameterError, InvalidProbabilitiesError, ShapeMismatchError

__all__ = ["check_ignore_index", "check_segmentation_inputs", "raise_bad_class", "raise_bad_probs"]


def check_segmentation_inputs(labels: Any, probs: Any) -> tuple[np.ndarray, np.ndarray]:
    """Check shapes: ``labels`` (N, H, W) integers, ``probs`` (N, K, H, W); arrays are not copied.

    Raises
    ------
    ShapeMismatchError
        Different N/H/W, or the class axis of ``probs`` is last instead of second (the message
        says which axes and how to move them).
    InvalidLabelsError
        ``labels`` not integers.
    """
    lab = labels if isinstance(labels, np.ndarray) else _stacked(labels, "labels", "(H, W)")
    arr = probs if isinstance(probs, np.ndarray) else _stacked(probs, "probs", "(K, H, W)")
    if lab.ndim != 3:
        raise ShapeMismatchError(f"labels must have shape (N, H, W), got {lab.shape}")
    if lab.dtype.kind not in "iub":
        raise InvalidLabelsError(f"labels must hold integer class indices, got dtype {lab.dtype}")
    if arr.ndim != 4:
        raise ShapeMismatchError(f"probs must have shape (N, K, H, W), got {arr.shape}")
    if arr.dtype.kind != "f":
        raise InvalidProbabilitiesError(f"probs must be a float array, got dtype {arr.dtype}")
    n, h, w = lab.shape
    if arr.shape[0] == n and arr.shape[1:3] == (h, w) and arr.shape[2:] != (h, w):
        raise ShapeMismatchError(
            f"probs has its class axis last (axis 3, shape {arr.shape}); the class axis must be axis 1, "
            f"shape (N, K, H, W) = ({n}, K, {h}, {w}): use np.moveaxis(probs, -1, 1)"
        )
    if arr.shape[0] != n or arr.shape[2:] != (h, w):
        raise ShapeMismatchError(
            f"labels and probs describe different images: labels {lab.shape} is (N, H, W), probs {arr.shape} "
            f"must be (N, K, H, W) = ({n}, K, {h}, {w})"
        )
    if arr.shape[1] < 2:
        raise ShapeMismatchError(f"probs must have at least 2 classes on axis 1, got shape {arr.shape}")
    if n == 0 or h * w == 0:
        raise ShapeMismatchError(f"labels must hold at least one image of at least one pixel, got shape {lab.shape}")
    return lab, arr


def _stacked(values: Any, name: str, each: str) -> np.ndarray:
    """A list of per-image arrays as one array; images of different shapes are an error naming the first."""
    try:
        return np.asarray(values)
    except ValueError:  # numpy's "inhomogeneous shape": images of different sizes
        shapes = [np.shape(v) for v in values]
        other = next((i for i, shape in enumerate(shapes) if shape != shapes[0]), None)
        if other is None:  # every image of one shape, its values not numbers of one depth
            raise ShapeMismatchError(f"{name} must be arrays of numbers, each of shape {each}") from None
        raise ShapeMismatchError(
            f"{name} must be images of one size, each of shape {each} (pad or resize them, or audit each size "
            f"apart); image {other} has shape {shapes[other]}, image 0 has {shapes[0]}"
        ) from None


def raise_bad_class(y: np.ndarray, start: int, k: int, ignore_index: int | None) -> None:
    """The error for a class index outside [0, K-1] (not the ignore value), naming the image and the value."""
    out = (y < 0) | (y >= k)
    img = int(np.flatnonzero(out.any(axis=(1, 2)))[0])
    bad = int(y[img][out[img]][0])
    hint = (
        f" (or pass ignore_index={bad}, --ignore-index {bad} on the command line, if it marks unlabeled "
        "pixels, as 255 does in Pascal VOC and Cityscapes)"
        if ignore_index is None and bad > k - 1
        else f" or ignore_index={ignore_index}"
        if ignore_index is not None
        else ""
    )
    raise InvalidLabelsError(
        f"labels must be class indices in [0, {k - 1}] (axis 1 of probs){hint}; image {start + img} has {bad}"
    )


def check_ignore_index(ignore_index: Any, k: int) -> int | None:
    """``ignore_index`` as an int outside the classes ``0..k-1``, or None; else an error naming it."""
    if ignore_index is None:
        return None
    if isinstance(ignore_index, (bool, np.bool_)) or not isinstance(ignore_index, (int, np.integer)):
        raise InvalidParameterError(
            f"ignore_index must be None or an integer (e.g. 255), got {type(ignore_index).__name__} {show(ignore_index)}"
        )
    if 0 <= int(ignore_index) < k:
        raise InvalidParameterError(
            f"ignore_index must not be a class (0..{k - 1}, the columns of probs on axis 1), got {int(ignore_index)}"
        )
    return int(ignore_index)


def raise_bad_probs(p: np.ndarray, total: np.ndarray, start: int) -> None:
    """The error for a block's probabilities ``p`` (images, K, H, W) with a pixel that holds NaN or inf, a
    negative value, or does not sum to 1 (``total``): the first such image and pixel, and what is wrong there."""
    bad = ~np.isfinite(total) | (np.abs(total - 1) > 1e-3) | (p < 0).any(axis=1)
    img, row, col = (int(i[0]) for i in np.nonzero(bad))
    pixel = p[img, :, row, col]
    what = (
        "hold NaN or inf"
        if not np.isfinite(pixel).all()
        else f"hold {pixel.min():g}"
        if pixel.min() < 0
        else f"sum to {float(total[img, row, col]):g}"
    )
    raise InvalidProbabilitiesError(
        f"probs must be non-negative and sum to 1 over axis 1 (classes) at every pixel; image {start + img} does "
        f"not: at row {row}, column {col} they {what}"
    )
