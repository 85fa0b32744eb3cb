"""Read a data table from CSV, TSV, Parquet or JSON Lines with clear errors."""

from __future__ import annotations

import codecs
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd

from ..errors import DataFileError
from .paths import require_file

_CSV = {".csv", ".tsv", ".txt"}
_PARQUET = {".parquet", ".pq"}
_JSONL = {".jsonl", ".ndjson"}
SUPPORTED = sorted(_CSV | _PARQUET | _JSONL | {".json"})


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
    """``data file 'x.csv' is not UTF-8 text (line 12, byte 345); ...``: where, and how to fix it."""
    where = first_non_utf8(path)
    at = f" (line {where[0]}, byte {where[1]})" if where else ""
    return DataFileError(
        f"{kind} {str(path)!r} is not UTF-8 text{at}; save it as UTF-8 (e.g. from a spreadsheet choose "
        "'CSV UTF-8', or run: iconv -f latin1 -t utf-8 IN > OUT)"
    )


def iter_json_lines(path: Path, *, kind: str = "data file") -> Iterator[tuple[int, dict]]:
    """Yield ``(line number, object)`` for each non-blank line of a JSON Lines file.

    Raises
    ------
    DataFileError
        Naming the file (as ``kind``) and the line that is not valid JSON or not a JSON object,
        or saying the file is not UTF-8 text.
    """
    with path.open(encoding="utf-8", errors="strict") as fh:
        try:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DataFileError(f"{kind} {str(path)!r}: line {number} is not valid JSON ({exc.msg})") from None
                if not isinstance(value, dict):
                    raise DataFileError(
                        f"{kind} {str(path)!r}: line {number} must be a JSON object, got {type(value).__name__}"
                    )
                yield number, value
        except UnicodeDecodeError:
            raise not_utf8_error(path, kind) from None


def _check_unique_header(path: Path, sep: str | None) -> None:
    """Refuse a header that names a column twice: pandas would rename the second ``y`` to ``y.1``,
    so a duplicated label column would silently become a feature (a copy of the label)."""
    header = pd.read_csv(path, sep=sep, engine="python" if sep is None else "c", header=None, nrows=1, dtype=str)
    names = [str(v) for v in header.iloc[0] if isinstance(v, str)]
    seen = sorted({n for n in names if names.count(n) > 1})
    if seen:
        where = ", ".join(f"{n!r} (columns {[i + 1 for i, v in enumerate(header.iloc[0]) if v == n]})" for n in seen)
        raise DataFileError(f"data file {str(path)!r} must have unique column names; the header repeats {where}")


def _keep_distinct_texts(frame: pd.DataFrame, path: Path, sep: str | None, names: Sequence[str]) -> None:
    """Replace (in place) each numeric column of ``names`` whose distinct texts parse to fewer
    distinct numbers by its text (see :func:`read_table`); missing cells stay missing."""
    for name in names:
        if name not in frame.columns or frame[name].dtype.kind not in "iuf":
            continue
        text = pd.read_csv(path, sep=sep, engine="python" if sep is None else "c", usecols=[name], dtype=str)[name]
        if text.str.strip().nunique() != frame[name].nunique():
            frame[name] = text.str.strip().astype(object).where(text.notna(), None)


def read_table(path: str | os.PathLike, *, text_columns: Sequence[str] = ()) -> pd.DataFrame:
    """Read ``path`` into a DataFrame, choosing the format from its suffix.

    Supported: ``.csv``, ``.tsv``, ``.txt`` (delimiter sniffed for ``.txt``), ``.parquet``/``.pq``,
    ``.jsonl``/``.ndjson`` (one JSON object per line) and ``.json`` (JSON Lines or a list of objects).

    Parameters
    ----------
    path : str or path-like
        The file.
    text_columns : sequence of str, default ()
        Columns of labels (class names). A delimited text file's column that pandas parses as
        numbers is kept as its text instead where the parse would make distinct texts equal
        (``01`` and ``1``, ``1`` and ``1.0``: two classes, not one); other columns, and the other
        formats (which store their types), are read as they are.

    Raises
    ------
    DataFileError
        If the file is missing, empty, has an unsupported suffix, cannot be parsed (the message
        names the file and, where the parser knows it, the line), or its header repeats a name.
    """
    p = require_file(path, parameter="path", kind="data file")
    suffix = p.suffix.lower()
    if suffix not in SUPPORTED:
        raise DataFileError(f"data file {str(p)!r} must end in one of {SUPPORTED}, got {suffix or 'no suffix'!r}")
    if p.stat().st_size == 0:
        raise DataFileError(f"data file {str(p)!r} is empty")
    try:
        if suffix in _CSV:
            sep = "\t" if suffix == ".tsv" else ("," if suffix == ".csv" else None)
            frame = pd.read_csv(p, sep=sep, engine="python" if sep is None else "c")
            _check_unique_header(p, sep)
            _keep_distinct_texts(frame, p, sep, text_columns)
        elif suffix in _PARQUET:
            frame = pd.read_parquet(p)
        else:
            with p.open(encoding="utf-8") as fh:
                head = fh.read(64).lstrip()
            if suffix == ".json" and head.startswith("["):
                frame = pd.read_json(p, orient="records")
            else:
                for _ in iter_json_lines(p):  # names the first malformed line, if any
                    pass
                frame = pd.read_json(p, lines=True)
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
        what = "a header but no rows" if suffix in _CSV else "no rows (no records)"  # a JSON '[]' has no header
        raise DataFileError(f"data file {str(p)!r} has {what}")
    return frame
