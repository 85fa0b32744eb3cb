"""The data checks' table encoder, fitted on a table's statistics (:mod:`._table_stats`).

One ``ColumnTransformer`` (see :mod:`labelwise.checks._table_features` for what it makes of each
column) is fitted here on the statistics alone: a table in memory and a dask DataFrame of any
partitioning give the same statistics, hence the same encoder, and each row block is then encoded
by it (:meth:`TableEncoding.encode`). The encoder's steps learn little: a date column its earliest
date, a column of categories its categories and their counts (which are grouped as ``infrequent``).
So they are fitted on a small stand-in table that holds those and nothing else
(:func:`_stand_in`): the earliest date, and each category repeated as often as
:func:`rule_counts` says, counts as small as keep the encoder's grouping rule (which reads only
their order, their ties and which fall under ``MIN_FREQUENCY``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer

from .._column_transformers import DateFeatures, MissingOneHot
from ..columns import TEXT_MIN_WORDS
from ..errors import InvalidParameterError
from ._table_stats import TableStats, is_category_dtype, is_date_dtype, is_number_dtype

#: At most this many indicators per categorical column (the least frequent categories grouped).
MAX_ONE_HOT = 50
#: A category seen in fewer rows joins the column's ``infrequent`` indicator.
MIN_FREQUENCY = 2


@dataclass(frozen=True)
class TableEncoding:
    """A fitted encoding of a table's columns.

    Attributes
    ----------
    kinds : dict
        ``numeric`` (numbers and booleans), ``date`` and ``categorical``: the column names of each.
    typed : frozenset
        The categorical columns whose values are written with their type's name (``int:1``,
        ``str:1``): two of their values read the same otherwise.
    encoder : ColumnTransformer
        Fitted; reads :meth:`cells`' table.
    """

    kinds: dict[str, list[Any]]
    typed: frozenset[Any]
    encoder: ColumnTransformer

    @property
    def names(self) -> tuple[str, ...]:
        """The name of each feature (``country_FR``, ``day_year``, ``price``)."""
        return tuple(str(n) for n in self.encoder.get_feature_names_out())

    def record(self) -> dict[str, Any]:
        """``{"numeric": [...], "date": [...], "categorical": {column: indicators}}``."""
        one_hot = [self.encoder.named_transformers_[f"categorical{i}"] for i in range(len(self.kinds["categorical"]))]
        return {
            "numeric": [str(c) for c in self.kinds["numeric"]],
            "date": [str(c) for c in self.kinds["date"]],
            "categorical": {
                str(c): len(t.get_feature_names_out()) for c, t in zip(self.kinds["categorical"], one_hot, strict=True)
            },
        }

    def cells(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame``'s columns as the encoder reads them (numbers as floats, NaN for missing;
        categories as strings, None for missing)."""
        table = pd.DataFrame(
            {str(c): _cells(frame[c], kind, c in self.typed) for kind, cols in self.kinds.items() for c in cols},
            index=frame.index,
        )
        return table

    def encode(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray | None]:
        """The features of ``frame``'s rows (floats, NaN where a cell is missing) and the
        categorical columns' values as codes (each value's place among the column's categories,
        -1 for missing; None without such columns): exact duplicates compare them."""
        table = self.cells(frame)
        X = np.ascontiguousarray(self.encoder.transform(table), dtype=np.float64)
        if not self.kinds["categorical"]:
            return X, None
        keys = [
            pd.Index(self.encoder.named_transformers_[f"categorical{i}"].categories_).get_indexer(table[str(c)])
            for i, c in enumerate(self.kinds["categorical"])
        ]
        return X, np.column_stack(keys).astype(np.int64)


def fit_encoding(stats: TableStats, dtypes: pd.Series) -> TableEncoding:
    """The encoding of a table with columns of ``dtypes`` and statistics ``stats``.

    Raises
    ------
    InvalidParameterError
        A column with no value, a timedelta column, a column whose cells are lists or other
        containers, or free text: the first such column named.
    """
    kinds: dict[str, list[Any]] = {"numeric": [], "date": [], "categorical": []}
    for name, dtype in dtypes.items():
        _check_present(stats, name)
        if is_number_dtype(dtype) or stats.booleans.get(name, False):
            kinds["numeric"].append(name)
        elif is_date_dtype(dtype):
            kinds["date"].append(name)
        elif not is_category_dtype(dtype):
            raise InvalidParameterError(
                f"features column {str(name)!r} must hold numbers, categories or dates, got durations "
                f"({dtype}): pass it as numbers, e.g. frame[{str(name)!r}].dt.total_seconds()"
            )
        else:
            _check_categories(stats, name)
            kinds["categorical"].append(name)
    typed = frozenset(c for c in kinds["categorical"] if _needs_types(stats.counts[c]))
    parts: list[tuple[str, Any, Any]] = []
    if kinds["numeric"]:
        parts.append(("numeric", "passthrough", [str(c) for c in kinds["numeric"]]))
    if kinds["date"]:
        parts.append(("date", DateFeatures(), [str(c) for c in kinds["date"]]))
    for i, name in enumerate(kinds["categorical"]):  # by position: a column name may hold "__"
        parts.append((f"categorical{i}", MissingOneHot(MIN_FREQUENCY, MAX_ONE_HOT), [str(name)]))
    encoder = ColumnTransformer(parts, sparse_threshold=0.0, verbose_feature_names_out=False)
    encoder.fit(_stand_in(stats, kinds, typed))
    return TableEncoding(kinds=kinds, typed=typed, encoder=encoder)


def category_counts(by_kind: dict[str, pd.Series], typed: bool) -> pd.Series:
    """A column's categories (as the encoder reads them) and their rows."""
    parts = [
        pd.Series(c.to_numpy(), index=[f"{kind}:{v}" for v in c.index] if typed else c.index, dtype=np.int64)
        for kind, c in by_kind.items()
    ]
    counts = pd.concat(parts) if parts else pd.Series(dtype=np.int64)
    return counts[counts > 0]


def rule_counts(counts: np.ndarray, min_frequency: int = MIN_FREQUENCY) -> np.ndarray:
    """``counts`` made as small as they can be while the one-hot encoder's grouping reads them the
    same: the same order and ties, and the same counts under ``min_frequency`` (scikit-learn's
    ``_identify_infrequent`` compares counts with ``min_frequency`` and sorts them, stably)."""
    levels, rank = np.unique(counts, return_inverse=True)
    small = levels < min_frequency
    kept = np.where(small, levels, min_frequency + np.cumsum(~small) - 1)
    return kept[rank].astype(np.int64)


def _stand_in(stats: TableStats, kinds: dict[str, list[Any]], typed: frozenset[Any]) -> pd.DataFrame:
    """A table whose fit gives the encoder the statistics' fit: each column's earliest date, each
    category repeated :func:`rule_counts` times, every other cell missing."""
    columns: dict[str, Any] = {}
    for name in kinds["categorical"]:
        counts = category_counts(stats.counts[name], name in typed)
        columns[str(name)] = np.repeat(counts.index.to_numpy(dtype=object), rule_counts(counts.to_numpy()))
    rows = max([1, *(len(v) for v in columns.values())])
    frame = {str(c): np.full(rows, np.nan) for c in kinds["numeric"]}
    frame |= {str(c): pd.Series([stats.earliest[c]] + [pd.NaT] * (rows - 1)) for c in kinds["date"]}
    for name, values in columns.items():
        frame[name] = np.concatenate([values, np.full(rows - len(values), None, dtype=object)])
    return pd.DataFrame(frame)


def _needs_types(by_kind: dict[str, pd.Series]) -> bool:
    """Whether two values of different types read the same (``1`` and ``"1"``)."""
    if len(by_kind) < 2:
        return False
    texts = pd.concat([pd.Series(c.index[c.to_numpy() > 0]) for c in by_kind.values()])
    return bool(texts.duplicated().any())


def _check_present(stats: TableStats, name: Any) -> None:
    if not stats.present.get(name, 0):
        raise InvalidParameterError(
            f"features column {str(name)!r} must hold values, got every one of its {stats.rows} cells "
            "missing: drop the column"
        )


def _check_categories(stats: TableStats, name: Any) -> None:
    """Refuse a column of containers (lists, dicts) or of free text, naming it."""
    if name in stats.unhashable:
        row, kind, shown = stats.unhashable[name]
        raise InvalidParameterError(
            f"features column {str(name)!r} must hold single values (numbers, categories, dates), got a "
            f"{kind} at row {row} ({shown}): flatten it into columns or drop it"
        )
    counts = stats.counts[name].get("str")  # the words of each distinct string, weighted by its rows
    if counts is not None and int(counts.sum()):
        words = float(np.dot([len(v.split()) for v in counts.index], counts.to_numpy()) / counts.sum())
        if words >= TEXT_MIN_WORDS:
            raise InvalidParameterError(
                f"features column {str(name)!r} must hold numbers, categories or dates, got free text "
                f"({words:.1f} words a cell on average, >= {TEXT_MIN_WORDS:g}): pass it as texts "
                f"(find_data_issues(features.drop(columns=[{str(name)!r}]), texts=features[[{str(name)!r}]]): "
                "exact and near-duplicate texts), or embed it and pass the embedding as features"
            )


def _cells(col: pd.Series, kind: str, typed: bool) -> pd.Series:
    """A column as its encoder reads it: numbers (and booleans) as floats, NaN for missing;
    categories as strings (``type:value`` when ``typed``), None for missing."""
    if kind == "numeric":
        return pd.Series(col.to_numpy(dtype=np.float64, na_value=np.nan), index=col.index)
    if kind == "date":
        return col
    values = col.astype(object).to_numpy()
    missing = np.asarray(pd.isna(values), dtype=bool)
    present = values[~missing]
    if typed:
        text = np.array([f"{'str' if isinstance(v, str) else type(v).__name__}:{v}" for v in present], dtype=object)
    elif all(isinstance(v, str) for v in present):
        text = present
    else:
        text = np.array([str(v) for v in present], dtype=object)
    out = np.full(values.shape[0], None, dtype=object)
    out[~missing] = text
    return pd.Series(out, index=col.index, dtype=object)
