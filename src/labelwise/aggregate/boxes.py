"""Bounding boxes drawn by several annotators (or proposed by several models) -> one set of boxes.

Two estimators on one long table (one row per box: ``image, annotator, x_min, y_min, x_max,
y_max, label`` and an optional ``score``):

- :class:`WeightedBoxesFusion` -- weighted boxes fusion (WBF) as its paper states it, for model
  ensembles: clusters of boxes by IoU within a class, coordinates fused by the score-weighted mean,
  the confidence rescaled by how many models found the box.
- :class:`BoxConsensus` -- for human annotators: boxes matched across annotators (one box per
  annotator in a cluster), coordinates fused by the median, kept when a majority of the image's
  annotators drew them, and a skill table (each annotator's precision, recall and mean IoU
  against the consensus).

:func:`compare_boxes` scores any box table against reference boxes (the truth) the same way;
:func:`simulate_boxes` makes annotators who jitter, miss, add false boxes or spam.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from .._caller import warn_at_caller
from .._validate.arguments import check_choice, check_positive_int, show
from .._validate.labels import row_label
from ..errors import InvalidParameterError, LabelwiseWarning
from ._boxes_input import (
    COORDS,
    BoxTable,
    check_iou,
    distinct_boxes,
    group_starts,
    read_boxes,
    read_labeled,
    take_boxes,
)
from ._boxes_loo import cluster_consensus, leave_one_out_skill
from ._boxes_simulate import SimulatedBoxes, simulate_boxes
from ._boxes_skill import compare_boxes, skill_table
from ._boxes_wbf import wbf_clusters
from ._names import CONF_TYPES, SKILL_TYPES

__all__ = [
    "WeightedBoxesFusion",
    "BoxConsensus",
    "compare_boxes",
    "simulate_boxes",
    "SimulatedBoxes",
    "CONF_TYPES",
    "SKILL_TYPES",
    "BOX_METHODS",
]


class _BoxAggregator(BaseEstimator):
    """Columns and the fitted output shared by the box estimators."""

    def _read(self, boxes: Any) -> BoxTable:
        coord_cols = tuple(self.coord_cols)
        if len(coord_cols) != 4 or not all(isinstance(c, str) for c in coord_cols):
            raise InvalidParameterError(
                f"coord_cols must be 4 column names (x_min, y_min, x_max, y_max), got {show(self.coord_cols)}"
            )
        return read_boxes(
            boxes,
            image_col=self.image_col,
            annotator_col=self.annotator_col,
            label_col=self.label_col,
            coord_cols=coord_cols,
            score_col=self.score_col,
        )

    def _publish(
        self,
        table: BoxTable,
        coords: np.ndarray,
        image: np.ndarray,
        label: np.ndarray,
        score: np.ndarray,
        votes: np.ndarray,
        n_boxes: np.ndarray,
        row_cluster: np.ndarray,
    ) -> None:
        """Set ``boxes_`` (sorted by image, class, decreasing score) and ``box_index_`` from the clusters.

        ``row_cluster`` is each input row's cluster (-1 where the row is in no output box).
        """
        order = np.lexsort((*coords.T[::-1], -score, label, image))
        position = np.empty(len(order), dtype=np.int64)
        position[order] = np.arange(len(order))
        self.boxes_ = pd.DataFrame(
            {
                self.image_col: table.images.take(image[order]),
                self.label_col: table.labels.take(label[order]),
                **{name: coords[order, k] for k, name in enumerate(self.coord_cols)},
                "score": score[order],
                "votes": votes[order],
                "n_boxes": n_boxes[order],
            }
        )
        self.box_index_ = np.full(len(row_cluster), -1, dtype=np.int64)
        self.box_index_[row_cluster >= 0] = position[row_cluster[row_cluster >= 0]]
        self.n_images_ = len(table.images)
        self.n_annotators_ = len(table.annotators)
        self.n_input_boxes_ = table.n_boxes
        self._out_codes = (coords[order], image[order], label[order])

    def _skill(self, table: BoxTable, pair_image: np.ndarray, pair_annotator: np.ndarray) -> None:
        coords, image, label = self._out_codes
        self.annotators_ = skill_table(
            table, pair_image, pair_annotator, coords, image, label, self.iou_thr, index_name=self.annotator_col
        )


class WeightedBoxesFusion(_BoxAggregator):
    """Weighted boxes fusion (WBF) of several models' (or annotators') boxes.

    Within each image and class, boxes are visited by decreasing ``score x weight``; a box joins the
    cluster whose fused box it overlaps most when that IoU is > ``iou_thr``, else it opens a new
    cluster; a cluster's fused box is the mean of its boxes weighted by ``score x weight``. The
    fused box's confidence ``C`` is then rescaled by how many models found it (``conf_type``, with
    ``T`` boxes in the cluster, ``N`` models, ``W`` their total weight):

    - ``"avg"`` (the paper's): mean of ``score x weight`` times ``min(T, N) / W`` (``T / W`` with
      ``allow_overflow=True``: a model that drew two boxes into one cluster can push it above 1);
    - ``"max"``: the largest ``score x weight`` over the largest weight;
    - ``"box_and_model_avg"``: the weighted mean score of the boxes, times the total weight of the
      distinct models in the cluster over ``W``;
    - ``"absent_model_aware_avg"``: the sum of ``score x weight`` over the cluster's weight plus
      the weight of the models absent from it (an absent model counts as a score of 0).

    WBF fuses every box into some output box (a lone false box becomes a fused box of low score):
    filter ``boxes_`` by ``score`` or ``votes``. Every annotator of the table is a model that looked at every image (as a detector does); an
    annotator in ``weights`` without a box counts as a model that found nothing. Boxes are not
    clipped or normalised: any coordinate unit works (IoU does not change with scale, and the mean
    follows a translation or scaling of the boxes).

    Parameters
    ----------
    iou_thr : float, default 0.55
        A box joins a cluster when its IoU with the fused box is above this (the paper's THR).
    skip_box_thr : float, default 0.0
        Boxes with a score below this are left out (``box_index_`` -1).
    conf_type : {"avg", "max", "box_and_model_avg", "absent_model_aware_avg"}, default "avg"
    allow_overflow : bool, default False
        With ``"avg"``, scale by ``T / W`` instead of ``min(T, N) / W``.
    weights : mapping of annotator -> positive float, optional
        Each model's weight (default 1). It must give one for every annotator of the table.
    image_col, annotator_col, label_col : str
        Columns of the image, the annotator (the model) and the class.
    coord_cols : tuple of 4 str, default ("x_min", "y_min", "x_max", "y_max")
    score_col : str or None, default None
        Column of the box's confidence (> 0); None scores every box 1.

    Attributes
    ----------
    boxes_ : pandas.DataFrame
        One row per fused box: image, class, the coordinates, ``score`` (the rescaled confidence),
        ``votes`` (distinct models in the cluster), ``n_boxes``; sorted by image, class, decreasing score.
    box_index_ : ndarray of int64
        By position of the input rows (``box_index_[i]`` is ``boxes.iloc[i]``'s, whatever the frame's
        index; a bare array, as scikit-learn's per-sample attributes): each row's fused box's row in
        ``boxes_`` (-1: skipped by ``skip_box_thr``). ``pd.Series(est.box_index_, index=boxes.index)`` keys it by the input's ids.
    n_images_, n_annotators_, n_input_boxes_ : int

    References
    ----------
    .. [1] R. Solovyev, W. Wang and T. Gabruseva, "Weighted boxes fusion: Ensembling boxes from
       different object detection models", Image and Vision Computing 107:104117, 2021.

    Examples
    --------
    >>> import pandas as pd
    >>> from labelwise.aggregate.boxes import WeightedBoxesFusion
    >>> boxes = pd.DataFrame({"image": ["a", "a"], "annotator": ["m1", "m2"], "label": ["cat", "cat"],
    ...                       "x_min": [10, 12], "y_min": [10, 10], "x_max": [50, 52], "y_max": [40, 40],
    ...                       "score": [0.9, 0.6]})
    >>> fused = WeightedBoxesFusion(score_col="score").fit(boxes).boxes_
    >>> round(float(fused.x_min[0]), 2), round(float(fused.score[0]), 2), int(fused.votes[0])
    (10.8, 0.75, 2)
    """

    def __init__(
        self,
        iou_thr: float = 0.55,
        skip_box_thr: float = 0.0,
        conf_type: str = "avg",
        allow_overflow: bool = False,
        weights: Mapping[Any, float] | None = None,
        image_col: str = "image",
        annotator_col: str = "annotator",
        label_col: str = "label",
        coord_cols: tuple[str, str, str, str] = COORDS,
        score_col: str | None = None,
    ) -> None:
        self.iou_thr = iou_thr
        self.skip_box_thr = skip_box_thr
        self.conf_type = conf_type
        self.allow_overflow = allow_overflow
        self.weights = weights
        self.image_col = image_col
        self.annotator_col = annotator_col
        self.label_col = label_col
        self.coord_cols = coord_cols
        self.score_col = score_col

    def _model_weights(self, table: BoxTable) -> tuple[np.ndarray, np.ndarray]:
        """The weight of each annotator of the table, and of every model (those of ``weights`` without a box too)."""
        if self.weights is None:
            ones = np.ones(len(table.annotators))
            return ones, ones
        if not isinstance(self.weights, Mapping):
            raise InvalidParameterError(
                f"weights must be None or a mapping of annotator -> weight, got {type(self.weights).__name__}"
            )
        for key, value in self.weights.items():
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < float(value) < np.inf:
                raise InvalidParameterError(
                    f"weights must be positive finite numbers, got {show(value)} for {show(key)}"
                )
        missing = [a for a in table.annotators if a not in self.weights]
        if missing:
            raise InvalidParameterError(
                f"weights must give a weight for every annotator of the table, got none for {show(missing[0])}"
            )
        return np.array([float(self.weights[a]) for a in table.annotators]), np.array(
            [float(v) for v in self.weights.values()]
        )

    def fit(self, boxes: pd.DataFrame) -> WeightedBoxesFusion:
        """Fuse the boxes of the long table ``boxes`` (one row per box).

        Raises
        ------
        InvalidParameterError, MissingColumnError, AnnotationError
            A parameter out of range, a column missing, or a bad row (named).
        """
        iou_thr = check_iou(self.iou_thr)
        check_choice("conf_type", self.conf_type, CONF_TYPES)
        skip = self.skip_box_thr
        if isinstance(skip, bool) or not isinstance(skip, numbers.Real) or not 0 <= float(skip) < np.inf:
            raise InvalidParameterError(f"skip_box_thr must be a finite number >= 0, got {show(skip)}")
        table = self._read(boxes)
        ann_weight, all_weights = self._model_weights(table)
        n_models, total, largest = len(all_weights), all_weights.sum(), all_weights.max()
        kept = np.flatnonzero(table.score >= float(skip))
        weight = table.score * ann_weight[table.annotator]
        group = table.group()
        # by decreasing score x weight; ties by coordinates, then annotator (not by row: the row order must not matter)
        order = kept[np.lexsort((table.annotator[kept], *table.coords[kept].T[::-1], -weight[kept], group[kept]))]
        local = wbf_clusters(table.coords[order], weight[order], group[order], iou_thr)
        starts, sizes = group_starts(group[order])
        opened = np.maximum.reduceat(local, starts) + 1 if len(starts) else np.zeros(0, np.int64)
        offset = np.r_[0, np.cumsum(opened)]
        cluster = np.repeat(offset[:-1], sizes) + local
        n = int(offset[-1])
        sum_sw = np.bincount(cluster, weights=weight[order], minlength=n)
        sum_w = np.bincount(cluster, weights=ann_weight[table.annotator[order]], minlength=n)
        count = np.bincount(cluster, minlength=n)
        coords = (
            np.column_stack(
                [np.bincount(cluster, weights=weight[order] * table.coords[order, k], minlength=n) for k in range(4)]
            )
            / sum_sw[:, None]
        )
        n_ann = len(table.annotators)
        pairs = np.unique(cluster * n_ann + table.annotator[order])
        votes = np.bincount(pairs // n_ann, minlength=n)
        model_w = np.bincount(pairs // n_ann, weights=ann_weight[pairs % n_ann], minlength=n)
        if self.conf_type == "avg":
            scale = count if self.allow_overflow else np.minimum(count, n_models)
            score = sum_sw / count * scale / total
        elif self.conf_type == "max":
            best = np.zeros(n)
            np.maximum.at(best, cluster, weight[order])
            score = best / largest
        elif self.conf_type == "box_and_model_avg":
            score = sum_sw / sum_w * model_w / total
        else:
            score = sum_sw / (sum_w + total - model_w)
        first = np.full(n, len(order))
        np.minimum.at(first, cluster, np.arange(len(order)))
        row_cluster = np.full(table.n_boxes, -1, dtype=np.int64)
        row_cluster[order] = cluster
        image, label = table.image[order][first], table.label[order][first]
        self._publish(table, coords, image, label, score, votes, count, row_cluster)
        return self


class BoxConsensus(_BoxAggregator):
    """Consensus boxes of human annotators: matched across annotators, fused by the median, kept by majority.

    Within each image and class, boxes are clustered so that a cluster holds at most one box per
    annotator and every two of its boxes overlap at IoU >= ``iou_thr``: complete-linkage
    clustering [2]_ on ``1 - IoU`` with two boxes of one annotator kept apart, cut at ``1 -
    iou_thr`` (so the matching does not depend on the annotators' order, as a sequential or
    Hungarian matching [3]_ of one annotator after another would). A cluster drawn by at least
    ``min_votes`` annotators becomes a consensus box: the per-coordinate median of its boxes
    (robust to one careless box; ``fuse="mean"`` for the mean, as WBF with equal scores [1]_).

    Who labeled an image: an annotator who looked at an image and drew nothing is not in a box
    table. Pass ``labeled`` (the (image, annotator) assignments) to count them (an image or an
    annotator it names without any box joins ``n_labelers_`` and ``annotators_``); without it, an
    image's annotators are those who drew a box on it, and the majority is taken among them (which
    overstates agreement where annotators drew nothing).

    The skill table ``annotators_`` matches each annotator's boxes one to one with the consensus
    boxes of the same image and class at IoU >= ``iou_thr`` (the PASCAL VOC rule [4]_, greedy by
    IoU). The annotator's own box voted for the consensus, so the figures favour every annotator
    somewhat (most with few annotators: with 3, a box and one other make a majority); they rank
    annotators (a spammer's precision and recall stand out), they do not measure them against the
    truth (see :func:`compare_boxes` for that). ``skill="leave-one-out"`` scores each annotator on
    each image against the consensus of the image's *other* annotators (a strict majority of them,
    or ``min_votes``), so that its own vote never counts toward its reference; an image it
    labeled alone is not scored.

    Parameters
    ----------
    iou_thr : float, default 0.5
        Every two boxes of a cluster overlap at least this much.
    min_votes : int or None, default None
        Annotators a cluster needs to be kept; None: a strict majority of the image's annotators
        (``n // 2 + 1``: 1 of 1, 2 of 2 or 3, 3 of 4 or 5).
    fuse : {"median", "mean"}, default "median"
    skill : {"in-sample", "leave-one-out"}, default "in-sample"
        The reference of ``annotators_``: the consensus, or on each image the other annotators' consensus.
    image_col, annotator_col, label_col, coord_cols, score_col
        As :class:`WeightedBoxesFusion` (a score column is read and checked, not used).

    Attributes
    ----------
    boxes_ : pandas.DataFrame
        One row per consensus box: image, class, coordinates, ``score`` (votes over the image's
        annotators), ``votes`` (annotators who drew it), ``n_boxes`` (equal to ``votes``).
    box_index_ : ndarray of int64
        By position of the input rows (``box_index_[i]`` is ``boxes.iloc[i]``'s, whatever the frame's
        index; a bare array, as scikit-learn's per-sample attributes): each row's consensus box's row in
        ``boxes_`` (-1: in no kept cluster). ``pd.Series(est.box_index_, index=boxes.index)`` keys it by the input's ids.
    annotators_ : pandas.DataFrame
        Per annotator: n_images, n_boxes, n_reference (consensus boxes on its images), n_matched,
        precision, recall, f1, mean_iou (of its matched boxes with the consensus box).
    n_labelers_ : pandas.Series
        Annotators of each image.
    n_repeated_boxes_ : int
        Rows that repeat an earlier row of the same annotator exactly (image, class, coordinates): a
        double submission, read once with a warning (one annotator's two boxes never share a
        cluster, so the copy would make a second consensus box); ``box_index_`` gives a copy its
        first's box.
    n_clusters_, n_images_, n_annotators_, n_input_boxes_ : int

    References
    ----------
    .. [1] R. Solovyev, W. Wang and T. Gabruseva, "Weighted boxes fusion", Image and Vision
       Computing 107:104117, 2021.
    .. [2] D. Müllner, "Modern hierarchical, agglomerative clustering algorithms", arXiv:1109.2378, 2011.
    .. [3] D. F. Crouse, "On implementing 2D rectangular assignment algorithms", IEEE Transactions
       on Aerospace and Electronic Systems 52(4):1679-1696, 2016.
    .. [4] M. Everingham et al., "The PASCAL Visual Object Classes (VOC) challenge", International
       Journal of Computer Vision 88(2):303-338, 2010.
    """

    def __init__(
        self,
        iou_thr: float = 0.5,
        min_votes: int | None = None,
        fuse: str = "median",
        skill: str = "in-sample",
        image_col: str = "image",
        annotator_col: str = "annotator",
        label_col: str = "label",
        coord_cols: tuple[str, str, str, str] = COORDS,
        score_col: str | None = None,
    ) -> None:
        self.iou_thr = iou_thr
        self.min_votes = min_votes
        self.fuse = fuse
        self.skill = skill
        self.image_col = image_col
        self.annotator_col = annotator_col
        self.label_col = label_col
        self.coord_cols = coord_cols
        self.score_col = score_col

    def fit(self, boxes: pd.DataFrame, labeled: pd.DataFrame | None = None) -> BoxConsensus:
        """Find the consensus boxes of the long table ``boxes``; ``labeled`` lists (image, annotator) pairs.

        Raises
        ------
        InvalidParameterError, MissingColumnError, AnnotationError
            A parameter out of range, a column missing, or a bad row (named).
        """
        iou_thr = check_iou(self.iou_thr)
        if self.min_votes is not None:
            check_positive_int("min_votes", self.min_votes)
        check_choice("fuse", self.fuse, ("median", "mean"))
        check_choice("skill", self.skill, SKILL_TYPES)
        table = self._read(boxes)
        n_rows = table.n_boxes
        kept, to_kept = distinct_boxes(table)
        self.n_repeated_boxes_ = n_rows - len(kept)
        if self.n_repeated_boxes_:
            self._warn_repeated(boxes, table, kept, to_kept)
            table = take_boxes(table, kept)
        table, pairs = read_labeled(labeled, table, image_col=self.image_col, annotator_col=self.annotator_col)
        pair_image, pair_annotator = pairs[:, 0], pairs[:, 1]
        labelers = np.bincount(pair_image, minlength=len(table.images))
        if self.min_votes is not None and self.min_votes > labelers.max():
            warn_at_caller(
                LabelwiseWarning(
                    f"min_votes {self.min_votes} is more than the annotators of any image ({labelers.max()} at most): no "
                    "box can get that many votes, so none is kept"
                )
            )
        order, cluster, coords, votes = cluster_consensus(
            table.coords, table.annotator, table.group(), iou_thr, self.fuse
        )
        n = len(votes)
        image, label = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
        image[cluster], label[cluster] = table.image[order], table.label[order]  # one value per cluster
        need = labelers[image] // 2 + 1 if self.min_votes is None else np.full(n, int(self.min_votes))
        keep = votes >= need
        new = np.cumsum(keep) - 1
        row_cluster = np.full(table.n_boxes, -1, dtype=np.int64)
        row_cluster[order] = np.where(keep[cluster], new[cluster], -1)
        score = votes / labelers[image]
        self.n_clusters_ = n
        self._publish(table, coords[keep], image[keep], label[keep], score[keep], votes[keep], votes[keep], row_cluster)
        self.box_index_, self.n_input_boxes_ = self.box_index_[to_kept], n_rows  # a copy: its first's box
        self.n_labelers_ = pd.Series(labelers, index=pd.Index(table.images, name=self.image_col), name="n_labelers")
        if self.skill == "in-sample":
            self._skill(table, pair_image, pair_annotator)
        else:
            self.annotators_ = leave_one_out_skill(
                table, pairs, iou_thr, self.min_votes, self.fuse, index_name=self.annotator_col
            )
        return self

    def _warn_repeated(self, boxes: pd.DataFrame, table: BoxTable, kept: np.ndarray, to_kept: np.ndarray) -> None:
        """Say that exact copies of an annotator's box are read once, with the first copy's rows."""
        copy = int(np.flatnonzero(kept[to_kept] != np.arange(len(to_kept)))[0])
        first = int(kept[to_kept[copy]])
        warn_at_caller(
            LabelwiseWarning(
                f"boxes has {self.n_repeated_boxes_} exact copies of a box of the same annotator (same image, class and "
                f"coordinates; e.g. {row_label(boxes.index, copy)} repeats {row_label(boxes.index, first)}: annotator "
                f"{show(table.annotators[table.annotator[copy]])} on image {show(table.images[table.image[copy]])}): each "
                "is read once, as one box (a copy cannot join its first's cluster, so it would make a second consensus "
                "box); counted in n_repeated_boxes_ (summary.json: n_repeated_boxes)"
            )
        )


#: The ``--method`` names of ``labelwise aggregate-boxes`` and their classes.
BOX_METHODS = {"wbf": WeightedBoxesFusion, "consensus": BoxConsensus}
