"""Simulated box annotators: true boxes, and annotators who jitter, miss, add false boxes or spam.

For tests, the benchmark and the documentation of :mod:`labelwise.aggregate.boxes`; every step
is vectorised over all (annotator, object) pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_fraction, check_positive, check_positive_int, check_random_state
from ..errors import InvalidParameterError
from ._boxes_input import COORDS


@dataclass(frozen=True)
class SimulatedBoxes:
    """Simulated boxes: ``boxes`` (image, annotator, coordinates, label, score), ``truth`` (image,
    coordinates, label) and ``labeled`` (every (image, annotator) pair: each annotator saw each image)."""

    boxes: pd.DataFrame
    truth: pd.DataFrame
    labeled: pd.DataFrame


def _random_boxes(rng: np.random.Generator, n: int, size: np.ndarray) -> np.ndarray:
    """``n`` boxes (x_min, y_min, x_max, y_max) of 5% to 40% of the image's sides, inside the image."""
    wh = rng.uniform(0.05, 0.4, (n, 2)) * size
    low = rng.uniform(0, 1, (n, 2)) * (size - wh)
    return np.column_stack([low, low + wh])


def simulate_boxes(
    n_images: int = 100,
    n_annotators: int = 5,
    *,
    objects_per_image: float = 3.0,
    n_classes: int = 3,
    jitter: float = 0.05,
    miss_rate: float = 0.1,
    false_rate: float = 0.2,
    n_spammers: int = 0,
    image_size: tuple[float, float] = (640.0, 480.0),
    random_state: Any = None,
) -> SimulatedBoxes:
    """Simulate annotators drawing boxes around the objects of ``n_images`` images.

    Each image holds ``1 + Poisson(objects_per_image - 1)`` objects of random classes and sizes.
    Each annotator draws each object with probability ``1 - miss_rate``, its corners moved by
    normal noise of ``jitter`` times the box's width and height, with a score ~ Beta(5, 2); adds
    ``Poisson(false_rate)`` false boxes per image (random place and class, score ~ Beta(2, 5)). The
    last ``n_spammers`` annotators draw only random boxes, as many as the image has objects.

    Returns
    -------
    SimulatedBoxes
    """
    n_images = check_positive_int("n_images", n_images)
    n_annotators = check_positive_int("n_annotators", n_annotators)
    n_classes = check_positive_int("n_classes", n_classes)
    n_spammers = check_positive_int("n_spammers", n_spammers, minimum=0)
    if n_spammers > n_annotators:
        raise InvalidParameterError(f"n_spammers must be <= n_annotators ({n_annotators}), got {n_spammers}")
    if check_positive("objects_per_image", objects_per_image) < 1:
        raise InvalidParameterError(f"objects_per_image must be >= 1, got {objects_per_image!r}")
    check_fraction("miss_rate", miss_rate)
    jitter = check_fraction("jitter", jitter, high=np.inf)
    false_rate = check_fraction("false_rate", false_rate, high=np.inf)
    rng = check_random_state(random_state)
    size = np.asarray(image_size, dtype=np.float64)
    per_image = 1 + rng.poisson(objects_per_image - 1, n_images)
    obj_image = np.repeat(np.arange(n_images), per_image)
    truth = _random_boxes(rng, len(obj_image), size)
    truth_label = rng.integers(0, n_classes, len(obj_image))
    honest = n_annotators - n_spammers
    # honest annotators x objects
    ann = np.repeat(np.arange(honest), len(obj_image))
    obj = np.tile(np.arange(len(obj_image)), honest)
    drawn = rng.random(len(ann)) >= miss_rate
    ann, obj = ann[drawn], obj[drawn]
    wh = np.tile(truth[obj, 2:] - truth[obj, :2], 2)
    coords = truth[obj] + rng.normal(0, jitter, (len(obj), 4)) * wh
    coords[:, 2:] = np.maximum(coords[:, 2:], coords[:, :2] + 1e-3 * size)  # keep x_max > x_min
    parts = [(obj_image[obj], ann, coords, truth_label[obj], rng.beta(5, 2, len(obj)))]
    # false boxes of honest annotators, and every box of a spammer
    n_false = rng.poisson(false_rate, (n_images, honest))
    spam = np.repeat(per_image[:, None], n_spammers, axis=1)
    counts = np.concatenate([n_false, spam], axis=1).ravel()
    f_image = np.repeat(np.repeat(np.arange(n_images), n_annotators), counts)
    f_ann = np.repeat(np.tile(np.arange(n_annotators), n_images), counts)
    n_f = len(f_image)
    parts.append((f_image, f_ann, _random_boxes(rng, n_f, size), rng.integers(0, n_classes, n_f), rng.beta(2, 5, n_f)))
    image, annotator, xy, label, score = (np.concatenate(p) for p in zip(*parts, strict=True))
    score = np.clip(score, 1e-6, None)
    names = np.array([f"a{k}" for k in range(n_annotators)])
    classes = np.array([f"c{k}" for k in range(n_classes)])
    order = np.lexsort((annotator, image))
    boxes = pd.DataFrame(
        {"image": image[order], "annotator": names[annotator[order]]}
        | {c: xy[order, k] for k, c in enumerate(COORDS)}
        | {"label": classes[label[order]], "score": score[order]}
    )
    truth_frame = pd.DataFrame(
        {"image": obj_image} | {c: truth[:, k] for k, c in enumerate(COORDS)} | {"label": classes[truth_label]}
    )
    labeled = pd.DataFrame(
        {"image": np.repeat(np.arange(n_images), n_annotators), "annotator": np.tile(names, n_images)}
    )
    return SimulatedBoxes(boxes, truth_frame, labeled)
