"""The column transformers of :mod:`labelwise.columns`' pipelines and of the data checks' table features:
median imputation, date features and one-hot indicators that keep a missing cell missing.

They read pandas' nullable columns (``<NA>`` is NaN) and, fitted on a DataFrame, name their output
columns after its columns (``feature_names_in_``), as scikit-learn's own transformers do.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import OneHotEncoder

__all__ = ["DateFeatures", "MedianImputer", "MissingOneHot", "to_datetime"]


class MedianImputer(TransformerMixin, BaseEstimator):
    """Replace NaN by the column's median in fit (0 for a column that is all NaN).

    The same result as ``SimpleImputer(strategy="median")`` (which keeps all-NaN columns as 0
    with ``keep_empty_features=True``), with ``np.nanmedian`` instead of masked arrays: about
    ten times faster on 50,000 rows.
    """

    def fit(self, X: Any, y: Any = None) -> MedianImputer:
        values = _floats(X)
        _record_names(self, X)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
            median = np.nanmedian(values, axis=0) if values.shape[0] else np.zeros(values.shape[1])
        self.statistics_ = np.where(np.isnan(median), 0.0, median)
        self.n_features_in_ = values.shape[1]
        return self

    def transform(self, X: Any) -> np.ndarray:
        values = _floats(X, copy=True)
        missing = np.isnan(values)
        if missing.any():
            values[missing] = np.broadcast_to(self.statistics_, values.shape)[missing]
        return values

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(_names_in(self, input_features), dtype=object)


class DateFeatures(TransformerMixin, BaseEstimator):
    """Dates (datetimes or parseable strings) to numeric features.

    Each date column becomes five features: year, sine and cosine of the day of year, weekday
    (0 = Monday) and days since the earliest date seen in ``fit`` (a linear time index).
    Missing or unparseable dates give NaN (impute after this step).

    Parameters
    ----------
    formats : dict of str to str or None, optional
        ``strftime`` format per string column (from :func:`infer_column_roles`); other columns
        are parsed by pandas.
    """

    def __init__(self, formats: dict[str, str | None] | None = None):
        self.formats = formats

    def _parse(self, X: Any) -> pd.DataFrame:
        frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=object))
        formats = self.formats or {}
        out = {}
        for name in frame.columns:
            out[name] = to_datetime(frame[name], formats.get(name))
        return pd.DataFrame(out, index=frame.index)

    def fit(self, X: Any, y: Any = None) -> DateFeatures:
        parsed = self._parse(X)
        self.n_features_in_ = parsed.shape[1]
        _record_names(self, X)
        self.origin_ = [col.min() for _, col in parsed.items()]
        return self

    def transform(self, X: Any) -> np.ndarray:
        parsed = self._parse(X)
        blocks = []
        for origin, (_, col) in zip(self.origin_, parsed.items(), strict=False):
            day = col.dt.day_of_year.to_numpy(dtype=float, na_value=np.nan)
            angle = 2 * np.pi * (day - 1) / 365.25
            index = (col - origin).dt.total_seconds().to_numpy(dtype=float, na_value=np.nan) / 86400.0
            blocks += [
                col.dt.year.to_numpy(dtype=float, na_value=np.nan),
                np.sin(angle),
                np.cos(angle),
                col.dt.day_of_week.to_numpy(dtype=float, na_value=np.nan),
                index,
            ]
        return np.column_stack(blocks) if blocks else np.empty((len(parsed), 0))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.array(
            [
                f"{n}_{p}"
                for n in _names_in(self, input_features)
                for p in ("year", "doy_sin", "doy_cos", "weekday", "days")
            ],
            dtype=object,
        )


class MissingOneHot(TransformerMixin, BaseEstimator):
    """One-hot indicators of one column of categories; a missing cell is NaN in every indicator.

    scikit-learn's :class:`~sklearn.preprocessing.OneHotEncoder` (``handle_unknown="infrequent_if_exist"``)
    makes the indicators, fitted on the codes of the column's non-missing cells in sorted order
    (``pd.factorize(sort=True)``: the encoder's own sorting of strings is in Python, some 20 times
    slower); unlike it, a missing cell is not a category of its own but missing, so it is imputed
    and counted as a missing number is.

    Parameters
    ----------
    min_frequency : int or float or None, default None
        Categories seen in fewer rows are grouped into one ``infrequent`` indicator (the encoder's
        option of the same name).
    max_categories : int or None, default None
        At most this many indicators, the least frequent categories grouped (the encoder's option).
    """

    def __init__(self, min_frequency: int | float | None = None, max_categories: int | None = None):
        self.min_frequency = min_frequency
        self.max_categories = max_categories

    def fit(self, X: Any, y: Any = None) -> MissingOneHot:
        values, missing = _category_cells(X)
        _record_names(self, X)
        self.n_features_in_ = 1
        try:
            codes, categories = pd.factorize(values[~missing], sort=True)
        except TypeError:  # values that do not sort together (numbers and strings): in order of appearance
            codes, categories = pd.factorize(values[~missing])
        self.categories_ = np.asarray(categories, dtype=object)
        self.encoder_ = OneHotEncoder(
            handle_unknown="infrequent_if_exist",
            min_frequency=self.min_frequency,
            max_categories=self.max_categories,
            sparse_output=False,
            dtype=np.float64,
        ).fit(codes.reshape(-1, 1))
        return self

    def transform(self, X: Any) -> np.ndarray:
        values, missing = _category_cells(X)
        codes = pd.Index(self.categories_).get_indexer(values)  # -1: unseen, encoded as infrequent (or zeros)
        codes[missing] = 0  # any category: overwritten below
        out = np.asarray(self.encoder_.transform(codes.reshape(-1, 1)), dtype=np.float64)
        out[missing] = np.nan
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        name = _names_in(self, input_features)[0]
        grouping = self.min_frequency is not None or self.max_categories is not None
        rare = self.encoder_.infrequent_categories_[0] if grouping else None  # the attribute raises without
        rare = set() if rare is None else set(rare.tolist())
        names = [f"{name}_{self.categories_[code]}" for code in self.encoder_.categories_[0] if code not in rare]
        return np.asarray(names + ([f"{name}_infrequent_sklearn"] if rare else []), dtype=object)


def _category_cells(X: Any) -> tuple[np.ndarray, np.ndarray]:
    """One column of categories as a 1-D object array, and where it is missing."""
    values = X.to_numpy(dtype=object) if isinstance(X, (pd.DataFrame, pd.Series)) else np.asarray(X, dtype=object)
    values = values.reshape(-1)
    return values, np.asarray(pd.isna(values), dtype=bool)


def _floats(X: Any, copy: bool = False) -> np.ndarray:
    """``X`` as float64, pandas' ``<NA>`` (nullable ``Float64``, ``Int64`` columns) as NaN."""
    if isinstance(X, pd.DataFrame):
        return X.to_numpy(dtype=np.float64, na_value=np.nan)
    return np.array(X, dtype=np.float64) if copy else np.asarray(X, dtype=np.float64)


def _record_names(transformer: Any, X: Any) -> None:
    """``feature_names_in_`` of a DataFrame with text column names, as scikit-learn's transformers set it."""
    if isinstance(X, pd.DataFrame) and all(isinstance(c, str) for c in X.columns):
        transformer.feature_names_in_ = np.asarray(X.columns, dtype=object)
    elif hasattr(transformer, "feature_names_in_"):
        del transformer.feature_names_in_


def _names_in(transformer: Any, input_features: Any) -> list[str]:
    """The input feature names: ``input_features``, else the fitted column names, else ``x0, x1...``."""
    if input_features is not None:
        return list(input_features)
    if hasattr(transformer, "feature_names_in_"):
        return list(transformer.feature_names_in_)
    return [f"x{i}" for i in range(transformer.n_features_in_)]


def to_datetime(column: pd.Series, fmt: str | None) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(column):
        out = column
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                out = pd.to_datetime(column, format=fmt, errors="coerce")
            except ValueError:  # offsets that differ between rows ("+0100", "-0500"): pandas asks for utc=True
                out = pd.to_datetime(column, format=fmt, errors="coerce", utc=True)
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_convert("UTC").dt.tz_localize(None)
    return out
