"""Answer rows of the one-answer-per-row commands (aggregate-numbers, aggregate-texts): rows with no
answer dropped and counted, as ``labelwise aggregate`` drops empty answers, and the answers that
repeat an annotator's answer on an item counted and resolved by ``--duplicates`` (as
``labelwise aggregate --duplicates``), so that the screen and summary.json say both."""

from __future__ import annotations

from typing import Any

import click

from .._heavy import pandas as pd
from .._validate.arguments import show
from .._validate.labels import row_label
from ..errors import AnnotationError
from ._common import console

#: ``aggregate-numbers --duplicates``: ``labelwise aggregate``'s choices and default, and ``mean``.
numbers_duplicates_option = click.option(
    "--duplicates",
    type=click.Choice(["keep", "last", "mean"]),
    default="keep",
    show_default=True,
    help="Several answers of one annotator on one item: keep all, the last, or their mean (as one answer).",
)

#: What each ``--duplicates`` choice did, for the screen.
_RESOLVED = {
    "keep": "each counts as an answer",
    "last": "only the last of each was used",
    "mean": "their mean was used, as one answer",
}


def drop_missing(table: pd.DataFrame, column: str, ids: dict[str, str]) -> tuple[pd.DataFrame, int]:
    """``table`` without the rows whose ``column`` is missing (NA, an empty CSV cell), and their number.

    A missing id of the ``ids`` columns (option -> column) is refused first, naming its row as the
    table was read: the rows kept after the drop are numbered anew, and a later row would be named.
    """
    for option, name in ids.items():
        if name in table.columns:
            absent = table[name].isna().to_numpy()
            if absent.any():
                pos = int(absent.argmax())
                raise AnnotationError(
                    f"{option} column {name!r} must not contain missing values, {row_label(table.index, pos)} is "
                    f"{show(table[name].iloc[pos])}"
                )
    missing = table[column].isna().to_numpy()
    n_missing = int(missing.sum())
    if n_missing:
        table = table.loc[~missing].reset_index(drop=True)
    return table, n_missing


def n_repeated(table: pd.DataFrame, item: str, annotator: str) -> int:
    """Answers beyond an annotator's first on an item (each still counts as an answer)."""
    return int(table.duplicated([item, annotator]).sum())


def keep_last(table: pd.DataFrame, item: str, annotator: str, duplicates: str) -> pd.DataFrame:
    """``table`` with, for ``duplicates="last"``, only the last row of each (item, annotator) pair."""
    if duplicates != "last":
        return table
    return table.drop_duplicates([item, annotator], keep="last").reset_index(drop=True)


def duplicates_summary(policy: str, n_repeats: int, n_dropped: int) -> dict[str, Any]:
    """summary.json ``duplicates``, as ``labelwise aggregate`` writes it."""
    return {"policy": policy, "n_duplicates": int(n_repeats), "n_dropped": int(n_dropped)}


def report(n_missing: int, n_repeats: int, what: str, duplicates: str = "keep") -> None:
    """One line each for dropped rows and repeated answers, printed only when there are some."""
    if n_missing:
        console().print(
            f"dropped {n_missing} row(s) with no {what} (NA or empty cells; --na-values sets which texts are "
            "missing): summary.json n_dropped"
        )
    if n_repeats:
        console().print(
            f"{n_repeats} answer(s) repeat an annotator's answer on an item and {_RESOLVED[duplicates]} "
            f"(--duplicates {duplicates}): summary.json duplicates"
        )
