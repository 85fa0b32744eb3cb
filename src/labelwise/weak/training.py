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
    labels would be a label to it). ``unlabeled`` must be no class of the model: with the classes
    ``-1, 0, 1`` pass ``unlabeled=None`` (a missing label; the labels then stay integers) and
    ``SelfTrainer(unlabeled_value=None)``, whose default marker ``-1`` would read the class ``-1`` as unlabeled.

    Raises
    ------
    InvalidParameterError
        ``model`` is not fitted, ``min_confidence`` is not in [0, 1], or ``unlabeled`` is one of the
        model's classes (its rows could not be told from the unlabeled ones).
    """
    for attr in ("probas_", "labels_", "n_votes_"):
        if not hasattr(model, attr):
            raise InvalidParameterError(f"model must be a fitted label model with {attr}, got {type(model).__name__}")
    check_fraction("min_confidence", min_confidence, closed_high=True)
    _check_unlabeled(unlabeled, model.probas_.columns)
    confident = model.probas_.max(axis=1).to_numpy() >= min_confidence
    keep = confident & (model.n_votes_.to_numpy() > 0)
    out = model.labels_.astype(object).where(keep, unlabeled)
    return out if unlabeled is None else out.infer_objects()  # None: integer classes stay integers, not floats


def _check_unlabeled(unlabeled: Any, classes: pd.Index) -> None:
    """``unlabeled`` is no class: else the rows labelled that class would read as unlabeled."""
    try:
        taken = classes.get_indexer([unlabeled])[0] >= 0
    except TypeError:  # an unhashable marker is no class
        return
    if taken:
        raise InvalidParameterError(
            f"unlabeled must be a value that is no class, got {unlabeled!r}, one of the model's classes "
            f"{classes.tolist()}: its rows could not be told from the unlabeled ones; pass unlabeled=None (a "
            "missing label) and give SelfTrainer unlabeled_value=None, or another value that is no class"
        )
