"""Tables of probabilities with one column per class, named by its class: the reading shared by
``evaluate``'s PREDICTIONS files and ``audit --probs``.

The header names the classes (any order); :func:`labelwise._validate.class_columns.columns_in_class_order`
then puts the columns in the caller's class order, or refuses a header that misses a class or adds
a column. Here: which files are tables, and the check that every probability column holds numbers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataFileError

#: The suffixes read as a table of probabilities (CSV, TSV, Parquet, JSON Lines); ``.npy`` is an array.
PROBS_TABLE_SUFFIXES = (".csv", ".tsv", ".parquet", ".pq", ".jsonl")


def is_probs_table(path: Path) -> bool:
    """Whether ``path`` is read as a table (by its suffix), not as a ``.npy`` array."""
    return Path(path).suffix.lower() in PROBS_TABLE_SUFFIXES


def probability_frame(table: pd.DataFrame, path: Path, *, what: str, expected: str) -> pd.DataFrame:
    """``table``'s columns as floats, one per class; a column that is not numeric is a ``DataFileError``.

    ``what`` names the file in the message (``"predictions file"``) and ``expected`` says what it
    must hold (``"one numeric column of probabilities per class"``).
    """
    text = [str(c) for c in table.columns if not pd.api.types.is_numeric_dtype(table[c])]
    if text:
        raise DataFileError(f"{what} {str(path)!r} must hold {expected}; columns {text} are not numeric")
    return table.astype(float)


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
