"""The crowd masks of :mod:`labelwise.aggregate.masks`: input checks and grouping by item.

Every mask is kept as it was given (a memory-mapped ``.npy`` stays on disk, flattened as a view);
the passes of :mod:`._masks_patterns` read it block by block. The annotators who did not draw an
item are absent from its group, not read as background.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import show
from .._validate.labels import row_label
from ..errors import AnnotationError, InvalidLabelsError, MissingColumnError, ShapeMismatchError

__all__ = ["MaskSet", "as_mask_set"]

MASK_COLUMNS = ("item", "annotator", "mask")


@dataclass(frozen=True, eq=False)
class MaskSet:
    """Masks grouped by item: ``masks[i]`` holds the flat masks of item ``items[i]``, one per
    annotator ``annotators[codes[i]]``, each of ``shapes[i]``."""

    items: list[Any]
    annotators: pd.Index
    codes: list[np.ndarray]
    masks: list[list[np.ndarray]]
    shapes: list[tuple[int, ...]]

    @property
    def n_pixels(self) -> np.ndarray:
        """Pixels per item."""
        return np.array([int(np.prod(s, dtype=np.int64)) for s in self.shapes], dtype=np.int64)


def _flat(mask: Any, item: Any, annotator: Any) -> np.ndarray:
    array = np.asarray(mask) if not isinstance(mask, np.ndarray) else mask
    if array.ndim < 1 or array.size == 0:
        raise ShapeMismatchError(
            f"masks must be arrays of at least one pixel, got shape {array.shape} for item {show(item)}, "
            f"annotator {show(annotator)}"
        )
    if array.dtype.kind not in "biuf":
        raise InvalidLabelsError(
            f"masks must hold 0/1 (bool, int or float), got dtype {array.dtype} for item {show(item)}, "
            f"annotator {show(annotator)}"
        )
    return array.reshape(-1) if array.flags.c_contiguous else np.ascontiguousarray(array).reshape(-1)


def _from_table(table: pd.DataFrame) -> tuple[list, list]:
    missing = [c for c in MASK_COLUMNS if c not in table.columns]
    if missing:
        raise MissingColumnError(
            f"masks must have columns {list(MASK_COLUMNS)}, got {list(map(str, table.columns))} (missing {missing})"
        )
    if table.empty:
        raise AnnotationError("masks must hold at least one mask, got an empty table")
    for column in MASK_COLUMNS:
        absent = table[column].isna().to_numpy()  # an array in a cell is no missing value
        if absent.any():
            pos = int(np.argmax(absent))
            why = " (an annotator who did not draw an item has no row for it)" if column == "mask" else ""
            raise AnnotationError(
                f"masks column {column!r} must not contain missing values{why}, {row_label(table.index, pos)} is "
                f"{show(table[column].iloc[pos])}"
            )
    dup = table.duplicated(["item", "annotator"]).to_numpy()
    if dup.any():
        pos = int(np.argmax(dup))
        row = table.iloc[pos]
        first = int(np.argmax(((table["item"] == row["item"]) & (table["annotator"] == row["annotator"])).to_numpy()))
        raise AnnotationError(
            f"masks must hold one mask per (item, annotator), got two for item {show(row['item'])}, "
            f"annotator {show(row['annotator'])} ({row_label(table.index, first)} and {row_label(table.index, pos)})"
        )
    items, per_item = [], []
    for item, group in table.groupby("item", sort=False):
        items.append(item)
        per_item.append(list(zip(group["annotator"].tolist(), group["mask"].tolist(), strict=True)))
    return items, per_item


def _from_mapping(masks: Mapping) -> tuple[list, list]:
    if not masks:
        raise AnnotationError("masks must hold at least one item, got an empty mapping")
    items, per_item = [], []
    for item, value in masks.items():
        if isinstance(value, Mapping):
            pairs = list(value.items())
        else:
            stack = np.asarray(value) if not isinstance(value, np.ndarray) else value
            if stack.ndim < 2:
                raise ShapeMismatchError(
                    f"masks[{show(item)}] must be an array (n_annotators, H, W) or a mapping annotator -> mask, "
                    f"got shape {stack.shape}"
                )
            pairs = [(j, stack[j]) for j in range(stack.shape[0])]
        if not pairs:
            raise AnnotationError(f"masks[{show(item)}] must hold at least one annotator's mask, got none")
        items.append(item)
        per_item.append(pairs)
    return items, per_item


def _sorted_items(items: list, per_item: list) -> tuple[list, list]:
    """Items in sorted order when their ids sort (else as given): the fits sum over items in this
    order, so any order of the rows makes the same sums."""
    try:
        order = sorted(range(len(items)), key=lambda i: items[i])
    except TypeError:
        return items, per_item
    return [items[i] for i in order], [per_item[i] for i in order]


def as_mask_set(masks: Any) -> MaskSet:
    """Check and group ``masks``: a long table (``item``, ``annotator``, ``mask``), or a mapping
    item -> array ``(n_annotators, H, W)`` (annotators ``0..n-1``) or item -> {annotator: mask}.

    Raises
    ------
    MissingColumnError, AnnotationError
        A column is missing, an id is missing, a pair (item, annotator) is repeated, nothing is given.
    ShapeMismatchError
        The masks of one item differ in shape (the message names the item and both shapes).
    InvalidLabelsError
        A mask is not numeric or boolean.
    """
    if isinstance(masks, pd.DataFrame):
        items, per_item = _from_table(masks)
    elif isinstance(masks, Mapping):
        items, per_item = _from_mapping(masks)
    else:
        raise AnnotationError(
            "masks must be a DataFrame (item, annotator, mask) or a mapping item -> (n_annotators, H, W) array, "
            f"got {type(masks).__name__}"
        )
    items, per_item = _sorted_items(items, per_item)
    names = pd.Index(pd.unique(np.array([a for pairs in per_item for a, _ in pairs], dtype=object)))
    try:
        names = names.sort_values()  # the same codes whatever the order of the rows
    except TypeError:
        pass
    codes, flats, shapes = [], [], []
    for item, pairs in zip(items, per_item, strict=True):
        first = np.shape(pairs[0][1])
        for annotator, mask in pairs:
            if np.shape(mask) != first:
                raise ShapeMismatchError(
                    f"masks of one item must have one shape, got {first} (annotator {show(pairs[0][0])}) and "
                    f"{np.shape(mask)} (annotator {show(annotator)}) for item {show(item)}"
                )
        labels = [a for a, _ in pairs]
        if len(set(labels)) != len(labels):
            raise AnnotationError(f"masks must hold one mask per (item, annotator), got a repeat for item {show(item)}")
        code = names.get_indexer(labels).astype(np.intp)
        order = np.argsort(code, kind="stable")  # annotators in code order: sums run the same way for any row order
        codes.append(code[order])
        flats.append([_flat(pairs[j][1], item, pairs[j][0]) for j in order.tolist()])
        shapes.append(tuple(int(s) for s in first))
    return MaskSet(items, names, codes, flats, shapes)
