"""A "did you mean" for a column name that is not in a table (a wrong case, a typo)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def column_hint(column: str, columns: Iterable[object]) -> str:
    """`` (did you mean 'x'?)`` for the column ``column`` most likely meant, or ``""``.

    A column equal to ``column`` but for case and surrounding spaces comes first; otherwise the
    closest name by :func:`difflib.get_close_matches` (ratio at least 0.8), compared without case.
    """
    names = [str(c) for c in columns]
    wanted = str(column).strip().casefold()
    same = [name for name in names if name.strip().casefold() == wanted]
    if same:
        return f" (did you mean {same[0]!r}?)"
    folded = {name.casefold(): name for name in reversed(names)}
    close = difflib.get_close_matches(wanted, list(folded), n=1, cutoff=0.8)
    return f" (did you mean {folded[close[0]]!r}?)" if close else ""
