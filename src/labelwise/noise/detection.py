"""Detection noise: boxes jittered (badly located), dropped (overlooked) and class-swapped."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validate.arguments import check_fraction, check_random_state
from ..errors import InvalidLabelsError

__all__ = ["NoisyBoxes", "corrupt_boxes"]


@dataclass(frozen=True, eq=False)
class NoisyBoxes:
    """Per image ``{"boxes", "labels"}`` after noise; ``kind`` per remaining box ("", "jitter",
    "swap"); ``dropped`` per image, the true boxes removed (``{"boxes", "labels"}``)."""

    labels: list[dict]
    kind: list[np.ndarray]
    dropped: list[dict]


def _image_list(labels: Any) -> list:
    if isinstance(labels, (str, bytes, Mapping)) or not isinstance(labels, Iterable):
        raise InvalidLabelsError(
            'labels must be a list with one {"boxes": (m, 4), "labels": (m,)} dict per image, '
            f"got {type(labels).__name__}"
        )
    return list(labels)


def _image(entry: Any, i: int) -> tuple[np.ndarray, np.ndarray]:
    """Image ``i``'s boxes (float64, (m, 4)) and classes (int64, (m,)), or an error naming it."""
    if not isinstance(entry, Mapping) or "boxes" not in entry or "labels" not in entry:
        raise InvalidLabelsError(
            f'labels[{i}] must be a dict with "boxes" (m, 4) and "labels" (m,), got {type(entry).__name__}'
        )
    try:
        boxes = np.asarray(entry["boxes"], dtype=np.float64)
        cls = np.asarray(entry["labels"])
    except (TypeError, ValueError):
        raise InvalidLabelsError(f'labels[{i}] must hold numbers in "boxes" and "labels"') from None
    if boxes.ndim <= 1 and boxes.size % 4 == 0:  # no boxes, or one box as a flat list
        boxes = boxes.reshape(-1, 4)
    if boxes.ndim != 2 or boxes.shape[1] != 4 or not np.isfinite(boxes).all():
        raise InvalidLabelsError(
            f'labels[{i}]["boxes"] must be finite numbers of shape (m, 4) (x1, y1, x2, y2), got shape {boxes.shape}'
        )
    whole = cls.dtype.kind in "iu" or (
        cls.dtype.kind == "f" and bool(np.all(np.isfinite(cls) & (cls == np.round(cls))))
    )
    if cls.ndim == 0 or cls.shape != (len(boxes),) or (cls.size and (not whole or cls.min() < 0)):
        raise InvalidLabelsError(
            f'labels[{i}]["labels"] must hold one class index >= 0 per box ({len(boxes)}), '
            f"got shape {cls.shape} and dtype {cls.dtype}"
        )
    return boxes, cls.astype(np.int64)


def corrupt_boxes(
    labels: Any,
    *,
    jitter_rate: float = 0.05,
    drop_rate: float = 0.05,
    swap_rate: float = 0.05,
    n_classes: int | None = None,
    jitter: float = 0.8,
    random_state: Any = None,
) -> NoisyBoxes:
    """Each box is dropped, class-swapped or jittered with the given probabilities (exclusive).

    A jittered box moves by ``U(0.5, 1) * jitter`` of its width/height in a random direction (IoU
    with the original below about 0.25 for the default ``jitter=0.8``); a swapped box takes another class.
    """
    rates = [
        check_fraction(n, v, closed_high=True)
        for n, v in (("drop_rate", drop_rate), ("swap_rate", swap_rate), ("jitter_rate", jitter_rate))
    ]
    if sum(rates) > 1:
        raise InvalidLabelsError(f"drop_rate + swap_rate + jitter_rate must be at most 1, got {sum(rates):g}")
    rng = check_random_state(random_state)
    images = [_image(entry, i) for i, entry in enumerate(_image_list(labels))]
    k = n_classes or 1 + max((int(np.max(cls)) for _, cls in images if len(cls)), default=1)
    out, kinds, dropped = [], [], []
    for boxes, cls in images:
        u = rng.random(len(cls))
        drop = u < rates[0]
        swap = (u >= rates[0]) & (u < rates[0] + rates[1]) & (k > 1)
        jit = (u >= rates[0] + rates[1]) & (u < sum(rates))
        new_cls = cls.copy()
        new_cls[swap] = (cls[swap] + rng.integers(1, max(k, 2), swap.sum())) % k
        wh = boxes[:, 2:] - boxes[:, :2]
        move = rng.uniform(0.5, 1.0, (len(cls), 2)) * jitter * wh * rng.choice([-1.0, 1.0], (len(cls), 2))
        new_boxes = boxes.copy()
        new_boxes[jit] += np.tile(move[jit], 2)
        new_boxes = np.maximum(new_boxes, 0)
        kind = np.where(swap, "swap", np.where(jit, "jitter", ""))
        out.append({"boxes": new_boxes[~drop], "labels": new_cls[~drop]})
        kinds.append(kind[~drop])
        dropped.append({"boxes": boxes[drop], "labels": cls[drop]})
    return NoisyBoxes(out, kinds, dropped)
