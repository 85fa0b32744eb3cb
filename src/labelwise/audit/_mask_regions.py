"""Connected regions of flagged pixels in a block of segmentation masks (4-connected, per image)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import ndimage

_STRUCTURE = np.zeros((3, 3, 3), dtype=bool)
_STRUCTURE[1] = ndimage.generate_binary_structure(2, 1)  # 4-connected within an image, never across images


def drop_small_regions(flag: np.ndarray, min_size: int) -> None:
    """Unflag (in place) connected regions of fewer than ``min_size`` pixels."""
    ids, n_reg = ndimage.label(flag, structure=_STRUCTURE)
    if n_reg:
        small = np.bincount(ids.ravel(), minlength=n_reg + 1) < min_size
        small[0] = False
        flag[small[ids]] = False


def regions_table(
    flag: np.ndarray, y: np.ndarray, pred: np.ndarray, sc: np.ndarray, offset: int, k: int
) -> pd.DataFrame:
    """Connected regions (4-connected within each image) of a block's flagged pixels."""
    ids, n_reg = ndimage.label(flag, structure=_STRUCTURE)
    if n_reg == 0:
        return pd.DataFrame(
            columns=["image", "region", "area", "top", "left", "bottom", "right", "given", "suggested", "mean_quality"]
        )
    sel = ids.ravel() > 0
    rid = ids.ravel()[sel] - 1
    area = np.bincount(rid, minlength=n_reg)
    given = np.bincount(rid * k + y.ravel()[sel], minlength=n_reg * k).reshape(n_reg, k).argmax(axis=1)
    suggested = np.bincount(rid * k + pred.ravel()[sel], minlength=n_reg * k).reshape(n_reg, k).argmax(axis=1)
    quality = np.bincount(rid, weights=sc.ravel()[sel], minlength=n_reg) / area
    boxes = np.array([[s[0].start, s[1].start, s[2].start, s[1].stop, s[2].stop] for s in ndimage.find_objects(ids)])
    image = boxes[:, 0] + offset
    starts = np.r_[0, np.flatnonzero(np.diff(image)) + 1]
    region = np.arange(n_reg) - np.repeat(starts, np.diff(np.r_[starts, n_reg]))
    return pd.DataFrame(
        {
            "image": image,
            "region": region,
            "area": area,
            "top": boxes[:, 1],
            "left": boxes[:, 2],
            "bottom": boxes[:, 3],
            "right": boxes[:, 4],
            "given": given,
            "suggested": suggested,
            "mean_quality": quality,
        }
    )
