"""``--na-values``: the texts of a CSV label or table file read as missing, for every command that reads one.

pandas reads ``NA``, ``None``, ``null``, ``nan`` (:data:`labelwise.io.na_values.PANDAS_NA_VALUES`)
as missing, so a class written ``NA`` (North America) is a missing label: the audit stops, and
``pseudolabel`` would take the row for unlabeled. The default stays pandas' (a missing label read
as a class would be worse); ``--na-values ""`` reads only empty cells as missing, ``--na-values
"?,n/a"`` exactly those texts (and empty cells).

One decorator, :data:`na_values_option`, gives the option to a command; it keeps the parsed value
in the click context (:func:`given_na_values`), where :func:`labelwise.cli._common.read_input` finds
it, so a command's body changes only where it records the setting (:func:`na_values_setting`) or
calls a reader that is not ``read_input``. Each table read is remembered (:func:`remember_table`):
when a label turns out missing, :func:`explain_missing_label` looks up the text that row holds in
the file (that one row, read up to it) and says how to keep it as a class.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import click

from ..errors import DataFileError, InvalidParameterError
from ..io.csv_lines import line_of_row
from ..io.na_values import is_read_as_missing, raw_cell
from ..io.plain_text import format_suffix

_GIVEN = "labelwise.na_values"
_TABLES = "labelwise.tables_read"
_TAG_SETS = "labelwise.tag_set_columns"
#: The library's message for a missing label (``_validate.labels.missing_label`` and its twins).
_MISSING = re.compile(r"must not contain missing values, row (\d+) is ")


def _parse(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...] | None:
    """``None`` (not given: pandas' markers), ``()`` for ``""``, else the comma-separated texts."""
    if value is None:
        return None
    if not value.strip():
        ctx.meta[_GIVEN] = ()
        return ()
    texts = [part.strip() for part in value.split(",")]
    if not all(texts):
        raise InvalidParameterError(
            f'--na-values must be texts separated by commas, none empty (--na-values "" reads only empty cells '
            f"as missing), got {value!r}"
        )
    ctx.meta[_GIVEN] = tuple(dict.fromkeys(texts))
    return ctx.meta[_GIVEN]


#: The ``--na-values`` option: add it to a command that reads a label or table file.
na_values_option = click.option(
    "--na-values",
    "na_values",
    default=None,
    metavar="TEXTS",
    expose_value=False,
    callback=_parse,
    help="Texts of a CSV/TSV file read as missing, comma-separated. Default: pandas' markers (NA, None, null, "
    'nan, N/A, ...) and empty cells; --na-values "" reads only empty cells as missing, so a class written NA '
    "stays a class. Parquet and JSON nulls are unchanged.",
)


def given_na_values() -> tuple[str, ...] | None:
    """The ``--na-values`` of the running command: None (pandas' markers) when not given or outside a command."""
    ctx = click.get_current_context(silent=True)
    return None if ctx is None else ctx.meta.get(_GIVEN)


def na_values_setting() -> dict[str, list[str] | None]:
    """``{"na_values": ...}`` for summary.json's settings: null for pandas' markers, else the texts
    read as missing besides empty cells (``[]``: only empty cells)."""
    given = given_na_values()
    return {"na_values": None if given is None else list(given)}


def remember_table(path: str | os.PathLike, parameter: str, columns: list[str]) -> None:
    """Note that the running command read the label ``columns`` of ``path`` (given as ``parameter``)."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and columns:
        ctx.meta.setdefault(_TABLES, []).append((Path(path), parameter, [str(c) for c in columns]))


def remember_tag_set_column(label: str) -> None:
    """Note that the running command's ``--label`` column looks like tag sets (its notice was printed)."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.meta.setdefault(_TAG_SETS, set()).add(str(label))


def _row_words(row: int, path: Path) -> str:
    """``row 2 (line 4)``: the 0-based row and its line in the file, where the file has lines."""
    line = line_of_row(path, row)
    return f"row {row}" if line is None else f"row {row} (line {line})"


def _empty_cell(message: str, row: int, column: str, parameter: str, path: Path, meta: dict[str, Any]) -> str:
    """An empty cell is missing whatever --na-values says; in a column of tag sets it means "no tag"."""
    said = (
        f"{message}: {_row_words(row, path)} of column {column!r} in {parameter} {path.name!r} is an empty cell, which is "
        "always read as missing (--na-values names the texts read as missing besides empty cells)"
    )
    if column in meta.get(_TAG_SETS, ()):
        said += (
            f"; column {column!r} looks like tag sets, where an empty cell is a row without tags: "
            "labelwise audit --task multilabel and labelwise train-tags read it so"
        )
    return said


def explain_missing_label(message: str, meta: dict[str, Any]) -> str:
    """``message`` and, when it reports a missing label whose cell in a file read by the command is
    spelled (``NA``), where (the row's line in the file), what the file holds and how to keep it as a class; when the cell is empty, that
    ``--na-values`` cannot keep it (and, in a column of tag sets, the multi-label commands).

    Only the reported row is looked up, in the files the command remembered, reading each up to
    that row; the column named in ``message`` (``column 'y'``) is preferred.
    """
    found = _MISSING.search(message)
    if found is None:
        return message
    row = int(found.group(1))
    na = meta.get(_GIVEN)
    for path, parameter, columns in meta.get(_TABLES, []):
        named = [c for c in columns if f"'{c}'" in message] or columns
        if format_suffix(path) in (".jsonl", ".ndjson"):
            said = _json_line(message, row, named, parameter, path)
            if said is not None:
                return said
            continue
        for column in named:
            text = raw_cell(path, column, row)
            if text == "":
                return _empty_cell(message, row, column, parameter, path, meta)
            if text is not None and is_read_as_missing(text, na):
                marker = "pandas' default missing markers" if na is None else "--na-values"
                return (
                    f"{message}: {_row_words(row, path)} of column {column!r} in {parameter} {path.name!r} reads {text!r}, which "
                    f'is read as missing ({marker}); to keep it as a class pass --na-values "" (only empty cells '
                    "are missing) or the texts that do mean missing"
                )
    return message


def _json_line(message: str, row: int, columns: list[str], parameter: str, path: Path) -> str | None:
    """``message`` with the line of a JSON Lines file holding ``row``, when its object has a null
    or no value for one of ``columns``; None otherwise (or if the file cannot be read)."""
    from ..io.tables import iter_json_lines

    try:
        found, record = next(((line, obj) for i, (line, obj) in enumerate(iter_json_lines(path)) if i == row), (0, {}))
    except (OSError, DataFileError):
        return None
    if not found:
        return None
    for column in columns:
        if column not in record:
            return f"{message}: row {row} (line {found}) of {parameter} {path.name!r} has no {column!r} key"
        if record[column] is None:
            return f"{message}: row {row} (line {found}) of column {column!r} in {parameter} {path.name!r} is null"
    return None
