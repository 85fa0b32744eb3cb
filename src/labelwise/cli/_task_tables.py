"""The task audits' ids and token tables: ``--id-column``, ``--sentence-column`` and ``--token-column``.

``--id-column`` names DATA's column of row ids (``--task multilabel``, ``regression``, and ``token`` with a
token table: one id per token). Its values are read as written (``007`` stays ``007``), must be unique and
present, and are carried into ``issues.csv`` beside the row's position, under the column's own name (``id`` where the output has a column
of that name, ``row``), so the issues join back to the user's table by id. ``--sentence-column`` reads ``--task token``'s DATA as a long
table (one row per token: sentence id, token, tag; CoNLL kept as a table) instead of a CoNLL file, the tags in
the ``--label`` column and the words in ``--token-column``; the sentence ids are carried into ``issues.csv``
and ``sentences.csv`` as written (under the column's name, or ``sentence_id`` where that is ``sentence``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import numpy as np

from .._heavy import pandas as pd
from .._validate.arguments import show
from ..errors import InvalidParameterError, MissingColumnError
from ._column_hint import column_hint
from ._probs_table import row_in_file

__all__ = ["insert_ids", "task_ids", "task_table_options", "token_table"]


def task_table_options(function: Any) -> Any:
    """``--id-column``, ``--sentence-column`` and ``--token-column`` of ``labelwise audit`` (the task audits)."""
    options = [
        click.option(
            "--token-column",
            default=None,
            help="--task token with --sentence-column: DATA's column of the words (issues.csv shows them).",
        ),
        click.option(
            "--sentence-column",
            default=None,
            help="--task token: read DATA as a table of one row per token (CSV, Parquet, JSON Lines; the tags in "
            "--label), this column naming each token's sentence; a sentence's tokens are consecutive rows.",
        ),
        click.option(
            "--id-column",
            default=None,
            help="DATA's column of row ids (classification, multilabel, regression, a token table): unique, read "
            "as written (007 stays 007), no feature, and carried into issues.csv beside the row number, the "
            "report, the review page and the exports.",
        ),
    ]
    for option in options:
        function = option(function)
    return function


def _column(frame: pd.DataFrame, option: str, name: str) -> pd.Series:
    if name not in frame.columns:
        hint = column_hint(name, frame.columns)
        raise MissingColumnError(f"{option} {name!r} is not in DATA{hint}; columns are {list(frame.columns)}")
    return frame[name]


def task_ids(frame: pd.DataFrame, id_column: str | None, data: Path, *, label: str | None) -> pd.Series | None:
    """``--id-column``'s values (None without it): present in DATA, not the label, none missing or repeated;
    a bad one is named with its rows and the file's lines."""
    if id_column is None:
        return None
    if id_column == label:
        raise InvalidParameterError(f"--id-column must differ from --label, both are {label!r}")
    ids = _column(frame, "--id-column", id_column)
    missing = ids.isna().to_numpy()
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise InvalidParameterError(
            f"--id-column {id_column!r} must hold an id on every row of DATA; {row_in_file(data, row)} has none "
            f"({int(missing.sum())} such row(s))"
        )
    again = ids.duplicated(keep="first").to_numpy()
    if again.any():
        row = int(np.flatnonzero(again)[0])
        first = int(np.flatnonzero((ids == ids.iloc[row]).to_numpy())[0])
        raise InvalidParameterError(
            f"--id-column {id_column!r} must hold a unique id on every row of DATA; {show(ids.iloc[row])} is on "
            f"{row_in_file(data, first)} and {row_in_file(data, row)} ({int(again.sum())} repeated row(s))"
        )
    return ids


def insert_ids(frame: pd.DataFrame, ids: Any, name: str, *, at: str) -> pd.DataFrame:
    """``frame`` with a column after its column ``at`` (a position in DATA): the ``ids`` of those positions,
    named ``name`` (the user's column), or ``id`` where ``frame`` has a column ``name`` already (``row``)."""
    out = frame.copy()
    where = out.columns.get_loc(at) + 1
    out.insert(
        where,
        name if name not in out.columns else "id",
        np.asarray(ids, dtype=object)[out[at].to_numpy(dtype=np.int64)],
    )
    return out


def token_table(
    data: Path, label: str | None, sentence_column: str, token_column: str | None, id_column: str | None
) -> tuple[pd.DataFrame, pd.Series | None]:
    """DATA as a long token table: the columns the token audit reads (``tag``, ``sentence`` and ``token``, as
    text), and the ``--id-column`` values (None without it)."""
    from ._common import read_input

    if label is None:
        raise InvalidParameterError("--task token with --sentence-column needs --label: the column of the tags")
    named = {"--label": label, "--sentence-column": sentence_column, "--token-column": token_column}
    named["--id-column"] = id_column
    given = [(option, name) for option, name in named.items() if name is not None]
    for (a, x), (b, y) in ((p, q) for i, p in enumerate(given) for q in given[i + 1 :]):
        if x == y:
            raise InvalidParameterError(f"{a} and {b} must name different columns, both are {x!r}")
    frame = read_input(data, "DATA", text_columns=[name for _, name in given])
    table = pd.DataFrame(
        {
            "tag": _column(frame, "--label", label),
            "sentence": _column(frame, "--sentence-column", sentence_column),
        }
    )
    if token_column is not None:
        table["token"] = _column(frame, "--token-column", token_column)
    missing = table["tag"].isna().to_numpy()
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise InvalidParameterError(
            f"--label column {label!r} must hold a tag on every token row; {row_in_file(data, row)} has none "
            f"({int(missing.sum())} such row(s))"
        )
    return table, task_ids(frame, id_column, data, label=label)
