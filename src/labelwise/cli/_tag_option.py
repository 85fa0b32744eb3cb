"""``--tag-separator``: how the commands that read or write tag cells (``"cat|dog"``) split and join them.

``audit --task multilabel``, ``train-tags``, ``aggregate-tags`` and ``corrupt --task multilabel``
take the option; each splits a cell with :func:`labelwise._tag_cells.split_tags` and writes its
tag cells with the same separator, so a table written with ``;`` reads back to the same tags with
``;`` as one written with ``|`` does with ``|``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import click
import numpy as np

from .._heavy import pandas as pd
from .._tag_cells import DEFAULT_SEPARATOR, check_separator, split_tags
from ..errors import InvalidParameterError

__all__ = ["cell_tags", "cell_text", "check_tag_separator", "tag_lists", "tag_separator_option", "tag_set_notice"]

#: Characters no ``--tag-separator`` may hold, and why: each has a meaning in the files read and written.
COLLISIONS = {
    ",": "the column delimiter of CSV files (DATA, and the issues.csv / labels.csv written)",
    '"': "the quote character of CSV files",
    "\t": "the column delimiter of TSV files",
    "\n": "a line break (it ends a row of a CSV or JSON Lines file)",
    "\r": "a line break (it ends a row of a CSV or JSON Lines file)",
}


def tag_separator_option(help_text: str) -> Callable:
    """The ``--tag-separator`` option (default ``|``)."""
    return click.option("--tag-separator", default=DEFAULT_SEPARATOR, show_default=True, help=help_text)


def check_tag_separator(value: Any, option: str = "--tag-separator") -> str:
    """``value``: a non-empty text without surrounding spaces and without a character of :data:`COLLISIONS`.

    Raises
    ------
    InvalidParameterError
        Naming ``option``, the character refused and what it means in the files.
    """
    separator = str(check_separator(value, option))  # never None: none=False refuses it
    for char, meaning in COLLISIONS.items():
        if char in separator:
            raise InvalidParameterError(
                f"{option} must not contain {char!r}, {meaning}: a tag cell would be cut there; got {separator!r} "
                "(choose e.g. '|' or ';')"
            )
    return separator


def cell_text(cell: Any) -> Any:
    """A multilabel cell as text: a column of single numbers (``3``, or ``3.0`` beside empty cells) reads as numbers;
    a list of tags (JSON Lines, Parquet) is a list of such texts."""
    if isinstance(cell, (list, tuple, np.ndarray)):
        return [cell_text(tag) for tag in cell]
    if isinstance(cell, str) or pd.isna(cell):
        return cell
    return str(int(cell)) if isinstance(cell, float) and cell.is_integer() else str(cell)


def cell_tags(cell: Any, separator: str) -> list[Any]:
    """One label cell as a list of tags: a text split at ``separator``, a missing cell none, a lone number
    its text (:func:`cell_text`), a list (JSON Lines, Parquet) its elements' texts."""
    if type(cell) is str:  # the common cell, first
        return split_tags(cell, separator)
    text = cell_text(cell)
    if isinstance(text, list):
        return text
    return split_tags(text, separator) if isinstance(text, str) else []  # else missing (NaN, None, NA)


def tag_lists(column: pd.Series | Iterable[Any], separator: str) -> list[list[Any]]:
    """Each cell of a label column of tags as a list of tags (see :func:`cell_tags`)."""
    return [cell_tags(cell, separator) for cell in column]


def tag_set_notice(label: str, column: pd.Series) -> str | None:
    """A notice when a one-label-per-row column looks like tag sets, else None.

    The rule: some classes hold ``|`` and the tags they split into (stripped, with those of the
    other classes) are fewer than the classes, as when 4 tags make 15 combinations ('cat', 'dog',
    'cat|dog'...). Names that merely hold a ``|`` ('R&D|ops', 'sales|ops') split into more parts
    than there are classes and say nothing.
    """
    classes = [c for c in pd.unique(column.dropna()) if isinstance(c, str)]
    joined = [c for c in classes if DEFAULT_SEPARATOR in c]
    if not joined:
        return None
    tags = {t for c in classes for t in split_tags(c, DEFAULT_SEPARATOR)}
    if len(tags) >= len(classes):
        return None
    return (
        f"--label column {label!r} looks like tag sets: its {len(classes)} classes are combinations of {len(tags)} "
        f"tags split at '|' (e.g. {joined[0]!r}), and each combination is one class here; for several labels per "
        "row use `labelwise audit --task multilabel` or `labelwise train-tags`"
    )
