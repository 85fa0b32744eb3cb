"""``audit --task multilabel / token --probs`` and ``--task regression --predictions`` read from a table.

A CSV, TSV, Parquet or JSON Lines file (compressed too: ``probs.csv.gz``), told from an ``.npy`` by
its suffix as ``audit --probs`` tells it (:func:`._probs_table.is_probs_table`), and read by
:func:`._common.read_input`. Probabilities have one column per tag, named by the tag, in any order,
matched by name to the tags of DATA (or ``--classes``), as the API matches a DataFrame's header
(:func:`labelwise._validate.class_columns.columns_in_class_order`); a header that names none of
them (``p0, p1``) is read in column order, as an ``.npy`` is. With ``--id-column``, a column of that
name matches the rows to DATA's by id. Predictions are one numeric column,
or the column named as ``--label`` or ``prediction``. Every error names the option and the file,
and a bad cell its column and line (:func:`._probs_table.row_in_file`).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import numpy as np

from .._heavy import pandas as pd
from .._validate.arguments import show
from ..errors import DataFileError, InvalidProbabilitiesError, ShapeMismatchError
from ._common import check_unique_ids, console, plain, read_input
from ._probs_table import check_file_rows_probs, is_probs_table, position_lines, probability_frame, row_in_file

__all__ = ["is_probs_table", "predictions_table", "tag_probs_table"]

#: What a --probs table of the task audits holds, for the message about a column that is not numeric.
TAG_COLUMNS = "one numeric column of probabilities per tag, named by the tag (any order)"
#: The column of a --predictions table when it has more than one.
PREDICTION_COLUMN = "prediction"


def _numbers(table: pd.DataFrame, path: Path, option: str, expected: str) -> pd.DataFrame:
    """``table`` (read from ``path``) as floats; a cell that is not a number is named by its column and line."""
    for column in table.columns:
        cells = table[column]
        if pd.api.types.is_numeric_dtype(cells):
            continue
        text = pd.to_numeric(cells, errors="coerce").isna() & cells.notna()
        if text.any():
            row = int(np.flatnonzero(text.to_numpy())[0])
            raise DataFileError(
                f"{option} file {str(path)!r} must hold {expected}; column {str(column)!r} {row_in_file(path, row)} "
                f"is {show(cells.iloc[row])} ({int(text.sum())} such cell(s))"
            )
    return probability_frame(table, path, what=f"{option} file", expected=expected)


def _column_order(header: list[str], tags: list[str], classes: list[str] | None, *, numbered: bool) -> list[str]:
    """The header's names in the order of the columns the audit works in (``--classes``, else the tags sorted,
    as numbers where they are column numbers); a tag without a column, or a column of no tag, is an error."""
    wanted = classes if classes is not None else tags
    missing = [t for t in wanted if t not in header]
    if missing:
        raise ShapeMismatchError(
            f"has no column for the tag(s) {missing[:10]} ({len(missing)} of {len(wanted)}); its header must name "
            "each tag once, in any order"
        )
    digits = numbered and classes is None and all(h.isdecimal() for h in header)
    extra = [h for h in header if h not in wanted and not digits]  # column numbers no row uses: as an .npy's
    if extra:
        said = "--classes" if classes is not None else "the tags of DATA"
        raise ShapeMismatchError(
            f"has columns {extra[:10]} that are not {said} {wanted[:20]}: leave them out"
            + ("" if classes is not None else ", or name every column's tag with --classes (a tag no row uses)")
        )
    if len(set(header)) != len(header):
        raise ShapeMismatchError(f"names a tag twice: {sorted({h for h in header if header.count(h) > 1})[:10]}")
    return sorted(header, key=int) if digits else list(wanted)


def tag_probs_table(
    path: Path,
    tags: Collection[str],
    classes: list[str] | None,
    *,
    numbered: bool = False,
    sums_to_one: bool = False,
    ids: pd.Series | None = None,
) -> tuple[np.ndarray, list[str] | None]:
    """The probabilities of a ``--probs`` table, columns in tag order, and the tag of each column.

    Parameters
    ----------
    path : Path
        The table: one column per tag, named by the tag (any order), one row per row (token) of DATA.
    tags : collection of str
        The tags DATA uses, as text.
    classes : list of str or None
        ``--classes``: the header must name exactly these; the columns are put in their order.
    numbered : bool
        Whether tags that are all digits are column numbers (multilabel's ``3|10``): a header of
        digits is then ordered as numbers, and may name column numbers no row uses.
    sums_to_one : bool
        Whether each row must sum to one (token) rather than hold values in [0, 1] (multilabel).
    ids : Series or None
        ``--id-column``'s values (named as the column): a table with a column of that name has its rows matched
        to DATA's by id (compared as text), as the classification audit's ``--probs`` table; without one, the
        rows are DATA's, in order.

    Returns
    -------
    probs : ndarray of shape (n, K)
    classes : list of str or None
        The tag of each column; None when the header names no tag (then read in column order, as an ``.npy``).
    """
    key = None if ids is None else str(ids.name)
    table = read_input(path, "--probs", kind=".npy file or table", text_columns=[key] if key else ())
    rows = None
    if key is not None and key in table.columns:  # the file's row of each of DATA's rows
        from ._audit_probs import _rows_of_ids

        rows = _rows_of_ids(table[key], ids)
        table = table.drop(columns=[key])
    values = _numbers(table, path, "--probs", TAG_COLUMNS)
    header = [str(c) for c in values.columns]
    numbered = numbered and all(str(t).isdecimal() for t in tags)
    texts = sorted(map(str, tags), key=int if numbered else None)
    listed = classes if classes is not None else texts  # the tag of each column, when read by position
    order: list[str] | None = None
    if set(listed) & set(header):
        try:
            order = _column_order(header, texts, classes, numbered=numbered)
        except ShapeMismatchError as exc:
            raise ShapeMismatchError(f"--probs file {str(path)!r} {exc}") from None
        values = values.loc[:, order]
    else:
        for line in position_lines({f"--probs file {str(path)!r}": values}, np.asarray(listed, dtype=object)):
            console().print(f"notice: {plain(line)}")
    probs = values.to_numpy(dtype=np.float64)
    if sums_to_one:
        check_file_rows_probs(probs, path, name=f"--probs file {str(path)!r}")
    else:
        _check_unit_interval(probs, list(values.columns), path)
    return (probs if rows is None else probs[rows]), order


def _check_unit_interval(probs: np.ndarray, columns: list, path: Path) -> None:
    """Every value a probability in [0, 1] (rows of tag probabilities need not sum to one), else its line."""
    bad = ~np.isfinite(probs) | (probs < 0) | (probs > 1)
    if bad.any():
        from ..audit._multilabel_softmax import scale_hint  # percentages, a softmax in percent: said

        row, col = (int(i) for i in np.argwhere(bad)[0])
        raise InvalidProbabilitiesError(
            f"--probs file {str(path)!r} must hold probabilities in [0, 1]; column {str(columns[col])!r} "
            f"{row_in_file(path, row)} is {show(probs[row, col])} ({int(bad.sum())} such cell(s))"
            f"{scale_hint(probs, 'its values')}"
        )


def predictions_table(path: Path, n_rows: int, label: str | None, ids: pd.Series | None = None) -> np.ndarray:
    """``--predictions`` from a table: its one column, or the column named as ``label`` or ``prediction``;
    one finite number per row of DATA, a bad cell named by its line. ``ids``: ``--id-column``'s values (named as
    the column); a table with a column of that name has its rows matched to DATA's by id (compared as text), as
    the classification audit's ``--probs`` table; without one, the rows are DATA's, in order."""
    expected = f"numbers (the predicted value of each row of DATA, in a column named {PREDICTION_COLUMN!r})"
    key = None if ids is None else str(ids.name)
    table = read_input(path, "--predictions", kind=".npy file or table", text_columns=[key] if key else ())
    rows = None
    if key is not None and key in table.columns:  # the file's row of each of DATA's rows
        rows = _rows_of_ids(table[key], ids, path)
        table = table.drop(columns=[key])
    named = [c for c in table.columns if str(c) in (str(label), PREDICTION_COLUMN)]
    if table.shape[1] != 1 and len(named) != 1:
        raise ShapeMismatchError(
            f"--predictions file {str(path)!r} must have one column, or one named {PREDICTION_COLUMN!r} or as the "
            f"--label column {label!r}"
            + (f" (beside the id column {key!r})" if rows is not None else "")
            + f"; got columns {[str(c) for c in table.columns][:20]}"
        )
    column = table.columns[0] if table.shape[1] == 1 else named[0]
    values = _numbers(table[[column]], path, "--predictions", expected).to_numpy(dtype=np.float64)[:, 0]
    if len(values) != n_rows:
        raise ShapeMismatchError(
            f"--predictions file {str(path)!r} must have one row per row of DATA ({n_rows}), got {len(values)}"
        )
    bad = ~np.isfinite(values)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataFileError(
            f"--predictions file {str(path)!r} must hold finite numbers; column {str(column)!r} "
            f"{row_in_file(path, row)} is {show(table[column].iloc[row])} ({int(bad.sum())} such row(s))"
        )
    return values if rows is None else values[rows]


def _rows_of_ids(theirs: pd.Series, ours: pd.Series, path: Path) -> np.ndarray:
    """For each of DATA's ids ``ours``, the row of the ``--predictions`` table with that id ``theirs`` (compared
    as text); ids of the table that DATA lacks are refused, a few named with their lines."""
    column = str(ours.name)
    check_unique_ids(theirs, f"--predictions file {str(path)!r}'s id column (named as DATA's column {column!r}):")
    check_unique_ids(ours, "DATA's column")
    theirs_text, ours_text = theirs.astype(str), ours.astype(str)
    foreign = np.flatnonzero(~theirs_text.isin(set(ours_text)).to_numpy())
    if foreign.size:
        named = ", ".join(f"{show(theirs.iloc[r])} ({row_in_file(path, int(r))})" for r in foreign[:5])
        more = f" and {foreign.size - 5} more" if foreign.size > 5 else ""
        raise ShapeMismatchError(
            f"--predictions file {str(path)!r} must hold only rows of DATA's ids (its column {column!r}, compared as "
            f"written), got {foreign.size} id(s) DATA does not have: {named}{more}"
        )
    where = pd.Index(theirs_text).get_indexer(ours_text)
    missing = np.flatnonzero(where < 0)
    if missing.size:
        named = ", ".join(show(ours.iloc[r]) for r in missing[:5])
        more = f" and {missing.size - 5} more" if missing.size > 5 else ""
        raise ShapeMismatchError(
            f"--predictions file {str(path)!r} must have a row for every id of DATA's column {column!r}, got none "
            f"for {missing.size}: {named}{more} (DATA's row {int(missing[0])} is the first)"
        )
    return where
