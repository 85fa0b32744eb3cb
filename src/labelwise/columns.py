"""Column roles of a table, and the scikit-learn transformer that turns each role into features.

One implementation shared by the default models (:mod:`labelwise.models`) and the data checks:
:func:`infer_column_roles` gives every column one role and the reason for it, and
:meth:`ColumnRoles.transformer` builds the matching ``ColumnTransformer``.

Roles
-----
numeric
    Numbers (not booleans): median-imputed and standardised.
categorical
    Booleans, categories and short strings with at most ``HIGH_CARDINALITY`` distinct values:
    one-hot encoded.
high_cardinality
    Categorical with more distinct values: target-encoded out-of-fold
    (:class:`sklearn.preprocessing.TargetEncoder` cross-fits inside ``fit_transform``).
text
    Strings averaging at least ``TEXT_MIN_WORDS`` words: TF-IDF (an identifier instead when no
    word occurs in two rows).
date
    Datetimes, and strings that parse as dates with one inferred format (numeric, or written with
    English month names: :mod:`labelwise._month_dates`): year, day of year (as sine and cosine),
    weekday and a linear time index (days since the first date seen in fit).
identifier
    All-distinct strings, integers that are all distinct and monotone (row ids), or text whose
    words never repeat: dropped.
constant
    At most one distinct non-missing value: dropped.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    OneHotEncoder,
    StandardScaler,
    TargetEncoder,
)

from ._binary_scale import BinaryRangeScaler
from ._column_order import IDENTIFIER_MIN_ROWS, ROW_ID_REASON, is_row_id, matrix_column_roles
from ._column_transformers import DateFeatures, MedianImputer, to_datetime
from ._month_dates import month_date_formats, month_date_shaped
from ._validate.arguments import show
from ._validate.labels import first_unhashable_row
from .errors import InvalidParameterError

__all__ = [
    "ROLES",
    "ColumnRoles",
    "DateFeatures",
    "MedianImputer",
    "infer_column_roles",
    "is_row_id",
    "matrix_column_roles",
]

ROLES = ("numeric", "categorical", "high_cardinality", "text", "date", "identifier", "constant")
#: Roles whose columns are left out of the features.
DROPPED_ROLES = ("identifier", "constant")
#: A string column whose values average at least this many words is free text.
TEXT_MIN_WORDS = 3.0
#: A categorical column with more distinct values than this is target-encoded, not one-hot.
HIGH_CARDINALITY = 50
#: Share of a date-like string column that must parse with the inferred format.
DATE_MIN_PARSED = 0.95
#: Share of date-shaped sampled strings from which a column that does not parse says so.
DATE_LIKE_MIN = 0.5
#: Rows sampled to decide whether strings look like dates.
DATE_SAMPLE = 200
_DATE_LIKE = re.compile(
    r"^\s*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$"
)


@dataclass(frozen=True)
class ColumnRoles:
    """The role of every column of a table and why (see the module docstring for the roles).

    Attributes
    ----------
    roles : dict of str to str
        Column name -> role, in the table's column order.
    reasons : dict of str to str
        Column name -> one-line reason for its role.
    date_formats : dict of str to str or None
        For string columns with role ``date``: the format they were parsed with (None when
        pandas parsed them without a single format, e.g. mixed ISO 8601).
    """

    roles: dict[str, str]
    reasons: dict[str, str]
    date_formats: dict[str, str | None] = field(default_factory=dict)

    def columns(self, role: str) -> list[str]:
        """The columns with ``role``, in table order."""
        if role not in ROLES:
            raise InvalidParameterError(f"role must be one of {list(ROLES)}, got {role!r}")
        return [name for name, r in self.roles.items() if r == role]

    @property
    def used(self) -> list[str]:
        """The columns that become features (every role but identifier and constant)."""
        return [name for name, r in self.roles.items() if r not in DROPPED_ROLES]

    @property
    def notices(self) -> list[str]:
        """One line per dropped column or date-like column that did not parse."""
        lines = [
            f"dropped column {name!r}: {self.reasons[name]}" for name in self.roles if self.roles[name] in DROPPED_ROLES
        ]
        lines += [f"column {name!r}: {why}" for name, why in self.reasons.items() if "does not parse" in why]
        return lines

    @property
    def is_dense_embedding(self) -> bool:
        """Every used column is numeric and there are at least 8: features look like a dense vector."""
        used = self.used
        return len(used) >= 8 and all(self.roles[name] == "numeric" for name in used)

    def to_dict(self) -> dict[str, dict[str, str]]:
        """``{column: {"role": ..., "reason": ...}}`` for summary.json."""
        return {name: {"role": role, "reason": self.reasons[name]} for name, role in self.roles.items()}

    def to_frame(self) -> pd.DataFrame:
        """One row per column: ``column``, ``role``, ``reason``."""
        return pd.DataFrame(
            {
                "column": list(self.roles),
                "role": list(self.roles.values()),
                "reason": [self.reasons[n] for n in self.roles],
            }
        )

    def transformer(self, *, dense: bool = False, random_state: int | None = 0) -> ColumnTransformer:
        """A ``ColumnTransformer`` that turns the used columns into numeric features.

        Parameters
        ----------
        dense : bool, default False
            Force a dense output (for models that refuse sparse input); otherwise the output is
            sparse when most of it is zeros (one-hot, TF-IDF).
        random_state : int or None
            Seed of the target encoder's cross-fitting folds.

        Raises
        ------
        InvalidParameterError
            If no column is left to use (all identifiers or constants).
        """
        if not self.used:
            raise InvalidParameterError(
                "features must have at least one usable column; every column is an identifier or constant: "
                + "; ".join(self.notices)
            )
        parts: list[tuple[str, Any, Any]] = []
        numeric = self.columns("numeric")
        if numeric:
            parts.append(("numeric", make_pipeline(MedianImputer(), BinaryRangeScaler(), StandardScaler()), numeric))
        dates = self.columns("date")
        if dates:
            date_steps = make_pipeline(
                DateFeatures(self.date_formats), MedianImputer(), BinaryRangeScaler(), StandardScaler()
            )
            parts.append(("date", date_steps, dates))
        categorical = self.columns("categorical")
        if categorical:
            encoder = OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=5, max_categories=50)
            parts.append(
                (
                    "categorical",
                    make_pipeline(FunctionTransformer(_as_categories, feature_names_out="one-to-one"), encoder),
                    categorical,
                )
            )
        high = self.columns("high_cardinality")
        if high:
            target = TargetEncoder(cv=StratifiedKFold(5, shuffle=True, random_state=random_state))
            parts.append(
                (
                    "high_cardinality",
                    make_pipeline(FunctionTransformer(_as_categories, feature_names_out="one-to-one"), target),
                    high,
                )
            )
        for i, name in enumerate(self.columns("text")):
            tfidf = TfidfVectorizer(min_df=2, max_features=20000, sublinear_tf=True)
            # by position: scikit-learn refuses step names holding "__", which column names may hold
            parts.append(
                (f"text_{i}", make_pipeline(FunctionTransformer(_as_text, feature_names_out="one-to-one"), tfidf), name)
            )
        return ColumnTransformer(parts, sparse_threshold=0.0 if dense else 0.3)


def _as_text(column: pd.Series | np.ndarray) -> np.ndarray:
    """Missing text becomes the empty string; input is one column (1-D) for TF-IDF."""
    values = column.to_numpy() if isinstance(column, pd.Series) else np.asarray(column).ravel()
    return np.where(pd.isna(values), "", values).astype(str)


def _as_categories(block: pd.DataFrame | np.ndarray) -> np.ndarray:
    """Categories as strings, missing values as their own category ``"<missing>"``."""
    values = block.to_numpy(dtype=object) if isinstance(block, pd.DataFrame) else np.asarray(block, dtype=object)
    return np.where(pd.isna(values), "<missing>", values.astype(str)).astype(object)


def _best_date_format(strings: pd.Series, candidates: list[str] | None = None) -> tuple[str | None, float]:
    """The format that parses most of ``strings``, with the share it parses: month-first or
    day-first, guessed from the first value, or of ``candidates`` (month-name dates, see
    :mod:`labelwise._month_dates`) the one that parses most of the first ``DATE_SAMPLE`` values."""
    from pandas.tseries.api import guess_datetime_format

    if candidates:
        sample = strings.iloc[:DATE_SAMPLE]
        fmt = max(candidates, key=lambda f: float(to_datetime(sample, f).notna().mean()))  # first of ties
        return fmt, float(to_datetime(strings, fmt).notna().mean())
    first = str(strings.iloc[0])
    best: tuple[str | None, float] = (None, -1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        guesses = [guess_datetime_format(first), guess_datetime_format(first, dayfirst=True)]
    for fmt in dict.fromkeys(guesses):
        share = float(to_datetime(strings, fmt).notna().mean())
        if share > best[1]:
            best = (fmt, share)
    return best


def date_shape(sample: pd.Series) -> tuple[float, list[str] | None]:
    """The share of ``sample`` (a string column's first ``DATE_SAMPLE`` values) shaped like dates,
    and the month-name formats to try when month names make the shape (else None)."""
    numeric_shaped = sample.str.match(_DATE_LIKE)
    date_shaped, candidates = float(numeric_shaped.mean()), None
    month_shaped = month_date_shaped(sample) if date_shaped < DATE_LIKE_MIN else None
    if month_shaped is not None and month_shaped.any():  # month names: numeric or month shapes count
        date_shaped, candidates = float((month_shaped | numeric_shaped).mean()), month_date_formats(sample)
    return date_shaped, candidates


def _string_role(name: str, col: pd.Series, values: pd.Series, n_distinct: int) -> tuple[str, str, str | None]:
    """Role, reason and date format of a column of strings (or mixed objects). A date column that
    does not parse (``DATE_LIKE_MIN`` date-shaped) is text, high-cardinality or categorical (never
    dropped as an identifier), and its reason says which."""
    strings = values.astype(str)
    date_shaped, candidates = date_shape(strings.iloc[:DATE_SAMPLE])
    words = strings.str.split().str.len()
    mean_words = float(words.mean())
    if date_shaped >= DATE_LIKE_MIN:
        fmt, share = _best_date_format(strings, candidates)
        if date_shaped >= DATE_MIN_PARSED and share >= DATE_MIN_PARSED:
            how = f"format {fmt}" if fmt else "pandas' parser"
            return "date", f"strings parse as dates ({how}, {share:.0%} of values)", fmt
        fallback = "text" if mean_words >= TEXT_MIN_WORDS else _categorical_role(n_distinct)
        how = {"high_cardinality": " (target-encoded)", "categorical": " (one-hot)"}.get(fallback, " (TF-IDF)")
        why = f"looks like dates but does not parse with one format ({share:.0%} parsed, under {DATE_MIN_PARSED:.0%})"
        return fallback, f"{why}; treated as {fallback}{how}", None
    if mean_words >= TEXT_MIN_WORDS:
        if not _words_repeat(strings):  # TF-IDF (min_df=2) would raise in every model family
            return "identifier", "text in which no word occurs in 2 rows: TF-IDF would give no features", None
        return "text", f"strings average {mean_words:.1f} words (>= {TEXT_MIN_WORDS:g})", None
    if n_distinct == len(values) and len(values) >= IDENTIFIER_MIN_ROWS:
        return "identifier", f"all {n_distinct} values are distinct strings", None
    if _categorical_role(n_distinct) == "high_cardinality":
        return "high_cardinality", f"{n_distinct} distinct values (> {HIGH_CARDINALITY}): target-encoded", None
    return "categorical", f"{n_distinct} distinct values", None


def _words_repeat(strings: pd.Series) -> bool:
    """Whether some word (TF-IDF's tokens) occurs in at least 2 of ``strings`` (the first 1,000 first)."""
    for part in (strings.iloc[:1000], strings):
        try:
            CountVectorizer(min_df=2, binary=True).fit(part)
            return True
        except ValueError:  # no word left after pruning (or none at all)
            continue
    return False


def _categorical_role(n_distinct: int) -> str:
    """``high_cardinality`` above ``HIGH_CARDINALITY`` distinct values, else ``categorical``."""
    return "high_cardinality" if n_distinct > HIGH_CARDINALITY else "categorical"


def _column_role(name: str, col: pd.Series) -> tuple[str, str, str | None]:
    values = col.dropna()
    try:
        n_distinct = int(values.nunique())
    except TypeError:  # lists or dicts, e.g. from nested JSON Lines: pandas cannot hash them
        row = first_unhashable_row(col) or 0
        raise InvalidParameterError(
            f"column {str(name)!r} must hold single values (numbers, strings, dates), row {row} holds a "
            f"{type(col.iloc[row]).__name__}: flatten it into columns or drop it"
        ) from None
    if n_distinct <= 1:
        what = "all missing" if values.empty else f"one value ({show(values.iloc[0])})"
        return "constant", what, None
    if pd.api.types.is_bool_dtype(col):
        return "categorical", "booleans", None
    if pd.api.types.is_datetime64_any_dtype(col):
        return "date", "datetime values", None
    if isinstance(col.dtype, pd.CategoricalDtype):
        return _categorical_role(n_distinct), f"categorical dtype with {n_distinct} categories in use", None
    if pd.api.types.is_numeric_dtype(col):
        if pd.api.types.is_integer_dtype(col) and n_distinct == len(col) and is_row_id(_integers(values)):
            return "identifier", ROW_ID_REASON, None
        return "numeric", f"numbers ({col.dtype})", None
    return _string_role(name, col, values, n_distinct)


def _integers(values: pd.Series) -> np.ndarray:
    """An integer column (numpy or nullable, no missing values) as a numpy integer array."""
    arr = values.to_numpy()
    return values.to_numpy(dtype=np.int64) if arr.dtype.kind == "O" else arr


def infer_column_roles(frame: pd.DataFrame) -> ColumnRoles:
    """Give every column of ``frame`` a role (numeric, categorical, high_cardinality, text, date,
    identifier, constant) and the reason for it.

    Parameters
    ----------
    frame : DataFrame
        The feature columns (not the label).

    Returns
    -------
    ColumnRoles

    Raises
    ------
    InvalidParameterError
        If ``frame`` is not a DataFrame or its column names are not unique.

    Examples
    --------
    >>> import pandas as pd
    >>> roles = infer_column_roles(pd.DataFrame({"id": range(30), "x": [0.5, 1.5] * 15, "day": ["2024-01-02"] * 29 + ["2024-03-04"]}))
    >>> roles.roles
    {'id': 'identifier', 'x': 'numeric', 'day': 'date'}
    """
    if not isinstance(frame, pd.DataFrame):
        raise InvalidParameterError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    if frame.columns.has_duplicates:
        dupes = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        raise InvalidParameterError(f"frame must have unique column names, got duplicates {dupes}")
    roles: dict[str, str] = {}
    reasons: dict[str, str] = {}
    formats: dict[str, str | None] = {}
    for name in frame.columns:
        role, reason, fmt = _column_role(name, frame[name])
        roles[name], reasons[name] = role, reason
        if role == "date" and not pd.api.types.is_datetime64_any_dtype(frame[name]):
            formats[name] = fmt
    return ColumnRoles(roles=roles, reasons=reasons, date_formats=formats)
