"""Detection noise: boxes jittered (badly located), dropped (overlooked) and class-swapped."""

from __future__ import annotations

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
    images = list(labels)
    k = n_classes or 1 + max((int(np.max(e["labels"])) for e in images if len(e["labels"])), default=1)
    out, kinds, dropped = [], [], []
    for entry in images:
        boxes = np.asarray(entry["boxes"], dtype=np.float64).reshape(-1, 4)
        cls = np.asarray(entry["labels"], dtype=np.int64)
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
