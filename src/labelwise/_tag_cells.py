"""Tag cells: several tags written in one text cell (``"cat|dog"``), split and joined at one separator.

The one place that splits and joins such cells: the multi-label audit, the multi-label aggregator,
``train-tags``, ``corrupt --task multilabel``, the report and the review export all read a cell as
:func:`split_tags` does and write one as :func:`join_tags` does, so a table written with a
separator reads back to the same tags with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .errors import InvalidParameterError

__all__ = ["DEFAULT_SEPARATOR", "check_separator", "join_tags", "split_tags"]

#: The separator of a tag cell when none is given: ``"a|b"``.
DEFAULT_SEPARATOR = "|"


def check_separator(value: Any, name: str = "tag_separator", *, none: bool = False) -> str | None:
    """``value`` when it is a non-empty string without surrounding whitespace (None too when ``none``).

    Tags are stripped of surrounding whitespace when a cell is split, so a separator with
    surrounding spaces (``" | "``) would not split ``"a|b"`` and one of spaces only would split
    every tag written with a space.

    Raises
    ------
    InvalidParameterError
        Naming ``name``, what it must be and the value received.
    """
    if value is None and none:
        return None
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        either = " or None" if none else ""
        raise InvalidParameterError(
            f"{name} must be a non-empty string without surrounding spaces (e.g. '|' or ';'){either}, got {value!r}"
        )
    return value


def split_tags(text: str, separator: str | None = DEFAULT_SEPARATOR) -> list[str]:
    """The tags of one text cell: split at ``separator``, each stripped, blanks dropped.

    ``separator=None`` reads the whole text, as written, as one tag (none when it is blank).

    Examples
    --------
    >>> split_tags(" cat | dog||")
    ['cat', 'dog']
    >>> split_tags("a|b;c", ";")
    ['a|b', 'c']
    """
    if separator is None:
        return [text] if text.strip() else []
    return [t for t in map(str.strip, text.split(separator)) if t]


def join_tags(tags: Iterable[Any], separator: str = DEFAULT_SEPARATOR) -> str:
    """One text cell of ``tags`` (each as ``str``), joined by ``separator``; ``""`` for none."""
    return separator.join(map(str, tags))
