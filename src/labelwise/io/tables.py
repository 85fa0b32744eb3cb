"""Read a data table from CSV, TSV, Parquet or JSON Lines with clear errors."""

from __future__ import annotations

import codecs
import json
import os
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any

from .._heavy import pandas as pd
from .._heavy import pyarrow as pa
from .._heavy import pyarrow_csv as pa_csv
from ..errors import DataFileError
from ._text_ids import csv_read_of_texts, numbers_unless_merged, restore_merged_texts, text_dtypes
from .csv_grid import read_csv_frame, read_decimal_commas
from .delimiter import CSV_SUFFIXES, csv_delimiter, is_csv
from .file_kind import content_hint, suffix_hint
from .index_columns import index_as_columns
from .na_values import NaValues, arrow_null_values, check_na_values, csv_na_options
from .paths import require_file
from .plain_text import plain_text, shown_as, table_suffix

_PARQUET = {".parquet", ".pq"}
_JSONL = {".jsonl", ".ndjson"}
SUPPORTED = sorted(CSV_SUFFIXES | _PARQUET | _JSONL | {".json"})
_NUMBERS_AS_TEXT: dict[str, Any] = {"parse_int": str, "parse_float": str, "parse_constant": str}
#: How far into a JSON file the first record's keys are looked for (a callable ``text_columns``).
_FIRST_RECORD_CHARS = 1 << 20
_FIRST_DECODER = json.JSONDecoder()
_TEXT_DECODER = json.JSONDecoder(**_NUMBERS_AS_TEXT)  # one decoder: json.loads(**hooks) makes one per call


def first_non_utf8(path: Path, *, block: int = 1 << 20) -> tuple[int, int] | None:
    """``(line, byte)`` of the first byte sequence of ``path`` that is not UTF-8 (1-based line), or None.

    Reads the file in blocks with an incremental decoder, so a large file is never held whole.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    line, offset = 1, 0
    with path.open("rb") as fh:
        while chunk := fh.read(block):
            pending = len(decoder.getstate()[0])  # the start of a character cut by the previous block
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                in_chunk = max(exc.start - pending, 0)
                return line + chunk.count(b"\n", 0, in_chunk), offset - pending + exc.start
            line += chunk.count(b"\n")
            offset += len(chunk)
    pending = len(decoder.getstate()[0])
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        return line, offset - pending + exc.start
    return None


def not_utf8_error(path: Path, kind: str) -> DataFileError:
    """``data file 'x.csv' is not UTF-8 text (line 12, byte 345); ...``: where, and how to fix it; or,
    where its first bytes say what it is (UTF-16 text, a workbook, a compressed file:
    :func:`~labelwise.io.file_kind.content_hint`), that and how to fix it."""
    hint = content_hint(path)
    if hint is not None:
        return DataFileError(f"{kind} {str(path)!r} is not UTF-8 text: {hint}")
    where = first_non_utf8(path)
    at = f" (line {where[0]}, byte {where[1]})" if where else ""
    return DataFileError(
        f"{kind} {str(path)!r} is not UTF-8 text{at}; save it as UTF-8 (e.g. from a spreadsheet choose "
        "'CSV UTF-8', or run: iconv -f latin1 -t utf-8 IN > OUT)"
    )


def iter_json_lines(
    path: Path, *, kind: str = "data file", numbers_as_text: bool = False
) -> Iterator[tuple[int, dict]]:
    """Yield ``(line number, object)`` for each non-blank line of a JSON Lines file; with
    ``numbers_as_text``, a JSON number is the text the file writes it with (``2.0`` is ``"2.0"``).

    Raises
    ------
    DataFileError
        Naming the file (as ``kind``) and the line that is not valid JSON or not a JSON object,
        or saying the file is not UTF-8 text.
    """
    with plain_text(path).open(encoding="utf-8-sig", errors="strict") as fh:  # a .jsonl.gz: its copy
        try:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    value = _TEXT_DECODER.decode(line) if numbers_as_text else json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DataFileError(f"{kind} {str(path)!r}: line {number} is not valid JSON ({exc.msg})") from None
                if not isinstance(value, dict):
                    raise DataFileError(
                        f"{kind} {str(path)!r}: line {number} must be a JSON object, got {type(value).__name__}"
                    )
                yield number, value
        except UnicodeDecodeError:
            raise not_utf8_error(path, kind) from None


def check_unique_header(path: Path, sep: str) -> None:
    """Refuse a header that names a column twice: pandas would rename the second ``y`` to ``y.1``,
    so a duplicated label column would silently become a feature (a copy of the label). ``sep``:
    :func:`~labelwise.io.delimiter.csv_delimiter`'s."""
    header = pd.read_csv(path, sep=sep, header=None, nrows=1, dtype=str)
    names = [str(v) for v in header.iloc[0] if isinstance(v, str)]
    seen = sorted({n for n in names if names.count(n) > 1})
    if seen:
        where = ", ".join(f"{n!r} (columns {[i + 1 for i, v in enumerate(header.iloc[0]) if v == n]})" for n in seen)
        raise DataFileError(f"data file {str(path)!r} must have unique column names; the header repeats {where}")


def _csv_texts(p: Path, sep: str, names: list[str], na: tuple[str, ...] | None = None) -> pa.Table:
    """The columns ``names`` of a CSV file as text, missing cells (pandas' markers, or empty cells and
    ``na``: :func:`~labelwise.io.na_values.check_na_values`) null."""
    try:
        return pa_csv.read_csv(
            p,
            parse_options=pa_csv.ParseOptions(delimiter=sep, newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                include_columns=names,
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=True,
                **arrow_null_values(na),
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowKeyError):
        pass  # what pandas parsed, Arrow may not (a ragged line): read it as pandas does
    texts = pd.read_csv(p, sep=sep, engine="python", usecols=names, dtype=str, index_col=False, **csv_na_options(na))
    return pa.table({n: pa.array(texts[n].to_numpy(dtype=object), type=pa.string(), from_pandas=True) for n in names})


def read_texts(
    path: str | os.PathLike, names: Collection[str], *, na_values: NaValues = None, arrow: bool = False
) -> pd.DataFrame:
    """The columns ``names`` (those the file has) of a CSV, TSV or text table as the text the file
    writes, with no number made of any (``2`` is ``"2"``, ``007`` stays ``007``); a missing cell
    (``na_values`` as :func:`read_table` takes it) is None. Where a table's ids are shown as names,
    not counted (a report's item column). With ``arrow``, the columns are pandas' Arrow-backed
    strings (``string[pyarrow]``, a missing cell NA), as Arrow's parser reads them, with no Python
    string made per cell.

    Raises
    ------
    DataFileError
        If the file is missing, or its suffix is not one of :data:`~labelwise.io.delimiter.CSV_SUFFIXES`.
    """
    shown = require_file(path, parameter="path", kind="data file")
    if not is_csv(shown):
        raise DataFileError(f"data file {str(shown)!r} must end in one of {sorted(CSV_SUFFIXES)}, got {shown.suffix!r}")
    p = plain_text(shown)
    with shown_as(p, shown):
        sep = csv_delimiter(p)
    header = [str(c) for c in pd.read_csv(p, sep=sep, nrows=0).columns]
    present = [n for n in names if n in header]
    texts = _csv_texts(p, sep, present, check_na_values(na_values)) if present else pa.table({})
    if arrow:
        return pd.DataFrame({n: pd.Series(pd.arrays.ArrowStringArray(texts.column(n))) for n in present})
    return pd.DataFrame({n: pd.Series(texts.column(n).to_pylist(), dtype=object) for n in present})


#: ``read_table``'s ``text_columns``: names, or a function of the file's column names that returns them
#: (for a column known by its place, e.g. the only one, which the caller can name only after reading).
TextColumns = Collection[str] | Callable[[list[str]], Collection[str]]


def lone_column(columns: list[str]) -> list[str]:
    """``text_columns`` of a table whose only column is the labels: that column, if it is alone."""
    return columns if len(columns) == 1 else []


def _names(text_columns: TextColumns, frame: pd.DataFrame) -> list[str]:
    """The text columns of ``frame`` (those of ``text_columns`` that it has)."""
    chosen = text_columns([str(c) for c in frame.columns]) if callable(text_columns) else text_columns
    return [c for c in chosen if c in frame.columns]


def read_table(path: str | os.PathLike, *, text_columns: TextColumns = (), na_values: NaValues = None) -> pd.DataFrame:
    """Read ``path`` into a DataFrame, choosing the format from its suffix.

    Supported: ``.csv``, ``.tsv``, ``.txt`` (delimiter guessed: the one character that splits every
    line into as many cells as the header, see :mod:`labelwise.io.delimiter`), ``.parquet``/``.pq``,
    ``.jsonl``/``.ndjson`` (one JSON object per line) and ``.json`` (JSON Lines or a list of objects).
    Each may be compressed (``data.csv.gz``, ``.bz2``, ``.xz``, ``.zst`` with ``zstandard`` installed, or
    a ``.zip`` of that one file) and its text UTF-8 (a BOM is skipped) or UTF-16 (with a BOM, as Excel's
    "Unicode Text" is, or without one; see :mod:`labelwise.io.plain_text`). A ``.csv`` is read at ``,``, or at ``;``
    when its header has no ``,`` and every line is a ``;`` grid (Excel's CSV where the decimal mark
    is a comma). A CSV-family file is read as the grid its header draws (:mod:`labelwise.io.csv_grid`): empty
    cells past the header's last column (a delimiter ending each line) are dropped, never taken for
    a row index; numbers written with a decimal comma (``1,5`` in a ``;`` or tab table) or with
    commas between thousands (``"1,234.5"`` in a ``,`` table) are numbers, outside ``text_columns``.
    The frame is on row numbers ``0..n-1``: a Parquet file's named index (pandas' ``df.set_index("id")``)
    is its first column, as in the CSV file written from the same frame, and an unnamed one (rows left
    by a filter) is dropped, as that CSV would not hold it (see
    :func:`labelwise.io.index_columns.index_as_columns`).

    Parameters
    ----------
    path : str or PathLike
        The file.
    text_columns : collection of str, or callable, optional
        Id or label columns (those that exist) of a CSV or JSON file that are read as text and
        become numbers only where no two texts would become one number: ``"01"`` next to ``"1"``,
        or ``"1.0"`` next to ``"1"``, stay two values, as written (see
        ``labelwise.io._text_ids.numbers_unless_merged``). One rule for both: a JSON file's cells
        are read as the CSV file of the same table is (a number as the file writes it, ``true`` as
        ``True``, null as an empty cell), so the number ``2`` and the text ``"2"`` are one id, and
        ``2.0`` next to ``2`` two; a list cell (tags) keeps its list, its numbers as text; a
        JSON string ``""`` is missing, as an empty CSV cell is. A JSON number beyond 64 bits
        (``2**64``) is refused with the file named, as pandas' JSON parser cannot hold it: write
        such ids as JSON strings. Parquet columns keep their stored types (an int64 id column
        stays int64: it cannot hold ``"2"`` beside ``2``, nor ``007``). A
        callable gets the file's column names and returns the text columns among them (a CSV file
        is still parsed once).
    na_values : None, str or list of str, optional
        The texts of a CSV, TSV or text file read as missing cells. None (the default): pandas'
        markers (``NA``, ``None``, ``null``, ``nan``, ``N/A``, ...:
        :data:`labelwise.io.na_values.PANDAS_NA_VALUES`) and empty cells. ``""`` or ``[]``: only
        empty cells, so a class written ``NA`` stays the text ``"NA"``. A list: exactly those texts,
        besides empty cells. Parquet and JSON files have typed nulls, which it does not change.

    Raises
    ------
    DataFileError
        If the file is missing, empty, has an unsupported suffix, cannot be parsed (the message
        names the file and, where the parser knows it, the line), its header repeats a name, a
        line holds a value past the header's columns, it is not UTF-8 text (UTF-16, a workbook or
        a compressed file is named as such, with the fix), or it is a ``.txt`` table whose
        delimiter is ambiguous or also inside cells.
    InvalidParameterError
        If ``na_values`` is not None, a string or a list of strings.
    """
    na = check_na_values(na_values)
    p = require_file(path, parameter="path", kind="data file")
    suffix = table_suffix(p)
    if suffix not in SUPPORTED:
        raise DataFileError(
            f"data file {str(p)!r} must end in one of {SUPPORTED}, got {suffix or 'no suffix'!r}{suffix_hint(p)}"
        )
    if p.stat().st_size == 0:
        raise DataFileError(f"data file {str(p)!r} is empty")
    src = plain_text(p)
    with shown_as(src, p):
        return _read_plain(src, suffix, text_columns, na)


def _read_plain(p: Path, suffix: str, text_columns: TextColumns, na: tuple[str, ...] | None) -> pd.DataFrame:
    """:func:`read_table` of the plain file ``p`` (:func:`~labelwise.io.plain_text.plain_text`'s), whose
    format ``suffix`` says."""
    try:
        if suffix in CSV_SUFFIXES:
            sep = csv_delimiter(p)
            frame = read_csv_frame(p, sep, csv_na_options(na))
            check_unique_header(p, sep)
            names = _names(text_columns, frame)
            restore_merged_texts(frame, names, lambda names: _csv_texts(p, sep, names, na))
            read_decimal_commas(frame, sep, keep=names)
        elif suffix in _PARQUET:
            frame = index_as_columns(pd.read_parquet(p))
        else:
            frame = _read_json(p, suffix, text_columns)
    except DataFileError:
        raise
    except pd.errors.EmptyDataError:
        raise DataFileError(f"data file {str(p)!r} has no rows or columns") from None
    except UnicodeDecodeError:
        raise not_utf8_error(p, "data file") from None
    except (pd.errors.ParserError, ValueError, OSError) as exc:
        raise DataFileError(f"data file {str(p)!r} could not be read: {str(exc).strip()}") from None
    except Exception as exc:  # pyarrow raises its own types for corrupt Parquet
        raise DataFileError(f"data file {str(p)!r} could not be read: {type(exc).__name__}: {exc}") from None
    if frame.shape[0] == 0:
        what = "a header but no rows" if suffix in CSV_SUFFIXES else "no rows (no records)"  # a JSON '[]' has no header
        raise DataFileError(f"data file {str(p)!r} has {what}")
    return frame


def _read_json(p: Path, suffix: str, text_columns: TextColumns) -> pd.DataFrame:
    """A JSON or JSON Lines file; its ``text_columns`` are read as the CSV file of the same table
    would be (:func:`_ids_as_csv_reads`). The file is parsed once, by pandas (a callable
    ``text_columns`` is given the first record's keys, which begin the frame's columns; a second
    parse only when the whole frame's columns make it name others); the id cells' texts are the
    values pandas parsed, unless a cell is a JSON float (``2.0``, ``1e3``: pandas keeps the number,
    not its text), when the id columns are parsed once more with the numbers as the file writes them."""
    with p.open(encoding="utf-8-sig") as fh:
        head = fh.read(64).lstrip()
    records = suffix == ".json" and head.startswith("[")

    def read(names: Collection[str]) -> pd.DataFrame:
        as_written = text_dtypes(names, dtype=object)
        try:
            if records:
                return pd.read_json(p, orient="records", dtype=as_written or True, encoding="utf-8-sig")
            return pd.read_json(p, lines=True, dtype=as_written or True, encoding="utf-8-sig")
        except (ValueError, TypeError):
            if not records:
                for _ in iter_json_lines(p):  # names the first malformed line, if any
                    pass
            raise

    if callable(text_columns):  # its names from the first record's keys; again only if the rest change them
        first = _first_keys(p, records)
        guess = [c for c in text_columns(first) if c in first]
        frame = read(guess)
        names = _names(text_columns, frame)
        if set(names) != set(guess):
            frame = read(names)
    else:
        frame = read(text_columns)
        names = _names(text_columns, frame)
    if names:
        parsed = {name: _parsed_texts(frame[name]) for name in names}
        cells = {n: t for n, t in parsed.items() if t is not None}
        if len(cells) < len(names):  # a JSON float among the ids: their texts from the file
            cells = _json_cells(p, records, names)
        _ids_as_csv_reads(frame, cells, names)
    return frame


def _first_keys(p: Path, records: bool) -> list[str]:
    """The keys of the first object of a JSON list (``records``, looked for in the first
    :data:`_FIRST_RECORD_CHARS`) or JSON Lines file (its first non-blank line); ``[]`` if it holds
    none or it does not decode (pandas' parse then says why)."""
    with p.open(encoding="utf-8-sig") as fh:
        if not records:
            return _keys_of(next((line for line in fh if line.strip()), "").strip()) or []
        text = ""
        while (block := fh.read(1 << 16)) and len(text) < _FIRST_RECORD_CHARS:
            text += block
            keys = _keys_of(text.lstrip()[1:].lstrip())  # None: the record goes on in the next block
            if keys is not None:
                return keys
    return []


def _keys_of(text: str) -> list[str] | None:
    """The keys of the JSON object ``text`` starts with (``[]`` for another value), None if it does not decode."""
    try:
        first, _ = _FIRST_DECODER.raw_decode(text)
    except json.JSONDecodeError:
        return None
    return [str(k) for k in first] if isinstance(first, dict) else []


def _parsed_texts(column: pd.Series) -> list[Any] | None:
    """The cells of an id ``column`` as pandas parsed them (read as objects) when each one is what
    the file writes: a string, a JSON integer as its text (JSON writes ``2`` as ``str(2)`` does), a
    boolean, null, an object, or a list of these; None if a cell is a float (``2.0``, ``1e3``, or an
    integer column that a missing cell made floats: the parse lost its text) or NaN (a missing key,
    or JSON's ``NaN``, which the file's text would keep)."""
    values = column.tolist()
    if set(map(type, values)) <= {str, type(None)}:  # the usual id column: nothing to look at
        return values
    try:
        return [_as_written(value) for value in values]
    except TypeError:
        return None


def _as_written(value: Any) -> Any:
    """``value`` (a cell pandas parsed) with a JSON integer as its text; TypeError for a float."""
    if isinstance(value, bool) or value is None or isinstance(value, str | dict):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return [_as_written(v) for v in value]
    raise TypeError(type(value).__name__)


def _json_cells(p: Path, records: bool, names: list[str]) -> dict[str, list[Any]]:
    """The cells of ``names`` in each record of a JSON list (``records``) or JSON Lines file, JSON
    numbers as the text the file writes them with (a missing key: None)."""
    if records:
        with p.open(encoding="utf-8-sig") as fh:
            rows = json.loads(fh.read(), **_NUMBERS_AS_TEXT)
        rows = [r if isinstance(r, dict) else {} for r in rows] if isinstance(rows, list) else []
    else:
        rows = [record for _, record in iter_json_lines(p, numbers_as_text=True)]
    return {name: [row.get(name) for row in rows] for name in names}


def _ids_as_csv_reads(frame: pd.DataFrame, cells: dict[str, list[Any]], names: list[str]) -> None:
    """Replace, in place, the columns ``names`` of a JSON ``frame`` by what a CSV file of the same
    table gives (:func:`~labelwise.io._text_ids.csv_read_of_texts`): the number ``2`` and the text
    ``"2"`` are one id, ``2.0`` and ``2`` two, ``true`` is ``True``. A column holding lists (a JSON
    tag list: ``[2, "cat"]`` is ``["2", "cat"]``, as the cell ``2|cat`` of a CSV file splits) keeps
    its lists, their numbers as text; one holding an object keeps JSON's values."""
    texts = {}
    for name in names:
        kinds = set(map(type, cells[name]))
        written = _cell_texts(cells[name], kinds) if len(cells[name]) == len(frame) else None
        if written is None:
            frame[name] = numbers_unless_merged(frame[name])
        elif list in kinds:
            frame[name] = pd.Series(written, index=frame.index, dtype=object)
        else:
            texts[name] = written
    if texts:
        read = csv_read_of_texts(texts)
        for name in texts:
            frame[name] = read[name].to_numpy()


def _cell_texts(values: list[Any], kinds: set[type]) -> list[Any] | None:
    """Each JSON cell's text as a CSV file would hold it (null: None; ``true``: ``"True"``, as pandas
    writes it; a list: the list of its values' texts), or None if a cell is (or holds) an object."""

    def text(value: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool):
            return str(value)
        raise TypeError

    if kinds <= {str, type(None)}:  # the usual id column (``kinds``: the cells' types): nothing to convert
        return values
    try:
        return [[text(v) for v in value] if isinstance(value, list) else text(value) for value in values]
    except TypeError:
        return None
