"""Object detection audit: per-box overlooked, badly located and swapped scores, per image.

Three kinds of box error (Tkachenko et al., 2023): an object the annotator *overlooked* (the model
confidently predicts a box that no given box covers), a box *badly located* (the best prediction of
its class overlaps it only partly), and a box whose class was *swapped* (the model confidently
predicts another class in the same place). Every score uses one image's boxes only, so results do
not depend on how images are batched (cleanlab issue #1301).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._caller import warn_at_caller
from .._validate.arguments import check_fraction, show
from .._validate.row_order import check_row_order
from ..errors import InvalidLabelsError, InvalidParameterError, LabelwiseWarning, ShapeMismatchError

__all__ = ["DetectionIssues", "box_iou", "find_label_issues"]

KINDS = ("overlooked", "badly_located", "swapped")
READER = "the detection audit"  # who pairs images (and an image's boxes) by position, for check_row_order


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection over union of every box of ``a`` (m, 4) with every box of ``b`` (p, 4), ``x1 y1 x2 y2``.

    Two identical boxes have IoU 1, zero-area ones (``x1 == x2`` or ``y1 == y2``: a line or a point)
    included: there the ratio is 0/0, and a box is taken to be in the same place as itself, so a
    degenerate given box that the model predicts exactly is a match, not "badly located" (cleanlab's
    ``_get_overlap_matrix`` gives 0 there, but its scores never flag such a box either, as it
    ignores predictions that do not overlap). A zero-area box against any other box has IoU 0.
    """
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.clip(rb - lt, 0, None).prod(axis=2)
    area_a = (a[:, 2:] - a[:, :2]).prod(axis=1)
    area_b = (b[:, 2:] - b[:, :2]).prod(axis=1)
    union = area_a[:, None] + area_b[None, :] - inter
    iou = np.divide(inter, union, out=np.zeros_like(inter, dtype=np.float64), where=union > 0)
    degenerate = union <= 0
    if degenerate.any():  # both zero-area: the same place only when they are the same box
        iou[degenerate] = (a[:, None, :] == b[None, :, :]).all(axis=2)[degenerate]
    return iou


def _numbers(values: Any, what: str) -> np.ndarray:
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidLabelsError(f"{what} must hold numbers, got {show(values)[:80]}") from None


def _box_array(values: Any, i: int, name: str) -> np.ndarray:
    """An (m, 4) array of ``x1 y1 x2 y2`` rows (one flat box of 4 numbers, or none, also accepted)."""
    boxes = _numbers(values, f"{name}[{i}] 'boxes'")
    if boxes.size == 0 or boxes.shape == (4,):
        return boxes.reshape(-1, 4)
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ShapeMismatchError(f"{name}[{i}] 'boxes' must have shape (m, 4): x1 y1 x2 y2 per box, got {boxes.shape}")
    return boxes


def _class_ids(values: Any, i: int, name: str) -> np.ndarray:
    """Integer class ids (COCO category ids); class names or fractional ids are an error naming the box."""
    arr = np.asarray(values).reshape(-1)
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64)
    num = pd.to_numeric(pd.Series(arr, dtype=object), errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(num) | (num != np.round(num)) if arr.dtype.kind != "b" else np.ones(arr.shape, bool)
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        raise InvalidLabelsError(
            f"{name}[{i}] 'labels' must be integer class ids (e.g. COCO category ids; map class names to ids "
            f"first), box {j} has {show(arr[j])}"
        )
    return num.astype(np.int64)


def _boxes(entry: Any, i: int, name: str, with_scores: bool, size: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not isinstance(entry, dict) or "boxes" not in entry or "labels" not in entry:
        raise InvalidLabelsError(
            f"{name}[{i}] must be a dict with 'boxes' (m, 4) and 'labels' (m,)"
            + (" and 'scores'" if with_scores else "")
        )
    at = f"{name}[{i}]"
    check_row_order(entry["boxes"], f"{at}['boxes']", READER, **{f"{at}['labels']": entry["labels"], f"{at}['scores']": entry.get("scores")})  # fmt: skip
    boxes = _box_array(entry["boxes"], i, name)
    labels = _class_ids(entry["labels"], i, name)
    scores = _numbers(entry.get("scores", np.ones(len(labels))), f"{name}[{i}] 'scores'").reshape(-1)
    if len(labels) != len(boxes) or len(scores) != len(boxes):
        raise ShapeMismatchError(f"{name}[{i}] has {len(boxes)} boxes, {len(labels)} labels and {len(scores)} scores")
    if with_scores and "scores" not in entry:
        raise InvalidLabelsError(f"{name}[{i}] must have 'scores' (the model's confidence per box)")
    outside = ~((scores >= 0) & (scores <= 1))  # NaN included
    if with_scores and outside.any():
        j = int(np.flatnonzero(outside)[0])
        raise InvalidLabelsError(f"{name}[{i}] 'scores' must be confidences in [0, 1]; box {j} has {scores[j]:g}")
    if not np.isfinite(boxes).all():
        raise InvalidLabelsError(f"{name}[{i}] has a box with NaN or infinite coordinates")
    wh = boxes[:, 2:] - boxes[:, :2]
    if (wh < 0).any():
        j = int(np.flatnonzero((wh < 0).any(axis=1))[0])
        raise InvalidLabelsError(
            f"{name}[{i}] box {j} has negative width or height: {boxes[j].tolist()} (expected x1 y1 x2 y2 with x2 >= x1, y2 >= y1)"
        )
    if size is not None:
        boxes = _inside(boxes, size, i, name)
    return boxes, labels, scores


def _inside(boxes: np.ndarray, size: Any, i: int, name: str) -> np.ndarray:
    """``boxes`` clipped to their image (width, height): detectors that do not clip predict past the edges
    of objects the frame cuts, and boxes converted from other formats (YOLO, Open Images) reach a little
    past them; a box that misses the image altogether is an error (wrong coordinates, not an overhang)."""
    w, h = size
    out = (boxes[:, 2] < 0) | (boxes[:, 3] < 0) | (boxes[:, 0] > w) | (boxes[:, 1] > h)
    if out.any():
        j = int(np.flatnonzero(out)[0])
        raise InvalidLabelsError(
            f"{name}[{i}] box {j} {boxes[j].tolist()} lies entirely outside the image (width {w}, height {h})"
        )
    return np.column_stack([np.clip(boxes[:, [0, 2]], 0, w), np.clip(boxes[:, [1, 3]], 0, h)])[:, [0, 2, 1, 3]]


def _check_not_mapping(value: Any, name: str) -> None:
    """A dict is refused by what it is: one image's entry, or entries keyed by image (its keys read as images)."""
    if not isinstance(value, Mapping):
        return
    if "boxes" in value:
        raise InvalidLabelsError(
            f"{name} must be a list with one dict per image, got one image's dict: wrap it in a list"
        )
    first = show(next(iter(value), None))
    raise InvalidLabelsError(
        f"{name} must be a list (or pandas Series) with one dict per image, got a dict keyed by image (first key "
        f"{first}); give pd.Series({name}), its images in the order of the other inputs, or a list"
    )


def _image_sizes(image_sizes: Any, n: int) -> list:
    """``image_sizes`` as one ``(width, height)`` of positive finite numbers per image (``None`` each when not given)."""
    if image_sizes is None:
        return [None] * n
    sizes = list(image_sizes)
    if len(sizes) != n:  # zip would stop at the shorter list: the images past it unscored, quality 1
        raise ShapeMismatchError(
            f"image_sizes must give one (width, height) per image, got {len(sizes)} for {n} images"
        )
    out = []
    for i, size in enumerate(sizes):
        try:
            wh = np.asarray(size, dtype=np.float64)
        except (TypeError, ValueError):
            wh = np.empty(0)
        if wh.shape != (2,) or not (np.isfinite(wh) & (wh > 0)).all():
            raise InvalidParameterError(
                f"image_sizes[{i}] must be the image's (width, height), two positive finite numbers, got {show(size)[:80]}"
            )
        out.append((float(wh[0]), float(wh[1])))
    return out


def _all_rows(labels: list, predictions: list, sizes: list, iou_match: float, min_score: float) -> list[dict]:
    """Every image's box rows; one warning counts the given boxes clipped to their image."""
    rows: list[dict] = []
    past: list[tuple[int, int, list, Any]] = []
    for i, (g, p, size) in enumerate(zip(labels, predictions, sizes, strict=False)):
        given = _boxes(g, i, "labels", False, size)
        if size is not None:
            raw = _boxes(g, i, "labels", False, None)[0]
            past += [(i, int(j), raw[j].tolist(), size) for j in np.flatnonzero((raw != given[0]).any(axis=1))]
        pred = _boxes(p, i, "predictions", True, size)
        rows.extend(_image_rows(i, given, pred, iou_match, min_score))
    _warn_clipped(past)
    return rows


def _warn_clipped(past: list[tuple[int, int, list, Any]]) -> None:
    """One warning counting the given boxes past an edge of their image (image position, box, box, size);
    the first one named."""
    if not past:
        return
    i, j, box, (w, h) = past[0]
    many = len(past) > 1
    warn_at_caller(
        LabelwiseWarning(
            f"{len(past)} given box{'es' if many else ''} past the edge of {'their' if many else 'its'} image "
            f"{'were' if many else 'was'} clipped to it and scored so (the first: image {i} box {j} {box}, width "
            f"{w:g}, height {h:g}); the issues list the clipped boxes"
        )
    )


@dataclass(frozen=True, eq=False)
class DetectionIssues:
    """Per-box scores and flags, and per-image scores.

    Attributes
    ----------
    boxes : DataFrame
        One row per given box (``source="given"``) and per overlooked-candidate predicted box
        (``source="predicted"``): image, box, x1..y2, given and suggested class, the three
        quality scores (1 = fine), ``label_quality`` (their minimum), ``kind`` of the worst
        score (``"none"`` when every score is 1) and ``is_issue``.
    image_quality : ndarray of float, shape (n_images,)
        Lowest box quality in the image (1 for images with nothing suspicious).
    threshold : float
    """

    boxes: pd.DataFrame
    image_quality: np.ndarray
    threshold: float

    @property
    def is_image_issue(self) -> np.ndarray:
        """Images with a flagged box."""
        return self.image_quality < self.threshold

    @property
    def n_issues(self) -> int:
        """Number of flagged boxes."""
        return int(self.boxes["is_issue"].sum())

    def to_frame(self) -> pd.DataFrame:
        """Flagged boxes first, worst first, then the rest."""
        frame = self.boxes.sort_values(["is_issue", "label_quality"], ascending=[False, True], kind="stable")
        return frame.reset_index(drop=True)

    def summary(self) -> dict[str, Any]:
        """A JSON-ready dictionary of counts per kind."""
        flagged = self.boxes[self.boxes.is_issue]
        return {
            "task": "detection",
            "n_images": int(self.image_quality.size),
            "n_images_flagged": int(self.is_image_issue.sum()),
            "n_issues": self.n_issues,
            "per_kind": {k: int((flagged.kind == k).sum()) for k in KINDS},
        }


def _swapped_class(other: np.ndarray, scores: np.ndarray, iou: np.ndarray, classes: np.ndarray) -> int:
    """The class of the most confident prediction ``other`` marks; between equally confident ones,
    the one overlapping the given box most, so that the order the boxes are listed in decides only
    a tie of both (then the first listed)."""
    cand = np.flatnonzero(other)
    top = cand[scores[cand] == scores[cand].max()]
    return int(classes[top[np.argmax(iou[top])]])


def _image_rows(i, given, pred, iou_match, min_score) -> list[dict]:
    gb, gl, _ = given
    pb, pl, ps = pred
    iou = box_iou(gb, pb) if len(gb) and len(pb) else np.zeros((len(gb), len(pb)))
    same = gl[:, None] == pl[None, :]
    rows = []
    for j in range(len(gb)):
        same_iou = np.where(same[j], iou[j], 0.0)
        loc = float(same_iou.max()) if same_iou.size else 0.0
        other = (~same[j]) & (iou[j] >= iou_match) & (ps >= min_score)
        swap = 1.0 - float(ps[other].max()) if other.any() else 1.0
        if other.any():  # the place is right, the class is the question
            loc = max(loc, float(iou[j][other].max()))
        if other.any() and (same_iou >= iou_match).any():
            swap = max(swap, 1.0 - float(ps[other].max()) + float(ps[same[j] & (iou[j] >= iou_match)].max()))
        suggested = _swapped_class(other, ps, iou[j], pl) if swap < 1.0 else int(gl[j])
        rows.append(
            {
                "image": i,
                "box": j,
                "source": "given",
                "x1": gb[j, 0],
                "y1": gb[j, 1],
                "x2": gb[j, 2],
                "y2": gb[j, 3],
                "given": int(gl[j]),
                "suggested": suggested,
                "overlooked_quality": 1.0,
                "badly_located_quality": loc,
                "swapped_quality": min(swap, 1.0),
            }
        )
    covered = (iou >= iou_match).any(axis=0) if len(gb) else np.zeros(len(pb), bool)
    for q in np.flatnonzero(~covered & (ps >= min_score)).tolist():
        rows.append(
            {
                "image": i,
                "box": q,
                "source": "predicted",
                "x1": pb[q, 0],
                "y1": pb[q, 1],
                "x2": pb[q, 2],
                "y2": pb[q, 3],
                "given": -1,
                "suggested": int(pl[q]),
                "overlooked_quality": 1.0 - float(ps[q]),
                "badly_located_quality": 1.0,
                "swapped_quality": 1.0,
            }
        )
    return rows


#: Columns of :attr:`DetectionIssues.boxes` before the overall quality, kind and flag.
_ROW_COLUMNS = (
    "image",
    "box",
    "source",
    "x1",
    "y1",
    "x2",
    "y2",
    "given",
    "suggested",
    "overlooked_quality",
    "badly_located_quality",
    "swapped_quality",
)
_COLUMN_TYPES: dict[str, Any] = {
    **dict.fromkeys(("image", "box", "given", "suggested"), np.int64),
    **dict.fromkeys(("x1", "y1", "x2", "y2", "label_quality", *(f"{k}_quality" for k in KINDS)), np.float64),
    "source": "str",
    "kind": "str",
}


def find_label_issues(
    labels: Any,
    predictions: Any,
    *,
    image_sizes: Any = None,
    iou_match: float = 0.5,
    min_score: float = 0.5,
    threshold: float = 0.3,
) -> DetectionIssues:
    """Find overlooked, badly located and swapped boxes, image by image.

    Parameters
    ----------
    labels : list of dict
        Per image ``{"boxes": (m, 4) x1 y1 x2 y2, "labels": (m,) int}``.
    predictions : list of dict
        Per image ``{"boxes", "labels", "scores"}`` from a model that did not train on that image.
    image_sizes : list of (width, height), optional
        When given, given and predicted boxes are clipped to their image (the part outside holds no
        pixel; a detector that does not clip its outputs predicts past the edge the boxes of objects
        the frame cuts, and boxes converted from other formats reach a little past it); a warning
        counts the given boxes clipped. A box that misses its image altogether is an error.
    iou_match : float, default 0.5
        IoU at which a prediction and a given box are "the same place".
    min_score : float, default 0.5
        Predictions below this confidence are ignored for the overlooked and swapped scores.
    threshold : float, default 0.3
        A box is flagged when one of its quality scores is below it.

    Scores (1 = fine, 0 = surely wrong): overlooked ``1 - s`` for a prediction of confidence
    ``s`` that no given box overlaps at ``iou_match``; badly located, the best IoU of the given
    box with a prediction of its class (0 when the model predicts none of its class: a spurious box); swapped
    ``1 - s`` for the most confident prediction of another class at ``iou_match``, raised by the
    confidence of a same-class prediction in the same place. A swapped box's ``suggested`` class is
    that prediction's; between equally confident ones, the one overlapping the box most (the order
    of the boxes in an image decides only a tie of both: then the first listed).

    Raises
    ------
    InvalidLabelsError
        A box with negative width/height, NaN coordinates, a box that misses its image altogether;
        a malformed entry.
    ShapeMismatchError
        ``labels`` and ``predictions`` for different numbers of images, or boxes and labels of
        different lengths.

    References
    ----------
    .. [1] Tkachenko, U., Thyagarajan, A., & Mueller, J. (2023). ObjectLab: Automated Diagnosis
       of Mislabeled Images in Object Detection Data. ICML Workshop on Data-centric ML Research.

    Examples
    --------
    >>> from labelwise.audit import detection
    >>> labels = [{"boxes": [[0, 0, 10, 10]], "labels": [0]}]
    >>> preds = [{"boxes": [[0, 0, 10, 10], [20, 20, 30, 30]], "labels": [0, 1], "scores": [0.9, 0.95]}]
    >>> res = detection.find_label_issues(labels, preds)
    >>> first = res.to_frame().iloc[0]
    >>> first.source, first.kind, int(first.suggested)
    ('predicted', 'overlooked', 1)
    """
    for name, v in (("iou_match", iou_match), ("min_score", min_score), ("threshold", threshold)):
        check_fraction(name, v, closed_high=True)
    for name, value in (("labels", labels), ("predictions", predictions)):
        _check_not_mapping(value, name)
    check_row_order(labels, "labels", READER, predictions=predictions, image_sizes=image_sizes)
    check_row_order(predictions, "predictions", READER, image_sizes=image_sizes)
    labels, predictions = list(labels), list(predictions)
    if len(labels) != len(predictions):
        raise ShapeMismatchError(
            f"labels and predictions must cover the same images, got {len(labels)} and {len(predictions)}"
        )
    sizes = _image_sizes(image_sizes, len(labels))
    rows = _all_rows(labels, predictions, sizes, iou_match, min_score)
    frame = pd.DataFrame(rows, columns=list(_ROW_COLUMNS))
    scores = frame[[f"{k}_quality" for k in KINDS]].to_numpy(dtype=np.float64).reshape(-1, 3)
    frame["label_quality"] = scores.min(axis=1) if len(frame) else []
    # a box with every score 1 has no worst kind: "none" (argmin said "overlooked", which no given box can be)
    kinds = np.array(KINDS, dtype=object)[scores.argmin(axis=1)] if len(frame) else np.array([], dtype=object)
    frame["kind"] = np.where(scores.min(axis=1) >= 1.0, "none", kinds) if len(frame) else []
    frame["is_issue"] = frame["label_quality"] < threshold
    if not rows:  # no box at all: the empty table keeps the column types of a non-empty one
        frame = frame.astype(_COLUMN_TYPES)
    image_quality = np.ones(len(labels))
    if len(frame):
        np.minimum.at(image_quality, frame["image"].to_numpy(np.int64), frame["label_quality"].to_numpy())
    return DetectionIssues(frame, image_quality, float(threshold))
