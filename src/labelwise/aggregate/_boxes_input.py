"""The long box table of ``aggregate.boxes``: checked, encoded once, grouped by image and class.

One row per box: ``image, annotator, x_min, y_min, x_max, y_max, label[, score]``. Ids may be any
hashable values; they are encoded to sorted codes (so results do not depend on the rows' order),
and coordinates must be finite with ``x_max > x_min`` and ``y_max > y_min`` (the message names the
first bad row). :func:`pairwise_iou` and :func:`rowwise_iou` are the IoU by broadcasting.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import show
from .._validate.labels import row_label
from ..errors import AnnotationError, InvalidParameterError, MissingColumnError

#: The coordinate parameters of the box estimators and their default column names.
COORDS = ("x_min", "y_min", "x_max", "y_max")


@dataclass(frozen=True)
class BoxTable:
    """A checked box table: codes of images, annotators and classes, coordinates and scores.

    ``image``, ``annotator`` and ``label`` are int64 codes into ``images``, ``annotators`` and
    ``labels`` (sorted values where they sort); ``coords`` is ``(n, 4)`` float64 in the order of
    :data:`COORDS`; ``score`` is 1.0 where the table has no score column.
    """

    image: np.ndarray
    annotator: np.ndarray
    label: np.ndarray
    coords: np.ndarray
    score: np.ndarray
    images: pd.Index
    annotators: pd.Index
    labels: pd.Index

    @property
    def n_boxes(self) -> int:
        """Number of rows (boxes)."""
        return len(self.image)

    def group(self) -> np.ndarray:
        """One code per (image, class) pair: boxes of two groups never match."""
        return self.image * max(len(self.labels), 1) + self.label


def encode_ids(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes of ``values`` into their sorted distinct values (by text where the types do not sort)."""
    try:
        codes, uniques = pd.factorize(values, sort=True)
    except TypeError:  # mixed types (1 and "a"): sorted by type name, then text
        codes, uniques = pd.factorize(values)
        keys = [(type(u).__name__, str(u)) for u in uniques]
        order = np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.int64)
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        codes, uniques = rank[codes], pd.Index(np.asarray(uniques, dtype=object)[order], dtype=object)
    return codes.astype(np.int64), pd.Index(uniques)


def _check_no_missing(table: pd.DataFrame, column: str, name: str, what: str | None = None) -> pd.Series:
    """``table[column]``, or an :class:`AnnotationError` at its first missing value (``what``: what
    the column holds, for the message)."""
    values = table[column]
    missing = values.isna().to_numpy()
    if missing.any():
        pos = int(np.argmax(missing))
        holds = "" if what is None else f" ({what})"
        raise AnnotationError(
            f"{name} column {column!r}{holds} must not contain missing values, {row_label(table.index, pos)} is "
            f"{show(values.iloc[pos])}"
        )
    return values


def _checked_ids(table: pd.DataFrame, column: str, name: str, what: str) -> tuple[np.ndarray, pd.Index]:
    return encode_ids(_check_no_missing(table, column, name, what))


def _number_column(table: pd.DataFrame, column: str, name: str) -> np.ndarray:
    raw = table[column]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        pos = int(np.argmax(bad))
        raise AnnotationError(
            f"{name} must hold finite numbers in column {column!r}, got {show(raw.iloc[pos])} at "
            f"{row_label(table.index, pos)}"
        )
    return values


def read_boxes(
    boxes: Any,
    *,
    image_col: str,
    annotator_col: str,
    label_col: str,
    coord_cols: tuple[str, str, str, str],
    score_col: str | None,
    name: str = "boxes",
) -> BoxTable:
    """Check and encode the long box table ``boxes`` (a DataFrame).

    Raises
    ------
    InvalidParameterError
        ``boxes`` is not a DataFrame.
    MissingColumnError
        A named column is not in the table.
    AnnotationError
        The table is empty, an id is missing, a coordinate or score is not a finite number, a box
        has ``x_max <= x_min`` or ``y_max <= y_min``, or a score is not > 0 (the first bad row named).
    """
    if not isinstance(boxes, pd.DataFrame):
        raise InvalidParameterError(f"{name} must be a pandas DataFrame (one row per box), got {type(boxes).__name__}")
    needed = {
        "image_col": image_col,
        "annotator_col": annotator_col,
        "label_col": label_col,
        **{f"{c}_col": column for c, column in zip(COORDS, coord_cols, strict=True)},
    }
    if score_col is not None:
        needed["score_col"] = score_col
    for param, column in needed.items():
        if column not in boxes.columns:
            where = f" (coord_cols[{COORDS.index(param[:-4])}])" if param[:-4] in COORDS else ""
            raise MissingColumnError(
                f"{param} must name a column of {name}{where}, got {column!r}; the columns are "
                f"{[str(c) for c in boxes.columns][:30]}"
            )
    if len(boxes) == 0:
        raise AnnotationError(f"{name} must hold at least one box, got an empty table")
    image, images = _checked_ids(boxes, image_col, name, "the image")
    annotator, annotators = _checked_ids(boxes, annotator_col, name, "the annotator")
    label, labels = _checked_ids(boxes, label_col, name, "the class")
    coords = np.column_stack([_number_column(boxes, c, name) for c in coord_cols])
    for low, high in ((0, 2), (1, 3)):
        bad = coords[:, high] <= coords[:, low]
        if bad.any():
            pos = int(np.argmax(bad))
            lo_col, hi_col = coord_cols[low], coord_cols[high]
            raise AnnotationError(
                f"{name} must have {hi_col} > {lo_col} in every row, got {hi_col}={show(coords[pos, high])} and "
                f"{lo_col}={show(coords[pos, low])} at {row_label(boxes.index, pos)}"
            )
    score = np.ones(len(boxes))
    if score_col is not None:
        score = _number_column(boxes, score_col, name)
        bad = score <= 0
        if bad.any():
            pos = int(np.argmax(bad))
            raise AnnotationError(
                f"{name} must have scores > 0 in column {score_col!r} (a box's weight in the fused mean), got "
                f"{show(score[pos])} at {row_label(boxes.index, pos)}"
            )
    return BoxTable(image, annotator, label, coords, score, images, annotators, labels)


def read_labeled(labeled: Any, table: BoxTable, *, image_col: str, annotator_col: str) -> tuple[BoxTable, np.ndarray]:
    """The (image, annotator) pairs who labeled each image: those with a box, plus ``labeled``'s rows.

    ``labeled`` (a DataFrame with the image and annotator columns, or None) lists who looked at an
    image, including annotators who drew nothing on it. Images and annotators it names that have
    no box are appended to ``table``'s (returned) ``images`` and ``annotators``.

    Returns
    -------
    table : BoxTable
        ``table``, its ids extended.
    pairs : ndarray of shape (n_pairs, 2)
        Distinct (image, annotator) codes.
    """
    pairs = np.column_stack([table.image, table.annotator])
    if labeled is not None:
        if not isinstance(labeled, pd.DataFrame):
            raise InvalidParameterError(
                f"labeled must be None or a pandas DataFrame of (image, annotator) pairs, got {type(labeled).__name__}"
            )
        for column in (image_col, annotator_col):
            if column not in labeled.columns:
                raise MissingColumnError(
                    f"labeled must have the column {column!r} (as the boxes), got columns "
                    f"{[str(c) for c in labeled.columns][:30]}"
                )
        known = {"images": table.images, "annotators": table.annotators}
        codes = []
        for column, field in ((image_col, "images"), (annotator_col, "annotators")):
            values = _check_no_missing(labeled, column, "labeled")
            distinct = pd.Index(values.unique())
            new = distinct.difference(known[field], sort=False)
            if len(distinct) and len(new) == len(distinct):  # ids of another kind (7 and "7"), not new ones
                raise AnnotationError(
                    f"labeled must name the {field} of the box table in column {column!r}, got none of them "
                    f"(labeled has {show(distinct[0])}, the boxes {show(known[field][0])})"
                )
            known[field] = known[field].append(pd.Index(new, dtype=object)) if len(new) else known[field]
            codes.append(known[field].get_indexer(values).astype(np.int64))
        table = replace(table, images=known["images"], annotators=known["annotators"])
        pairs = np.concatenate([pairs, np.column_stack(codes)])
    n_ann = len(table.annotators)
    keys = np.unique(pairs[:, 0] * n_ann + pairs[:, 1])  # distinct pairs, by one sort of int keys
    return table, np.column_stack([keys // n_ann, keys % n_ann])


def distinct_boxes(table: BoxTable) -> tuple[np.ndarray, np.ndarray]:
    """The rows of ``table`` that are no exact copy of an earlier row of the same annotator (same
    image, class and coordinates), ascending, and each row's position among them (a copy: its first's)."""
    key = np.column_stack([table.image, table.annotator, table.label, table.coords + 0.0])  # + 0.0: -0.0 is 0.0
    _, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
    kept = np.sort(first)
    position = np.empty(len(first), dtype=np.int64)
    position[np.argsort(first)] = np.arange(len(first))
    return kept, position[inverse.reshape(-1)]


def take_boxes(table: BoxTable, rows: np.ndarray) -> BoxTable:
    """``table`` with only ``rows`` (its ids unchanged)."""
    return replace(
        table,
        image=table.image[rows],
        annotator=table.annotator[rows],
        label=table.label[rows],
        coords=table.coords[rows],
        score=table.score[rows],
    )


def check_iou(value: Any, name: str = "iou_thr") -> float:
    """Raise :class:`InvalidParameterError` unless ``value`` is a number in (0, 1]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < float(value) <= 1:
        raise InvalidParameterError(
            f"{name} must be a number in (0, 1] (the IoU at which two boxes match), got {show(value)}"
        )
    return float(value)


def pairwise_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of every box of ``a`` (``(..., n, 4)``) with every box of ``b`` (``(..., m, 4)``): ``(..., n, m)``."""
    return rowwise_iou(a[..., :, None, :], b[..., None, :, :])


def rowwise_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of boxes ``a`` and ``b`` (``x_min, y_min, x_max, y_max`` on the last axis), broadcast."""
    width = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    height = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    inter = width * height
    area_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    area_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    with np.errstate(invalid="ignore", divide="ignore"):
        return inter / (area_a + area_b - inter)


def group_starts(sorted_groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start positions and sizes of the runs of equal values in ``sorted_groups``."""
    n = len(sorted_groups)
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]]) if n else np.zeros(0, np.int64)
    return starts, np.diff(np.r_[starts, n])
