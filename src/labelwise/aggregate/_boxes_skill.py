"""Each annotator's boxes against reference boxes: precision, recall and mean IoU of the matched ones.

The table behind ``BoxConsensus.annotators_`` / ``WeightedBoxesFusion.annotators_`` (the reference
is the fused boxes) and :func:`~labelwise.aggregate.boxes.compare_boxes` (the reference is the
truth). Boxes are matched one to one within an image and class at IoU >= the threshold
(:func:`~labelwise.aggregate._boxes_match.match_to_reference`); recall counts the reference boxes
of the images the annotator labeled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError
from ._boxes_input import COORDS, BoxTable, check_iou, read_boxes
from ._boxes_match import match_to_reference

#: The columns of a skill table, in order.
SKILL_COLUMNS = ("n_images", "n_boxes", "n_reference", "n_matched", "precision", "recall", "f1", "mean_iou")


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def skill_table(
    table: BoxTable,
    pair_image: np.ndarray,
    pair_annotator: np.ndarray,
    ref_coords: np.ndarray,
    ref_image: np.ndarray,
    ref_label: np.ndarray,
    iou_thr: float,
    *,
    index_name: str = "annotator",
) -> pd.DataFrame:
    """One row per annotator of ``table``: its boxes matched to the reference boxes (codes of ``table``).

    ``pair_image``/``pair_annotator`` are the (image, annotator) pairs that were labeled: an
    annotator's recall counts the reference boxes of its images. ``precision`` is NaN for an
    annotator without boxes, ``recall`` for one whose images hold no reference box.
    """
    n_ann, n_labels = len(table.annotators), max(len(table.labels), 1)
    n_images = max(len(table.images), int(ref_image.max()) + 1 if len(ref_image) else 0)
    matched, iou = match_to_reference(
        table.coords, table.group(), table.annotator, ref_coords, ref_image * n_labels + ref_label, iou_thr
    )
    hit = matched >= 0
    n_boxes = np.bincount(table.annotator, minlength=n_ann)
    n_matched = np.bincount(table.annotator[hit], minlength=n_ann)
    iou_sum = np.bincount(table.annotator[hit], weights=iou[hit], minlength=n_ann)
    per_image = np.bincount(ref_image, minlength=n_images)
    n_reference = np.bincount(pair_annotator, weights=per_image[pair_image], minlength=n_ann).astype(np.int64)
    precision, recall = _ratio(n_matched, n_boxes), _ratio(n_matched, n_reference)
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(n_matched > 0, 2 * precision * recall / (precision + recall), np.where(n_boxes > 0, 0.0, np.nan))
    frame = pd.DataFrame(
        {
            "n_images": np.bincount(pair_annotator, minlength=n_ann),
            "n_boxes": n_boxes,
            "n_reference": n_reference,
            "n_matched": n_matched,
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "mean_iou": _ratio(iou_sum, n_matched),
        },
        index=pd.Index(table.annotators, name=index_name),
    )
    return frame.loc[:, list(SKILL_COLUMNS)]


def compare_boxes(
    boxes: pd.DataFrame,
    reference: pd.DataFrame,
    *,
    iou_thr: float = 0.5,
    image_col: str = "image",
    annotator_col: str = "annotator",
    label_col: str = "label",
    coord_cols: tuple[str, str, str, str] = COORDS,
) -> pd.DataFrame:
    """Each annotator's boxes against reference boxes (the truth): precision, recall, F1, mean IoU.

    Boxes are matched one to one within an image and class at IoU >= ``iou_thr``, greedily by
    decreasing IoU (the PASCAL VOC rule, Everingham et al. 2010). Every annotator is scored on
    every image of ``reference`` and of its own boxes (an image it drew nothing on counts its
    reference boxes as missed). ``reference`` has the image, class and coordinate columns.

    Returns
    -------
    pandas.DataFrame
        Indexed by annotator: n_images, n_boxes, n_reference, n_matched, precision, recall, f1,
        mean_iou (of the matched boxes).
    """
    iou_thr = check_iou(iou_thr)
    columns = {"image_col": image_col, "label_col": label_col, "coord_cols": tuple(coord_cols), "score_col": None}
    table = read_boxes(boxes, annotator_col=annotator_col, **columns)  # type: ignore[arg-type]
    if not isinstance(reference, pd.DataFrame):
        raise InvalidParameterError(f"reference must be a pandas DataFrame, got {type(reference).__name__}")
    truth = read_boxes(reference.assign(_reference=0), annotator_col="_reference", name="reference", **columns)  # type: ignore[arg-type]
    all_images = pd.Index(list(table.images) + list(truth.images), dtype=object).unique()
    all_labels = pd.Index(list(table.labels) + list(truth.labels), dtype=object).unique()
    image_code = all_images.get_indexer(table.images)[table.image]
    label_code = all_labels.get_indexer(table.labels)[table.label]
    joint = BoxTable(
        image_code, table.annotator, label_code, table.coords, table.score, all_images, table.annotators, all_labels
    )
    n_ann = len(table.annotators)
    pairs = np.unique(
        np.r_[
            np.repeat(all_images.get_indexer(truth.images), n_ann) * n_ann
            + np.tile(np.arange(n_ann), len(truth.images)),
            image_code * n_ann + table.annotator,
        ]
    )
    return skill_table(
        joint,
        pairs // n_ann,
        pairs % n_ann,
        truth.coords,
        all_images.get_indexer(truth.images)[truth.image],
        all_labels.get_indexer(truth.labels)[truth.label],
        iou_thr,
        index_name=annotator_col,
    )
