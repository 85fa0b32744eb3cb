"""Which texts of a CSV file are missing cells: pandas' markers, only empty cells, or the user's list.

A CSV file has no null: a reader decides which texts mean "missing". pandas reads ``NA``,
``None``, ``null``, ``nan`` (and a dozen more, :data:`PANDAS_NA_VALUES`) as missing, so a class
``NA`` (North America, "not applicable") becomes a missing label: the audit stops, ``pseudolabel``
takes the row for unlabeled, a long answers table drops the answer. labelwise keeps pandas'
markers by default (a missing label read as a class would be worse) and lets the user choose
with ``na_values``. Parquet and JSON have typed nulls: ``na_values`` does not change them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import DataFileError, InvalidParameterError
from .delimiter import csv_delimiter, is_csv
from .plain_text import plain_text

__all__ = [
    "PANDAS_NA_VALUES",
    "NaValues",
    "arrow_null_values",
    "check_na_values",
    "csv_na_options",
    "is_read_as_missing",
    "raw_cell",
    "raw_column",
]

#: The texts pandas reads as missing by default (``pandas.read_csv``'s ``keep_default_na``).
PANDAS_NA_VALUES: frozenset[str] = frozenset(
    {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A"}
    | {"NA", "NULL", "NaN", "None", "n/a", "nan", "null"}
)

#: ``na_values``: None (pandas' markers), ``""`` or an empty list (only empty cells), or the texts.
NaValues = str | Sequence[str] | None

#: Rows per block that :func:`raw_cell` reads.
_BLOCK = 1 << 17


def check_na_values(na_values: Any, *, parameter: str = "na_values") -> tuple[str, ...] | None:
    """``na_values`` as None (pandas' markers) or the tuple of texts read as missing besides empty cells.

    Parameters
    ----------
    na_values : None, str or sequence of str
        None: pandas' default markers (:data:`PANDAS_NA_VALUES`). ``""`` or an empty list: only
        empty cells are missing. A string: that one text besides empty cells. A list of strings:
        exactly those texts besides empty cells.
    parameter : str
        The name the error gives.

    Raises
    ------
    InvalidParameterError
        If ``na_values`` is neither None, a string nor a list of strings.
    """
    if na_values is None:
        return None
    if isinstance(na_values, str):
        return (na_values,) if na_values else ()
    if isinstance(na_values, (bytes, dict, set, frozenset)) or not isinstance(na_values, (Sequence, tuple)):
        raise InvalidParameterError(
            f"{parameter} must be None (pandas' markers), a string or a list of strings (only those texts, besides "
            f"empty cells, are missing), got {type(na_values).__name__}"
        )
    bad = [v for v in na_values if not isinstance(v, str)]
    if bad:
        raise InvalidParameterError(
            f"{parameter} must be a list of strings (the texts read as missing), got {bad[0]!r} "
            f"({type(bad[0]).__name__}) among {list(na_values)!r}"
        )
    return tuple(dict.fromkeys(v for v in na_values if v))


def csv_na_options(na_values: tuple[str, ...] | None) -> dict[str, Any]:
    """The keyword arguments of ``pandas.read_csv`` that read missing cells as ``na_values`` says
    (none for pandas' markers)."""
    if na_values is None:
        return {}
    return {"keep_default_na": False, "na_values": ["", *na_values]}


def arrow_null_values(na_values: tuple[str, ...] | None) -> dict[str, Any]:
    """The keyword arguments of ``pyarrow.csv.ConvertOptions`` for the same missing cells."""
    return {} if na_values is None else {"null_values": ["", *na_values]}


def is_read_as_missing(text: str, na_values: tuple[str, ...] | None) -> bool:
    """Whether a CSV cell that reads ``text`` is read as missing under ``na_values``."""
    return text == "" or text in (PANDAS_NA_VALUES if na_values is None else na_values)


def raw_cell(path: str | os.PathLike, column: str, row: int) -> str | None:
    """The text of row ``row`` (0-based, after the header) of ``column`` as the CSV file writes it.

    Reads that column of the file only up to that row, in blocks, as text with no missing markers
    (about the cost of reading the file that far); None for a Parquet or JSON file (their nulls are
    typed), a row or column the file lacks, or a file that cannot be read.
    """
    import pandas as pd  # here, not on top: the command line's --help does not import pandas

    if not is_csv(path) or row < 0:
        return None
    try:
        p = plain_text(path)  # a compressed or UTF-16 file: its decoded copy
        options = _raw_options(p)
        # the one column in blocks up to the row, in bounded memory: skipping the rows before it
        # (skiprows, a number or a list) takes pandas twice as long (benchmarks/RESULTS.md, session 30)
        with pd.read_csv(p, usecols=[column], chunksize=_BLOCK, **options) as blocks:
            for block in blocks:
                if row < block.index[-1] + 1:
                    return str(block[column].iloc[row - block.index[0]])
    except (ValueError, OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, DataFileError):
        return None
    return None


def raw_column(path: str | os.PathLike, column: str) -> Any:
    """The whole ``column`` of a CSV file as it writes it (a Series of texts, no missing markers), as
    :func:`raw_cell` reads one cell; None for a Parquet or JSON file, a column the file lacks, or a file
    that cannot be read."""
    import pandas as pd  # here, not on top: the command line's --help does not import pandas

    if not is_csv(path):
        return None
    try:
        p = plain_text(path)
        return pd.read_csv(p, usecols=[column], **_raw_options(p))[column]
    except (ValueError, OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, DataFileError):
        return None


def _raw_options(path: Path) -> dict[str, Any]:
    """``pandas.read_csv``'s options that read a CSV file's cells as written: texts, none of them missing."""
    return {"sep": csv_delimiter(path), "dtype": str, "keep_default_na": False, "index_col": False}
