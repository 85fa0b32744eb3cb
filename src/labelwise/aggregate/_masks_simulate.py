"""Simulated crowd masks for tests and ``benchmarks/bench_masks.py``: shapes, and annotators who
shift boundaries, miss parts, or draw at random (a spammer)."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import ndimage

from .._validate.arguments import check_positive_int, check_random_state

__all__ = ["simulate_masks"]


def _shapes(rng: np.random.Generator, size: int, n_shapes: int) -> np.ndarray:
    """A truth mask: the union of ``n_shapes`` random ellipses; also each shape's own mask."""
    yy, xx = np.mgrid[0:size, 0:size]
    parts = np.zeros((n_shapes, size, size), dtype=bool)
    for k in range(n_shapes):
        cy, cx = rng.uniform(0.2, 0.8, size=2) * size
        ry, rx = rng.uniform(0.06, 0.2, size=2) * size
        parts[k] = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1.0
    return parts


def simulate_masks(
    n_items: int = 10,
    size: int = 64,
    n_annotators: int = 5,
    *,
    n_spammers: int = 1,
    n_shapes: int = 3,
    missing: float = 0.0,
    random_state: Any = None,
) -> tuple[dict[Any, dict[int, np.ndarray]], dict[Any, np.ndarray]]:
    """Crowd masks ``{item: {annotator: mask}}`` and the truth ``{item: mask}``.

    Annotator ``j < n_annotators - n_spammers`` is careful in their own way: they dilate or erode
    the boundary by ``j % 3`` pixels (alternating), miss one of the shapes with probability
    ``0.1 * (j % 4)`` and flip 1% of the pixels. The last ``n_spammers`` draw random blobs of
    the image's foreground fraction. Each (item, annotator) is left out with probability
    ``missing`` (at least one annotator stays per item).
    """
    n_items = check_positive_int("n_items", n_items)
    size = check_positive_int("size", size, minimum=8)
    n_annotators = check_positive_int("n_annotators", n_annotators)
    rng = check_random_state(random_state)
    masks: dict[Any, dict[int, np.ndarray]] = {}
    truth: dict[Any, np.ndarray] = {}
    for i in range(n_items):
        parts = _shapes(rng, size, n_shapes)
        true: np.ndarray = np.asarray(parts.any(axis=0))
        truth[i] = true
        drawn: dict[int, np.ndarray] = {}
        keep = rng.random(n_annotators) >= missing
        keep[rng.integers(n_annotators)] = True
        for j in np.flatnonzero(keep):
            if j >= n_annotators - n_spammers:
                blobs = ndimage.gaussian_filter(rng.random((size, size)), sigma=size / 16)
                drawn[int(j)] = (blobs >= np.quantile(blobs, 1.0 - true.mean())).astype(np.uint8)
                continue
            mine = parts[rng.random(n_shapes) >= 0.1 * (j % 4)].any(axis=0) if n_shapes > 1 else true
            step = j % 3
            if step:
                grow = ndimage.binary_dilation if j % 2 else ndimage.binary_erosion
                mine = grow(mine, iterations=step)
            mine = mine ^ (rng.random((size, size)) < 0.01)
            drawn[int(j)] = mine.astype(np.uint8)
        masks[i] = drawn
    return masks, truth
