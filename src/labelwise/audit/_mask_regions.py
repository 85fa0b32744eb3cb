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


#: Columns of the regions table, in order, with their dtypes (4 bytes per field but the classes:
#: a region costs 36 bytes (more only past int16 classes or int32 images and pixel counts), so a table of millions of regions stays small).
REGION_COLUMNS = ("image", "region", "area", "top", "left", "bottom", "right", "given", "suggested", "mean_quality")


def _class_dtype(k: int) -> type:
    return np.int16 if k <= np.iinfo(np.int16).max else np.int32


def _index_dtype(bound: int) -> type:
    return np.int32 if bound <= np.iinfo(np.int32).max else np.int64


def regions_columns(
    flag: np.ndarray, y: np.ndarray, pred: np.ndarray, sc: np.ndarray, offset: int, k: int
) -> dict[str, np.ndarray]:
    """Connected regions (4-connected within each image) of a block's flagged pixels, as columns."""
    ids, n_reg = ndimage.label(flag, structure=_STRUCTURE)
    cls = _class_dtype(k)
    if n_reg == 0:
        empty = {name: np.zeros(0, np.int32) for name in REGION_COLUMNS}
        empty.update(given=np.zeros(0, cls), suggested=np.zeros(0, cls), mean_quality=np.zeros(0, np.float32))
        return empty
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
    pix = _index_dtype(flag[0].size)
    return {
        "image": image.astype(_index_dtype(offset + flag.shape[0])),
        "region": region.astype(pix),
        "area": area.astype(pix),
        "top": boxes[:, 1].astype(pix),
        "left": boxes[:, 2].astype(pix),
        "bottom": boxes[:, 3].astype(pix),
        "right": boxes[:, 4].astype(pix),
        "given": given.astype(cls),
        "suggested": suggested.astype(cls),
        "mean_quality": quality.astype(np.float32),
    }


def concat_regions(blocks: list[dict[str, np.ndarray]]) -> pd.DataFrame:
    """One table from the blocks' columns, built column by column so that the blocks' copy of a
    column is freed as soon as it is joined (the peak is the table plus one column, not two tables)."""
    columns = {}
    for name in REGION_COLUMNS:
        parts = [block.pop(name) for block in blocks]
        columns[name] = np.concatenate(parts) if parts else np.zeros(0, np.int32)
        del parts
    return pd.DataFrame(columns, copy=False)
