"""Segmentation noise: spatially correlated flips (a thresholded Gaussian field with a
Kac-Murdock-Szego covariance), boundary erosion/dilation and missing objects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import ndimage

from .._validate.arguments import check_choice, check_fraction, check_positive_int, check_random_state
from ..errors import InvalidLabelsError

__all__ = ["MASK_NOISE_KINDS", "NoisyMasks", "corrupt_masks", "kms_field"]

MASK_NOISE_KINDS = ("correlated", "boundary", "missing")


@dataclass(frozen=True, eq=False)
class NoisyMasks:
    """Masks after simulated noise: ``labels``, ``true_labels`` and ``is_corrupted`` (all (N, H, W))."""

    labels: np.ndarray
    true_labels: np.ndarray
    is_corrupted: np.ndarray

    @property
    def noise_rate(self) -> float:
        """Share of corrupted pixels."""
        return float(self.is_corrupted.mean())


def kms_field(shape: tuple[int, ...], rho: float, random_state: Any = None) -> np.ndarray:
    """A zero-mean, unit-variance Gaussian field with covariance ``rho^|di| * rho^|dj|``.

    The Kac-Murdock-Szego matrix ``K[i, j] = rho^|i - j|`` is the covariance of a stationary AR(1)
    sequence, so filtering white noise by ``x_t = rho x_{t-1} + sqrt(1 - rho^2) e_t`` along each
    spatial axis (the last two) gives exactly the separable KMS covariance, in O(pixels).
    """
    rho = check_fraction("rho", rho)
    rng = check_random_state(random_state)
    field_ = rng.standard_normal(shape)
    c = np.sqrt(1.0 - rho * rho)
    for axis in (-2, -1):
        moved = np.moveaxis(field_, axis, 0)
        for t in range(1, moved.shape[0]):
            moved[t] = rho * moved[t - 1] + c * moved[t]
    return field_


def _correlated(masks: np.ndarray, rate: float, rho: float, n_classes: int, rng: np.random.Generator) -> np.ndarray:
    noisy = masks.copy()
    field_ = kms_field(masks.shape, rho, rng)
    from scipy.stats import norm

    flip = field_ > norm.ppf(1.0 - rate)
    shift = rng.integers(1, n_classes, size=(masks.shape[0], 1, 1))
    noisy[flip] = ((masks + shift) % n_classes)[flip]
    return noisy


def _boundary(masks: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    noisy = masks.copy()
    iterations = max(1, round(rate * 20))
    for i in range(masks.shape[0]):
        for cls in np.unique(masks[i]):
            if cls == 0:
                continue
            obj = masks[i] == cls
            if rng.random() < 0.5:
                grown = ndimage.binary_dilation(obj, iterations=iterations) & (masks[i] == 0)
                noisy[i][grown] = cls
            else:
                noisy[i][obj & ~ndimage.binary_erosion(obj, iterations=iterations)] = 0
    return noisy


def _missing(masks: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    noisy = masks.copy()
    for i in range(masks.shape[0]):
        ids, n = ndimage.label(masks[i] > 0)
        for obj in np.flatnonzero(rng.random(n) < rate) + 1:
            noisy[i][ids == obj] = 0
    return noisy


def corrupt_masks(
    masks: Any,
    *,
    kind: str = "correlated",
    rate: float = 0.1,
    rho: float = 0.9,
    n_classes: int | None = None,
    random_state: Any = None,
) -> NoisyMasks:
    """Corrupt integer masks ``(N, H, W)``.

    ``correlated``: pixels where a KMS Gaussian field (correlation ``rho`` between neighbours)
    exceeds its ``1 - rate`` quantile take another class (one shift per image): spatially
    correlated blobs, the noise model of [1]_. ``boundary``: each object (class > 0)
    is dilated into the background or eroded by about ``20 * rate`` pixels. ``missing``: each
    connected object is erased to background (0) with probability ``rate``.

    References
    ----------
    .. [1] "Segmentation with Noisy Labels via Spatially Correlated Distributions" (2023), the
       seed paper of labelwise issue 13: label noise as a thresholded Gaussian field with a
       Kac-Murdock-Szego covariance. (Authors and venue not checked offline.)
    """
    check_choice("kind", kind, MASK_NOISE_KINDS)
    rate = check_fraction("rate", rate)
    arr = np.asarray(masks)
    if arr.ndim != 3 or arr.dtype.kind not in "iu":
        raise InvalidLabelsError(f"masks must be integer class indices of shape (N, H, W), got {arr.shape} {arr.dtype}")
    rng = check_random_state(random_state)
    k = int(arr.max()) + 1 if n_classes is None else check_positive_int("n_classes", n_classes)
    if kind == "correlated":
        noisy = _correlated(arr, rate, rho, max(k, 2), rng)
    elif kind == "boundary":
        noisy = _boundary(arr, rate, rng)
    else:
        noisy = _missing(arr, rate, rng)
    return NoisyMasks(noisy, arr.copy(), noisy != arr)
