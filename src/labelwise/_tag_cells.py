"""Tag cells: several tags written in one text cell (``"cat|dog"``), split and joined at one separator.

The one place that splits and joins such cells: the multi-label audit, the multi-label aggregator,
``train-tags``, ``corrupt --task multilabel``, the report and the review export all read a cell as
:func:`split_tags` does and write one as :func:`join_tags` does, so a table written with a
separator reads back to the same tags with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .errors import InvalidLabelsError, InvalidParameterError

__all__ = ["DEFAULT_SEPARATOR", "check_separator", "check_writable_tags", "join_tags", "split_tags"]

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


def _writable(tag: str, separator: str) -> bool:
    """Whether ``tag`` reads back as itself from any cell joined by ``separator``: not blank, no
    surrounding spaces (split strips them), and the first ``separator`` in ``tag + separator`` is the
    one written after it (none inside the tag, none begun by its end: ``"a:"`` before ``"::"``)."""
    return bool(tag) and tag == tag.strip() and (tag + separator).find(separator) == len(tag)


def check_writable_tags(tags: Iterable[Any], separator: str, subject: str = "tags hold") -> None:
    """Refuse tags (each as ``str``) that a cell joined by ``separator`` cannot give back.

    ``subject`` starts the message and names the parameter (``"labels use"``, ``"classes name"``).

    Raises
    ------
    InvalidLabelsError
        Naming the first such tag, what it would read back as, and what a tag must be.
    """
    for tag in map(str, tags):
        if not _writable(tag, separator):
            back = split_tags(f"{tag}{separator}x", separator)[:-1] if tag.strip() else []
            raise InvalidLabelsError(
                f"{subject} the tag {tag!r}, which a cell joined by {separator!r} would read back as {back}: each "
                f"tag must read back from a cell (not blank, no surrounding spaces, no {separator!r} inside or "
                "begun by its last characters); choose a separator that no tag holds (tag_separator, --tag-separator)"
            )


def join_tags(tags: Iterable[Any], separator: str = DEFAULT_SEPARATOR) -> str:
    """One text cell of ``tags`` (each as ``str``), joined by ``separator``; ``""`` for none.

    :func:`split_tags` with the same separator gives the tags back: a tag it could not (see
    :func:`check_writable_tags`) is refused, never written as other tags.

    Raises
    ------
    InvalidLabelsError
        A tag that the cell would not give back.
    """
    names = [str(t) for t in tags]
    check_writable_tags(names, separator)
    return separator.join(names)
