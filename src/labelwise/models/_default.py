"""A family's pipeline for a table (:func:`default_model`) and the feature columns' kinds (:func:`column_kinds`)."""

from __future__ import annotations

import pandas as pd
from sklearn.pipeline import Pipeline

from .._validate.arguments import check_choice
from ..columns import ColumnRoles, infer_column_roles
from ..errors import InvalidParameterError
from ._finite import check_no_infinity
from ._menu import FAMILIES
from ._names import MODELS

__all__ = ["column_kinds", "default_model"]


def column_kinds(frame: pd.DataFrame) -> dict[str, list[str]]:
    """Split feature columns into ``numeric``, ``categorical`` and ``text`` (by their roles).

    Numeric and date columns are ``numeric``; categorical and high-cardinality ones are
    ``categorical``; identifiers and constants are left out. See
    :func:`labelwise.columns.infer_column_roles` for the full roles and their reasons.
    """
    roles = infer_column_roles(frame)
    groups = {"numeric": ("numeric", "date"), "categorical": ("categorical", "high_cardinality"), "text": ("text",)}
    return {kind: [n for n, r in roles.roles.items() if r in members] for kind, members in groups.items()}


def default_model(
    features: pd.DataFrame,
    *,
    model: str = "logistic",
    random_state: int | None = 0,
    roles: ColumnRoles | None = None,
) -> Pipeline:
    """A pipeline for ``features``: per-role column features (:mod:`labelwise.columns`), then a classifier.

    Parameters
    ----------
    features : DataFrame
        The feature columns (not the label).
    model : {"logistic", "knn", "boosting", "forest", "extra_trees"}
        The family (see ``labelwise.models.FAMILIES``): multinomial logistic regression (fast,
        well-calibrated probabilities), kNN, histogram gradient boosting, a random forest, or
        extremely randomised trees (:class:`SubsampledExtraTrees`).
    random_state : int or None
        Seed of the classifier and of the target encoder's folds.
    roles : ColumnRoles, optional
        Column roles, if already inferred.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Missing values are tolerated: numeric ones imputed by the median, categorical ones are
        their own category, text is the empty string. Identifier and constant columns are dropped.

    Raises
    ------
    InvalidParameterError
        An unknown ``model``, ``features`` not a DataFrame or without columns, or a numeric column
        holding ``inf`` (no imputer replaces it; the message names the column and rows).
    """
    check_choice("model", model, MODELS)
    if not isinstance(features, pd.DataFrame):
        raise InvalidParameterError(f"features must be a pandas DataFrame, got {type(features).__name__}")
    if features.shape[1] == 0:
        raise InvalidParameterError("features must have at least one column besides the label, got none")
    check_no_infinity(features)
    roles = infer_column_roles(features) if roles is None else roles
    return FAMILIES[model].build(roles, random_state)
