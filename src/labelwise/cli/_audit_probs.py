"""``audit --probs``: the out-of-fold probabilities of DATA's rows, from a ``.npy`` array or a table.

A table (CSV, TSV, Parquet, JSON Lines; read as ``evaluate`` reads its PREDICTIONS tables,
:mod:`._probs_table`) has one numeric column per class, its header naming the class, in any order,
and optionally one id column: a column DATA has too (not a class, not ``--label``), matched to
DATA's rows by its values, so the file's rows may come in any order. Without one, the file's row
``i`` is DATA's row ``i``. A header that names no class at all (``p0, p1``) is read in column order,
as an array is. Every error names ``--probs``: a class without a column, a column that is not a
class, a value that is not a number, NaN, a row that does not sum to one (a row of the file), a
row count or an id that does not match DATA.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .._heavy import pandas as pd
from .._validate.class_columns import columns_in_class_order
from .._validate.labels import encode_labels_for_probs
from ..errors import InvalidLabelsError, InvalidParameterError, ShapeMismatchError
from ._classes_option import check_class_count, check_labels_named, classes_like_labels
from ._common import check_unique_ids, load_row_array, read_input
from ._probs_table import check_file_rows_probs, is_probs_table, probability_frame

#: What a --probs table must hold, for the message about a column that is not numeric.
EXPECTED = (
    "one numeric column of probabilities per class, named by the class (and at most one id column, named as a "
    "column of DATA)"
)


def audit_probs(
    path: Path, frame: pd.DataFrame, label: str, labels: pd.Series, classes: np.ndarray, named: list[str] | None
) -> tuple[np.ndarray, np.ndarray]:
    """The probabilities of ``frame``'s rows, columns in the order of the classes returned.

    ``classes``: the labels' classes, sorted; ``named``: ``--classes`` (the class of each column,
    in column order) or None.
    """
    if not is_probs_table(path):
        probs = load_row_array(path, "--probs", len(frame), width=("n_classes", "K"))
        return probs, _classes_of_positions(probs.shape[1], labels, label, classes, named)
    values, rows = _read_table(path, frame, label, [str(c) for c in (named or classes)])
    found = _named_columns(values, labels, label, classes, named)  # the header first: a missing class is named
    probs = found[0] if found is not None else values.to_numpy()
    check_file_rows_probs(probs, path, name="--probs")  # NaN, negative, rows not summing to one: lines of the file
    columns_of = found[1] if found is not None else _classes_of_positions(probs.shape[1], labels, label, classes, named)
    return (probs if rows is None else probs[rows]), columns_of


def _classes_of_positions(
    n_columns: int, labels: pd.Series, label: str, classes: np.ndarray, named: list[str] | None
) -> np.ndarray:
    """The class of each column of probabilities whose columns are not named: ``--classes``, the sorted
    classes, or 0..K-1 for integer labels (a class no row has)."""
    if named is not None:
        check_class_count(named, n_columns, what="class")
        check_labels_named(classes, named, source=f"--label column {label!r}")
        return np.asarray(classes_like_labels(named, labels), dtype=object)
    if n_columns != len(classes):
        if labels.dtype.kind not in "iuf":  # only integer labels may name columns no row has (the API's classes=)
            raise InvalidLabelsError(
                f"--probs has {n_columns} columns but --label column {label!r} has {len(classes)} distinct "
                "values: name the class of each column, in column order, with --classes (e.g. --classes "
                "cat,dog,owl), or code the labels as integers 0..K-1, one per column"
            )
        _, classes = encode_labels_for_probs(labels, n_columns, name=f"--label column {label!r}")
    return classes


def _named_columns(
    values: pd.DataFrame, labels: pd.Series, label: str, classes: np.ndarray, named: list[str] | None
) -> tuple[np.ndarray, np.ndarray] | None:
    """Probabilities and classes from a header naming the classes (None when it names none of them).

    With ``--classes`` the header must name exactly those; without, the labels' classes, and besides
    them only integers beside integer labels (classes no row has, as ``evaluate`` reads them).
    """
    from ..evaluate._inputs import classes_named_by_columns

    header = [str(c) for c in values.columns]
    wanted: list[Any] = list(named) if named is not None else list(classes)
    if not set(header) & {str(c) for c in wanted}:
        return None
    if named is None:
        extra = classes_named_by_columns({"--probs": values}, classes)
        words = [str(c) for c in extra if not isinstance(c, (int, np.integer))]
        if words:
            raise ShapeMismatchError(
                f"--probs has columns {words[:10]} that are not classes of the --label column {label!r} "
                f"{[str(c) for c in classes[:20]]}: leave them out, name every column's class with --classes "
                "(a class no row has), or name an id column as a column of DATA"
            )
        wanted = sorted(wanted + extra) if extra else wanted
    probs = np.asarray(columns_in_class_order(values, wanted, name="--probs"), dtype=np.float64)
    if named is not None:
        check_labels_named(classes, named, source=f"--label column {label!r}")
        return probs, np.asarray(classes_like_labels(named, labels), dtype=object)
    return probs, np.asarray(wanted) if extra else classes


def _read_table(
    path: Path, frame: pd.DataFrame, label: str, class_names: list[str]
) -> tuple[pd.DataFrame, np.ndarray | None]:
    """The table's probability columns as floats (rows as in the file) and, when it has an id column,
    the file's row of each of DATA's rows; without one, the file must have DATA's number of rows."""
    table = read_input(path, "--probs", kind=".npy file or table")
    ids = [c for c in table.columns if c in frame.columns and c != label and str(c) not in class_names]
    if len(ids) > 1:
        raise InvalidParameterError(
            f"--probs may have one id column (a column DATA has too), got {[str(c) for c in ids]}; keep one"
        )
    values = probability_frame(table.drop(columns=ids), path, what="--probs file", expected=EXPECTED)
    if ids:
        return values, _rows_of_ids(table[ids[0]], frame[ids[0]])
    if len(values) != len(frame):
        raise ShapeMismatchError(
            f"--probs must have one row per row of DATA ({len(frame)}), got {len(values)} rows; or give it an id "
            "column named as a column of DATA to match them"
        )
    return values, None


def _rows_of_ids(theirs: pd.Series, ours: pd.Series) -> np.ndarray:
    """For each of DATA's ids ``ours``, the row of the --probs table with that id ``theirs`` (compared as text)."""
    check_unique_ids(theirs, f"--probs id column (named as DATA's column {str(ours.name)!r}):")
    check_unique_ids(ours, "DATA's column")
    where = pd.Index(theirs.astype(str)).get_indexer(ours.astype(str))
    if (where < 0).any():
        row = int(np.flatnonzero(where < 0)[0])
        raise ShapeMismatchError(
            f"--probs must have a row for every id of DATA's column {str(ours.name)!r}, got none for "
            f"{ours.iloc[row]!r} (DATA's row {row}; {int((where < 0).sum())} ids have none)"
        )
    if len(theirs) != len(ours):
        unknown = sorted(set(theirs.astype(str)) - set(ours.astype(str)))
        raise ShapeMismatchError(
            f"--probs must have only rows of DATA's ids (column {str(ours.name)!r}), got {len(theirs) - len(ours)} "
            f"more, e.g. ids {unknown[:5]}"
        )
    return where
