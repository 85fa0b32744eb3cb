"""The checks of column-name parameters (``item_col``, ``left_col``, ...) shared by the aggregators."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import InvalidParameterError, MissingColumnError


def check_column_name(param: str, column: Any) -> None:
    """``column``, the value of the parameter ``param``, is a non-empty string, or an
    :class:`~labelwise.errors.InvalidParameterError` naming ``param``."""
    if not isinstance(column, str) or not column:
        raise InvalidParameterError(f"{param} must be a non-empty column name (str), got {column!r}")


def check_named_columns(
    table: Any, columns: Mapping[str, str | None], table_name: str, *, none_unused: bool = False
) -> None:
    """Each named column (parameter -> column) is a non-empty string (:func:`check_column_name`) and
    a column of ``table`` (a pandas or dask DataFrame, called ``table_name`` in the message), or an
    error naming the parameter. ``none_unused``: a column ``None`` is not used, and not checked."""
    for param, column in columns.items():
        if column is None and none_unused:
            continue
        check_column_name(param, column)
        if column not in table.columns:
            raise MissingColumnError(
                f"{param} {column!r} is not a column of {table_name}; its columns are {[str(c) for c in table.columns]}"
            )


def check_has_columns(table: Any, columns: Sequence[str], params: Sequence[str] | None, name: str) -> None:
    """Every one of ``columns`` is a column of ``table`` (called ``name`` in the message), or a
    :class:`~labelwise.errors.MissingColumnError` naming the missing ones, the parameters that name
    them (``params``, aligned with ``columns``; None: fixed columns, which no parameter names) and
    the table's first 30 columns."""
    missing = [c for c in columns if c not in table.columns]
    if missing:
        which = (
            "" if params is None else f" ({', '.join(p for p, c in zip(params, columns, strict=True) if c in missing)})"
        )
        raise MissingColumnError(
            f"{name} must have the columns {list(columns)}; missing {missing}{which}, the table has "
            f"{[str(c) for c in table.columns][:30]}"
        )
