"""Answer rows of the one-answer-per-row commands (aggregate-numbers, aggregate-texts): rows with no
answer dropped and counted, as ``labelwise aggregate`` drops empty answers, and the answers that
repeat an annotator's answer on an item counted, so that the screen and summary.json say both."""

from __future__ import annotations

import pandas as pd

from ._common import console


def drop_missing(table: pd.DataFrame, column: str) -> tuple[pd.DataFrame, int]:
    """``table`` without the rows whose ``column`` is missing (NA, an empty CSV cell), and their number."""
    missing = table[column].isna().to_numpy()
    n_missing = int(missing.sum())
    if n_missing:
        table = table.loc[~missing].reset_index(drop=True)
    return table, n_missing


def n_repeated(table: pd.DataFrame, item: str, annotator: str) -> int:
    """Answers beyond an annotator's first on an item (each still counts as an answer)."""
    return int(table.duplicated([item, annotator]).sum())


def report(n_missing: int, n_repeats: int, what: str) -> None:
    """One line each for dropped rows and repeated answers, printed only when there are some."""
    if n_missing:
        console().print(
            f"dropped {n_missing} row(s) with no {what} (NA or empty cells; --na-values sets which texts are "
            "missing): summary.json n_dropped"
        )
    if n_repeats:
        console().print(
            f"{n_repeats} answer(s) repeat an annotator's answer on an item and each counts as an answer: "
            "summary.json n_repeated"
        )
