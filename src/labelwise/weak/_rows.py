"""The rows a row function receives: named tuples that are also read by column name.

``frame.itertuples()`` gives ``row.text``, but a column whose name is not a Python identifier
(``"the text"``, ``"2nd"``) comes as ``row._1``, and ``row["text"]``, the Snorkel way (its rows are
pandas Series), raised ``TypeError: tuple indices must be integers``. These rows keep the named
tuple (attributes, positions, unpacking) and add the column names as keys, at the same cost per row.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator
from typing import Any

import pandas as pd

#: Attributes of a pandas Series or DataFrame that a row's values lack: a row function reading one was
#: written for the whole frame (``df.text.str.contains(...)``) and needs ``vectorized=True``.
FRAME_ATTRIBUTES = frozenset(
    {
        "str",
        "dt",
        "map",
        "apply",
        "isin",
        "loc",
        "iloc",
        "to_numpy",
        "values",
        "where",
        "mask",
        "between",
        "fillna",
        "astype",
        "any",
        "all",
        "shape",
        "columns",
        "index",
        "notna",
        "isna",
        "eq",
        "ne",
        "lt",
        "gt",
        "le",
        "ge",
    }
)


def row_type(columns: pd.Index) -> Any:
    """A named tuple class over ``columns`` whose ``row[name]`` reads the column ``name`` (integers and
    slices index by position, as a tuple's)."""
    base = namedtuple("Row", [str(c) for c in columns], rename=True)  # type: ignore[misc]
    position: dict[Any, int] = {}
    for i, column in enumerate(columns):
        position.setdefault(column, i)
        position.setdefault(str(column), i)
    names = [str(c) for c in columns]

    def __getitem__(self: tuple, key: Any) -> Any:
        if isinstance(key, (int, slice)):
            return tuple.__getitem__(self, key)
        try:
            return tuple.__getitem__(self, position[key])
        except (KeyError, TypeError):
            raise KeyError(f"{key!r} is not a column of the row; its columns are {names[:30]}") from None

    return type("Row", (base,), {"__slots__": (), "__getitem__": __getitem__})


def iter_rows(frame: pd.DataFrame) -> Iterator[Any]:
    """The rows of ``frame`` as :func:`row_type` tuples, in order."""
    return map(row_type(frame.columns)._make, frame.itertuples(index=False, name=None))


def attribute_hint(exc: AttributeError, row: Any, columns: pd.Index) -> str:
    """What a row function can read, for the AttributeError ``exc`` it raised on ``row``: the row's fields,
    the columns that :meth:`pandas.DataFrame.itertuples` gave by position (names that are not Python
    identifiers), and ``vectorized=True`` when the attribute is one of a pandas frame's or column's
    (:data:`FRAME_ATTRIBUTES`) that the row lacks."""
    fields = list(getattr(row, "_fields", ()))
    renamed = [f"{str(c)!r} is row.{f}" for c, f in zip(columns, fields, strict=False) if str(c) != f]
    where = f"; columns that are not Python names come by position: {', '.join(renamed)}" if renamed else ""
    name = getattr(exc, "name", None)
    frame = (
        f"; .{name} is a pandas frame's or column's: a function of the whole DataFrame needs vectorized=True"
        if name in FRAME_ATTRIBUTES and name not in fields
        else ""
    )
    return f" (a row's fields are {fields}{where}{frame})"


def _is_missing(value: Any) -> bool:
    """A scalar missing value: None, NaN, ``pd.NA`` (Dask's text) or ``NaT``."""
    try:
        return bool(pd.api.types.is_scalar(value) and pd.isna(value)) or value is None
    except (TypeError, ValueError):
        return False


def missing_hint(exc: Exception, row: Any) -> str:
    """For a TypeError or AttributeError that a row function raised on a row with missing values (a blank
    cell read as NaN: ``"http" in row.text`` raises ``argument of type 'float' is not iterable``,
    ``row.text.lower()`` ``'float' object has no attribute 'lower'``): which fields are missing and the fix.
    ``""`` for another error, a row without missing values, or an AttributeError of a value that is there."""
    if not isinstance(exc, (TypeError, AttributeError)):
        return ""
    fields = list(getattr(row, "_fields", ()))
    missing = [(name, value) for name, value in zip(fields, row, strict=False) if _is_missing(value)]
    if not missing or (isinstance(exc, AttributeError) and not _is_missing(getattr(exc, "obj", None))):
        return ""
    shown = ", ".join(f"row.{name} is {value!r}" for name, value in missing[:5])
    return (
        f" ({shown}: a missing value; test pd.isna(row.{missing[0][0]}) first, or fill the column, "
        "e.g. df.fillna({'" + missing[0][0] + "': ''}))"
    )


def setting_hint(exc: Exception, row: Any) -> str:
    """For a row preprocessor that set a field on its row, as Snorkel's do (``x.text = x.text.lower(); return
    x``), which a row (a named tuple) refuses: what to return instead. ``""`` for any other error (reading a
    field the row lacks sets ``exc.obj`` to the row; a value's own missing attribute names its type)."""
    if not isinstance(exc, AttributeError) or not isinstance(row, tuple) or getattr(exc, "obj", None) is row:
        return ""
    message = str(exc)
    said = ("can't set attribute", "has no setter", "for setting new attributes", f"'{type(row).__name__}' object")
    if not any(words in message for words in said):
        return ""
    return (
        "; a row is read-only (a named tuple): return a dict of the fields the preprocessor adds or replaces, "
        "e.g. {'text': row.text.lower()}, instead of setting them on the row (Snorkel's x.text = ...; return x)"
    )
