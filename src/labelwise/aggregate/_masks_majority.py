"""The per-pixel vote of :class:`labelwise.aggregate.masks.MaskMajorityVote`, plain or weighted by
given annotator weights (crowd-kit's ``SegmentationMajorityVote(skills=...)``), and the Dice score."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import show
from ..errors import InvalidParameterError
from ._masks_input import MaskSet
from ._masks_labels import LabelPatterns
from ._masks_patterns import Patterns


def dice(intersection: np.ndarray, size_a: np.ndarray, size_b: np.ndarray) -> np.ndarray:
    """Dice coefficient ``2|A & B| / (|A| + |B|)`` from pixel counts; 1 where both masks are empty."""
    total = np.asarray(size_a, dtype=np.float64) + np.asarray(size_b, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, 2.0 * np.asarray(intersection, dtype=np.float64) / total, 1.0)


def annotator_weights(weights: Any, data: MaskSet) -> np.ndarray | None:
    """``weights`` (a mapping annotator -> weight, e.g. a Series) as one weight per ``data.annotators``;
    None for ``weights=None`` (every annotator weighs 1). Refuses a weight that is not a positive
    finite number and an annotator of the masks with no weight."""
    if weights is None:
        return None
    if not isinstance(weights, Mapping | pd.Series):
        raise InvalidParameterError(
            f"weights must be a mapping annotator -> weight (a dict or a Series), got {type(weights).__name__}"
        )
    given = pd.Series(weights, dtype=object) if not isinstance(weights, pd.Series) else weights
    if given.index.has_duplicates:
        raise InvalidParameterError(
            f"weights must give each annotator one weight, got {show(given.index[given.index.duplicated()][0])} twice"
        )
    values = pd.to_numeric(given, errors="coerce").to_numpy(dtype=np.float64)
    bad = ~(np.isfinite(values) & (values > 0))
    if bad.any():
        at = int(np.argmax(bad))
        raise InvalidParameterError(
            f"weights must be positive finite numbers, got {show(given.iloc[at])} for annotator {show(given.index[at])}"
        )
    where = pd.Index(given.index).get_indexer(data.annotators)
    if (where < 0).any():
        missing = data.annotators[int(np.argmax(where < 0))]
        raise InvalidParameterError(
            f"weights must give a weight for every annotator of the masks, got none for {show(missing)}"
        )
    return values[where]


def binary_shares(data: MaskSet, patterns: list[Patterns], weights: np.ndarray | None) -> list[np.ndarray]:
    """Per item, per vote pattern: the (weighted) share of the item's annotators marking the pixel.

    With weights ``w``, ``sum_j w_j m_j / sum_j w_j`` over the item's annotators: ``>= 0.5`` is
    crowd-kit's ``2 sum_j w_j m_j - sum_j w_j >= 0`` (a tie is foreground).
    """
    if weights is None:
        return [p.votes.sum(axis=1) / p.votes.shape[1] for p in patterns]
    out = []
    for codes, p in zip(data.codes, patterns, strict=True):
        w = weights[codes]
        out.append(p.votes @ (w / w.sum()))
    return out


def class_shares(
    data: MaskSet, patterns: list[LabelPatterns], n_classes: int, weights: np.ndarray | None, ignore: bool = False
) -> list[np.ndarray]:
    """Per item, per class pattern: the (weighted) share of the item's annotators giving each class.
    With ``ignore``, votes of index ``n_classes`` (ignored pixels) are no votes: the shares are over the
    annotators who gave the pixel a class (all 0 where nobody did)."""
    out = []
    for codes, p in zip(data.codes, patterns, strict=True):
        u, a = p.votes.shape
        w = np.full(a, 1.0 / a) if weights is None else weights[codes] / weights[codes].sum()
        shares = np.zeros((u, n_classes + ignore))
        np.add.at(shares, (np.repeat(np.arange(u), a), p.votes.ravel()), np.tile(w, u))
        if ignore:
            shares = shares[:, :n_classes]
            total = shares.sum(axis=1, keepdims=True)
            shares = np.divide(shares, total, out=np.zeros_like(shares), where=total > 0)
        out.append(shares)
    return out
