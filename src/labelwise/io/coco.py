"""COCO boxes: a ground-truth file (images, annotations, categories) and a results file of predictions."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataFileError
from .paths import require_file

__all__ = ["CocoBoxes", "read_coco", "read_coco_predictions"]


@dataclass(frozen=True, eq=False)
class CocoBoxes:
    """Per image ``{"boxes": (m, 4) x1 y1 x2 y2, "labels": (m,) class index}``, in the file's image order.

    Attributes
    ----------
    labels : list of dict
    image_ids : list
    image_sizes : list of (width, height)
    categories : list
        COCO category ids; ``labels`` index this list (sorted ids).
    """

    labels: list[dict]
    image_ids: list[Any]
    image_sizes: list[tuple[float, float]]
    categories: list[Any]


def load_coco_json(path: Path, parameter: str) -> Any:
    """The JSON value of a COCO file, or a :class:`DataFileError` naming ``parameter``, the file and the fault.

    A byte-order mark is allowed; bytes that are not UTF-8 and text that is not JSON are named
    with their position (byte, or line and column).
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFileError(
            f"{parameter}: {str(path)!r} is not UTF-8 text (byte {exc.start}): not a COCO JSON file"
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(
            f"{parameter}: {str(path)!r} is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None


def _load(path: str | os.PathLike, what: str) -> Any:
    return load_coco_json(require_file(path, parameter="path", kind=f"COCO {what} file"), "path")


def _xyxy(bbox: Any, where: str) -> list[float]:
    if not isinstance(bbox, (list, tuple)) or len(bbox) != 4:
        raise DataFileError(f"{where}: bbox must be [x, y, width, height], got {bbox!r}")
    x, y, w, h = (float(v) for v in bbox)
    if w < 0 or h < 0:
        raise DataFileError(f"{where}: bbox {list(bbox)} has negative width or height")
    return [x, y, x + w, y + h]


def read_coco(path: str | os.PathLike) -> CocoBoxes:
    """Read a COCO ground-truth JSON (``images``, ``annotations`` with ``bbox`` [x, y, w, h], ``categories``).

    Raises
    ------
    DataFileError
        Missing keys, a bbox that is not 4 numbers or has negative size, an annotation of an
        unknown image or category (the annotation id is named).
    """
    data = _load(path, "labels")
    for key in ("images", "annotations", "categories"):
        if key not in data:
            raise DataFileError(f"{path}: a COCO labels file needs the key {key!r}; found {sorted(data)[:10]}")
    cats = sorted(c["id"] for c in data["categories"])
    cat_index = {c: i for i, c in enumerate(cats)}
    ids = [im["id"] for im in data["images"]]
    where = {i: n for n, i in enumerate(ids)}
    boxes: list[list] = [[] for _ in ids]
    classes: list[list] = [[] for _ in ids]
    for ann in data["annotations"]:
        tag = f"{path}: annotation {ann.get('id', '?')}"
        if ann.get("image_id") not in where:
            raise DataFileError(f"{tag} refers to unknown image_id {ann.get('image_id')!r}")
        if ann.get("category_id") not in cat_index:
            raise DataFileError(f"{tag} has unknown category_id {ann.get('category_id')!r}; categories are {cats[:20]}")
        n = where[ann["image_id"]]
        boxes[n].append(_xyxy(ann.get("bbox"), tag))
        classes[n].append(cat_index[ann["category_id"]])
    labels = [
        {"boxes": np.asarray(b, dtype=np.float64).reshape(-1, 4), "labels": np.asarray(c, dtype=np.int64)}
        for b, c in zip(boxes, classes, strict=False)
    ]
    sizes = [(_side(im, "width", path), _side(im, "height", path)) for im in data["images"]]
    return CocoBoxes(labels, ids, sizes, cats)


def _side(image: dict, key: str, path: str | os.PathLike) -> float:
    """An image's ``width`` or ``height``; absent or null is unknown (inf), anything but a number is refused."""
    value = image.get(key)
    if value is None:
        return float(np.inf)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DataFileError(f"{path}: image {image.get('id', '?')!r} has {key} {value!r}; expected a number or null")
    return float(value)


def read_coco_predictions(path: str | os.PathLike, reference: CocoBoxes) -> list[dict]:
    """Read a COCO results JSON (a list of ``image_id, category_id, bbox, score``) in ``reference``'s image order."""
    data = _load(path, "predictions")
    if not isinstance(data, list):
        raise DataFileError(f"{path}: COCO predictions must be a JSON list of {{image_id, category_id, bbox, score}}")
    where = {i: n for n, i in enumerate(reference.image_ids)}
    cat_index = {c: i for i, c in enumerate(reference.categories)}
    out: list[dict[str, list]] = [{"boxes": [], "labels": [], "scores": []} for _ in reference.image_ids]
    for k, det in enumerate(data):
        tag = f"{path}: prediction {k}"
        if det.get("image_id") not in where:
            raise DataFileError(f"{tag} refers to unknown image_id {det.get('image_id')!r}")
        if det.get("category_id") not in cat_index:
            raise DataFileError(f"{tag} has unknown category_id {det.get('category_id')!r}")
        if "score" not in det:
            raise DataFileError(f"{tag} has no score")
        score = det["score"]
        if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
            # was the audit's "predictions[3] 'scores' must be ...": no file, no prediction number
            raise DataFileError(f"{tag} has score {score!r}: a score must be a confidence in [0, 1]")
        entry = out[where[det["image_id"]]]
        entry["boxes"].append(_xyxy(det.get("bbox"), tag))
        entry["labels"].append(cat_index[det["category_id"]])
        entry["scores"].append(float(det["score"]))
    return [
        {
            "boxes": np.asarray(e["boxes"], dtype=np.float64).reshape(-1, 4),
            "labels": np.asarray(e["labels"], dtype=np.int64),
            "scores": np.asarray(e["scores"], dtype=np.float64),
        }
        for e in out
    ]
