"""Read repeated model samples (LLM votes): one record per (item, sample or prompt or model, answer).

JSON Lines (``{"item": "q1", "sample": 3, "answer": "B"}``) or CSV with the same columns. The
annotator of an answer is ``annotator_column`` when given; else the ``model`` and ``prompt``
fields present, joined with ``/`` (so prompts or models are the annotators Dawid-Skene weighs);
else the ``sample`` field. Records whose answer is null or blank are dropped and counted. Every
field is read as text, as the CSV's cells are: a JSON number as the file writes it (item ``2``
and item ``"2"`` are one item, ``2.0`` another). The item, annotator and answer columns then follow
the rule of a long table's ids (:func:`labelwise.io._text_ids.csv_read_of_texts`): numbers where no
two texts become one number (items ``2`` and ``10`` are the integers, ordered ``2`` before ``10``),
the text where one would (``007`` beside ``7``: two items, as written), so a votes file and the long
table of the same answers give the same outputs.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..._heavy import pandas as pd
from ...errors import DataFileError
from .._text_ids import csv_read_of_texts
from ..csv_grid import read_csv_frame
from ..delimiter import csv_delimiter
from ..json_records import json_records
from ..paths import require_file
from ..plain_text import plain_text
from ..tables import iter_json_lines, not_utf8_error
from ._common import Annotations, empty_label, first_nested, integer_labels, items_without_answers

__all__ = ["NAME", "annotators_are_samples", "read", "recognise"]

NAME = "votes"
SOURCES = ("model", "prompt", "sample")
_JSONL = (".jsonl", ".ndjson")


def _keys(path: Path) -> set[str] | None:
    try:
        path = plain_text(path)  # a compressed or UTF-16 file: its decoded copy
        suffix = path.suffix.lower()
        if suffix in _JSONL:
            for _, record in iter_json_lines(path, kind="votes file"):
                return set(record)
            return None
        if suffix == ".csv":
            return {str(c) for c in pd.read_csv(path, nrows=0, sep=csv_delimiter(path)).columns}
    except (DataFileError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError):
        return None
    return None


def recognise(path: str | os.PathLike) -> bool:
    """Whether ``path`` looks like a votes file: ``.jsonl``/``.csv`` with ``item``, ``answer`` and a sample/prompt/model field."""
    keys = _keys(Path(path))
    if not keys:
        return False
    return {"item", "answer"} <= keys and bool(keys & set(SOURCES)) and "label" not in keys


def annotators_are_samples(path: str | os.PathLike, annotator_column: str | None = None) -> bool:
    """Whether :func:`read` would take the ``sample`` field as the annotator: no ``annotator_column``,
    no ``model`` or ``prompt`` field. The samples of one model are then exchangeable draws, not
    annotators with skills of their own: self-consistency (Wang et al., ICLR 2023) takes their
    majority vote."""
    keys = None if annotator_column else _keys(Path(path))
    return bool(keys) and "sample" in keys and not keys & set(SOURCES[:2])  # type: ignore[operator]


def _csv_rows(path: Path) -> tuple[np.ndarray, np.ndarray] | None:
    """The line each row of a CSV starts on (quoted line breaks and blank lines counted, as an editor
    shows them) and its number of cells, read with the csv module; None if it cannot be read so."""
    try:
        text = plain_text(path)  # a compressed or UTF-16 file: its decoded copy
        with open(text, encoding="utf-8-sig", errors="replace", newline="") as handle:
            reader = csv.reader(handle, delimiter=csv_delimiter(text))
            starts, widths, end, header = [], [], 0, True
            for record in reader:
                start, end = end + 1, reader.line_num
                if not record:  # a blank line holds no row
                    continue
                if not header:
                    starts.append(start)
                    widths.append(len(record))
                header = False
    except (OSError, csv.Error, DataFileError):
        return None
    return np.array(starts, dtype=np.int64), np.array(widths, dtype=np.int64)


def _records(path: Path, label: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray | None]:
    """The table, the file line of each row, whether each row has the answer key at all, and (CSV) each
    row's number of cells."""
    if path.suffix.lower() in _JSONL:  # numbers as the file writes them: a CSV's cells are text
        numbers, records = json_records(path, kind="votes file", numbers_as_text=True)
        has_answer = np.array([label in r for r in records], dtype=bool)
        return pd.DataFrame(records), np.array(numbers, dtype=np.int64), has_answer, None
    try:
        table = read_csv_frame(
            path, csv_delimiter(path), {"dtype": object, "keep_default_na": False, "na_values": [""]}
        )
    except UnicodeDecodeError:
        raise not_utf8_error(path, "votes file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataFileError(f"votes file {str(path)!r} is not a readable CSV ({exc})") from None
    has_answer = np.full(len(table), label in table.columns)
    rows = _csv_rows(path)
    if rows is None or len(rows[0]) != len(table):  # not the rows pandas read: count them as lines
        return table, np.arange(2, len(table) + 2), has_answer, None
    return table, rows[0], has_answer, rows[1]


def _short_row(table: pd.DataFrame, widths: np.ndarray | None, needed: tuple[str, ...]) -> tuple[int, int, str] | None:
    """``(row, cells, column)`` of the first CSV row cut short before a needed column (a cell missing, not
    empty): its number of cells and the first needed column it lacks."""
    if widths is None:
        return None
    at = [table.columns.get_loc(c) for c in needed if c in table.columns]
    if not at:
        return None
    short = np.flatnonzero(widths <= max(at))
    if short.size == 0:
        return None
    row = int(short[0])
    return row, int(widths[row]), next(str(table.columns[i]) for i in sorted(at) if i >= widths[row])


def read(
    path: str | os.PathLike,
    *,
    item_column: str | None = None,
    annotator_column: str | None = None,
    label_column: str | None = None,
    **options: Any,
) -> Annotations:
    """Read a votes file into an :class:`~labelwise.io.annotations.Annotations` (format ``"votes"``).

    Raises
    ------
    DataFileError
        The file is missing, or a record lacks the item, the answer key, or every
        sample/prompt/model field, or its item or answer is a list or an object (the message
        names the file and the line). A record whose
        answer is null or blank is dropped and counted as ``empty``.
    """
    p = require_file(path, parameter="path", kind="votes file")
    item, label = item_column or "item", label_column or "answer"
    table, lines, has_answer, widths = _records(p, label)
    if annotator_column:
        sources = [annotator_column]
    else:
        sources = [c for c in SOURCES[:2] if c in table.columns] or ["sample"]
    need = f"{item!r}, {label!r} and {' and '.join(repr(s) for s in sources)}"
    if (cut := _short_row(table, widths, (item, *sources, label))) is not None:
        row, cells, column = cut
        raise DataFileError(
            f"votes file {str(p)!r}: line {lines[row]} has {cells} cell(s) where the header names "
            f"{len(table.columns)}, so no {column!r} field (each record needs {need}; an empty answer is an empty cell)"
        )
    if not has_answer.all():
        row = int(np.flatnonzero(~has_answer)[0])
        raise DataFileError(
            f"votes file {str(p)!r}: line {lines[row] if len(lines) else 1} has no {label!r} field (each record needs {need})"
        )
    for column in (item, *sources):
        absent = table[column].isna().to_numpy() if column in table.columns else np.ones(len(table), dtype=bool)
        if absent.any():
            row = int(np.flatnonzero(absent)[0])
            raise DataFileError(
                f"votes file {str(p)!r}: line {lines[row]} has no {column!r} field (each record needs {need})"
            )
    # nested JSON (answers as a list, an object as id); a CSV's cells are texts
    found = first_nested(table, (item, label)) if p.suffix.lower() in _JSONL else None
    if found is not None:
        column, row, value = found
        raise DataFileError(
            f"votes file {str(p)!r}: line {lines[row]} has a {type(value).__name__} as its {column!r} "
            f"({value!r}), expected a single value (a string or a number)"
        )
    who = table[sources[0]].astype(str)
    for column in sources[1:]:
        who = who + "/" + table[column].astype(str)
    answers = table[label]
    empty = _blank(answers)
    frame = csv_read_of_texts({"item": _texts(table[item]), "annotator": who.tolist(), "label": _texts(answers)})
    kept = integer_labels(frame.loc[~empty].reset_index(drop=True))
    dropped = {"empty": int(empty.sum())} if empty.any() else {}
    lost = items_without_answers(frame["item"], ~empty)
    return Annotations(kept, NAME, str(p), n_records=len(frame), dropped=dropped, items_without_answers=lost)


def _blank(answers: pd.Series) -> np.ndarray:
    """Null or blank answers: a string column's by pandas' string methods, an object column's cell by cell."""
    if answers.dtype != object:
        return empty_label(answers)
    cells = answers.to_numpy(dtype=object)
    return answers.isna().to_numpy() | np.array([isinstance(v, str) and not v.strip() for v in cells], dtype=bool)


def _texts(values: pd.Series) -> list[str | None]:
    """Each cell as the CSV file of the votes would hold it: null None, ``true`` ``"True"``."""
    return [
        v if isinstance(v, str) else None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
        for v in values.to_numpy(dtype=object)
    ]
