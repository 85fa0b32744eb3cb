"""Backdoor triggers: where a trigger is stamped in one row and what it writes there.

The built-in triggers are those of the Adversarial Robustness Toolbox
(``art.attacks.poisoning.perturbations``): ``"pixel"`` (``add_single_bd``) sets one pixel
``distance`` rows and columns in from the bottom-right corner, ``"pattern"`` (``add_pattern_bd``)
sets four pixels of a small checkerboard there; both in every channel. A user trigger is an array
of one row's shape, NaN where the row is kept, or a ``(mask, values)`` pair.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InvalidParameterError, ShapeMismatchError

TRIGGERS = ("pattern", "pixel")

# Offsets (up, left) from the pixel ``distance`` in from the bottom-right corner, as ART's triggers.
_OFFSETS = {"pixel": ((0, 0),), "pattern": ((0, 0), (1, 1), (0, 2), (2, 0))}


@dataclass(frozen=True)
class Trigger:
    """A backdoor trigger for rows of one shape.

    Attributes
    ----------
    mask : ndarray of bool, shape ``row_shape``
        The entries of a row the trigger overwrites.
    values : ndarray, shape ``row_shape``
        What it writes there (read where ``mask`` is true).
    name : str
        ``"pattern"``, ``"pixel"`` or ``"array"``.
    """

    mask: np.ndarray
    values: np.ndarray
    name: str

    @property
    def row_shape(self) -> tuple[int, ...]:
        """The shape of one row the trigger fits."""
        return tuple(self.mask.shape)

    def stamp(self, X: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """A copy of ``X`` with the trigger stamped on ``rows`` (all rows when None)."""
        out = np.array(X, copy=True)
        flat = out.reshape(out.shape[0], -1)  # a view of the copy
        where = np.flatnonzero(self.mask.ravel())
        values = self.values.ravel()[where].astype(out.dtype)
        if rows is None:
            flat[:, where] = values
        else:
            flat[np.asarray(rows, dtype=np.intp)[:, None], where] = values
        return out


def check_images(X: Any, name: str = "X") -> np.ndarray:
    """A numeric array of rows (2-D flat rows, 3-D ``(n, H, W)`` or 4-D ``(n, H, W, C)`` images)."""
    arr = np.asarray(X)
    if arr.dtype.kind not in "iuf":
        raise InvalidParameterError(f"{name} must be a numeric array (integers or floats), got dtype {arr.dtype}")
    if arr.ndim < 2:
        raise ShapeMismatchError(f"{name} must have one row per example (2-D or more), got shape {arr.shape}")
    return arr


def _image_hw(row_shape: tuple[int, ...], image_shape: Any, name: str, x_name: str) -> tuple[tuple[int, ...], str]:
    """The image shape ``(H, W)`` or ``(H, W, C)`` rows are read as, and where it came from."""
    if image_shape is None:
        if len(row_shape) not in (2, 3):
            raise ShapeMismatchError(
                f"{x_name} must be images (n, H, W) or (n, H, W, C) for the {name!r} trigger, or flat rows with "
                f"image_shape=(H, W) or (H, W, C); got rows of shape {row_shape} and image_shape=None"
            )
        return row_shape, x_name
    try:
        shape = tuple(int(s) for s in image_shape)
        ok = all(isinstance(s, (numbers.Integral, np.integer)) and not isinstance(s, bool) for s in image_shape)
    except TypeError:
        ok = False
    if not ok or len(shape) not in (2, 3) or min(shape) < 1:
        raise InvalidParameterError(
            f"image_shape must be (H, W) or (H, W, C) of positive integers, got {image_shape!r}"
        )
    if int(np.prod(shape)) != int(np.prod(row_shape)):
        raise ShapeMismatchError(
            f"image_shape must have as many entries as one row of {x_name} ({int(np.prod(row_shape))}), "
            f"got {shape} ({int(np.prod(shape))} entries)"
        )
    return shape, "image_shape"


def _check_distance(distance: Any) -> int:
    if isinstance(distance, bool) or not isinstance(distance, (numbers.Integral, np.integer)) or int(distance) < 1:
        raise InvalidParameterError(f"distance must be a positive integer, got {distance!r}")
    return int(distance)


def _check_value(value: Any, dtype: np.dtype, name: str) -> Any:
    """A number that ``dtype`` holds exactly."""
    real = isinstance(value, (numbers.Real, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    if not real or not np.isfinite(float(value)):
        raise InvalidParameterError(f"{name} must be a finite number, got {value!r}")
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        if float(value) != np.floor(float(value)) or not info.min <= float(value) <= info.max:
            raise InvalidParameterError(
                f"{name} must be a whole number in [{info.min}, {info.max}] for X of dtype {dtype}, got {value!r}"
            )
    return value


def make_trigger(
    trigger: Any,
    row_shape: tuple[int, ...],
    dtype: np.dtype,
    *,
    image_shape: Any = None,
    distance: Any = 2,
    pixel_value: Any = 1,
    x_name: str = "X",
) -> Trigger:
    """Resolve ``trigger`` (a name, a NaN-masked array, a ``(mask, values)`` pair or a
    :class:`Trigger`) for rows of ``row_shape`` and ``dtype``."""
    distance = _check_distance(distance)
    _check_value(pixel_value, np.dtype(np.float64), "pixel_value")
    if isinstance(trigger, Trigger):
        if trigger.row_shape != tuple(row_shape):
            raise ShapeMismatchError(
                f"trigger must fit one row of {x_name} (shape {tuple(row_shape)}), got a trigger for rows of shape "
                f"{trigger.row_shape}"
            )
        return trigger
    if isinstance(trigger, str):
        if trigger not in TRIGGERS:
            raise InvalidParameterError(
                f"trigger must be one of {list(TRIGGERS)}, an array or a (mask, values) pair, got {trigger!r}"
            )
        return _art_trigger(trigger, tuple(row_shape), dtype, image_shape, distance, pixel_value, x_name)
    if isinstance(trigger, tuple) and len(trigger) == 2:
        mask = np.asarray(trigger[0])
        if mask.dtype != bool:
            raise InvalidParameterError(f"trigger's mask must be a boolean array, got dtype {mask.dtype}")
        try:
            values = np.broadcast_to(np.asarray(trigger[1], dtype=np.float64), mask.shape)
        except (TypeError, ValueError):
            raise ShapeMismatchError(
                f"trigger's values must be numbers of the mask's shape {mask.shape} (or broadcast to it), "
                f"got {np.shape(trigger[1])}"
            ) from None
    else:
        try:
            values = np.asarray(trigger, dtype=np.float64)
        except (TypeError, ValueError):
            raise InvalidParameterError(
                f"trigger must be one of {list(TRIGGERS)}, an array or a (mask, values) pair, "
                f"got {type(trigger).__name__}"
            ) from None
        mask = ~np.isnan(values)
    if mask.shape != tuple(row_shape):
        raise ShapeMismatchError(
            f"trigger must have the shape of one row of {x_name}, {tuple(row_shape)}, got {mask.shape}"
        )
    if not mask.any():
        raise InvalidParameterError("trigger must set at least one entry of a row, got an empty mask")
    stamped = values[mask]
    if not np.isfinite(stamped).all():
        raise InvalidParameterError(
            f"trigger's values must be finite where it stamps, got {stamped[~np.isfinite(stamped)][0]}"
        )
    for v in np.unique(stamped):
        _check_value(float(v), dtype, "trigger's values")
    return Trigger(mask=mask.copy(), values=np.where(mask, values, 0.0), name="array")


def _art_trigger(name: str, row_shape, dtype, image_shape, distance, pixel_value, x_name: str) -> Trigger:
    shape, source = _image_hw(row_shape, image_shape, name, x_name)
    height, width = shape[0], shape[1]
    reach = max(max(o) for o in _OFFSETS[name])
    if distance < 1 or distance + reach > min(height, width):
        raise InvalidParameterError(
            f"distance must be between 1 and {min(height, width) - reach} for the {name!r} trigger on "
            f"{height}x{width} images (from {source}), got {distance}"
        )
    _check_value(pixel_value, dtype, "pixel_value")
    mask = np.zeros(shape, dtype=bool)
    for up, left in _OFFSETS[name]:
        mask[height - distance - up, width - distance - left, ...] = True
    mask = mask.reshape(row_shape)
    return Trigger(mask=mask, values=np.where(mask, float(pixel_value), 0.0), name=name)
