"""``identifier_column`` check: feature columns that are row ids or constants.

A row id passed as a feature is a bug in the user's pipeline: a model can learn the row order
(and with it whatever order the data was collected in), and a neighbour graph is distorted by it.
A constant column carries no information. Both are found by the rules of
:mod:`labelwise._column_order` (one implementation with the table reader's roles; for features
on dask, each row chunk's few numbers per column merged in row order): an identifier is a column
of at least 20 distinct integers in monotone order; a constant column has one value (after
imputation: a column whose non-missing values are all equal).

The issue is about columns, not rows: as in cleanlab's Datalab, ``is_identifier_column_issue``
is False and ``identifier_column_score`` is 1 for every row, ``n_issues`` in the summary counts
the flagged columns and its ``score`` is 0 when any column is flagged, else 1. ``info`` lists
``identifier_columns`` and ``constant_columns`` (column indices), ``columns`` (name or index ->
reason) and ``num_identifier_columns``.

Datalab's rule differs: it flags an integer column whose distinct values are one consecutive run
``c, c+1, ..., c+m`` in any order and with repeats (so also small integer codes such as 0..4),
and never a float column; labelwise's rule needs every value distinct and in monotone order, and
reads integral floats as integers (a feature matrix loses the column dtypes).

Option ``table_roles`` (``check_options={"identifier_column": {"table_roles": roles}}``, a
:class:`~labelwise.columns.ColumnRoles` of the table the features were made from): report the
table's identifier and constant columns, by name, instead of reading the matrix. ``labelwise
audit`` passes it when the check features are made from the table's columns: those columns are
already dropped from the features, while the features made from a date (its year, its days since
the first date) could look like a constant or a row id although the date is a feature. The
column indices are then positions among the table's feature columns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._column_order import column_order, matrix_column_roles, merged, roles_from_order
from ..columns import DROPPED_ROLES, ColumnRoles
from ..errors import InvalidParameterError
from ._base import Check, CheckInputs, CheckResult, columns


def run(inputs: CheckInputs) -> CheckResult:
    """Flag the identifier and constant columns of the features (or of the table, ``table_roles``)."""
    cols = columns("identifier_column", np.zeros(inputs.n, dtype=bool), np.ones(inputs.n))
    return _result(inputs, cols, matrix_column_roles)


def _result(
    inputs: CheckInputs, cols: dict[str, Any], roles_of: Callable[[Any], dict[int, tuple[str, str]]]
) -> CheckResult:
    """The check's result with ``cols``: the table's dropped columns when ``table_roles`` is given,
    else ``roles_of(features)``."""
    table = _table_roles(inputs)
    if table is not None:
        names = list(table.roles)
        found = {i: (table.roles[n], table.reasons[n]) for i, n in enumerate(names) if table.roles[n] in DROPPED_ROLES}
        return CheckResult(cols, _summary(found), _info(found, names))
    assert inputs.features is not None  # guaranteed by ``requires``
    found = roles_of(inputs.features)
    return CheckResult(cols, _summary(found), _info(found, inputs.feature_names))


def _table_roles(inputs: CheckInputs) -> ColumnRoles | None:
    """The ``table_roles`` option, checked."""
    table = inputs.option("identifier_column", "table_roles", None)
    if table is not None and not isinstance(table, ColumnRoles):
        raise InvalidParameterError(
            "check_options['identifier_column']['table_roles'] must be a labelwise.columns.ColumnRoles, "
            f"got {type(table).__name__}"
        )
    return table


def run_partitioned(inputs: CheckInputs) -> CheckResult:
    """:func:`run` on a row-chunked dask array: each chunk's :class:`~labelwise._column_order.ColumnOrder`
    (a few numbers per column) merged in row order on the client."""
    import dask
    import dask.array as da

    from .._stage_progress import compute
    from ._partitioned import dask_columns

    X = inputs.features
    assert X is not None  # guaranteed by ``requires``
    rows = X.chunks[0]
    cols = dask_columns(
        "identifier_column", da.zeros(X.shape[0], chunks=rows, dtype=bool), da.ones(X.shape[0], chunks=rows)
    )
    return _result(
        inputs,
        cols,
        lambda X: roles_from_order(merged(compute(*[dask.delayed(column_order)(b) for b in X.to_delayed().ravel()]))),
    )


def _summary(found: dict[int, tuple[str, str]]) -> dict[str, Any]:
    return {
        "check": "identifier_column",
        "status": "ran",
        "n_issues": len(found),
        "score": 0.0 if found else 1.0,
        "reason": "",
    }


def _info(found: dict[int, tuple[str, str]], names: Any) -> dict[str, Any]:
    ident = [c for c, (role, _) in found.items() if role == "identifier"]
    const = [c for c, (role, _) in found.items() if role == "constant"]
    label = {c: (str(names[c]) if names is not None else c) for c in found}
    return {
        "identifier_columns": ident,
        "constant_columns": const,
        "num_identifier_columns": len(ident),
        "columns": {str(label[c]): f"{role}: {why}" for c, (role, why) in found.items()},
    }


CHECK = Check(
    "identifier_column",
    requires=(("features",),),
    run=run,
    partitioned=run_partitioned,
    options={"table_roles": None},  # a ColumnRoles: checked where it is read
)
