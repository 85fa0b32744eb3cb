"""Where each row of a corrections file is, as an editor shows it: the line of a CSV/TSV record (the
header, blank lines and quoted line breaks counted, as pandas parses the file: :mod:`labelwise.io.csv_lines`) or of a JSON Lines
object (blank lines counted). A file without lines (Parquet, a JSON array) names its rows by position.
One pass over the file, made only when an error names a row."""

from __future__ import annotations

import contextlib
from pathlib import Path

from ..errors import DataFileError
from ..io.csv_lines import row_lines
from ..io.delimiter import CSV_SUFFIXES
from ..io.plain_text import format_suffix, plain_text
from ..io.tables import iter_json_lines


def frame_rows(n: int) -> list[str]:
    """The words for the rows of a DataFrame given as a change log: ``line 2`` for row 0, the lines
    the frame would have in a CSV file with a header (what ``labelwise export`` writes)."""
    return [f"line {i + 2}" for i in range(n)]


def file_rows(path: Path, n: int) -> list[str]:
    """The words for the ``n`` rows read from ``path``: ``line 5`` where the file has lines, else
    ``record 3 of 'fix.parquet'`` (0-based); the same when the file cannot be read again."""
    lines = row_lines(path) if format_suffix(path) in CSV_SUFFIXES else _json_lines(path)
    if lines is None or len(lines) != n:
        return [f"record {i} of {path.name!r}" for i in range(n)]
    return [f"line {line}" for line in lines]


def _json_lines(path: Path) -> list[int] | None:
    """The line of each JSON Lines object; None for a file that is no JSON Lines file (Parquet, a JSON array)."""
    suffix = format_suffix(path)
    if suffix not in (".jsonl", ".ndjson", ".json"):
        return None
    with contextlib.suppress(OSError, UnicodeDecodeError, DataFileError):
        with plain_text(path).open(encoding="utf-8-sig") as handle:
            if suffix == ".json" and handle.read(64).lstrip().startswith("["):
                return None
    with contextlib.suppress(OSError, DataFileError):
        return [number for number, _ in iter_json_lines(path)]
    return None
