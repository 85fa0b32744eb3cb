"""The reviewed labels written into the label column in the column's own dtype.

A relabel arrives as a JSON value (str, int, float or bool, :mod:`labelwise.review.store`). Put
into the column as Python objects, a pandas Categorical became strings and an ``int32`` or
nullable ``Int64`` column became ``int64``, so the cleaned Parquet file read back with another
dtype than the data had. Here the column keeps its dtype whenever every new label is a value of
it: a categorical keeps its categories (in their order, ordered or not), integers stay integers of
their width, booleans stay booleans, pandas strings stay strings. Two cases cannot keep it, and a
:class:`~labelwise.errors.LabelwiseWarning` says which:

- a categorical relabelled to a value that is none of its categories: the value is added as a new
  category, after the others (a categorical cannot hold a value outside its categories, and
  refusing would leave a reviewed relabel unexported); a number among text categories is added as
  its text, a whole-number text among integer categories as its integer, so that ``1`` and ``"1"``
  are one category whichever came first;
- a new label of another type than the column's (a text in an integer column, ``2.5`` among
  integers, ``True`` among integer categories, which no categorical can hold beside ``1``): the
  column becomes the type pandas infers for its values, as before.

The export of a task audit (:mod:`labelwise.review.task_export`) relabels nothing, but it writes
the label column of the data it read back, so :func:`labels_as_written` reads that column as the
file holds it: a Parquet column keeps its type; a JSON value keeps its JSON type (a string stays a
string, ``4.0`` stays a float); a CSV cell, which has no type, is read as text and made a number
only where that loses nothing (:func:`~labelwise.io._text_ids.numbers_unless_merged`: ``"01"``
stays ``"01"``). Integers with missing cells become pandas' nullable ``Int64``, not floats: a
multi-label column of one digit tag per row, some rows without a tag, is written back ``0``, not
``0.0`` (another tag).
"""

from __future__ import annotations

import json
import numbers
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._caller import warn_at_caller
from .._validate.arguments import is_number
from ..errors import LabelwiseWarning
from ..io._text_ids import numbers_unless_merged
from ..io.delimiter import CSV_SUFFIXES, csv_delimiter
from ..io.na_values import NaValues, check_na_values, csv_na_options
from ..io.plain_text import plain_text, table_suffix
from ..io.tables import iter_json_lines


class LabelTypeWarning(LabelwiseWarning):
    """The warning that a relabel changed the label column's type (a :class:`LabelwiseWarning`), told apart so
    that a Parquet export can say it in one warning with what it writes (:mod:`labelwise.review._label_text`)."""


def relabelled_column(column: pd.Series, rows: np.ndarray, labels: np.ndarray) -> pd.Series:
    """``column`` with the values at positions ``rows`` replaced by ``labels``, in ``column``'s dtype
    when every label is a value of it (see the module's docstring for the two cases that warn)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return _categorical(column, rows, labels)
    values = column.to_numpy(dtype=object).copy()
    values[rows] = labels
    plain = pd.Series(values, index=column.index, name=column.name)
    if column.dtype == object or all(_fits(column.dtype, v) for v in labels):
        return plain.infer_objects() if column.dtype == object else plain.astype(column.dtype)
    return _inferred(column, plain, next(v for v in labels if not _fits(column.dtype, v)))


def class_of(classes: list[Any], label: Any) -> Any:
    """The class of ``classes`` that ``label`` stands for, or None when it names none.

    The class itself; a number equal to a numeric class (the review page's JSON writes the class
    ``2.0`` as ``2``, which came back as an integer); or a class's text form (``"2"`` for ``2``).
    A boolean stands only for a boolean class (``True == 1``).
    """
    for c in classes:
        if type(c) is type(label) and c == label:
            return c
    if is_number(label):
        for c in classes:
            if is_number(c) and c == label:
                return c
    if isinstance(label, str | numbers.Number) and not _is_bool(label):
        return {str(c): c for c in classes}.get(str(label))
    return None


def _inferred(column: pd.Series, plain: pd.Series, first: Any) -> pd.Series:
    """``plain`` (the relabelled values as objects) in the type pandas infers, with the warning that
    ``column``'s dtype could not hold the label ``first``."""
    changed = plain.infer_objects()
    warn_at_caller(
        LabelTypeWarning(
            f"the label column {column.name!r} was {column.dtype} and the review relabelled a row to {first!r}, "
            f"which is not a value of that type: the cleaned column is {changed.dtype}"
        )
    )
    return changed


def _fits(dtype: Any, value: Any) -> bool:
    """Whether ``value`` (a JSON scalar) is a value of ``dtype`` as it is, nothing lost."""
    if pd.api.types.is_bool_dtype(dtype):
        return isinstance(value, bool | np.bool_)
    if isinstance(value, bool | np.bool_):
        return False
    if pd.api.types.is_integer_dtype(dtype):
        whole = isinstance(value, numbers.Integral) or (isinstance(value, float) and value.is_integer())
        if not whole:
            return False
        info = np.iinfo(np.dtype(dtype.numpy_dtype if hasattr(dtype, "numpy_dtype") else dtype))
        return info.min <= int(value) <= info.max
    if pd.api.types.is_float_dtype(dtype):
        return isinstance(value, numbers.Real)
    if pd.api.types.is_string_dtype(dtype):
        return isinstance(value, str)
    return False


def _categorical(column: pd.Series, rows: np.ndarray, labels: np.ndarray) -> pd.Series:
    """A categorical column relabelled: a label equal to a category (or, for a label that came back
    from JSON as text, to its text) takes that category; other labels are added as new categories."""
    categories = column.cat.categories
    matched, new = _matched(categories, labels)
    try:
        result = column.cat.set_categories(_appended(categories, new)) if new else column.copy()
    except ValueError:  # a label equal to a category of another type (True beside 1): no categorical holds both
        values = column.to_numpy(dtype=object).copy()
        values[rows] = labels
        return _inferred(column, pd.Series(values, index=column.index, name=column.name), new[0])
    if new:
        warn_at_caller(
            LabelwiseWarning(
                f"the review relabelled rows of the categorical label column {column.name!r} to "
                f"{new[:5]!r}, which {'is' if len(new) == 1 else 'are'} not among its categories: added as new "
                "categories after the others"
            )
        )
    values = result.to_numpy(dtype=object).copy()
    values[rows] = matched
    return pd.Series(pd.Categorical(values, dtype=result.dtype), index=column.index, name=column.name)


_CANONICAL_INT = r"0|-?[1-9][0-9]*"


def labels_as_written(
    path: str | os.PathLike, data: pd.DataFrame, label: str, *, na_values: NaValues = None
) -> pd.Series:
    """The ``label`` column of the table ``data`` read from ``path``, typed as the file holds it
    (see the module's docstring): the column to write back in a cleaned copy of the table. A CSV
    cell is missing as ``na_values`` says (:func:`labelwise.io.read_table`; the audit's setting)."""
    suffix = table_suffix(path)
    if suffix in (".parquet", ".pq"):
        return data[label]
    path = plain_text(path)  # a compressed or UTF-16 file: its decoded copy
    if suffix in CSV_SUFFIXES:
        sep = csv_delimiter(path)
        na = csv_na_options(check_na_values(na_values))
        raw = pd.read_csv(path, sep=sep, usecols=[label], dtype=str, index_col=False, **na)
        raw = raw[label]
        raw = raw.str.strip()  # blanks around a value are layout, as the audit read it
        values = numbers_unless_merged(raw)
        whole = bool(raw.dropna().str.fullmatch(_CANONICAL_INT).all())
    else:  # parsed here: pandas' JSON reader makes 3 a float beside a null, even as objects
        with open(path, encoding="utf-8-sig") as fh:
            text = fh.read()
        records = json.loads(text) if text.lstrip().startswith("[") else [obj for _, obj in iter_json_lines(Path(path))]
        raw = pd.Series([obj.get(label) for obj in records], dtype=object)
        values = raw.infer_objects()
        whole = all(isinstance(v, numbers.Integral) and not isinstance(v, bool | np.bool_) for v in raw.dropna())
    if whole and values.isna().any() and values.notna().any():
        values = pd.Series(pd.array(values.to_numpy(dtype=object), dtype="Int64"))
    return values.set_axis(data.index).rename(label)


def _matched(categories: pd.Index, labels: np.ndarray) -> tuple[list[Any], list[Any]]:
    """Each label's category, and the new categories in the order first given. A label matches a
    category equal to it or, failing that, one with its text, a new category given before it
    included (``"1"`` then ``1`` is one new category, as when given in two reviews)."""
    by_text = {str(c): c for c in categories}
    kind = pd.api.types.infer_dtype(categories, skipna=True)
    added: dict[Any, Any] = {}
    matched = []
    for value in (_in_kind(v, kind) for v in labels):
        if _has(categories, value) or _has(pd.Index(list(added), dtype=object), value):
            matched.append(added.get(value, value))
            continue
        found = by_text.get(str(value))
        if found is None:
            found = added[value] = by_text[str(value)] = value
        matched.append(found)
    return matched, list(added)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool | np.bool_)


def _has(categories: pd.Index, value: Any) -> bool:
    """Whether ``value`` is one of ``categories``: equal, and a boolean only to a boolean (``True ==
    1``, so among object categories ``True`` took the category ``1``; among integer ones it did not)."""
    if value not in categories:
        return False
    return any(c == value and _is_bool(c) == _is_bool(value) for c in categories)


def _in_kind(value: Any, kind: str) -> Any:
    """A new label in the type of the categories where its text says the same: a number among text
    categories becomes its text, a whole-number text among integer categories its integer. Without
    this, ``1`` and ``"1"`` made whichever came first the new category, so the order of the
    relabels (or of two reviews) decided the column."""
    if kind == "string" and is_number(value):
        return str(value)
    if kind == "integer" and isinstance(value, str) and re.fullmatch(_CANONICAL_INT, value):
        return int(value)
    return value


def _appended(categories: pd.Index, new: list[Any]) -> pd.Index:
    """``categories`` and then ``new``, the old categories as they were: appending ``0.5`` to integer
    categories made them floats (``3`` read back as ``3.0``, and a later relabel given as the text
    ``"3"`` no longer matched it), so a mix of types is kept as objects."""
    combined = categories.append(pd.Index(new, dtype=object)).infer_objects()
    return combined if combined.dtype == categories.dtype else pd.Index([*categories, *new], dtype=object)
