"""Ids that ``aggregate``'s CSV output would write alike: the number ``2`` and the text ``"2"`` of an
id field of a Label Studio or Prodigy export are two items to pandas, and two rows ``2`` of
labels.csv. Only those exports need it: a long table's and a votes file's ids are read as the CSV
file of the same table reads them (:func:`labelwise.io.read_table`: ``2`` and ``"2"`` are one id),
while an export's ids are fields of the tool's JSON, kept as the tool wrote them. ``aggregate``
refuses them, naming both values and their rows, as it refuses two classes written alike
(:func:`labelwise.cli._aggregate_outputs.prob_columns`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .._validate.arguments import show
from ..errors import AnnotationError


def refuse_ids_written_alike(
    table: pd.DataFrame, columns: Mapping[str, str | Sequence[str]], parameter: str, output: str
) -> None:
    """Raise :class:`AnnotationError` when two distinct ids of one of ``columns`` (option -> its column,
    or the columns that share one id space, such as a pair's left, right and winner) print alike.

    ``parameter`` names the input (``ANSWERS``) and ``output`` the file that would hold both
    (``values.csv``). Columns not in ``table`` are left to the command's own checks.
    """
    for option, names in columns.items():
        present = [c for c in ([names] if isinstance(names, str) else list(names)) if c in table.columns]
        if not present or all(table[c].dtype != object for c in present):
            continue  # a column of one dtype writes each of its values one way
        values = pd.concat([table[c] for c in present], ignore_index=True)
        found = written_alike(pd.unique(values.dropna()))
        if found is None:
            continue
        first, second, text = found
        rows = [_first_row(values, value, len(table), present) for value in (first, second)]
        raise AnnotationError(
            f"{option} {_columns(present)} of {parameter} must write each id one way, got {show(first)} "
            f"({type(first).__name__}, {rows[0]}) and {show(second)} ({type(second).__name__}, {rows[1]}): two ids "
            f"that {output} would write alike as {text!r}; write every id as text, or every id as a number"
        )


def written_alike(distinct: Sequence[object]) -> tuple[object, object, str] | None:
    """Two of the ``distinct`` values whose ``str`` is one text, and that text; None if there are none."""
    texts = pd.Series([str(v) for v in distinct], dtype=object)
    alike = texts.duplicated(keep=False).to_numpy()
    if not alike.any():
        return None
    text = texts[int(np.argmax(alike))]
    first, second = (distinct[i] for i in np.flatnonzero(texts.to_numpy() == text)[:2])
    return first, second, text


def _first_row(values: pd.Series, value: object, n_rows: int, columns: list[str]) -> str:
    """Where ``value`` (of that very type) first stands in ``values`` (the columns one after another)."""
    pos = next(i for i, v in enumerate(values.to_numpy()) if type(v) is type(value) and v == value)
    where = f"row {pos % n_rows}"
    return where if len(columns) == 1 else f"{where} of column {columns[pos // n_rows]!r}"


def _columns(names: list[str]) -> str:
    return f"column {names[0]!r}" if len(names) == 1 else f"columns {names}"
