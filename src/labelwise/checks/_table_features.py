"""The data checks' features of a table whose columns are not all numbers.

:func:`~labelwise.checks.find_data_issues` takes a DataFrame of numbers (and booleans) as it is; a
DataFrame with other columns is encoded here by one scikit-learn ``ColumnTransformer``, each column
by its dtype:

numbers and booleans
    As they are, as floats (a boolean is its own 0/1 indicator; a missing cell stays missing).
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
free text (strings averaging at least :data:`labelwise.columns.TEXT_MIN_WORDS` words)
    Refused, the fix named: pass such columns as ``texts=`` (exact and near-duplicate texts).

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
from sklearn.compose import ColumnTransformer

from .._column_transformers import DateFeatures, MissingOneHot
from .._validate.arguments import show
from .._validate.labels import first_unhashable_row
from ..columns import TEXT_MIN_WORDS
from ..errors import InvalidParameterError

#: At most this many indicators per categorical column (the least frequent categories grouped).
MAX_ONE_HOT = 50
#: A category seen in fewer rows joins the column's ``infrequent`` indicator.
MIN_FREQUENCY = 2
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
    missing : ndarray of shape (n,)
        The table's missing cells per row.
    keys : ndarray of shape (n, m) or None
        The categorical columns' values as codes (missing: -1), compared by ``exact_duplicate``.
    encoding : dict
        ``{"numeric": [...], "date": [...], "categorical": {column: indicators}}``.
    """

    X: np.ndarray
    names: tuple[str, ...]
    missing: np.ndarray
    keys: np.ndarray | None
    encoding: dict[str, Any]

    def missing_error(self, frame: pd.DataFrame) -> InvalidParameterError:
        """The error for missing cells without ``impute``, naming rows and columns."""
        rows = np.flatnonzero(self.missing)
        cols = [str(c) for c in frame.columns if frame[c].isna().any()]
        return InvalidParameterError(
            f"features must have no missing cells; {rows.size} rows have some, e.g. rows {rows[:5].tolist()}, "
            f"in columns {cols[:5]} (pass impute=True to fill numbers and indicators with column medians)"
        )

    def line(self) -> str:
        """One line: which columns were encoded how."""
        parts = []
        for kind, cols in self.encoding.items():
            if cols:
                named = (
                    [f"{c} ({n} indicator{'s' if n != 1 else ''})" for c, n in cols.items()]
                    if isinstance(cols, dict)
                    else list(cols)
                )
                named = named if len(named) <= 10 else [*named[:10], f"and {len(named) - 10} more"]
                parts.append(f"{HOW[kind]}: {', '.join(named)}")
        return "features: " + "; ".join(parts)


def needs_encoding(frame: pd.DataFrame) -> bool:
    """Whether a DataFrame has a column that is neither numbers nor booleans."""
    return not all(_is_number(frame[c]) for c in frame.columns)


def table_features(frame: pd.DataFrame) -> TableFeatures:
    """Encode ``frame``'s columns, each by its dtype (see the module docstring).

    Raises
    ------
    InvalidParameterError
        A column whose cells are lists or other containers, a column with no value, free text, a
        timedelta column, or two columns of one name: each named.
    """
    if frame.columns.has_duplicates:
        dupes = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        raise InvalidParameterError(f"features must have unique column names, got duplicates {dupes}")
    kinds = column_kinds(frame)
    parts: list[tuple[str, Any, Any]] = []
    if kinds["numeric"]:
        parts.append(("numeric", "passthrough", kinds["numeric"]))
    if kinds["date"]:
        parts.append(("date", DateFeatures(), kinds["date"]))
    for i, name in enumerate(kinds["categorical"]):  # by position: a column name may hold "__"
        parts.append((f"categorical{i}", MissingOneHot(MIN_FREQUENCY, MAX_ONE_HOT), [name]))
    table = pd.DataFrame({c: _cells(frame[c], kind) for kind, cols in kinds.items() for c in cols})
    table.columns = [str(c) for c in table.columns]
    parts = [(step, how, [str(c) for c in cols]) for step, how, cols in parts]
    encoder = ColumnTransformer(parts, sparse_threshold=0.0, verbose_feature_names_out=False)
    X = np.ascontiguousarray(encoder.fit_transform(table), dtype=np.float64)
    one_hot = [encoder.named_transformers_[f"categorical{i}"] for i in range(len(kinds["categorical"]))]
    encoding = {
        "numeric": [str(c) for c in kinds["numeric"]],
        "date": [str(c) for c in kinds["date"]],
        "categorical": {
            str(c): len(t.get_feature_names_out()) for c, t in zip(kinds["categorical"], one_hot, strict=True)
        },
    }
    keys = None
    if kinds["categorical"]:
        keys = np.column_stack([pd.factorize(table[str(c)], use_na_sentinel=True)[0] for c in kinds["categorical"]])
    missing = _missing_cells(table, [str(c) for c in kinds["numeric"]])
    names = tuple(str(n) for n in encoder.get_feature_names_out())
    return TableFeatures(X=X, names=names, missing=missing, keys=keys, encoding=encoding)


def column_kinds(frame: pd.DataFrame) -> dict[str, list[Any]]:
    """Each column's kind by its dtype: ``numeric``, ``date`` or ``categorical`` (refused: see
    :func:`table_features`)."""
    kinds: dict[str, list[Any]] = {"numeric": [], "date": [], "categorical": []}
    for name in frame.columns:
        col = frame[name]
        if not col.notna().any():
            raise InvalidParameterError(
                f"features column {str(name)!r} must hold values, got every one of its {len(col)} cells "
                "missing: drop the column"
            )
        if _is_number(col):
            kinds["numeric"].append(name)
        elif pd.api.types.is_datetime64_any_dtype(col):
            kinds["date"].append(name)
        elif pd.api.types.is_timedelta64_dtype(col):
            raise InvalidParameterError(
                f"features column {str(name)!r} must hold numbers, categories or dates, got durations "
                f"({col.dtype}): pass it as numbers, e.g. frame[{str(name)!r}].dt.total_seconds()"
            )
        else:
            _check_categories(name, col)
            kinds["categorical"].append(name)
    return kinds


def _is_number(col: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col))


def _check_categories(name: Any, col: pd.Series) -> None:
    """Refuse a column of containers (lists, dicts) or of free text, naming it."""
    row = first_unhashable_row(col)
    if row is not None:
        raise InvalidParameterError(
            f"features column {str(name)!r} must hold single values (numbers, categories, dates), got a "
            f"{type(col.iloc[row]).__name__} at row {row} ({show(col.iloc[row])}): flatten it into columns or drop it"
        )
    counts = col.value_counts()  # the words of each distinct value, weighted by its rows
    counts = counts[[isinstance(v, str) for v in counts.index]]
    if len(counts):
        words = float(np.dot([len(v.split()) for v in counts.index], counts.to_numpy()) / counts.sum())
        if words >= TEXT_MIN_WORDS:
            raise InvalidParameterError(
                f"features column {str(name)!r} must hold numbers, categories or dates, got free text "
                f"({words:.1f} words a cell on average, >= {TEXT_MIN_WORDS:g}): pass it as texts "
                f"(find_data_issues(features.drop(columns=[{str(name)!r}]), texts=features[[{str(name)!r}]]): "
                "exact and near-duplicate texts), or embed it and pass the embedding as features"
            )


def _missing_cells(table: pd.DataFrame, numeric: list[str]) -> np.ndarray:
    """The missing cells of each row (and the infinite numbers, which the checks fill as missing)."""
    missing = table.isna().to_numpy().sum(axis=1).astype(np.int64)
    if numeric:
        missing += np.isinf(table[numeric].to_numpy(dtype=np.float64)).sum(axis=1)
    return missing


def _cells(col: pd.Series, kind: str) -> pd.Series:
    """A column as its encoder reads it: numbers as floats (NaN for missing); categories as
    strings, each value's type named when two values would otherwise read the same (``1``, ``"1"``)."""
    if kind == "numeric":
        return pd.Series(col.to_numpy(dtype=np.float64, na_value=np.nan), index=col.index)
    if kind == "date":
        return col
    values = col.astype(object).to_numpy()
    missing = np.asarray(pd.isna(values), dtype=bool)
    present = values[~missing]
    if all(isinstance(v, str) for v in present):
        text = present
    else:
        text = np.array([str(v) for v in present], dtype=object)
        if len(set(text.tolist())) != len(pd.unique(present)):
            text = np.array([f"{type(v).__name__}:{v}" for v in present], dtype=object)
    out = np.full(values.shape[0], None, dtype=object)
    out[~missing] = text
    return pd.Series(out, index=col.index, dtype=object)
