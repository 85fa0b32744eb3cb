"""Where the rows of a CSV-family file are, as an editor shows them: the line each record starts on,
counted from 1 with the header, blank lines and quoted line breaks counted, the records parsed as
pandas parses them (quoted cells may span lines; a blank line holds no row). One pass with the csv
module, made only when a message names a row's line."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from ..errors import DataFileError
from .delimiter import csv_delimiter
from .plain_text import plain_text

__all__ = ["line_of_row", "row_lines"]


def _record_starts(path: Path) -> Iterator[int]:
    """The first line of each row after the header; raises what opening or parsing ``path`` raises."""
    path = plain_text(path)  # a compressed or UTF-16 file: its decoded copy
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter=csv_delimiter(path))
        header, end = True, 0  # end: the last line read
        for record in reader:
            start, end = end + 1, reader.line_num
            if not record:  # a blank line
                continue
            if header:  # the header is no row
                header = False
                continue
            yield start


def row_lines(path: Path) -> list[int] | None:
    """The line of every row of ``path`` (0-based rows after the header); None if it cannot be read."""
    try:
        return list(_record_starts(path))
    except (OSError, csv.Error, DataFileError):
        return None


def line_of_row(path: Path, row: int) -> int | None:
    """The line where row ``row`` (0-based, after the header) of ``path`` starts; None if the file has no
    such row or cannot be read. Stops reading at that row."""
    try:
        for seen, start in enumerate(_record_starts(path)):
            if seen == row:
                return start
    except (OSError, csv.Error, DataFileError):
        return None
    return None
