"""The line of a CSV or TSV input's row in an error that names the row (``... at row 5``): rows count
from 0 after the header, an editor's lines from 1 with the header and blank lines, so ``row 5``
alone sends a user to the wrong line. The library names rows; the command, which knows the file,
adds the line (:func:`labelwise.io.csv_lines.line_of_row`)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

from ..errors import AnnotationError, DataFileError
from ..io.csv_lines import line_of_row
from ..io.plain_text import format_suffix

#: ``at row 5`` ending a message or a clause of it.
_AT_ROW = re.compile(r"\bat row (\d+)(?=$|[\s,;:)])")


@contextlib.contextmanager
def naming_lines(path: Path | None, parameter: str) -> Iterator[None]:
    """Errors raised inside that say ``at row N`` of ``path`` (given as ``parameter``) say its line
    too: ``at row 5 (line 8 of BOXES 'boxes.csv')``. Other files (JSON Lines, Parquet) and
    ``path=None`` (a COCO run) leave the message as it is."""
    try:
        yield
    except AnnotationError as exc:
        said = str(exc)
        found = _AT_ROW.search(said)
        if found is None or path is None or format_suffix(path) not in (".csv", ".tsv"):
            raise
        line = line_of_row(path, int(found.group(1)))
        if line is None:
            raise
        where = f" (line {line} of {parameter} {path.name!r})"
        raise type(exc)(said[: found.end()] + where + said[found.end() :]) from exc


def line_words(path: Path, row: int) -> str:
    """Where the table's ``row`` (0-based, after a header) is, as an editor shows it: ``line 5`` of a
    CSV/TSV file (the header and blank lines counted) or of a JSON Lines file; ``row 3`` of another
    (Parquet) or of a file that cannot be read again."""
    suffix = format_suffix(path)
    line = line_of_row(path, row) if suffix in (".csv", ".tsv") else None
    if suffix in (".jsonl", ".ndjson"):
        from ..io.tables import iter_json_lines

        with contextlib.suppress(OSError, DataFileError):
            line = next((number for i, (number, _) in enumerate(iter_json_lines(path)) if i == row), None)
    return f"row {row}" if line is None else f"line {line}"
