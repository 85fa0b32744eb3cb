"""A "did you mean" for a column name that is not in a table (a wrong case, a typo)."""

from __future__ import annotations

from collections.abc import Iterable

from .._validate.names import did_you_mean


def column_hint(column: str, columns: Iterable[object]) -> str:
    """`` (did you mean 'x'?)`` for the column ``column`` most likely meant, or ``""``: the one rule of
    every labelwise "did you mean" (:func:`labelwise._validate.names.did_you_mean`: a column equal but
    for case and surrounding spaces first, else the closest by difflib's ratio, at least 0.6)."""
    return did_you_mean(column, columns)
