"""``identifier_column`` check: feature columns that are row ids or constants.

A row id passed as a feature is a bug in the user's pipeline: a model can learn the row order
(and with it whatever order the data was collected in), and a neighbour graph is distorted by it.
A constant column carries no information. Both are found by the rules of
:mod:`labelwise.columns` (:func:`~labelwise.columns.matrix_column_roles`, one implementation
with the table reader's roles): an identifier is a column of at least 20 distinct integers in
monotone order; a constant column has one value (after imputation: a column whose non-missing
values are all equal).

The issue is about columns, not rows: as in cleanlab's Datalab, ``is_identifier_column_issue``
is False and ``identifier_column_score`` is 1 for every row, ``n_issues`` in the summary counts
the flagged columns and its ``score`` is 0 when any column is flagged, else 1. ``info`` lists
``identifier_columns`` and ``constant_columns`` (column indices), ``columns`` (name or index ->
reason) and ``num_identifier_columns``.

Datalab's rule differs: it flags an integer column whose distinct values are one consecutive run
``c, c+1, ..., c+m`` in any order and with repeats (so also small integer codes such as 0..4),
and never a float column; labelwise's rule needs every value distinct and in monotone order, and
reads integral floats as integers (a feature matrix loses the column dtypes).
"""

from __future__ import annotations

import numpy as np

from ..columns import matrix_column_roles
from ._base import Check, CheckInputs, CheckResult, columns


def run(inputs: CheckInputs) -> CheckResult:
    """Flag the identifier and constant columns of the features."""
    assert inputs.features is not None  # guaranteed by ``requires``
    found = matrix_column_roles(inputs.features)
    names = inputs.feature_names
    ident = [c for c, (role, _) in found.items() if role == "identifier"]
    const = [c for c, (role, _) in found.items() if role == "constant"]
    label = {c: (str(names[c]) if names is not None else c) for c in found}
    info = {
        "identifier_columns": ident,
        "constant_columns": const,
        "num_identifier_columns": len(ident),
        "columns": {str(label[c]): f"{role}: {why}" for c, (role, why) in found.items()},
    }
    summary = {
        "check": "identifier_column",
        "status": "ran",
        "n_issues": len(found),
        "score": 0.0 if found else 1.0,
        "reason": "",
    }
    cols = columns("identifier_column", np.zeros(inputs.n, dtype=bool), np.ones(inputs.n))
    return CheckResult(cols, summary, info)


CHECK = Check("identifier_column", requires=(("features",),), run=run, whole_columns=True)
