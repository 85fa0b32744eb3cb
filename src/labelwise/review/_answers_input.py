"""Where the answers an aggregation read are, and how to read them again (``summary.json``'s ``input``).

``labelwise aggregate`` and ``aggregate-tags`` record in ``summary.json`` an ``input`` object: the
answers' path (absolute), the format read (an annotation reader's name, ``"table"`` for
``aggregate-tags``' long table, or ``"parquet-parts"`` for a folder of Parquet parts) and the column
options as given (``--item-column`` and the like; None for the format's default). The review's cards
read the answers again with them (:func:`answers_input`). A folder written before the record keeps
the older lookup: ``settings.path`` as a file, with the format and, for tags, the columns of
``settings``; :data:`NO_RECORD` says so where that fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataFileError, LabelwiseError
from ..io.index_columns import index_as_columns
from ..io.parquet_parts import parquet_part_files
from ..io.tables import read_table

__all__ = ["NO_RECORD", "PARTS", "AnswersInput", "answers_input", "gold_labels", "read_parquet_parts"]

#: The ``format`` of a folder of Parquet parts.
PARTS = "parquet-parts"
#: Appended to why a card shows no answers, for a folder without the ``input`` record.
NO_RECORD = (
    "; this folder's summary.json does not record how the answers were read (written before labelwise "
    "recorded it), so the file was looked for and read with the defaults: run the command again to see them"
)


@dataclass(frozen=True)
class AnswersInput:
    """The answers file (or folder of Parquet parts) a folder was made from and how it was read.

    Attributes
    ----------
    path : Path or None
        Where it was found; None when it is not there.
    named : str or None
        The path ``summary.json`` names.
    format : str
        The format to read it with.
    columns : dict
        The column options (``item``, ``annotator``, ``label`` or ``tags``; None: the default).
    na_values : object
        The missing markers it was read with (``settings.na_values``).
    recorded : bool
        Whether ``summary.json`` holds the ``input`` record.
    """

    path: Path | None
    named: str | None
    format: str
    columns: dict[str, Any]
    na_values: Any
    recorded: bool

    @property
    def note(self) -> str:
        """:data:`NO_RECORD` for a folder without the record, else ``""``."""
        return "" if self.recorded else NO_RECORD


def _candidates(folder: Path, raw: str) -> list[Path]:
    """``raw`` as named, then inside ``folder`` and beside it (the audit finds its data so)."""
    p = Path(raw).expanduser()
    return [p, folder / p, folder.parent / p.name, folder / p.name]


def answers_input(folder: Path, summary: dict) -> AnswersInput:
    """The answers of the aggregation in ``folder`` (``--demo``'s ``answers.csv``), found by the
    ``input`` record's path, then ``settings.path`` as named, inside the folder and beside it."""
    settings = summary.get("settings") or {}
    record = summary.get("input") if isinstance(summary.get("input"), dict) else None
    na = settings.get("na_values")
    if settings.get("demo"):
        path = folder / "answers.csv"
        return AnswersInput(path if path.is_file() else None, str(path), "long", {}, na, True)
    if record is None:
        raw = settings.get("path")
        found = next((c for c in _candidates(folder, str(raw)) if c.is_file()), None) if raw else None
        fmt = str(settings.get("format") or "auto")
        return AnswersInput(found, raw, fmt, dict(settings.get("columns") or {}), na, False)
    fmt = str(record.get("format") or "auto")
    names = [str(n) for n in (record.get("path"), settings.get("path")) if n]
    fits = Path.is_dir if fmt == PARTS else Path.is_file
    found = next((c for n in names for c in _candidates(folder, n) if fits(c)), None)
    return AnswersInput(found, names[0] if names else None, fmt, dict(record.get("columns") or {}), na, True)


def read_parquet_parts(folder: Path, columns: list[str]) -> pd.DataFrame:
    """The ``columns`` of every Parquet part of ``folder``, in part order; a part's named index (pandas'
    ``df.set_index("item")``) is one of its columns, as :func:`labelwise.io.read_table` reads it.

    Raises
    ------
    DataFileError
        If the folder has no Parquet part, or a part cannot be read or lacks one of the columns.
    """
    import pyarrow.parquet as pq

    parts = parquet_part_files(folder)
    if not parts:
        raise DataFileError(f"folder {str(folder)!r} has no Parquet parts")
    frames = []
    for part in parts:
        try:
            names = pq.read_schema(part).names
            if any(c not in names for c in columns):
                raise DataFileError(f"Parquet part {str(part)!r} lacks the columns {columns} (has {names[:20]})")
            # a named index of the part (df.set_index("item")) is one of its columns, as io.read_table reads it
            frames.append(index_as_columns(pq.read_table(part, columns=columns).to_pandas())[columns])
        except DataFileError:
            raise
        except Exception as exc:  # pyarrow raises its own types for corrupt parts
            raise DataFileError(f"Parquet part {str(part)!r} could not be read: {exc}") from None
    return pd.concat(frames, ignore_index=True)


def gold_labels(folder: Path, summary: dict) -> tuple[dict[str, str], str | None]:
    """The true labels of the run's ``--gold`` table (``summary.json``'s ``gold.path``, then ``gold.file``; ``--demo``'s
    ``gold.csv``) by item, ids and labels as text (an item's last row, as the run's accuracy counts
    it); or why there are none (``None`` when the run had no gold table).

    The table is read as ``labelwise aggregate --gold`` reads it: its ``item`` and ``label`` columns,
    or its only two columns.
    """
    gold = summary.get("gold")
    if not isinstance(gold, dict) or not gold.get("file"):
        return {}, None
    raw = str(gold["file"])
    names = [str(n) for n in (gold.get("path"), raw) if n]
    path = next((c for n in names for c in _candidates(folder, n) if c.is_file()), None)
    if path is None:
        return {}, f"the --gold file {raw!r} named in summary.json was not found"
    try:
        table = read_table(path, text_columns=lambda names: names)
    except LabelwiseError as exc:
        return {}, f"the --gold file {str(path)!r} could not be read ({exc})"
    names = ["item", "label"] if {"item", "label"} <= set(table.columns) else list(table.columns)
    if len(names) != 2:
        return {}, f"the --gold file {str(path)!r} has neither item and label columns nor two columns"
    table = table[names].dropna()
    return dict(zip(table[names[0]].astype(str), table[names[1]].astype(str), strict=True)), None
