"""CoNLL / IOB reader: one token per line, fields separated by whitespace, blank line between sentences.

Which line is a comment follows the formats' specs. CoNLL-2003 has no comments, only
``-DOCSTART-`` lines between documents. CoNLL-U (https://universaldependencies.org/format.html)
has comment lines that start with ``#`` and come *before* a sentence's word lines (UD's validator
calls a ``#`` line inside a sentence a "spurious comment line"). So a line that starts with ``#``
is a comment only where a sentence may begin (at the top of the file, or after a blank line, a
``-DOCSTART-`` line or another comment), and only if it cannot be a token line there: its first
field is ``#`` alone (``# sent_id = 1``, ``# text = ...``) or it has not the file's number of
fields. Elsewhere, and wherever it has the right number of fields and a first field longer than
``#`` (a hashtag, ``#python B-TOPIC``), it is a token line. :func:`line_kinds` is this rule, and
every reader and writer of CoNLL files uses it, so they all agree on the sentences.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import DataFileError, InvalidParameterError
from .paths import require_file
from .tables import not_utf8_error

#: Fields are separated by ASCII whitespace only: a no-break or other Unicode space belongs to its
#: token ("10\u00a0000"), as in CoNLL-2003 (spaces) and CoNLL-U (tabs).
_FIELD_SEPARATOR = re.compile(r"[ \t\n\r\f\v]+")


def split_fields(line: str) -> list[str]:
    """The fields of ``line``, split at runs of ASCII whitespace (not at Unicode spaces)."""
    return [field for field in _FIELD_SEPARATOR.split(line) if field]


__all__ = [
    "BLANK",
    "COMMENT",
    "DOCSTART",
    "TOKEN",
    "ConllCorpus",
    "line_kinds",
    "read_conll",
    "split_fields",
    "token_fields",
]

#: The kinds of line of a CoNLL file (:func:`line_kinds`).
TOKEN, COMMENT, BLANK, DOCSTART = "token", "comment", "blank", "docstart"


@dataclass(frozen=True, eq=False)
class ConllCorpus:
    """Sentences of a CoNLL file.

    Attributes
    ----------
    tokens : list of list of str
        The words (first field) of each sentence.
    tags : list of list of str
        The tags (the ``tag_field`` field, default the last) of each sentence.
    path : Path
    """

    tokens: list[list[str]]
    tags: list[list[str]]
    path: Path

    @property
    def n_tokens(self) -> int:
        """Total number of tokens."""
        return sum(len(s) for s in self.tokens)

    def to_frame(self) -> pd.DataFrame:
        """One row per token: sentence, position, token, tag."""
        rows = [
            (i, j, w, t)
            for i, (ws, ts) in enumerate(zip(self.tokens, self.tags, strict=False))
            for j, (w, t) in enumerate(zip(ws, ts, strict=False))
        ]
        return pd.DataFrame(rows, columns=["sentence", "position", "token", "tag"])


def token_fields(lines: Iterable[str]) -> tuple[int, int, str] | None:
    """The number of fields of a file's token lines, as ``(n_fields, line number, line)`` of the line that says it.

    The first line that is neither blank, ``-DOCSTART-`` nor starting with ``#`` is a token line
    whatever its place; failing one (every token starts with ``#``), the first ``#``-line of two
    fields or more whose first field is longer than ``#``. None if there is neither.
    """
    fallback = None
    for lineno, line in enumerate(lines, start=1):
        fields = split_fields(line)
        if not fields or fields[0] == "-DOCSTART-":
            continue
        if not fields[0].startswith("#"):
            return len(fields), lineno, line
        if fallback is None and fields[0] != "#" and len(fields) >= 2:
            fallback = len(fields), lineno, line
    return fallback


def line_kinds(lines: Iterable[str], *, n_fields: int | None, source: str) -> Iterator[tuple[str, list[str]]]:
    """Each line's kind (:data:`TOKEN`, :data:`COMMENT`, :data:`BLANK` or :data:`DOCSTART`) and its fields.

    A token line continues the sentence of a token line right above it; any other line ends it.
    A ``#``-line is a comment only where a sentence may begin and only if it cannot be a token line
    there (module docstring).

    Parameters
    ----------
    lines : iterable of str
        The file's lines.
    n_fields : int or None
        The number of fields of every token line (:func:`token_fields`); None if the file has none.
    source : str
        How error messages name the file.

    Raises
    ------
    DataFileError
        A token line (a ``#``-line inside a sentence included) with another number of fields;
        the message names ``source`` and the line.
    """
    in_sentence = False
    for lineno, line in enumerate(lines, start=1):
        fields = split_fields(line)
        if not fields or fields[0] == "-DOCSTART-":
            in_sentence = False
            yield (BLANK if not fields else DOCSTART), fields
            continue
        hashed = fields[0].startswith("#")
        if not in_sentence and hashed and (fields[0] == "#" or len(fields) != n_fields):
            yield COMMENT, fields
            continue
        if len(fields) != n_fields:
            hint = (
                "; a '#' comment line goes before a sentence's tokens (after a blank line), not inside a sentence"
                if hashed
                else ""
            )
            raise DataFileError(
                f"{source}:{lineno}: expected {n_fields} fields (token ... tag), got {len(fields)}: "
                f"{line.strip()!r}{hint}"
            )
        in_sentence = True
        yield TOKEN, fields


def _is_tag_field(tag_field: object, n_fields: int) -> bool:
    return (
        isinstance(tag_field, int)
        and not isinstance(tag_field, bool)
        and -n_fields <= tag_field < n_fields
        and tag_field % n_fields != 0
    )


def read_conll(path: str | os.PathLike, *, tag_field: int = -1, n_fields: int | None = None) -> ConllCorpus:
    """Read a CoNLL-2003-style file: ``token [fields...] tag`` per line, sentences split by blank lines.

    ``-DOCSTART-`` lines and comment lines are skipped; a line that starts with ``#`` is a comment
    only before a sentence's tokens, where CoNLL-U puts them, and only if it is not a token line
    such as a hashtag (``#python B-TOPIC``): see the module docstring and :func:`line_kinds`.
    Every token line must have the same number of fields (``n_fields``, or that of the first token
    line).

    Parameters
    ----------
    path : str or os.PathLike
        The file (UTF-8).
    tag_field : int, default -1
        Which field is the tag (0-based; negative counts from the end). Not the token's field 0.
    n_fields : int or None, default None
        The number of fields of every token line, at least 2; None takes it from the file.

    Raises
    ------
    InvalidParameterError
        If ``n_fields`` is below 2 or ``tag_field`` is not a field after the token's.
    DataFileError
        The file is missing or empty, or a line has the wrong number of fields (file and line named).
    """
    p = require_file(path, parameter="path", kind="CoNLL file")
    if n_fields is not None and (isinstance(n_fields, bool) or not isinstance(n_fields, int) or n_fields < 2):
        raise InvalidParameterError(f"n_fields must be an int of at least 2 (token and tag) or None, got {n_fields!r}")
    tokens: list[list[str]] = []
    tags: list[list[str]] = []
    try:
        # utf-8-sig: a byte-order mark would glue itself to the first line ('\ufeff# sent_id = 1' is no
        # comment, '\ufeff-DOCSTART-' no document start); the review's export reads it off the same way
        with p.open(encoding="utf-8-sig") as fh:
            expected = n_fields
            if expected is None:
                found = token_fields(fh)
                fh.seek(0)
                if found is not None and found[0] < 2:
                    raise DataFileError(
                        f"{p}:{found[1]}: expected at least 2 fields (token and tag), got 1: {found[2].strip()!r}"
                    )
                expected = None if found is None else found[0]
            if expected is not None and not _is_tag_field(tag_field, expected):
                raise InvalidParameterError(
                    f"tag_field must be a field of the {expected}-field token lines other than the token's (1 to "
                    f"{expected - 1}, or -{expected - 1} to -1), got {tag_field!r}"
                )
            in_sentence = False
            for kind, fields in line_kinds(fh, n_fields=expected, source=str(p)):
                if kind == TOKEN:
                    if not in_sentence:
                        tokens.append([])
                        tags.append([])
                    tokens[-1].append(fields[0])
                    tags[-1].append(fields[tag_field])
                in_sentence = kind == TOKEN
    except UnicodeDecodeError:
        raise not_utf8_error(p, "CoNLL file") from None
    if not tokens:
        raise DataFileError(f"CoNLL file {str(p)!r} has no tokens")
    return ConllCorpus(tokens, tags, p)
