"""A "did you mean" for a name that is not among the valid ones: a column, a check, an option.

One rule for every message of labelwise that suggests a name (:func:`did_you_mean`): a valid name
equal to the given one but for case and surrounding spaces is said first; otherwise the closest
valid name by :func:`difflib.get_close_matches` (its ratio ``2 M / T`` of matching characters) over
the names case-folded and stripped, if its ratio is at least :data:`CUTOFF`; else nothing. With
0.6 (difflib's default) one wrong, missing or extra letter in a name of three letters or more is
suggested, and two in a name of five or more (``tgt`` -> ``target``, ``thresh`` -> ``threshold``,
``blocks`` -> ``block_size``), while unrelated names are not (``price`` and ``species``: 0.5).
Before session 44 the column hints of the command line asked for 0.8 and compared case-folded
names, the data checks' option and check names 0.6 with case.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["CUTOFF", "closest_name", "did_you_mean"]

#: The least :func:`difflib.get_close_matches` ratio of a suggested name (difflib's default).
CUTOFF = 0.6


def closest_name(name: object, known: Iterable[object]) -> str | None:
    """The valid name (of ``known``, as text) most likely meant by ``name`` (module docstring's rule),
    or None. Ties go to the name listed first."""
    names = [str(k) for k in known]
    wanted = str(name).strip().casefold()
    for valid in names:
        if valid.strip().casefold() == wanted:
            return valid
    folded: dict[str, str] = {}
    for valid in names:
        folded.setdefault(valid.strip().casefold(), valid)
    close = difflib.get_close_matches(wanted, list(folded), n=1, cutoff=CUTOFF)
    return folded[close[0]] if close else None


def did_you_mean(name: object, known: Iterable[object]) -> str:
    """`` (did you mean 'threshold'?)`` for the name :func:`closest_name` finds, else ``""``."""
    found = closest_name(name, known)
    return "" if found is None else f" (did you mean {found!r}?)"
