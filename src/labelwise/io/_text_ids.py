"""Id and label columns read as text, turned into numbers only where no two texts become one number.

A CSV parser (and pandas' JSON reader) turns ``"01"`` and ``"1"`` into the number ``1``,
``"1.0"`` and ``"1"`` into ``1.0``, and ``"True"`` and ``"true"`` into one boolean: two classes (or two items) the user wrote differently become one
and nothing says so. :func:`numbers_unless_merged` keeps such a column as the text of the file;
a column of canonical integers (``"0"``, ``"17"``, ``"-3"``) or of floats that no two texts
share becomes numbers, as the parser would have made it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Collection, Mapping, Sequence

import numpy as np

from .._heavy import pandas as pd
from .._heavy import pyarrow as pa
from .._heavy import pyarrow_compute as pc

__all__ = ["csv_read_of_texts", "numbers_unless_merged", "restore_merged_texts", "text_dtypes"]

_CANONICAL_INT = re.compile(r"0|-?[1-9][0-9]*")
_INT = re.compile(r"[+-]?[0-9]+")
_BOOLS = {"True": True, "False": False, "true": True, "false": False, "TRUE": True, "FALSE": False}


def text_dtypes(columns: Collection[str], *, dtype: type = str) -> dict[str, type]:
    """The ``dtype`` argument of ``pd.read_csv`` / ``pd.read_json`` that reads ``columns`` as text."""
    return dict.fromkeys(columns, dtype)


def restore_merged_texts(
    frame: pd.DataFrame, columns: Collection[str], read_texts: Callable[[list[str]], pa.Table]
) -> None:
    """Put back, in place, the text of the ``columns`` of ``frame`` that the parser made numbers of
    and that :func:`numbers_unless_merged` would keep as text.

    ``frame`` was read with the parser's own types (fast); only the columns it made numeric (or
    booleans, which with a missing cell it gives as objects) are read again as text, by
    ``read_texts(names)`` (missing cells null), and checked. An integer column (the usual ids and
    labels) costs a few vectorised prefix tests; a float or boolean column is decided on the
    distinct texts of the cells the parser read as values (a text such as ``"None"`` that the
    parser takes for a missing cell is not a value); booleans with a missing cell become text.
    """
    numeric = [c for c in columns if c in frame.columns and (frame[c].dtype.kind in "iufb" or _booleans(frame[c]))]
    if not numeric:
        return
    texts = read_texts(numeric)
    for column in numeric:
        strings = pc.utf8_trim_whitespace(texts.column(column))  # blanks around a value are layout, not text
        if frame[column].dtype.kind in "iu":
            lossless = not _any_non_canonical_integer(strings)
        elif frame[column].dtype.kind == "O":  # booleans with a missing cell: text, as numbers_unless_merged says
            lossless = False
        else:  # floats or booleans: decided on the distinct texts of the cells the parser read
            present = frame[column].notna().to_numpy()
            read = strings if present.all() else strings.filter(pa.array(present))
            distinct = pd.Series(pc.unique(read.drop_null()).to_pylist(), dtype=object)
            kept = numbers_unless_merged(distinct).dtype.kind
            lossless = kept == "b" if frame[column].dtype.kind == "b" else kept in "iuf"
        if not lossless:
            frame[column] = pd.Series(strings.to_pylist(), index=frame.index, dtype=object).where(frame[column].notna())


def csv_read_of_texts(texts: Mapping[str, Sequence[str | None]]) -> pd.DataFrame:
    """The columns that a CSV file holding ``texts`` (None or ``""``: an empty cell) is read into by
    :func:`labelwise.io.read_table` when ``text_columns`` names them: the CSV parser's types, with the
    texts that it would merge kept (:func:`restore_merged_texts`). A JSON file's id columns are read
    through it, so that a JSON file and the CSV file of the same table give the same ids: one rule,
    the CSV reader's, for both.

    Parameters
    ----------
    texts : mapping of str to sequence of str or None
        Column name -> each row's text, all of one length.

    Returns
    -------
    DataFrame
        One column per name, on rows ``0..n-1``; empty cells missing (no other marker is).
    """
    written = pd.DataFrame({name: pd.Series(list(cells), dtype=object) for name, cells in texts.items()})
    buffer = io.StringIO()
    written.to_csv(buffer, index=False)
    frame = pd.read_csv(io.StringIO(buffer.getvalue()), keep_default_na=False, na_values=[""])
    frame.columns = written.columns  # a name that looks like a number stays the key's text

    def read_texts(names: list[str]) -> pa.Table:
        return pa.table({n: pa.array([t or None for t in texts[n]], type=pa.string()) for n in names})

    restore_merged_texts(frame, list(written.columns), read_texts)
    return frame


def _booleans(column: pd.Series) -> bool:
    """Whether the parser made ``column`` booleans with missing cells (an object column of bools)."""
    if column.dtype != object:
        return False
    present = column.dropna()
    if present.empty or not isinstance(present.iloc[0], bool):  # a text column: one look
        return False
    return bool(present.map(lambda v: isinstance(v, bool)).all())


def _any_non_canonical_integer(strings: pa.ChunkedArray) -> bool:
    """Whether some integer text (every cell of a column the parser read as integers, blanks around
    it trimmed) is written otherwise than its number: a leading zero or ``+``, or ``-0``."""
    zero_led = pc.and_(pc.starts_with(strings, "0"), pc.greater(pc.binary_length(strings), 1))
    signed = pc.or_(pc.starts_with(strings, "+"), pc.starts_with(strings, "-0"))
    return bool(pc.any(pc.or_(zero_led, signed)).as_py())


def numbers_unless_merged(values: pd.Series) -> pd.Series:
    """``values`` (text read verbatim from a file) as numbers when that loses no distinction.

    Parameters
    ----------
    values : Series
        One column read as text (missing cells NaN); a column holding anything but strings and
        missing values (JSON numbers or booleans) is returned as pandas types it (``infer_objects``).

    Returns
    -------
    Series
        int64 (float64 with missing cells) when every text is a canonical integer; float64 when
        every text is a number and no two distinct texts give the same number; bool when every
        text is ``True``/``False`` spelled one way each (``"True"`` next to ``"true"`` stays text);
        otherwise the text itself (``"01"`` next to ``"1"``, ``"1.0"``
        next to ``"1"``, ``"007"`` among integer ids: kept as written).
    """
    present = values.dropna()
    if present.empty or not present.map(lambda v: isinstance(v, str)).all():
        return values.infer_objects()
    distinct = pd.unique(present.to_numpy(dtype=object))
    spelled_once = len({_BOOLS.get(t) for t in distinct}) == distinct.size  # not "True" and "true"
    if set(distinct) <= _BOOLS.keys() and spelled_once and len(present) == len(values):
        return values.map(_BOOLS).astype(bool)
    if all(_CANONICAL_INT.fullmatch(t) for t in distinct):
        return pd.to_numeric(values)
    if any(_INT.fullmatch(t) and not _CANONICAL_INT.fullmatch(t) for t in distinct):
        return values  # a zero-padded or signed integer ("007", "+1"): the text is the id
    numbers = pd.to_numeric(pd.Series(distinct, dtype=object), errors="coerce").to_numpy(dtype=np.float64)
    if np.isnan(numbers).any() or np.unique(numbers).size < distinct.size:
        return values
    return pd.to_numeric(values).astype(np.float64)
