"""The dependent annotators that ``labelwise aggregate`` records in ``summary.json``.

Dawid-Skene's dependence checks write ``dependent_pairs`` (each pair of annotators whose answers
were weighed as one, with the check's numbers) and ``dependent_rings`` (each copy ring's accounts);
both are ``null`` for a method without the check and absent from folders written before them
(sessions 15 and 43). :func:`dependent_pairs_of` and :func:`dependent_rings_of` read them as a
table and a list, empty in those cases, so a reader of any folder needs no test of its own.
Annotator names are text, as ``annotators.csv`` is read. :func:`copy_marks` says, per annotator, how
the fit found it copying: the words the review's cards and the report's annotator table both show.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["MAX_PARTNERS", "PAIR_COLUMNS", "copy_marks", "dependent_pairs_of", "dependent_rings_of"]

#: The columns of :func:`dependent_pairs_of`: the names of the pair, then the check's numbers.
PAIR_COLUMNS = ("annotator_a", "annotator_b", "n_shared", "agreements", "expected", "z")
#: Partners named beside an annotator of several dependent pairs (the rest are counted).
MAX_PARTNERS = 3


def dependent_pairs_of(summary: dict[str, Any]) -> pd.DataFrame:
    """``summary["dependent_pairs"]`` as a table of :data:`PAIR_COLUMNS` (names as text, numbers as
    float, NaN where an entry lacks one); no rows when the key is absent or ``null``. Entries that are
    not an object naming both annotators (an edited file) are left out."""
    raw = summary.get("dependent_pairs")
    rows = [
        r
        for r in (raw if isinstance(raw, list) else [])
        if isinstance(r, dict) and _named(r, "annotator_a", "annotator_b")
    ]
    frame = pd.DataFrame({c: [r.get(c) for r in rows] for c in PAIR_COLUMNS}, columns=list(PAIR_COLUMNS))
    for c in PAIR_COLUMNS[:2]:
        frame[c] = frame[c].map(str).astype(object)
    for c in PAIR_COLUMNS[2:]:
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64")
    return frame


def dependent_rings_of(summary: dict[str, Any]) -> list[list[str]]:
    """``summary["dependent_rings"]``: each ring's accounts as text, in the file's order; empty when the
    key is absent or ``null``. Entries that are not a list of names (an edited file) are left out."""
    raw = summary.get("dependent_rings")
    rings = raw if isinstance(raw, list) else []
    return [[str(m) for m in ring] for ring in rings if isinstance(ring, list) and ring and _names(ring)]


def copy_marks(pairs: pd.DataFrame, rings: list[list[str]]) -> dict[str, str]:
    """What the review's cards and the report's annotator table say beside an annotator the aggregation
    found copying (``pairs`` from :func:`dependent_pairs_of`, ``rings`` from :func:`dependent_rings_of`): a
    ring's accounts ``copy ring 2 of 5 accounts``, any other annotator of a dependent pair ``dependent on
    a03, a07`` (at most :data:`MAX_PARTNERS` named, then how many more)."""
    marks: dict[str, str] = {}
    for n, ring in enumerate(rings, 1):
        for who in ring:
            marks.setdefault(who, f"copy ring {n} of {len(ring)} accounts")
    partners: dict[str, list[str]] = {}
    for a, b in zip(pairs["annotator_a"], pairs["annotator_b"], strict=True):
        partners.setdefault(a, []).append(b)
        partners.setdefault(b, []).append(a)
    for who, others in partners.items():
        if who not in marks:
            shown = ", ".join(others[:MAX_PARTNERS])
            more = f" and {len(others) - MAX_PARTNERS} more" if len(others) > MAX_PARTNERS else ""
            marks[who] = f"dependent on {shown}{more}"
    return marks


def _named(row: dict[str, Any], *keys: str) -> bool:
    return _names([row.get(k) for k in keys])


def _names(values: list[Any]) -> bool:
    return all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in values)
