"""Corrected test labels from a review export, a file of fixed labels, or per-item human counts."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import show
from .._validate.class_columns import columns_in_class_order
from .._validate.labels import _as_1d, are_column_numbers, encode_labels
from ..errors import (
    DataFileError,
    InvalidLabelsError,
    InvalidParameterError,
    MissingColumnError,
    ShapeMismatchError,
)
from ..io.arrays import load_npy
from ..io.delimiter import is_csv
from ..io.na_values import NaValues
from ..io.paths import require_file
from ..io.tables import read_table, read_texts
from ._corrections_ids import log_id_column, rows_by_id, test_ids
from ._corrections_lines import file_rows, frame_rows
from ._inputs import align_rows

__all__ = [
    "Corrections",
    "corrections_from_changes",
    "corrections_from_counts",
    "read_corrections",
]

CHANGES_NAME = "cleaned.changes.csv"


def _change_log_in(folder: Path) -> Path:
    """The change log in an export folder: ``cleaned.changes.csv``, else the folder's one ``*.changes.csv``
    (an export to ``cleaned.parquet`` writes ``cleaned.parquet.changes.csv``); refused when there is none or
    several, naming them."""
    if (folder / CHANGES_NAME).is_file():
        return folder / CHANGES_NAME
    logs = sorted(f.name for f in folder.glob("*.changes.csv") if f.is_file())
    if len(logs) == 1:
        return folder / logs[0]
    found = f"it holds {len(logs)}: {logs[:5]}; pass one of them as the file" if logs else "it holds none"
    raise DataFileError(
        f"corrections folder {str(folder)!r} must contain {CHANGES_NAME} or one other *.changes.csv "
        f"(written by labelwise export); {found}"
    )


@dataclass(frozen=True)
class Corrections:
    """Corrected labels for a test set.

    Attributes
    ----------
    corrected : ndarray of object, shape (n,)
        The corrected label of every item; ``None`` where the item is excluded.
    soft_labels : ndarray of shape (n, K) or None
        Human label distributions, when built from counts.
    source : str
        Where the corrections came from.
    """

    corrected: np.ndarray
    soft_labels: np.ndarray | None
    source: str

    def to_frame(self) -> pd.DataFrame:
        """One row per item: the corrected label (None when excluded)."""
        return pd.DataFrame({"corrected": self.corrected})


def corrections_from_changes(
    changes: pd.DataFrame, given: Any, *, source: str = "changes", ids: Any = None
) -> Corrections:
    """Apply a review change log (``row``, ``action``, ``new_label``) to the given labels.

    ``relabel`` sets the new label, ``exclude`` drops the item from the corrected test set and
    ``keep`` leaves the given label. This is the log that ``labelwise export`` writes beside the
    cleaned table (``cleaned.changes.csv``). Errors name a log entry by the line it would have in
    such a CSV file (entry 0 on line 2); :func:`read_corrections` names the file's own lines.

    ``ids`` (the test items' ids: one per item of ``given``, or a table whose column named as the log's
    id column holds them) matches the entries to the items by the data's id, when the log has an id
    column (the one between ``row`` and ``action``: :mod:`labelwise.evaluate._corrections_ids`);
    otherwise ``row`` is the item's position in ``given``.
    """
    if not isinstance(changes, pd.DataFrame):  # a dict of columns raised AttributeError: no 'columns'
        raise InvalidParameterError(
            f"changes must be a DataFrame with columns row, action and new_label, got {type(changes).__name__}"
        )
    return _from_changes(changes, given, source, lambda: frame_rows(len(changes)), ids)


def _from_changes(
    changes: pd.DataFrame, given: Any, source: str, lines: Callable[[], list[str]], ids: Any = None
) -> Corrections:
    """:func:`corrections_from_changes`, its errors naming entry ``i`` as ``lines()[i]`` (computed on error only)."""
    g = _as_1d(given, "given").astype(object)
    for col in ("row", "action", "new_label"):
        if col not in changes.columns:
            raise MissingColumnError(f"{source} must have a {col!r} column (columns: {list(changes.columns)[:20]})")
    column = log_id_column(changes.columns)
    by_id = test_ids(ids, column, len(g), source)
    if by_id is not None and column is not None:  # the log's rows are the audited table's: the ids say which item
        rows, keep = rows_by_id(changes[column], by_id, column, source, lines)
    else:
        rows, keep = _rows_in_test_set(changes["row"], len(g), source, lines), np.ones(len(changes), dtype=bool)
    corrected = g.copy()
    done: dict[int, tuple[int, Any]] = {}  # row -> (entry of the log, what the row was set to)
    for entry, (r, action, new) in enumerate(
        zip(rows, changes["action"].astype(str), changes["new_label"], strict=False)
    ):
        if not keep[entry]:
            continue
        if action == "relabel":
            value = _like(new, g)
        elif action == "exclude":
            value = None
        elif action in ("keep", "clear"):
            value = g[r]
        else:
            raise InvalidParameterError(
                f"{source}: action must be relabel, exclude or keep, got {action!r} ({lines()[entry]})"
            )
        if r in done and not _same(done[r][1], value):
            first, before = done[r]
            raise InvalidLabelsError(
                f"{source} must correct each test item once, row {r} is set to {show(before)} ({lines()[first]}) and "
                f"to {show(value)} ({lines()[entry]}); keep one of the two lines"
            )
        done[r] = (entry, value)
        corrected[r] = value
    return Corrections(corrected, None, source)


def _rows_in_test_set(row: pd.Series, n: int, source: str, lines: Callable[[], list[str]]) -> np.ndarray:
    """The ``row`` column as item positions ``0..n-1``; rows outside the test set are one error listing them
    (corrections made for another version of the test file would otherwise score the wrong items)."""
    rows = pd.to_numeric(row, errors="coerce").to_numpy(dtype=float)
    _check_row_numbers(row, rows, source, lines)
    bad = (rows < 0) | (rows >= n)
    if bad.any():
        where = np.flatnonzero(bad)
        listed = ", ".join(f"row {_as_written(row.iloc[i])} ({lines()[i]})" for i in where[:10])
        more = f" and {len(where) - 10} more" if len(where) > 10 else ""
        many = f"{len(where)} corrections for items" if len(where) > 1 else "a correction for an item"
        raise InvalidLabelsError(
            f"{source} has {many} not in the test set: {listed}{more}; the test set has items 0..{n - 1} (rows "
            "count from 0 in the order of the test labels): were the corrections made for another test file?"
        )
    return rows.astype(np.int64)


def _check_row_numbers(row: pd.Series, rows: np.ndarray, source: str, lines: Callable[[], list[str]]) -> None:
    """Refuse an empty ``row`` cell, or one that is not a whole number, naming its line."""
    empty = row.isna().to_numpy()
    not_whole = ~empty & (~np.isfinite(rows) | (np.mod(np.nan_to_num(rows), 1) != 0))
    for bad, what in ((empty, "is empty"), (not_whole, "is not a whole number")):
        if not bad.any():
            continue
        where = np.flatnonzero(bad)
        listed = ", ".join(
            lines()[i] + ("" if what == "is empty" else f" ({_as_written(row.iloc[i])})") for i in where[:10]
        )
        more = f" and {len(where) - 10} more" if len(where) > 10 else ""
        raise InvalidLabelsError(
            f"{source} must give each correction's test item in its 'row' column as a whole number from 0 (the "
            f"item's position in the test labels); the row {what} at {listed}{more}"
        )


def _as_written(value: Any) -> str:
    """A row number as the file wrote it: ``9`` (not ``9.0``, as a column that also holds ``2.5`` reads it)."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return show(value)


def _same(a: Any, b: Any) -> bool:
    """Two corrected labels are the same (both excluded, or equal)."""
    return (a is None and b is None) or (a is not None and b is not None and a == b)


def _like(value: Any, given: np.ndarray) -> Any:
    """A label read from text turned into the type of the given labels (CSV reads 3 as '3' or 3.0)."""
    sample = given[0]
    if isinstance(sample, (int, np.integer)) and not isinstance(sample, bool):
        try:
            f = float(value)
        except (TypeError, ValueError):
            return value
        return int(f) if f == int(f) else value
    if isinstance(sample, str):
        # an integer column with an empty cell (an exclusion) is read as floats: 5.0 was written "5"
        integral = isinstance(value, (float, np.floating)) and float(value).is_integer()
        return str(int(value)) if integral else str(value)
    return value


def corrections_from_counts(counts: Any, given: Any, *, classes: Any = None) -> Corrections:
    """Corrected labels as the plurality of per-item human votes, and soft labels as vote shares.

    Parameters
    ----------
    counts : array-like of shape (n, K)
        Number of annotators who chose each class (columns in ``classes`` order); a DataFrame beside
        a ``given`` Series is matched to it by index, as pandas does, and a DataFrame whose header
        names the classes is matched to them by name, in any order.
    given : array-like of shape (n,)
        The original labels; a tie that includes the given label keeps it.
    classes : array-like of shape (K,), optional
        Class of each column (default: ``0..K-1`` for integer labels; for other labels such as
        ``"yes"``/``"no"``, their sorted distinct values when there are K of them).
    """
    counts = align_rows(given, "given", counts, "counts")
    named = None
    if isinstance(counts, pd.DataFrame):  # a header naming the classes: matched by name
        named = (
            _count_classes(_as_1d(given, "given"), counts.shape[1]) if classes is None else _as_1d(classes, "classes")
        )
        if len(named) == counts.shape[1]:
            counts = columns_in_class_order(counts, named, name="counts")
    try:
        c = np.asarray(counts, dtype=float)
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"counts must hold numbers of votes (items x classes), got {show(np.asarray(counts).ravel()[0])} among them"
        ) from None
    g = _as_1d(given, "given")
    if c.ndim != 2:
        raise ShapeMismatchError(f"counts must be 2-D (items x classes), got shape {c.shape}")
    if len(c) != len(g):
        raise ShapeMismatchError(f"counts must have one row per test item (given has {len(g)}), got {len(c)}")
    bad = ~np.isfinite(c) | (c < 0)
    if bad.any():
        r, j = np.argwhere(bad)[0]
        raise InvalidParameterError(
            f"counts must be finite and non-negative numbers of votes, row {r} column {j} is {show(c[r, j])}"
        )
    cls = (
        named if named is not None else _count_classes(g, c.shape[1]) if classes is None else _as_1d(classes, "classes")
    )
    if len(cls) != c.shape[1]:
        raise ShapeMismatchError(f"classes must have one entry per column of counts ({c.shape[1]}), got {len(cls)}")
    col = pd.Index(cls).get_indexer(g.astype(object))
    if (col < 0).any():
        row = int(np.flatnonzero(col < 0)[0])
        raise InvalidLabelsError(
            f"given must be one of the classes of the {len(cls)} columns of counts {cls.tolist()[:20]}, row {row} "
            f"is {show(g[row])}; pass classes= (--classes on the command line) to name the class of each column"
        )
    total = c.sum(axis=1)
    top = c.max(axis=1)
    keep_given = c[np.arange(len(c)), col] == top
    corrected = np.where(keep_given, g.astype(object), cls[c.argmax(axis=1)].astype(object))
    corrected[total == 0] = None
    soft = np.divide(c, total[:, None], out=np.zeros_like(c), where=total[:, None] > 0)
    soft[total == 0] = np.eye(c.shape[1])[col[total == 0]]
    return Corrections(corrected, soft, "counts")


def _count_classes(given: np.ndarray, k: int) -> np.ndarray:
    """Default classes of the count columns: ``0..K-1`` for integer labels, else the K sorted label names."""
    if are_column_numbers(given):
        return np.arange(k)
    _, found = encode_labels(given, name="given")
    if len(found) != k:
        raise InvalidLabelsError(
            f"given holds {len(found)} distinct labels but counts has {k} columns: pass classes= (the class of "
            "each column; --classes on the command line) when a class has no given label"
        )
    return found


def _text_columns(names: list[str]) -> list[str]:
    """The columns of a corrections file read as text: the labels, and a change log's id column (``007``)."""
    return [n for n in names if n in ("label", "new_label") or n == log_id_column(names)]


def _labels_as_written(table: pd.DataFrame, path: Path, na_values: NaValues, given: np.ndarray) -> None:
    """A CSV file's label cells that write one of the given text classes set to that text:
    ``read_table`` makes a column holding only ``TRUE`` a boolean and ``1.0`` a number, which no text
    class would match (``str(True)`` is ``True``). Other cells keep the reader's value (pandas writes
    an integer column with an empty cell as ``5.0``: the class ``5``, see :func:`_like`)."""
    classes = {v for v in given if isinstance(v, str)}
    columns = [c for c in ("label", "new_label") if c in table.columns]
    written = read_texts(path, columns, na_values=na_values)
    for c in written.columns:
        texts = written[c].to_numpy()
        known = np.fromiter((t in classes for t in texts), dtype=bool, count=len(texts))
        if known.any():
            cells = table[c].to_numpy(dtype=object, copy=True)
            cells[known] = texts[known]
            table[c] = cells


def read_corrections(
    path: str | os.PathLike, given: Any, *, na_values: NaValues = None, ids: Any = None
) -> Corrections:
    """Corrections from a review export or a file of fixed labels.

    ``path`` may be a folder holding ``cleaned.changes.csv`` (``labelwise export``; else the folder's one
    ``*.changes.csv``, as an export to Parquet names it), a change log itself, a ``.npy`` of the corrected label of every item, or a table (CSV, Parquet, JSONL)
    with ``row`` and ``label`` columns (a fixed label per listed item; unlisted items keep theirs;
    an empty label excludes the item). ``na_values`` says which texts of a CSV table are missing
    labels, as :func:`labelwise.io.read_table` takes it: None for pandas' markers (a label written
    ``NA`` is missing, so a relabel to ``NA`` would read as an exclusion), ``""`` for only empty cells.

    ``ids`` gives the test items' ids (one per item of ``given``, or a table such as the ``--labels``
    file, whose column named as the change log's id column holds them): a change log written by
    ``labelwise export`` from data with an id column is then matched to the items by id (compared as
    text: ``007`` is not ``7``), whatever the order and extent of the audited table; its entries of ids
    outside the test set are left out with a warning, and a log with no id of the test set is refused
    (:mod:`labelwise.evaluate._corrections_ids`). Without ``ids``, ``row`` is the item's position.
    """
    if not isinstance(path, (str, os.PathLike)):  # None raised TypeError from pathlib
        raise InvalidParameterError(
            f"path must be a review export folder or a corrections file path, got {type(path).__name__} {show(path)}"
        )
    p = Path(path)
    if p.is_dir():
        p = _change_log_in(p)
    require_file(p, parameter="path", kind="corrections file")
    g = _as_1d(given, "given")
    if p.suffix == ".npy":
        arr = load_npy(p, parameter="path")
        if arr.shape != (len(g),):
            raise ShapeMismatchError(
                f"corrections {p.name} must hold one label per test item ({len(g)}), got shape {arr.shape}"
            )
        return Corrections(arr.astype(object), None, str(p))
    table = read_table(p, text_columns=_text_columns, na_values=na_values)
    if is_csv(p) and any(isinstance(v, str) for v in g):
        _labels_as_written(table, p, na_values, g)
    lines = functools.cache(lambda: file_rows(p, len(table)))  # the file's lines, read again on error only
    if "action" in table.columns:
        return _from_changes(table, g, str(p), lines, ids)
    if "row" not in table.columns or "label" not in table.columns:
        raise MissingColumnError(
            f"corrections {p} must have 'row' and 'label' columns (columns: {list(table.columns)[:20]})"
        )
    changes = pd.DataFrame(
        {
            "row": table["row"],
            "action": np.where(table["label"].isna(), "exclude", "relabel"),
            "new_label": table["label"],
        }
    )
    return _from_changes(changes, g, str(p), lines)
