"""Tables of probabilities with one column per class, named by its class: the reading shared by
``evaluate``'s PREDICTIONS files and ``audit --probs``.

The header names the classes (any order); :func:`labelwise._validate.class_columns.columns_in_class_order`
then puts the columns in the caller's class order, or refuses a header that misses a class or adds
a column. Here: which files are tables, and the check that every probability column holds numbers.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from .._heavy import pandas as pd
from .._validate.probabilities import check_probs
from ..errors import DataFileError, InvalidProbabilitiesError
from ..io.plain_text import plain_text, table_suffix

#: The suffixes read as a table of probabilities (CSV, TSV, Parquet, JSON Lines); ``.npy`` is an array.
PROBS_TABLE_SUFFIXES = (".csv", ".tsv", ".parquet", ".pq", ".jsonl")


def is_probs_table(path: Path) -> bool:
    """Whether ``path`` is read as a table (by its suffix, under a compression one: ``probs.csv.gz``),
    not as a ``.npy`` array."""
    return table_suffix(path) in PROBS_TABLE_SUFFIXES


def probability_frame(table: pd.DataFrame, path: Path, *, what: str, expected: str) -> pd.DataFrame:
    """``table``'s columns as floats, one per class; a column that is not numeric is a ``DataFileError``.

    ``what`` names the file in the message (``"predictions file"``) and ``expected`` says what it
    must hold (``"one numeric column of probabilities per class"``).
    """
    text = [str(c) for c in table.columns if not pd.api.types.is_numeric_dtype(table[c])]
    if text:
        raise DataFileError(f"{what} {str(path)!r} must hold {expected}; columns {text} are not numeric")
    return table.astype(float)


#: Text tables: the lines before the first row (a header) per suffix; blank lines hold no row.
_LINES_BEFORE_ROWS = {".csv": 1, ".tsv": 1, ".jsonl": 0}


def row_in_file(path: Path, row: int) -> str:
    """Where a table's ``row`` (0-based, in the order read) stands: ``row 3 (line 5)`` in a CSV with a header.

    The line is counted as an editor shows it (header counted, from 1; blank lines, which the table
    reader skips, counted too); Parquet has no lines, so its rows are named alone.
    """
    before = _LINES_BEFORE_ROWS.get(table_suffix(path))
    if before is None:
        return f"row {row}"
    wanted = row + before + 1  # the wanted-th line that is not blank
    with open(plain_text(path), encoding="utf-8-sig", errors="replace", newline=None) as handle:
        for number, line in enumerate(handle, start=1):
            wanted -= bool(line.strip())
            if wanted == 0:
                return f"row {row} (line {number})"
    return f"row {row}"


def check_table_probs(frame: pd.DataFrame, path: Path, *, name: str) -> np.ndarray:
    """:func:`~labelwise._validate.probabilities.check_probs` of a table read from ``path``, its errors naming
    the file's line of the row (a missing or negative value, a row not summing to one), not only the 0-based row."""
    return check_file_rows_probs(frame.to_numpy(dtype=float), path, name=name)


def check_file_rows_probs(probs: np.ndarray, path: Path, *, name: str) -> np.ndarray:
    """:func:`check_table_probs` of the values of a table read from ``path``, rows in the file's order
    (columns may have been put in class order)."""
    try:
        return check_probs(probs, name=name)
    except InvalidProbabilitiesError as exc:
        message = str(exc)
        found = re.search(r"\brow (\d+)\b", message)
        if found is None:
            raise
        where = row_in_file(path, int(found.group(1)))
        raise InvalidProbabilitiesError(message[: found.start()] + where + message[found.end() :]) from None


def position_lines(tables: dict[str, np.ndarray | pd.DataFrame], classes: np.ndarray) -> list[str]:
    """A line per probability table whose header names none of the classes (``cat,dog,owl`` beside labels 0..2):
    its columns are then taken by position, in sorted class order, which is right only if the header is too."""
    known = {str(c) for c in classes}
    listed = ", ".join(str(c) for c in classes[:10])
    return [
        f"the header of {name} ({', '.join(map(str, list(t.columns)[:10]))}) names none of the classes: its columns "
        f"are taken by position as the classes {listed}; write the class names in the header to match them by name"
        for name, t in tables.items()
        if isinstance(t, pd.DataFrame) and not known & {str(c) for c in t.columns}
    ]
