"""The checks of column-name parameters (``item_col``, ``left_col``, ...) shared by the aggregators."""

from __future__ import annotations

from collections.abc import Mapping
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
