"""Read a CSV-family file as the grid its header draws: no row label made of extra cells, and
numbers written with a decimal comma or commas between thousands read as numbers.

Shapes of real files that pandas' ``read_csv`` reads wrong without a word:

* **A line with more cells than the header names columns.** pandas then takes the first cells of
  every line for row labels (an "implicit index") and shifts each column onto its neighbour's
  name: with ``x,y,label`` over lines ``1,2,cat,`` (a delimiter at the end of the line, as some
  exporters write) ``x`` holds the ``y`` values, ``label`` is empty, and the ``x`` values are
  lost. :func:`read_csv_frame` reads with ``index_col=False``, so that such trailing cells are
  dropped when they are empty, and refuses a line whose extra cells hold something, naming it.
* **Decimal commas.** A spreadsheet in a locale that writes ``1,5`` for one and a half saves its
  tables with ``;`` (or tab) between cells and ``1,5`` in them; pandas reads such a column as
  text, which the commands then take for categories. :func:`read_decimal_commas` makes a number of
  every column of a file not delimited by ``,`` whose every cell is a number written with a
  decimal comma (``1,5``, ``-0,25``, ``3``, ``2,5e3``) and one cell at least holds the comma.
  ``1.234,5`` (a thousands separator) or a column mixing ``1.5`` and ``1,5`` stays text: which
  one a comma is cannot be told there.
* **Thousands separators.** A spreadsheet in a locale that writes ``1,234.5`` saves its tables
  with ``,`` between cells and such numbers quoted (``"1,234.5"``); pandas reads them as text.
  In a file delimited by ``,`` (where a decimal comma is not the locale's), a column whose every
  cell is a number with its thousands grouped by commas (``"1,234"``, ``"-12,345,678.9"``) or a
  plain number (``5``, ``0.25``), one cell at least with the comma, becomes numbers; ``"1,23"``
  (not groups of three digits) keeps the column text.
"""

from __future__ import annotations

import csv
import re
import warnings
from collections.abc import Collection
from pathlib import Path
from typing import Any

from .._heavy import pandas as pd
from ..errors import DataFileError

__all__ = ["first_extra_cells", "read_csv_frame", "read_decimal_commas"]

_DECIMAL_COMMA = re.compile(r"\s*[+-]?(?:\d+,\d*|\d*,\d+|\d+)(?:[eE][+-]?\d+)?\s*")
_THOUSANDS = re.compile(r"\s*[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][+-]?\d+)?\s*")
_NAMES = {"\t": "tab", " ": "space"}


def first_extra_cells(path: Path, sep: str) -> tuple[int, int, int] | None:
    """``(line, cells, header cells)`` of the first record of ``path`` that has more cells than its
    header and holds something in one of them (the line it starts on, counted from 1 with the
    header); None if every extra cell is empty."""
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=sep)
        width, end = None, 0
        for record in reader:
            start, end = end + 1, reader.line_num
            if not record:
                continue
            if width is None:
                width = len(record)
            elif len(record) > width and any(cell.strip() for cell in record[width:]):
                return start, len(record), width
    return None


def read_csv_frame(path: Path, sep: str, options: dict[str, Any]) -> pd.DataFrame:
    """``pandas.read_csv(path, sep=sep, **options)`` without an implicit index: empty cells past the
    header's last column are dropped.

    Raises
    ------
    DataFileError
        Naming the first line whose cells past the header's last column are not all empty, and
        how many cells it has.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        try:
            frame = pd.read_csv(path, sep=sep, index_col=False, **options)
        except pd.errors.ParserError as exc:  # a later line longer than the first ones
            if "Expected" not in str(exc):
                raise
            _refuse_extra_cells(path, sep)
            width = len(pd.read_csv(path, sep=sep, nrows=0, index_col=False).columns)
            frame = pd.read_csv(path, sep=sep, index_col=False, usecols=range(width), **options)
    for w in caught:
        if issubclass(w.category, pd.errors.ParserWarning) and "does not match" in str(w.message):
            _refuse_extra_cells(path, sep)  # pandas dropped cells past the header: refused if one holds a value
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return frame


def _refuse_extra_cells(path: Path, sep: str) -> None:
    """Raise the refusal of :func:`read_csv_frame` if a cell of ``path`` past its header's columns holds a value."""
    if (extra := first_extra_cells(path, sep)) is not None:
        line, cells, width = extra
        name = _NAMES.get(sep, repr(sep))
        raise DataFileError(
            f"data file {str(path)!r}: line {line} has {cells} cells, but the header names {width} columns; "
            f"name every column in the header, or quote the cells that hold the delimiter {name}"
        )


def read_decimal_commas(frame: pd.DataFrame, sep: str, keep: Collection[str] = ()) -> list[str]:
    """Make numbers, in place, of the text columns of ``frame`` (read with delimiter ``sep``) written
    with a decimal comma (``sep`` not ``,``) or with commas between thousands (``sep`` ``,``), as the
    module says; ``keep``: columns left as they are (ids, labels). Returns the names of the columns
    it changed."""
    pattern, mark = (_THOUSANDS, "") if sep == "," else (_DECIMAL_COMMA, ".")
    changed = []
    for name in frame.columns:
        column = frame[name]
        if name in keep or not (column.dtype == object or pd.api.types.is_string_dtype(column.dtype)):
            continue
        cells = column.dropna()
        if cells.empty or not all(isinstance(v, str) and pattern.fullmatch(v) for v in cells):
            continue
        if not any("," in v for v in cells):
            continue
        frame[name] = pd.to_numeric(column.str.replace(",", mark, regex=False).str.strip()).astype("float64")
        changed.append(str(name))
    return changed
