"""Segmentation audit: confident learning over pixels, in blocks of images, and regions of wrong pixels.

Every pixel is a classification example. Two passes over blocks of images (memory independent of
the number of images, so a memory-mapped ``(N, K, H, W)`` array works) compute the per-class
thresholds and then the confident joint; a pixel is flagged when it is confidently counted in a
class other than its given one and the model's top class is not its given class (the
``confident_learning`` filter of Northcutt et al., 2021). An error is a region, not a pixel:
flagged pixels are grouped into connected regions (``scipy.ndimage.label``) with their area, box,
given and suggested class. Images are scored by the soft minimum of their pixels' self-confidence
(Lad & Mueller, 2023).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_choice, check_fraction, check_positive_int
from ..errors import InvalidLabelsError, InvalidProbabilitiesError, ShapeMismatchError
from ._mask_regions import concat_regions, drop_small_regions, regions_columns
from .confident_joint import (
    FUZZ,
    calibrate_confident_joint,
    estimate_joint,
    inverse_noise_matrix_from_joint,
    noise_matrix_from_joint,
)
from .filters import keep_at_least

__all__ = ["SegmentationIssues", "check_segmentation_inputs", "find_label_issues"]

#: Elements of ``probs`` per block of images (about 32 MB of float64).
BLOCK_ELEMENTS = 1 << 22
_MIN_THRESHOLD = 2 * FUZZ
SEGMENTATION_FILTERS = ("low_self_confidence", "prune_by_class", "confident_learning")


@dataclass(frozen=True, eq=False)
class SegmentationIssues:
    """Pixel flags, image scores, the pixel noise matrix and the regions of wrong pixels.

    Attributes
    ----------
    is_issue : ndarray of bool, shape (N, H, W)
        Flagged pixels (a memory-mapped file when ``mask_path`` was given).
    image_quality : ndarray of float, shape (N,)
        Soft minimum of the pixels' self-confidence; low = likely wrong somewhere.
    n_flagged : ndarray of int, shape (N,)
        Flagged pixels per image.
    regions : DataFrame
        One row per connected region of flagged pixels: image, region, area, box
        (top, left, bottom, right; exclusive), given and suggested class, mean self-confidence.
    thresholds : ndarray of float, shape (K,)
    confident_joint, calibrated_confident_joint : ndarray of int, shape (K, K)
    joint, noise_matrix, inverse_noise_matrix : ndarray of float, shape (K, K)
        As in :class:`labelwise.LabelIssues`, over pixels.
    """

    is_issue: np.ndarray
    image_quality: np.ndarray
    n_flagged: np.ndarray
    regions: pd.DataFrame
    thresholds: np.ndarray
    confident_joint: np.ndarray
    calibrated_confident_joint: np.ndarray
    joint: np.ndarray
    noise_matrix: np.ndarray
    inverse_noise_matrix: np.ndarray
    label_counts: np.ndarray = field(repr=False)

    @property
    def n_issues(self) -> int:
        """Number of flagged pixels."""
        return int(self.n_flagged.sum())

    @property
    def ranked_images(self) -> np.ndarray:
        """Images with a flagged pixel, worst first."""
        flagged = np.flatnonzero(self.n_flagged > 0)
        return flagged[np.argsort(self.image_quality[flagged], kind="stable")]

    @property
    def class_summary(self) -> pd.DataFrame:
        """One row per class: pixels given it and its estimated pixel noise rates."""
        return pd.DataFrame(
            {
                "class": np.arange(self.label_counts.size),
                "n_pixels": self.label_counts,
                "noise_rate": 1.0 - np.diag(self.inverse_noise_matrix),
                "inverse_noise_rate": 1.0 - np.diag(self.noise_matrix),
            }
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per image, worst first: image, quality, flagged pixels, regions."""
        n_regions = np.bincount(self.regions["image"].to_numpy(np.int64), minlength=self.image_quality.size)
        order = np.argsort(self.image_quality, kind="stable")
        return pd.DataFrame(
            {
                "image": order,
                "image_quality": self.image_quality[order],
                "n_flagged_pixels": self.n_flagged[order],
                "n_regions": n_regions[order],
                "is_issue": self.n_flagged[order] > 0,
            }
        )

    def summary(self) -> dict[str, Any]:
        """A JSON-ready dictionary: counts, pixel noise matrices, per-class rates."""
        return {
            "task": "segmentation",
            "n_images": int(self.image_quality.size),
            "n_images_flagged": int((self.n_flagged > 0).sum()),
            "n_pixels_flagged": self.n_issues,
            "n_regions": len(self.regions),
            "noise_rate": float(1.0 - np.trace(self.joint)),
            "noise_matrix": self.noise_matrix.tolist(),
            "per_class": self.class_summary.to_dict(orient="records"),
        }


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
    lab = labels if isinstance(labels, np.ndarray) else np.asarray(labels)
    arr = probs if isinstance(probs, np.ndarray) else np.asarray(probs)
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
    return lab, arr


def _blocks(n: int, per_image: int, images_per_block: int | None):
    step = images_per_block or max(1, BLOCK_ELEMENTS // max(per_image, 1))
    for start in range(0, n, step):
        yield slice(start, min(start + step, n))


def _self_conf(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.take_along_axis(p, y[:, None].astype(np.intp), axis=1)[:, 0]


def _first_pass(lab: np.ndarray, arr: np.ndarray, k: int, step: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Per-class pixel counts and sums of self-confidence; checks classes and probabilities."""
    counts = np.zeros(k, dtype=np.int64)
    sums = np.zeros(k)
    for b in _blocks(lab.shape[0], arr[0].size, step):
        y = np.asarray(lab[b])
        lo, hi = int(y.min()), int(y.max())
        if lo < 0 or hi >= k:
            img = b.start + int(np.flatnonzero(((y < 0) | (y >= k)).any(axis=(1, 2)))[0])
            bad = y[img - b.start][(y[img - b.start] < 0) | (y[img - b.start] >= k)][0]
            raise InvalidLabelsError(
                f"labels must be class indices in [0, {k - 1}] (axis 1 of probs); image {img} has {bad}"
            )
        p = np.asarray(arr[b])
        total = p.sum(axis=1, dtype=np.float64)
        if not np.isfinite(total).all() or np.abs(total - 1).max() > 1e-3 or p.min() < 0:
            img = b.start + int(
                np.flatnonzero(
                    (~np.isfinite(total) | (np.abs(total - 1) > 1e-3)).any(axis=(1, 2)) | (p < 0).any(axis=(1, 2, 3))
                )[0]
            )
            raise InvalidProbabilitiesError(
                f"probs must be non-negative and sum to 1 over axis 1 (classes) at every pixel; image {img} does not"
            )
        yf = y.ravel()
        counts += np.bincount(yf, minlength=k)
        sums += np.bincount(yf, weights=_self_conf(p, y).ravel(), minlength=k)
    return counts, sums


def find_label_issues(
    labels: Any,
    probs: Any,
    *,
    temperature: float = 0.1,
    min_region_size: int = 1,
    filter_by: str = "low_self_confidence",
    images_per_block: int | None = None,
    mask_path: str | os.PathLike | None = None,
) -> SegmentationIssues:
    """Find the pixels (and regions) whose given class is probably wrong.

    Parameters
    ----------
    labels : array-like of int, shape (N, H, W)
        Given class of every pixel (a memory-mapped array is read block by block).
    probs : array-like of float, shape (N, K, H, W)
        Out-of-fold per-pixel probabilities, summing to 1 over axis 1. Not copied; read in blocks
        of images, so a memory-mapped array of any length needs memory for one block only.
    temperature : float, default 0.1
        Temperature of the soft minimum that scores each image.
    filter_by : {"low_self_confidence", "prune_by_class", "confident_learning"}, default "low_self_confidence"
        ``low_self_confidence``: the pixels of lowest self-confidence over the whole data set, as
        many as ``confident_learning`` flags (the count cleanlab's segmentation filter uses too).
        ``prune_by_class``: per class ``i``, the ``sum_{j != i} C[i, j]`` pixels of lowest
        self-confidence (exact, found from a histogram pass and a pass over the boundary bin).
        ``confident_learning``: pixels confidently counted in another class. These two never flag a
        pixel whose given class is the model's top class. Ties follow
        :func:`labelwise.find_label_issues`: "the c lowest" are taken in pixel order (image by
        image), so among tied pixels a permutation of the images can move a flag.
    min_region_size : int, default 1
        Regions of fewer flagged pixels are dropped (their pixels unflagged).
    images_per_block : int, optional
        Images per block (default: about 4M probabilities per block). Results do not depend on it.
    mask_path : path, optional
        Write the ``(N, H, W)`` pixel flags to this ``.npy`` file (memory-mapped) instead of RAM.

    Returns
    -------
    SegmentationIssues

    Raises
    ------
    ShapeMismatchError
        ``labels`` and ``probs`` of different shapes, or the class axis in the wrong place.
    InvalidLabelsError
        A class index outside ``[0, K-1]`` (the image is named).
    InvalidProbabilitiesError
        Probabilities not summing to 1 over the class axis.

    References
    ----------
    .. [1] Northcutt, C., Jiang, L., & Chuang, I. (2021). Confident Learning: Estimating
       Uncertainty in Dataset Labels. JAIR 70, 1373-1411.
    .. [2] Lad, V., & Mueller, J. (2023). Estimating label quality and errors in semantic
       segmentation data via any model. ICML Workshop on Data-centric Machine Learning Research.

    Examples
    --------
    >>> import numpy as np
    >>> from labelwise.audit import segmentation
    >>> labels = np.zeros((2, 8, 8), int); labels[:, :, 4:] = 1
    >>> probs = np.stack([1.0 - labels, labels], axis=1) * 0.9 + 0.05
    >>> noisy = labels.copy(); noisy[1, :2, :2] = 1
    >>> res = segmentation.find_label_issues(noisy, probs)
    >>> res.regions[["image", "area", "given", "suggested"]].values.tolist()
    [[1, 4, 1, 0]]
    """
    lab, arr = check_segmentation_inputs(labels, probs)
    check_fraction("temperature", temperature, low=1e-6, high=np.inf)
    check_positive_int("min_region_size", min_region_size)
    check_choice("filter_by", filter_by, SEGMENTATION_FILTERS)
    k = arr.shape[1]
    counts, sums = _first_pass(lab, arr, k, images_per_block)
    thresholds = np.clip(np.where(counts > 0, sums / np.maximum(counts, 1), 2.0), _MIN_THRESHOLD, None)
    cut = (thresholds - FUZZ).reshape(1, k, 1, 1)
    confident, hist, image_quality, n_off = _second_pass(lab, arr, cut, temperature, images_per_block)
    calibrated = calibrate_confident_joint(confident, counts)
    joint = estimate_joint(calibrated)
    chosen = _choose_lowest(filter_by, lab, arr, hist, counts, calibrated, n_off, images_per_block)
    is_issue, n_flagged, regions = _third_pass(
        lab, arr, cut, chosen, filter_by, min_region_size, images_per_block, mask_path, k
    )
    noise, inverse = noise_matrix_from_joint(joint), inverse_noise_matrix_from_joint(joint)
    return SegmentationIssues(
        is_issue, image_quality, n_flagged, regions, thresholds, confident, calibrated, joint, noise, inverse, counts
    )


def _choose_lowest(
    filter_by: str,
    lab: Any,
    arr: Any,
    hist: np.ndarray,
    counts: np.ndarray,
    calibrated: np.ndarray,
    n_off: int,
    images_per_block: Any,
) -> Any:
    """The pixels a ranking filter flags (lowest self-confidence first), or None for the confident-joint filter."""
    if filter_by == "prune_by_class":
        n_remove = np.where(counts > 1, counts - keep_at_least(calibrated, 1).diagonal(), 0)
        return _lowest_cut(lab, arr, hist, n_remove, images_per_block, per_class=True)
    if filter_by == "low_self_confidence":
        return _lowest_cut(
            lab, arr, hist.sum(axis=0, keepdims=True), np.array([n_off]), images_per_block, per_class=False
        )
    return None


_N_BINS = 4096


def _bin_of(sc: np.ndarray) -> np.ndarray:
    return np.minimum((sc * _N_BINS).astype(np.int64), _N_BINS - 1)


def _confident_class(p: np.ndarray, cut: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Most probable class among those whose threshold the pixel reaches; ``counted`` if any."""
    masked = np.where(p >= cut, p, -1.0)
    conf = masked.argmax(axis=1)
    return conf, np.take_along_axis(masked, conf[:, None], axis=1)[:, 0] >= 0


def _second_pass(lab, arr, cut, temperature, step) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Confident joint, per-class histogram of self-confidence, and per-image soft-min scores."""
    n, k = arr.shape[0], arr.shape[1]
    joint_counts = np.zeros(k * k, dtype=np.int64)
    hist = np.zeros(k * _N_BINS, dtype=np.int64)
    image_quality = np.empty(n)
    n_off = 0
    for b in _blocks(n, arr[0].size, step):
        p, y = np.asarray(arr[b]), np.asarray(lab[b]).astype(np.intp)
        sc = _self_conf(p, y)
        conf, counted = _confident_class(p, cut)
        top = p.max(axis=1)
        n_off += int((counted & (conf != y) & ~(sc + FUZZ >= top)).sum())
        joint_counts += np.bincount((y * k + conf)[counted], minlength=k * k)
        hist += np.bincount((y * _N_BINS + _bin_of(sc)).ravel(), minlength=k * _N_BINS)
        flat = sc.reshape(sc.shape[0], -1).astype(np.float64)
        wts = np.exp((1.0 - flat - (1.0 - flat).max(axis=1, keepdims=True)) / temperature)
        image_quality[b] = (wts * flat).sum(axis=1) / wts.sum(axis=1)
    confident = joint_counts.reshape(k, k)
    np.fill_diagonal(confident, np.maximum(confident.diagonal(), 1))
    return confident, hist.reshape(k, _N_BINS), image_quality, n_off


def _lowest_cut(lab, arr, hist, n_remove, step, *, per_class: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per class (or over all pixels), the bin below which every pixel is among the ``n_remove`` lowest self-confidences,
    and the flat indices of the pixels chosen inside that bin (lowest first, ties by index)."""
    k = hist.shape[0]
    cum = np.cumsum(hist, axis=1)
    bins = np.array([np.searchsorted(cum[c], n_remove[c]) if n_remove[c] > 0 else -1 for c in range(k)])
    below = np.array([cum[c, bins[c] - 1] if bins[c] > 0 else 0 for c in range(k)])
    need = np.where(bins >= 0, n_remove - below, 0)
    found_idx, found_sc, found_cls = [], [], []
    for b in _blocks(arr.shape[0], arr[0].size, step):
        p, y = np.asarray(arr[b]), np.asarray(lab[b]).astype(np.intp)
        sc = _self_conf(p, y).ravel()
        yf = y.ravel() if per_class else np.zeros(sc.size, dtype=np.intp)
        sel = np.flatnonzero(_bin_of(sc) == bins[yf])
        found_idx.append(sel + b.start * p[0, 0].size)
        found_sc.append(sc[sel])
        found_cls.append(yf[sel])
    idx, scs, cls = (np.concatenate(x) for x in (found_idx, found_sc, found_cls))
    order = np.lexsort((idx, scs, cls))
    idx, cls = idx[order], cls[order]
    starts = np.searchsorted(cls, np.arange(k))
    take = np.concatenate([idx[starts[c] : starts[c] + need[c]] for c in range(k)])
    return np.where(bins >= 0, bins, 0), take


def _third_pass(
    lab: Any,
    arr: Any,
    cut: np.ndarray,
    chosen: Any,
    filter_by: str,
    min_region_size: int,
    images_per_block: Any,
    mask_path: Any,
    k: int,
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Flag pixels block by block; return the pixel mask, the flagged pixels per image and the regions table."""
    n = arr.shape[0]
    is_issue: np.ndarray
    if mask_path is not None:
        is_issue = np.lib.format.open_memmap(os.fspath(mask_path), mode="w+", dtype=bool, shape=lab.shape)
    else:
        is_issue = np.zeros(lab.shape, dtype=bool)
    n_flagged = np.zeros(n, dtype=np.int64)
    tables = []
    for b in _blocks(n, arr[0].size, images_per_block):
        p, y = np.asarray(arr[b]), np.asarray(lab[b]).astype(np.intp)
        sc = _self_conf(p, y)
        pred = p.argmax(axis=1)
        given_is_predicted = sc + FUZZ >= np.take_along_axis(p, pred[:, None], axis=1)[:, 0]
        if chosen is None:
            conf, counted = _confident_class(p, cut)
            flag = counted & (conf != y)
        else:
            bins, in_bin = chosen
            flag = _bin_of(sc) < (bins[y] if bins.size > 1 else bins[0])
            start = b.start * sc[0].size
            idx = in_bin[(in_bin >= start) & (in_bin < start + sc.size)] - start
            flag.ravel()[idx] = True
        if filter_by != "low_self_confidence":
            flag &= ~given_is_predicted
        if min_region_size > 1:
            drop_small_regions(flag, min_region_size)
        tables.append(regions_columns(flag, y, pred, sc, b.start, k))
        is_issue[b] = flag
        n_flagged[b] = flag.reshape(flag.shape[0], -1).sum(axis=1)
    if isinstance(is_issue, np.memmap):
        is_issue.flush()
    return is_issue, n_flagged, concat_regions(tables)
