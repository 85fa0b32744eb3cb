"""The line of DATA where a labeling function failed: ``on row 5`` of ``labelwise weak``'s error
becomes ``on row 5 (line 8 of DATA 'data.csv')``. The library names the row by its index (the
--id-column value, else its position); the command, which read the file, adds the editor's line
(a CSV's header, blank lines and quoted line breaks counted; a JSON Lines file's blank lines)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

from ..errors import LabelwiseError
from ._row_lines import line_words


@contextlib.contextmanager
def naming_data_lines(path: Path, parameter: str = "DATA") -> Iterator[None]:
    """Errors of a labeling function (``weak.apply.LabelingFunctionError``, read by its ``position``
    in the table read from ``path``) raised inside name the row's line of ``path`` after ``on row X``,
    and so do errors naming several rows (``named_rows``: index label and position of each, as the
    mixed-label-types error of ``weak.apply`` carries them). Files without lines (Parquet) and errors
    naming no row are left as they are."""
    try:
        yield
    except LabelwiseError as exc:
        if getattr(exc, "named_rows", None) is not None and exc.args:
            exc.args = (_rows_with_lines(str(exc.args[0]), exc.named_rows, path, parameter),)  # type: ignore[attr-defined]
            raise
        position = getattr(exc, "position", None)
        if position is None or getattr(exc, "partition", None) is not None or not exc.args:
            raise
        said = str(exc.args[0])
        found = re.search(rf"\bon row {re.escape(_shown(getattr(exc, 'row', None)))}", said)
        where = line_words(path, int(position))
        if found is None or not where.startswith("line "):
            raise
        line, rest = f"{where} of {parameter} {path.name!r}", said[found.end() :]
        # a bracket already after the row ("(the first row it raises on by itself)") takes the line first
        line_and_rest = f" ({line}; {rest[2:]}" if rest.startswith(" (") else f" ({line}){rest}"
        exc.args = (said[: found.end()] + line_and_rest,)
        raise


def _rows_with_lines(said: str, rows: tuple[tuple[object, int | None], ...], path: Path, parameter: str) -> str:
    """``said`` with ``, line 8 of DATA 'data.csv'`` after each ``on row X`` of ``rows`` (index label,
    position) that ends a bracket (``(e.g. 3 on row 4)``), in the message's order; a row without a
    line (Parquet, a position not known) is left as it is."""
    start = 0
    for row, position in rows:
        found = re.compile(rf"\bon row {re.escape(_shown(row))}(?=\))").search(said, start)
        if found is None:
            continue
        where = line_words(path, int(position)) if position is not None else ""
        line = f", {where} of {parameter} {path.name!r}" if where.startswith("line ") else ""
        said = said[: found.end()] + line + said[found.end() :]
        start = found.end() + len(line)
    return said


def _shown(row: object) -> str:
    from .._validate.arguments import show

    return show(row)
