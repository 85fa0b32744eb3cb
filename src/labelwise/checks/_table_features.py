"""The data checks' features of a table whose columns are not all numbers.

:func:`~labelwise.checks.find_data_issues` takes a DataFrame of numbers (and booleans) as it is; a
DataFrame with other columns is encoded here by one scikit-learn ``ColumnTransformer``, each column
by its dtype:

numbers and booleans
    As they are, as floats (a boolean is its own 0/1 indicator; a missing cell stays missing). A
    column of objects that are all booleans (``True``, ``False`` and missing cells) is booleans
    too: :func:`is_boolean` is the one rule, which ``labelwise audit`` follows as well.
datetimes
    Five numbers each (:class:`labelwise.columns.DateFeatures`: year, day of year as sine and
    cosine, weekday, days since the earliest date).
categories and short strings (``category`` dtype, strings, mixed objects)
    One-hot indicators (:class:`labelwise._column_transformers.MissingOneHot`, scikit-learn's
    ``OneHotEncoder``): a category seen in one row only is grouped with the other such categories
    (``MIN_FREQUENCY``: a value no other row shares cannot make two rows alike, it would only push
    its row away from every other), and at most ``MAX_ONE_HOT`` indicators a column, the least
    frequent categories grouped into one ``infrequent`` indicator. A missing cell is NaN in every
    indicator: imputed (``impute=True``) and counted by the ``null`` check as a missing number is.
    Values are compared as written (``str(value)``), with their type's name when two values of
    different types read the same (``int:1``, ``str:1``).
free text (strings averaging at least :data:`labelwise.columns.TEXT_MIN_WORDS` words)
    Refused, the fix named: pass such columns as ``texts=`` (exact and near-duplicate texts).

The encoder is fitted on statistics that add up over row blocks (:mod:`._table_stats`,
:mod:`._table_encoding`), so a dask DataFrame is encoded partition by partition with the encoder
of the whole table (:mod:`._dask_table`): the same features for any partitioning.

The matrix then goes where numeric features go: the graph scales its columns (``scaling``). Two
rows are exact duplicates when every cell is the same as written: the categorical columns' values
are compared beside the matrix (``TableFeatures.keys``), so two categories grouped into one
indicator still differ. ``null`` scores the share of a row's features present (a missing category
is missing in each of its indicators, a missing date in its five numbers) and flags a row with none;
its ``missing_values`` counts the table's missing cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError
from ._table_encoding import MAX_ONE_HOT, MIN_FREQUENCY, fit_encoding
from ._table_stats import TableStats, block_stats, is_number_dtype

__all__ = ["MAX_ONE_HOT", "MIN_FREQUENCY", "TableFeatures", "is_boolean", "needs_encoding", "table_features"]

#: How each kind of column is encoded, for ``info["feature_encoding"]`` and the CLI's line.
HOW = {"numeric": "as numbers", "date": "five numbers each", "categorical": "one-hot"}


@dataclass(frozen=True)
class TableFeatures:
    """A table's check features.

    Attributes
    ----------
    X : ndarray of shape (n, d)
        The features as floats, NaN where a cell is missing.
    names : tuple of str
        The name of each of the ``d`` columns (``country_FR``, ``day_year``, ``price``).
    keys : ndarray of shape (n, m) or None
        The categorical columns' values as codes (missing: -1), compared by ``exact_duplicate``.
    encoding : dict
        ``{"numeric": [...], "date": [...], "categorical": {column: indicators}}``.
    stats : TableStats
        The table's statistics (its missing cells: ``stats.missing_cells``).
    """

    X: np.ndarray
    names: tuple[str, ...]
    keys: np.ndarray | None
    encoding: dict[str, Any]
    stats: TableStats

    def missing_error(self) -> InvalidParameterError:
        """The error for missing cells without ``impute``, naming rows and columns."""
        return missing_error(self.stats)

    def line(self) -> str:
        """One line: which columns were encoded how."""
        return encoding_line(self.encoding)


def missing_error(stats: TableStats) -> InvalidParameterError:
    """The error for a table with missing cells (``stats``) without ``impute``, naming rows and columns."""
    cols = [str(c) for c, n in stats.present.items() if n < stats.rows]
    return InvalidParameterError(
        f"features must have no missing cells; {stats.missing_rows} rows have some, e.g. rows {stats.first_missing}, "
        f"in columns {cols[:5]} (pass impute=True to fill numbers and indicators with column medians)"
    )


def encoding_line(encoding: dict[str, Any]) -> str:
    """One line: which columns were encoded how."""
    parts = []
    for kind, cols in encoding.items():
        if cols:
            named = (
                [f"{c} ({n} indicator{'s' if n != 1 else ''})" for c, n in cols.items()]
                if isinstance(cols, dict)
                else list(cols)
            )
            named = named if len(named) <= 10 else [*named[:10], f"and {len(named) - 10} more"]
            parts.append(f"{HOW[kind]}: {', '.join(named)}")
    return "features: " + "; ".join(parts)


def is_boolean(col: pd.Series) -> bool:
    """Whether a column is booleans: a boolean dtype, or objects whose values are all ``True`` or
    ``False`` (missing cells aside; at least one value). One 0/1 feature, in the API and the audit."""
    if pd.api.types.is_bool_dtype(col.dtype):
        return True
    if col.dtype != object:
        return False
    present = col.dropna().to_numpy()
    return bool(present.size) and all(isinstance(v, (bool, np.bool_)) for v in present)


def needs_encoding(frame: pd.DataFrame) -> bool:
    """Whether a DataFrame has a column that is neither numbers nor booleans (by dtype)."""
    return not all(is_number_dtype(t) for t in frame.dtypes)


def check_unique_columns(columns: pd.Index) -> None:
    """Refuse two columns of one name."""
    if columns.has_duplicates:
        dupes = sorted({str(c) for c in columns[columns.duplicated()]})
        raise InvalidParameterError(f"features must have unique column names, got duplicates {dupes}")


def table_features(frame: pd.DataFrame) -> TableFeatures:
    """Encode ``frame``'s columns, each by its dtype (see the module docstring).

    Raises
    ------
    InvalidParameterError
        A column whose cells are lists or other containers, a column with no value, free text, a
        timedelta column, or two columns of one name: each named.
    """
    check_unique_columns(frame.columns)
    stats = block_stats(frame)
    encoding = fit_encoding(stats, frame.dtypes)
    X, keys = encoding.encode(frame)
    return TableFeatures(X=X, names=encoding.names, keys=keys, encoding=encoding.record(), stats=stats)
