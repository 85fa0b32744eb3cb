"""The regression audit's model for a table: the classification audit's column roles, then the regressor.

:func:`column_regressor` reads a table by :func:`labelwise.columns.infer_column_roles` (one
implementation of the roles, shared with the classifiers of :mod:`labelwise.models`): numbers
median-imputed and standardised, dates as five numbers, categories one-hot, high-cardinality
categories target-encoded, identifiers and constants dropped. Its one change is the target
encoder's folds: a continuous target has no classes to stratify by, so they are plain shuffled
``KFold`` folds, and the target is declared continuous (a target of whole numbers, such as grams,
is not a set of classes): scikit-learn's ``TargetEncoder`` then encodes a category by its mean
target shrunk towards the overall mean.

No row's own target reaches its own features. Inside a training fold ``TargetEncoder.fit_transform``
cross-fits (each training row is encoded by the means of the other inner folds, [1]_), and a
held-out row is encoded by the means of the training rows only; the out-of-fold predictions of
:func:`labelwise.audit.regression.find_label_issues` come from models that never saw the held-out
rows' targets (tested: changing the targets of one fold leaves that fold's predictions unchanged).

Free text is TF-IDF, as for the classifiers, but on the ``TEXT_MAX_TERMS`` most frequent terms of
each text column (the classifiers keep up to 20,000): the gradient-boosted regressor needs dense
features, and a dense matrix of a 20,000-term vocabulary would take 160 kB a row. A bound on memory
and fit time, set before any run, not a tuned value.

References
----------
.. [1] Micci-Barreca, D. (2001). A Preprocessing Scheme for High-Cardinality Categorical Attributes
   in Classification and Prediction Problems. SIGKDD Explorations 3(1), 27-32.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline

from .._validate.arguments import seed_from
from ..columns import ColumnRoles, infer_column_roles
from ..errors import InvalidParameterError

__all__ = ["TEXT_MAX_TERMS", "column_regressor", "table_regressor"]

#: Terms of each text column's TF-IDF the regressor reads (dense; see the module docstring).
TEXT_MAX_TERMS = 256
#: Folds of the target encoder's cross-fitting inside each training fold (scikit-learn's default).
ENCODER_FOLDS = 5


def column_regressor(roles: ColumnRoles, regressor: Any, random_state: Any = 0) -> Pipeline:
    """``roles``' column features (text on at most ``TEXT_MAX_TERMS`` terms), then ``regressor``.

    Parameters
    ----------
    roles : ColumnRoles
        From :func:`labelwise.columns.infer_column_roles`.
    regressor : scikit-learn regressor
        Fitted on the column features; it receives a dense matrix.
    random_state : int, Generator or None
        Seed of the target encoder's folds.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Steps ``columns`` (a ``ColumnTransformer``) and ``regressor``.

    Raises
    ------
    InvalidParameterError
        If no column is left to read (every one an identifier or a constant).
    """
    _check_used(roles, "features")
    seed = seed_from(random_state)
    columns = roles.transformer(dense=True, random_state=seed)
    steps = {step: transformer for step, transformer, _ in columns.transformers}
    for step, transformer in steps.items():
        if step.startswith("text_"):
            transformer.set_params(tfidfvectorizer__max_features=TEXT_MAX_TERMS)
    if roles.columns("high_cardinality"):  # no classes to stratify by; whole-number targets are not classes either
        folds = KFold(ENCODER_FOLDS, shuffle=True, random_state=seed)
        steps["high_cardinality"].set_params(targetencoder__cv=folds, targetencoder__target_type="continuous")
    return Pipeline([("columns", columns), ("regressor", regressor)])


def _check_used(roles: ColumnRoles, name: str) -> None:
    """An error naming ``name`` and every column's role when no column is left to read."""
    if not roles.used:
        described = [f"{column!r} ({role})" for column, role in roles.roles.items()]
        raise InvalidParameterError(
            f"{name} must have a column that is not an identifier or a constant, got only " + ", ".join(described)
        )


def table_regressor(X: pd.DataFrame, regressor: Any, random_state: Any = 0) -> tuple[Pipeline, ColumnRoles]:
    """:func:`column_regressor` on ``X``'s inferred roles, and those roles: the default model of
    :func:`labelwise.audit.regression.find_label_issues` for a DataFrame, as ``labelwise audit --task
    regression`` builds it for DATA's other columns.

    Raises
    ------
    InvalidParameterError
        If no column of ``X`` is left to read (every one an identifier or a constant), naming ``X``.
    """
    roles = infer_column_roles(X)
    _check_used(roles, "X")
    return column_regressor(roles, regressor, random_state), roles
