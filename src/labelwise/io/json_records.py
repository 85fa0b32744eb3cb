"""The records of a JSON Lines file, read in one pass.

:func:`labelwise.io.tables.iter_json_lines` yields a file's records one line at a time, each through
``json.loads`` (or a decoder keeping numbers as text). A reader that wants them all (the votes reader,
the annotation exports) pays for that per line: a text file's iteration, the decoder's Python wrapper
and a generator step. :func:`json_records` reads the text at once and calls the decoder's scanner (the
C function ``json`` itself calls) on each line, so it gives the same records, the same line numbers and,
for a file it cannot take, the same error: it then hands the file to ``iter_json_lines``, which names
the first line that is not a JSON object.
"""

from __future__ import annotations

import json
from json.scanner import make_scanner
from pathlib import Path
from typing import Any

from .plain_text import plain_text
from .tables import _TEXT_DECODER, iter_json_lines, not_utf8_error

__all__ = ["json_records"]

#: The scanners ``json.loads`` (its own settings) and the numbers-as-text decoder call (C, where built).
_SCANNERS = {  # typeshed types make_scanner's argument as the scanner class itself
    False: make_scanner(json.JSONDecoder()),  # type: ignore[arg-type]
    True: make_scanner(_TEXT_DECODER),  # type: ignore[arg-type]
}
_JSON_SPACE = " \t\r"  # JSON's whitespace around a value, less the newline the lines are split at


def json_records(path: Path, *, kind: str = "data file", numbers_as_text: bool = False) -> tuple[list[int], list[dict]]:
    """``(line numbers, objects)`` of the non-blank lines of a JSON Lines file: what
    ``list(iter_json_lines(path, kind=kind, numbers_as_text=numbers_as_text))`` gives, unzipped.

    Raises
    ------
    DataFileError
        As :func:`~labelwise.io.tables.iter_json_lines` does: naming the file (as ``kind``) and the first
        line that is not valid JSON or not a JSON object, or saying the file is not UTF-8 text.
    """
    scan = _SCANNERS[numbers_as_text]
    try:
        with plain_text(path).open(encoding="utf-8-sig") as fh:  # universal newlines, as iter_json_lines reads
            text = fh.read()
    except UnicodeDecodeError:
        raise not_utf8_error(path, kind) from None
    numbers: list[int] = []
    records: list[dict] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        body = line.strip(_JSON_SPACE)
        try:
            value, end = scan(body, 0)
        except (StopIteration, ValueError):
            value, end = None, -1
        if end != len(body) or not isinstance(value, dict):
            return _unzipped(iter_json_lines(path, kind=kind, numbers_as_text=numbers_as_text))  # names the line
        numbers.append(number)
        records.append(value)
    return numbers, records


def _unzipped(pairs: Any) -> tuple[list[int], list[dict]]:
    numbered = list(pairs)
    return [n for n, _ in numbered], [r for _, r in numbered]
