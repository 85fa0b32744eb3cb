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
from ..errors import (
    TooFewExamplesError,
)
from ._mask_blocks import N_BINS, bin_of, blocks, image_softmin, lowest_cut, read_block, self_conf
from ._mask_inputs import check_ignore_index, check_segmentation_inputs, raise_bad_class, raise_bad_probs
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
        Soft minimum of the scored pixels' self-confidence; low = likely wrong somewhere. NaN for
        an image whose every pixel is ``ignore_index``: it has no label to judge (never flagged,
        listed last by ``to_frame``).
    n_flagged : ndarray of int, shape (N,)
        Flagged pixels per image.
    regions : DataFrame
        One row per connected region of flagged pixels: image, region, area, box
        (top, left, bottom, right; exclusive), given and suggested class, mean self-confidence.
    thresholds : ndarray of float, shape (K,)
    confident_joint, calibrated_confident_joint : ndarray of int, shape (K, K)
    joint, noise_matrix, inverse_noise_matrix : ndarray of float, shape (K, K)
        As in :class:`labelwise.LabelIssues`, over the scored pixels.
    ignore_index : int or None
        The mask value that was not scored.
    n_ignored : ndarray of int, shape (N,)
        Pixels per image holding ``ignore_index`` (zeros without one).
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
    ignore_index: int | None = None
    n_ignored: np.ndarray | None = field(default=None, repr=False)

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
        """One row per image, worst first: image, quality, flagged pixels, regions (ignored pixels with ``ignore_index``)."""
        n_regions = np.bincount(self.regions["image"].to_numpy(np.int64), minlength=self.image_quality.size)
        order = np.argsort(self.image_quality, kind="stable")
        return pd.DataFrame(
            {
                "image": order,
                "image_quality": self.image_quality[order],
                "n_flagged_pixels": self.n_flagged[order],
                "n_regions": n_regions[order],
                "is_issue": self.n_flagged[order] > 0,
                **({} if self.ignore_index is None else {"n_ignored_pixels": self._ignored()[order]}),
            }
        )

    def _ignored(self) -> np.ndarray:
        return np.zeros(self.image_quality.size, np.int64) if self.n_ignored is None else self.n_ignored

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
            "ignore_index": self.ignore_index,
            "n_pixels_ignored": int(self._ignored().sum()),
            "n_images_all_ignored": int(np.isnan(self.image_quality).sum()),
        }


def _first_pass(
    lab: np.ndarray, arr: np.ndarray, k: int, step: int | None, ignore_index: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-class pixel counts and sums of self-confidence, ignored pixels per image; checks classes and probabilities."""
    counts = np.zeros(k, dtype=np.int64)
    sums = np.zeros(k)
    n_ignored = np.zeros(lab.shape[0], dtype=np.int64)
    for b in blocks(lab.shape[0], arr[0].size, step):
        p, y, keep = read_block(lab, arr, b, ignore_index)
        if int(y.min()) < 0 or int(y.max()) >= k:
            raise_bad_class(y, b.start, k, ignore_index)
        total = p.sum(axis=1, dtype=np.float64)
        if not np.isfinite(total).all() or np.abs(total - 1).max() > 1e-3 or p.min() < 0:
            raise_bad_probs(p, total, b.start)
        sc = self_conf(p, y)
        yf, scf = (y.ravel(), sc.ravel()) if keep is None else (y[keep], sc[keep])
        counts += np.bincount(yf, minlength=k)
        sums += np.bincount(yf, weights=scf, minlength=k)
        if keep is not None:
            n_ignored[b] = (~keep).reshape(keep.shape[0], -1).sum(axis=1)
    return counts, sums, n_ignored


def find_label_issues(
    labels: Any,
    probs: Any,
    *,
    temperature: float = 0.1,
    min_region_size: int = 1,
    filter_by: str = "low_self_confidence",
    images_per_block: int | None = None,
    mask_path: str | os.PathLike | None = None,
    ignore_index: int | None = None,
) -> SegmentationIssues:
    """Find the pixels (and regions) whose given class is probably wrong.

    The work is three passes over blocks of images (below); the function is long only for this
    docstring.

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
    ignore_index : int, optional
        A mask value that marks pixels without a label (255 in Pascal VOC and Cityscapes; the name
        and meaning of torch's ``CrossEntropyLoss(ignore_index=...)``). It must not be a class
        (``0..K-1``). Ignored pixels are never scored, counted, flagged or put in a region, and
        their probabilities are not read (not even checked): every result equals the audit of the
        other pixels alone. An image with no other pixel gets ``image_quality`` NaN.

    Returns
    -------
    SegmentationIssues

    Raises
    ------
    ShapeMismatchError
        ``labels`` and ``probs`` of different shapes, or the class axis in the wrong place.
    InvalidLabelsError
        A class index outside ``[0, K-1]`` that is not ``ignore_index`` (the image is named).
    InvalidParameterError
        ``ignore_index`` not an integer, or one of the classes.
    TooFewExamplesError
        Every pixel is ``ignore_index``.
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
    ignore_index = check_ignore_index(ignore_index, k)
    counts, sums, n_ignored = _first_pass(lab, arr, k, images_per_block, ignore_index)
    if counts.sum() == 0:
        raise TooFewExamplesError(f"labels has no pixel to audit: every pixel holds the ignore_index {ignore_index}")
    thresholds = np.clip(np.where(counts > 0, sums / np.maximum(counts, 1), 2.0), _MIN_THRESHOLD, None)
    cut = (thresholds - FUZZ).reshape(1, k, 1, 1)
    passes = (images_per_block, ignore_index)
    confident, hist, image_quality, n_off = _second_pass(lab, arr, cut, temperature, *passes)
    calibrated = calibrate_confident_joint(confident, counts)
    joint = estimate_joint(calibrated)
    chosen = _choose_lowest(filter_by, lab, arr, hist, counts, calibrated, n_off, *passes)
    is_issue, n_flagged, regions = _third_pass(lab, arr, cut, chosen, filter_by, min_region_size, mask_path, *passes)
    noise, inverse = noise_matrix_from_joint(joint), inverse_noise_matrix_from_joint(joint)
    return SegmentationIssues(
        is_issue,
        image_quality,
        n_flagged,
        regions,
        thresholds,
        confident,
        calibrated,
        joint,
        noise,
        inverse,
        counts,
        ignore_index=ignore_index,
        n_ignored=n_ignored,
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
    ignore_index: int | None,
) -> Any:
    """The pixels a ranking filter flags (lowest self-confidence first), or None for the confident-joint filter."""
    if filter_by == "prune_by_class":
        n_remove = np.where(counts > 1, counts - keep_at_least(calibrated, 1).diagonal(), 0)
        return lowest_cut(lab, arr, hist, n_remove, images_per_block, ignore_index, per_class=True)
    if filter_by == "low_self_confidence":
        total = hist.sum(axis=0, keepdims=True)
        return lowest_cut(lab, arr, total, np.array([n_off]), images_per_block, ignore_index, per_class=False)
    return None


def _confident_class(p: np.ndarray, cut: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Most probable class among those whose threshold the pixel reaches; ``counted`` if any."""
    masked = np.where(p >= cut, p, -1.0)
    conf = masked.argmax(axis=1)
    return conf, np.take_along_axis(masked, conf[:, None], axis=1)[:, 0] >= 0


def _second_pass(lab, arr, cut, temperature, step, ignore_index) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Confident joint, per-class histogram of self-confidence, and per-image soft-min scores (scored pixels only)."""
    n, k = arr.shape[0], arr.shape[1]
    joint_counts = np.zeros(k * k, dtype=np.int64)
    hist = np.zeros(k * N_BINS, dtype=np.int64)
    image_quality = np.empty(n)
    n_off = 0
    for b in blocks(n, arr[0].size, step):
        p, y, keep = read_block(lab, arr, b, ignore_index)
        sc = self_conf(p, y)
        conf, counted = _confident_class(p, cut)
        top = p.max(axis=1)
        scored = counted if keep is None else counted & keep
        n_off += int((scored & (conf != y) & ~(sc + FUZZ >= top)).sum())
        joint_counts += np.bincount((y * k + conf)[scored], minlength=k * k)
        cells = y * N_BINS + bin_of(sc)
        hist += np.bincount(cells.ravel() if keep is None else cells[keep], minlength=k * N_BINS)
        image_quality[b] = image_softmin(sc, keep, temperature)
    confident = joint_counts.reshape(k, k)
    np.fill_diagonal(confident, np.maximum(confident.diagonal(), 1))
    return confident, hist.reshape(k, N_BINS), image_quality, n_off


def _third_pass(
    lab: Any,
    arr: Any,
    cut: np.ndarray,
    chosen: Any,
    filter_by: str,
    min_region_size: int,
    mask_path: Any,
    images_per_block: Any,
    ignore_index: int | None,
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Flag pixels block by block; return the pixel mask, the flagged pixels per image and the regions table."""
    n, k = arr.shape[0], arr.shape[1]
    is_issue: np.ndarray
    if mask_path is not None:
        is_issue = np.lib.format.open_memmap(os.fspath(mask_path), mode="w+", dtype=bool, shape=lab.shape)
    else:
        is_issue = np.zeros(lab.shape, dtype=bool)
    n_flagged = np.zeros(n, dtype=np.int64)
    tables = []
    for b in blocks(n, arr[0].size, images_per_block):
        p, y, keep = read_block(lab, arr, b, ignore_index)
        sc = self_conf(p, y)
        pred = p.argmax(axis=1)
        given_is_predicted = sc + FUZZ >= np.take_along_axis(p, pred[:, None], axis=1)[:, 0]
        if chosen is None:
            conf, counted = _confident_class(p, cut)
            flag = counted & (conf != y)
        else:
            bins, in_bin = chosen
            flag = bin_of(sc) < (bins[y] if bins.size > 1 else bins[0])
            start = b.start * sc[0].size
            idx = in_bin[(in_bin >= start) & (in_bin < start + sc.size)] - start
            flag.ravel()[idx] = True
        if filter_by != "low_self_confidence":
            flag &= ~given_is_predicted
        if keep is not None:
            flag &= keep
        if min_region_size > 1:
            drop_small_regions(flag, min_region_size)
        tables.append(regions_columns(flag, y, pred, sc, b.start, k))
        is_issue[b] = flag
        n_flagged[b] = flag.reshape(flag.shape[0], -1).sum(axis=1)
    if isinstance(is_issue, np.memmap):
        is_issue.flush()
    return is_issue, n_flagged, concat_regions(tables)
