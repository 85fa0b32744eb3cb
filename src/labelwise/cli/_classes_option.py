"""``--classes``: the class (or tag) of each probability column, named on the command line.

Read by ``labelwise audit`` (``--task classification`` with ``--probs``, ``multilabel``, ``token``)
and ``labelwise evaluate`` (probability ``.npy`` files and ``--human-counts``). Without it the
columns are the labels found in the data, sorted, so a class that no row has cannot be named; the
API's ``classes=`` can, and this option passes it. One parser and one set of errors for every
command that reads it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .._heavy import pandas as pd
from .._validate.arguments import plain
from ..errors import InvalidLabelsError, InvalidParameterError
from ._common import coerce_like, split_csv_option

__all__ = ["check_class_count", "check_labels_named", "classes_like_labels", "parse_classes"]


def parse_classes(value: str | None, *, what: str = "tag", columns: str = "--probs") -> list[str] | None:
    """``--classes a,b,c``: the name of each column of ``columns`` in order, as text, or None when not given.

    Parameters
    ----------
    value : str or None
        The option's value (spaces around names are stripped).
    what : str
        What a column is, in the errors: ``"tag"`` (multilabel, token) or ``"class"``.
    columns : str
        Whose columns the names are, in the errors (``"--probs"``).

    Raises
    ------
    InvalidParameterError
        If no name is given, or a name is given twice.
    """
    if value is None:
        return None
    names = split_csv_option(value)
    if not names:
        raise InvalidParameterError(
            f"--classes must name the {what} of each {columns} column, comma-separated, got {value!r}"
        )
    repeated = next((c for i, c in enumerate(names) if c in names[:i]), None)
    if repeated is not None:
        raise InvalidParameterError(f"--classes must name each column once, {repeated!r} is given more than once")
    return names


def check_class_count(
    classes: list[Any] | None, n_columns: int, *, what: str = "tag", columns: str = "--probs"
) -> None:
    """``--classes`` names one ``what`` per column of ``columns`` (``n_columns`` of them)."""
    if classes is not None and len(classes) != n_columns:
        raise InvalidParameterError(
            f"--classes names {len(classes)} {_plural(what)} but {columns} has {n_columns} columns (one {what} per column)"
        )


def classes_like_labels(names: list[str], labels: Any) -> list[Any]:
    """``--classes`` names as values of the labels' type, so that they compare equal to the labels.

    A name that spells a label (``"3"`` beside the integer label ``3``, ``"True"`` beside ``True``)
    is that label; other names take the labels' type where they can (``"7"`` -> ``7`` for integer
    labels, ``"2"`` -> ``2.0`` for float ones) and stay text otherwise.
    """
    series = pd.Series(np.asarray(labels).ravel() if not isinstance(labels, pd.Series) else labels)
    spelled = {str(v): v for v in pd.unique(series.dropna())}
    return [plain(spelled[n]) if n in spelled else coerce_like(n, series) for n in names]


def check_labels_named(labels: Iterable[Any], classes: list[Any], *, source: str, what: str = "label") -> None:
    """Every label of ``source`` is one of ``classes`` (compared as text, as the labels' type may differ).

    Raises
    ------
    InvalidLabelsError
        Naming the labels that ``--classes`` leaves out and the ``--classes`` given.
    """
    named = {str(c) for c in classes}
    unknown = sorted({str(v) for v in labels if not _missing(v) and str(v) not in named})
    if unknown:
        raise InvalidLabelsError(
            f"{source} has {_plural(what)} that --classes does not name: {unknown[:10]} (--classes: {[str(c) for c in classes[:20]]})"
        )


def _plural(word: str) -> str:
    return word + ("es" if word.endswith("s") else "s")


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
