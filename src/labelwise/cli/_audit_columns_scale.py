"""The roles of DATA's columns at scale, as ``labelwise audit`` gives them in memory, from their statistics.

In memory the audit reads every column by :func:`labelwise.columns.infer_column_roles` and hands the
checks a table of the columns it keeps (``cli._audit_checks.table_features``: numbers and booleans,
dates, categories of at most ``MAX_ONE_HOT`` values as strings; free text and many-valued categories
compared as written by ``exact_duplicate``; identifiers and constants dropped). On a dask DataFrame the
same roles are found from the statistics of the partitions added up
(:mod:`labelwise.checks._table_stats`: each category's count, each integer column's order, the first
values of a string column), so they do not depend on the partitioning; :func:`prepared` then makes each
partition the table the in-memory audit hands the checks, row by row.

Booleans: Dask's ``dataframe.convert-string`` writes a column of ``True``/``False`` objects as the
strings ``"True"``/``"False"`` (``dd.from_pandas(...).to_parquet(...)``), which a CSV reader reads
back as booleans. A column of strings whose values are only those two is read here as booleans too
(:data:`BOOLEAN_TEXTS`): one 0/1 feature, as in memory, not two indicators.

Where the rules differ from memory (the statistics hold less than the column): a string column is a
date when its first ``DATE_SAMPLE`` values are shaped like dates and parse with one format (in memory
95% of the whole column must parse), and free text is never an identifier (in memory, text in which no
word repeats is one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._heavy import pandas as pd

#: The strings a boolean becomes under Dask's ``convert-string`` (``str(True)``), read back as booleans.
BOOLEAN_TEXTS = {"True": True, "False": False}


@dataclass
class ColumnPlan:
    """What the audit makes of each column of DATA (the label and the split left out).

    Attributes
    ----------
    roles : ColumnRoles
        As ``infer_column_roles`` gives them (for ``summary.json`` and ``identifier_column``).
    numeric, booleans, dates, categorical, texts : list
        The columns of each kind, in the table's order: numbers, booleans (one 0/1 feature each),
        dates (with ``formats`` for strings), one-hot categories, and the columns compared as written.
    """

    roles: Any
    numeric: list[str] = field(default_factory=list)
    booleans: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    categorical: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    formats: dict[str, str | None] = field(default_factory=dict)

    def feature_columns(self) -> dict[str, list[str]]:
        """``summary.json``'s ``data_checks.feature_columns``, as the in-memory audit writes it."""
        numeric = [c for c in self.roles.roles if c in self.numeric or c in self.booleans]
        return {"numeric": numeric, "date": self.dates, "categorical": self.categorical, "text": self.texts}

    def used(self) -> list[str]:
        return [c for cols in self.feature_columns().values() for c in cols]


def column_plan(stats: Any, dtypes: Any) -> ColumnPlan:
    """The roles of the columns ``dtypes`` (a table's, in order) from the whole table's ``stats``."""
    from ..columns import ColumnRoles

    roles: dict[str, str] = {}
    reasons: dict[str, str] = {}
    plan = ColumnPlan(roles=None)
    for name, dtype in dtypes.items():
        role, why, fmt = _role(stats, name, dtype)
        roles[name], reasons[name] = role, why
        if role == "categorical" and _booleans(stats, name, dtype):
            plan.booleans.append(name)
        elif role in ("numeric", "date", "categorical"):
            {"numeric": plan.numeric, "date": plan.dates, "categorical": plan.categorical}[role].append(name)
        elif role in ("text", "high_cardinality"):
            plan.texts.append(name)
        if role == "date" and fmt != "dtype":
            plan.formats[name] = fmt
    plan.roles = ColumnRoles(roles=roles, reasons=reasons, date_formats=dict(plan.formats))
    return plan


def _booleans(stats: Any, name: Any, dtype: Any) -> bool:
    """A boolean dtype, objects that are all booleans, or strings that are all ``True``/``False``."""
    if pd.api.types.is_bool_dtype(dtype) or stats.booleans.get(name, False):
        return True
    counts = stats.counts.get(name)
    return counts is not None and set(counts) == {"str"} and set(counts["str"].index) <= set(BOOLEAN_TEXTS)


def _distinct(stats: Any, name: Any) -> int:
    counts = stats.counts.get(name)
    if counts is not None:
        return sum(int((c > 0).sum()) for c in counts.values())
    if name not in stats.low:
        return 0
    return 1 if stats.low[name] == stats.high[name] else 2  # numbers: only "one value or more" is read


def _role(stats: Any, name: Any, dtype: Any) -> tuple[str, str, str | None]:
    """``(role, reason, date format)``, by ``infer_column_roles``' rules (``fmt`` ``"dtype"``: a datetime
    column)."""
    from .._column_order import IDENTIFIER_MIN_ROWS, ROW_ID_REASON
    from .._validate.arguments import show
    from ..checks._table_stats import is_date_dtype
    from ..columns import HIGH_CARDINALITY

    n_distinct = _distinct(stats, name)
    if n_distinct <= 1:
        return "constant", f"one value ({show(stats.first[name])})" if name in stats.first else "all missing", None
    if pd.api.types.is_bool_dtype(dtype):  # objects that are booleans are strings to infer_column_roles
        return "categorical", "booleans", None
    if is_date_dtype(dtype):
        return "date", "datetime values", "dtype"
    if isinstance(dtype, pd.CategoricalDtype):
        many = n_distinct > HIGH_CARDINALITY
        why = f"categorical dtype with {n_distinct} categories in use"
        return ("high_cardinality" if many else "categorical"), why, None
    if pd.api.types.is_numeric_dtype(dtype):
        order = stats.order.get(name)
        row_id = order is not None and order.n >= IDENTIFIER_MIN_ROWS  # None: a cell is missing
        if pd.api.types.is_integer_dtype(dtype) and row_id and bool(order.increasing[0] | order.decreasing[0]):
            return "identifier", ROW_ID_REASON, None
        return "numeric", f"numbers ({dtype})", None
    return _string_role(stats, name, n_distinct)


def _string_role(stats: Any, name: Any, n_distinct: int) -> tuple[str, str, str | None]:
    """A column of strings: a date, text, an identifier, many-valued or a category (``_string_role``'s order)."""
    from .._column_order import IDENTIFIER_MIN_ROWS
    from ..columns import DATE_LIKE_MIN, DATE_MIN_PARSED, HIGH_CARDINALITY, TEXT_MIN_WORDS, date_shape

    counts = pd.concat(list(stats.counts[name].values()))
    words = np.array([len(str(v).split()) for v in counts.index], dtype=np.float64)
    mean_words = float((words * counts.to_numpy()).sum() / max(1, counts.sum()))
    many = "high_cardinality" if n_distinct > HIGH_CARDINALITY else "categorical"
    head = stats.head.get(name)
    shaped, candidates = date_shape(head) if head is not None else (0.0, None)
    if shaped >= DATE_LIKE_MIN:
        from ..columns import _best_date_format

        fmt, share = _best_date_format(head, candidates)
        if shaped >= DATE_MIN_PARSED and share >= DATE_MIN_PARSED:
            how = f"format {fmt}" if fmt else "pandas' parser"
            return "date", f"strings parse as dates ({how}, {share:.0%} of the first values)", fmt
        fallback = "text" if mean_words >= TEXT_MIN_WORDS else many
        return fallback, f"looks like dates but does not parse with one format; treated as {fallback}", None
    if mean_words >= TEXT_MIN_WORDS:
        if not _words_repeat(counts):  # TF-IDF (min_df=2) would raise in every model family
            return "identifier", "text in which no word occurs in 2 rows: TF-IDF would give no features", None
        return "text", f"strings average {mean_words:.1f} words (>= {TEXT_MIN_WORDS:g})", None
    if n_distinct == stats.present[name] and n_distinct >= IDENTIFIER_MIN_ROWS:
        return "identifier", f"all {n_distinct} values are distinct strings", None
    if many == "high_cardinality":
        return many, f"{n_distinct} distinct values (> {HIGH_CARDINALITY}): target-encoded", None
    return "categorical", f"{n_distinct} distinct values", None


def _words_repeat(counts: Any) -> bool:
    """Whether some word (TF-IDF's tokens) occurs in at least 2 rows, from the count of each distinct value:
    ``infer_column_roles``' test (a ``CountVectorizer`` with ``min_df=2`` fits), without the rows."""
    from sklearn.feature_extraction.text import CountVectorizer

    try:
        words = CountVectorizer(binary=True).fit_transform([str(v) for v in counts.index])
    except ValueError:  # no word at all
        return False
    return bool((words.T @ counts.to_numpy(dtype=np.int64) >= 2).any())


def prepared(part: Any, plan: ColumnPlan) -> Any:
    """One partition as the table the in-memory audit hands the checks: numbers as floats, booleans
    (nullable ``boolean``: Dask keeps the dtype, where it would make objects strings), dates parsed,
    categories as strings; in the in-memory order (numbers and booleans, dates, categories)."""
    from ..columns import to_datetime

    parts: dict[str, Any] = {}
    for name in plan.feature_columns()["numeric"]:
        col = part[name]
        if name in plan.booleans:
            values = col.astype(object).map(lambda v: BOOLEAN_TEXTS.get(v, v) if isinstance(v, str) else v)
            parts[name] = values.astype("boolean")
        else:
            parts[name] = pd.to_numeric(col, errors="coerce").astype(float)
    for name in plan.dates:
        parts[name] = to_datetime(part[name], plan.formats.get(name))
    for name in plan.categorical:
        parts[name] = part[name].astype("string")
    return pd.DataFrame(parts, index=part.index)
