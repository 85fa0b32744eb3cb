"""The label column of a cleaned Parquet copy in one type: a column that mixes numbers and texts is written as text.

A review can relabel a row of an integer (float, boolean) label column to a text (``"owl"``, a class
the audit did not know), and a JSON data file's label column can mix numbers and texts itself. pandas
holds such a column as Python objects (:mod:`labelwise.review._label_dtype` warns that its type
changed) and a CSV or JSON Lines copy writes each value as it is, but a Parquet column has one type:
pyarrow refused the whole copy (``Could not convert 'owl' with type str: tried to convert to int64``).

Here that column is written to Parquet as text, every value: ``3`` as ``"3"``, ``2.5`` as ``"2.5"``,
``True`` as ``"True"``, ``"owl"`` as it is, a missing cell missing. These are the values a CSV copy
of the same column reads back as (a CSV column of ``3`` and ``owl`` is text), so the two copies
agree, and no decided label is lost or made another (``3`` and ``"3"`` were one class already:
:func:`labelwise.review._label_dtype.class_of`). A :class:`~labelwise.errors.LabelwiseWarning` names
the column, the file and the values' types; where a relabel made the column mixed, the one warning also
says what the relabel changed (:func:`holding`: not a second warning). Refusing instead would leave a reviewed relabel with no
Parquet copy at all, and no one Parquet type holds ``3`` beside ``"owl"``. A column pyarrow writes as
it is (one type; integers beside floats, written as floats) is left alone, and so is a categorical (its
categories never mix: Parquet gives back only text dictionaries, and a number among text categories
is added as its text); CSV and JSON Lines copies are not changed.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from .._caller import warn_at_caller
from ..errors import LabelwiseWarning
from ._label_dtype import LabelTypeWarning

__all__ = ["holding", "label_as_one_type"]

#: What :func:`pandas.api.types.infer_dtype` calls values of several types that no one Arrow type holds
#: (``"mixed-integer-float"``, integers beside floats, is written as floats and so is not here).
_MIXED = ("mixed", "mixed-integer")


@contextlib.contextmanager
def holding(hold: bool = True) -> Iterator[list[warnings.WarningMessage]]:
    """Hold the warnings issued inside (when ``hold``), for :func:`label_as_one_type` to issue with its own
    (``held=``); an error inside issues them as they were."""
    if not hold:
        yield []
        return
    held: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            held = caught
            yield caught
    except BaseException:
        _issue(held)
        raise


def label_as_one_type(
    frame: pd.DataFrame, label: str, path: Path, held: list[warnings.WarningMessage] | None = None
) -> pd.DataFrame:
    """``frame`` with its ``label`` column as text when its values mix types that one Parquet column
    cannot hold, with a warning naming ``path``; ``frame`` itself otherwise.

    ``held`` (:func:`holding`): warnings of the relabel, issued here; the relabel's own that the column's
    type changed is said in the one warning of the text column, not beside it."""
    column = frame[label]
    if column.dtype != object or pd.api.types.infer_dtype(column, skipna=True) not in _MIXED:
        _issue(held or [])
        return frame
    examples = _one_of_each_type(column)
    changed = [w for w in held or [] if isinstance(w.message, LabelTypeWarning)]
    _issue([w for w in held or [] if not isinstance(w.message, LabelTypeWarning)])
    types = f"({', '.join(f'{v!r} ({type(v).__name__})' for v in examples)})"
    text = (
        f"{path.name!r} has it as text, every value ({examples[0]!r} as {str(examples[0])!r}), as a CSV copy reads back"
    )
    if changed:  # what the relabel did, then why the Parquet copy differs: one warning
        said = str(changed[0].message)
        warn_at_caller(LabelwiseWarning(f"{said}, holding {types[1:-1]}; a Parquet column holds one type, so {text}"))
    else:
        warn_at_caller(
            LabelwiseWarning(
                f"the label column {label!r} holds values of {len(examples)} types after the review {types} and "
                f"a Parquet column holds one: {text}"
            )
        )
    out = frame.copy(deep=False)
    out[label] = column.astype("str")  # each value's str(), a missing cell missing
    return out


def _issue(held: list[warnings.WarningMessage]) -> None:
    """Issue each of the ``held`` warnings again, at the line it named (labelwise's: the user's), under the
    user's filters."""
    for w in held:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)


def _one_of_each_type(column: pd.Series) -> list[Any]:
    """The first non-missing value of each Python type in ``column``, in the order met."""
    present = column.dropna()
    return list(present.loc[present.map(type).drop_duplicates().index])
