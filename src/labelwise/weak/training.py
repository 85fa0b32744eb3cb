"""Training a classifier on probabilistic labels: rows repeated per class with the probability as weight."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .._soft_labels import expand_soft_labels
from .._validate.arguments import check_fraction
from ..errors import InvalidParameterError

__all__ = ["expand_soft_labels", "training_labels"]


def training_labels(model: Any, *, min_confidence: float = 0.0, unlabeled: Any = -1) -> pd.Series:
    """Hard labels from a fitted label model, ``unlabeled`` where no function voted or the model is unsure.

    The result feeds :class:`labelwise.semi.SelfTrainer` (unlabeled rows are pseudo-labelled) or,
    with ``min_confidence=0`` and only the rows that are not ``unlabeled``,
    :class:`labelwise.robust.CleanClassifier` (which has no unlabeled value: ``-1`` beside string
    labels would be a label to it).
    """
    for attr in ("probas_", "labels_", "n_votes_"):
        if not hasattr(model, attr):
            raise InvalidParameterError(f"model must be a fitted label model with {attr}, got {type(model).__name__}")
    check_fraction("min_confidence", min_confidence, closed_high=True)
    confident = model.probas_.max(axis=1).to_numpy() >= min_confidence
    keep = confident & (model.n_votes_.to_numpy() > 0)
    return model.labels_.astype(object).where(keep, unlabeled).infer_objects()
