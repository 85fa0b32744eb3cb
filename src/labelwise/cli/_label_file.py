"""One label per row from a file an option names: an ``.npy`` array or a column of a table.

The table formats are :func:`labelwise.cli._common.read_input`'s (CSV, TSV, Parquet, JSON Lines,
with ``--na-values``); the column is the one a column option names, else the table's only column,
else ``label`` (as ``evaluate --labels`` reads its test labels). Errors name the option. A blank line
between the labels of a one-column text table is refused: pandas skips it, so a label lost in an edit
would otherwise shift every later row against the other file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .._heavy import pandas as pd
from ..errors import DataFileError, InvalidParameterError, MissingColumnError, ShapeMismatchError
from ..io.delimiter import is_csv
from ..io.paths import require_file
from ..io.plain_text import plain_text
from ..io.tables import lone_column
from ._column_hint import column_hint
from ._common import load_npy, read_input


def read_label_file(path: Path, option: str, column: str | None, *, column_option: str, per: str = "row") -> np.ndarray:
    """The labels of ``path`` (given as ``option``), one per row, as a 1-D array.

    Parameters
    ----------
    path
        An ``.npy`` array of labels, or a table (CSV, TSV, Parquet, JSON Lines).
    option
        The option that gave ``path`` (``--train-labels``), named in every error.
    column
        The table's label column (given as ``column_option``); ``None``: its only column, else ``label``.
    column_option
        The option that names ``column`` (``--train-label-column``).
    per
        What one label stands for, in the 1-D error (``"row"``; ``evaluate``: ``"test item"``).

    Returns
    -------
    numpy.ndarray
        The labels; a table's label column keeps texts such as ``"01"`` and ``"1"`` apart.
    """
    return read_label_table(path, option, column, column_option=column_option, per=per)[0]


def read_label_table(
    path: Path, option: str, column: str | None, *, column_option: str, per: str = "row", all_text: bool = False
) -> tuple[np.ndarray, pd.DataFrame | None]:
    """:func:`read_label_file`'s labels and the table they came from (None for an ``.npy``), read once.

    ``all_text``: every column of the table is read as text (ids such as ``007`` kept as written), not only the
    label column; the labels are the same either way.
    """
    require_file(path, parameter=option, kind=".npy file or table")
    if path.suffix.lower() == ".npy":
        if column is not None:  # an array has no columns: the option would be ignored
            raise InvalidParameterError(
                f"{column_option} names a column of a {option} table; {str(path)!r} is an .npy array of labels, "
                f"got {column_option} {column!r}: leave it out"
            )
        labels = load_npy(path, option)
        if labels.ndim != 1:
            raise ShapeMismatchError(f"{option} must hold one label per {per} (1-D), got shape {labels.shape}")
        return labels, None
    table = read_input(
        path,
        option,
        text_columns=(lambda names: names)
        if all_text
        else (lambda names: [column] if column else lone_column(names) or ["label"]),
    )
    chosen = column if column is not None else (table.columns[0] if table.shape[1] == 1 else "label")
    if chosen not in table.columns:
        given = f"{column_option} {chosen!r}" if column is not None else "a column named 'label' (or a lone column)"
        raise MissingColumnError(
            f"{option} must be a table with {given}{column_hint(chosen, table.columns)}; {str(path)!r} has columns "
            f"{list(table.columns)}" + ("" if column is not None else f": name one with {column_option}")
        )
    if table.shape[1] == 1 and is_csv(path):
        _refuse_blank_lines(path, option)
    return table[chosen].to_numpy(), table


def _refuse_blank_lines(path: Path, option: str) -> None:
    """Refuse a blank line before the last label of a one-column text table, naming the line.

    Blank lines after the last label (the newline that ends the file, an editor's extra empty lines)
    are kept, as :func:`labelwise.io.read_names` keeps them with ``holes=False``.
    """
    with open(plain_text(path), encoding="utf-8-sig", errors="replace", newline=None) as handle:
        blank: list[int] = []
        pending: list[int] = []
        for number, line in enumerate(handle, start=1):
            if line.strip():
                blank.extend(pending)
                pending = []
            else:
                pending.append(number)
    if blank:
        more = f" (and {len(blank) - 1} more)" if len(blank) > 1 else ""
        raise DataFileError(
            f"{option} file {str(path)!r} has a blank line between labels at line {blank[0]}{more}: a one-column "
            "table skips it, which would move every later label up one row; write one label per line"
        )
