"""The cleaned export of a token audit that read a long table (``audit --task token --sentence-column``).

Such an audit's data is one row per token (sentence id, word, tag), not a CoNLL file, so its cleaned copy
is that table again, in its own format: an excluded token drops every row of its sentence (the unit a
token audit's export removes, as it drops a CoNLL sentence), or, with ``mark_excluded``, every row is kept
and a boolean column marks those rows. Ids and other integer-looking cells are written as the file has
them (``007`` stays ``007``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataFileError, MissingColumnError
from ..io import read_table
from ..report._data_as_written import columns_as_written
from ..report._tasks import TaskRun
from ._task_formats import cleaned_rows

__all__ = ["is_token_table", "token_table_cleaned"]


def is_token_table(run: TaskRun) -> bool:
    """Whether ``run`` is a token audit of a long table (its settings name a ``sentence_column``)."""
    return run.summary.get("task", run.settings.get("task")) == "token" and bool(run.settings.get("sentence_column"))


def token_table_cleaned(
    run: TaskRun, path: Path, excluded: list[int], mark: bool, column: str
) -> tuple[pd.DataFrame, dict, pd.DataFrame, int]:
    """The token table at ``path`` without the sentences of the ``excluded`` tokens (or marked in
    ``column``), each token's given tag, the columns locating each token for the change log (sentence,
    position, token, the ids), and the number of sentences excluded.

    Raises
    ------
    DataFileError
        If the table no longer has the audited rows and tags (it changed since the audit).
    """
    label, na_values = str(run.settings.get("label")), run.settings.get("na_values")
    text = [c for c in (label, run.settings.get("sentence_column"), run.settings.get("id_column")) if c]
    data = read_table(path, text_columns=text, na_values=na_values)
    if label not in data.columns:
        raise MissingColumnError(
            f"label column {label!r} is not in the data table (columns: {list(data.columns)[:20]})"
        )
    data = columns_as_written(data, path, exclude=tuple(text), na_values=na_values)
    where = run.issues.set_index("token_index").sort_index()
    if len(data) != len(where):
        raise DataFileError(
            f"the token table {str(path)!r} has {len(data)} rows and the audit had {len(where)} tokens; it changed "
            "since the audit: rerun the audit before exporting"
        )
    now, audited = data[label].astype(str).to_numpy(), where["given_label"].astype(str).to_numpy()
    differ = np.flatnonzero(now != audited)
    if differ.size:
        row = int(differ[0])
        raise DataFileError(
            f"label column {label!r} of the token table {str(path)!r} holds {now[row]!r} at row {row}, where the "
            "audit read {audited[row]!r}; it changed since the audit: rerun the audit before exporting"
        )
    sentences = sorted({int(where.at[r, "sentence"]) for r in excluded})
    rows = np.flatnonzero(where["sentence"].isin(sentences).to_numpy())
    given = dict(zip(where.index.astype(int), audited, strict=True))
    cols = [c for c in where.columns if c in _LOCATING or c in (run.id_column, _sentence_key(run))]
    return cleaned_rows(data, rows.tolist(), mark_excluded=mark, column=column), given, where[cols], len(sentences)


_LOCATING = ("sentence", "position", "token")


def _sentence_key(run: TaskRun) -> str | None:
    """``issues.csv``'s column of the sentence ids as written (``sentence_id`` for a column named ``sentence``)."""
    name = run.settings.get("sentence_column")
    return "sentence_id" if name == "sentence" else name
