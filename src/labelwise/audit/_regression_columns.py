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

Free text (TF-IDF) is left out: the gradient-boosted regressor needs dense features, and a dense
TF-IDF matrix grows with the vocabulary (up to 20,000 columns per text column), as the classifiers'
dense families skip text (:mod:`labelwise.models._menu`).

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

__all__ = ["LEFT_OUT_ROLES", "column_regressor", "regression_roles"]

#: Roles the regressor does not read, beyond the dropped identifiers and constants (see the module docstring).
LEFT_OUT_ROLES = ("text",)
#: Folds of the target encoder's cross-fitting inside each training fold (scikit-learn's default).
ENCODER_FOLDS = 5


def regression_roles(features: pd.DataFrame) -> tuple[ColumnRoles, list[str]]:
    """The column roles of ``features`` and the notices of what the regressor leaves out.

    The notices are :attr:`ColumnRoles.notices` (dropped identifiers and constants, dates that do
    not parse) and one line per text column.
    """
    roles = infer_column_roles(features)
    text = [name for name in roles.roles if roles.roles[name] in LEFT_OUT_ROLES]
    notices = roles.notices + [
        f"left out text column {str(name)!r}: the regressor needs dense features (TF-IDF's are sparse)" for name in text
    ]
    return roles, notices


def column_regressor(roles: ColumnRoles, regressor: Any, random_state: Any = 0) -> Pipeline:
    """``roles``' column features (text left out), then ``regressor``.

    Parameters
    ----------
    roles : ColumnRoles
        From :func:`labelwise.columns.infer_column_roles` (or :func:`regression_roles`).
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
        If no column is left to read (every one an identifier, a constant or text).
    """
    kept = {name: role for name, role in roles.roles.items() if role not in LEFT_OUT_ROLES}
    read = ColumnRoles(kept, {name: roles.reasons[name] for name in kept}, dict(roles.date_formats))
    if not read.used:
        described = [f"{name!r} ({role})" for name, role in roles.roles.items()]
        raise InvalidParameterError(
            "features must have a column the regressor reads (numeric, date or categorical), got only "
            + ", ".join(described)
        )
    seed = seed_from(random_state)
    columns = read.transformer(dense=True, random_state=seed)
    if read.columns("high_cardinality"):  # no classes to stratify by; whole-number targets are not classes either
        folds = KFold(ENCODER_FOLDS, shuffle=True, random_state=seed)
        columns.set_params(
            high_cardinality__targetencoder__cv=folds, high_cardinality__targetencoder__target_type="continuous"
        )
    return Pipeline([("columns", columns), ("regressor", regressor)])
