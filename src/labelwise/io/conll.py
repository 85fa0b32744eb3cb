"""CoNLL / IOB reader: one token per line, fields separated by whitespace, blank line between sentences."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import DataFileError
from .paths import require_file
from .tables import not_utf8_error

__all__ = ["ConllCorpus", "read_conll"]


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


def read_conll(path: str | os.PathLike, *, tag_field: int = -1, n_fields: int | None = None) -> ConllCorpus:
    """Read a CoNLL-2003-style file: ``token [fields...] tag`` per line, sentences split by blank lines.

    ``-DOCSTART-`` lines and ``#`` comment lines are skipped. Every token line must have the same
    number of fields (``n_fields``, or that of the first token line).

    Raises
    ------
    DataFileError
        The file is missing or empty, or a line has the wrong number of fields (file and line named).
    """
    p = require_file(path, parameter="path", kind="CoNLL file")
    tokens: list[list[str]] = []
    tags: list[list[str]] = []
    words: list[str] = []
    labels: list[str] = []
    expected = n_fields
    try:
        with p.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, start=1):
                fields = line.split()
                if not fields or fields[0] == "-DOCSTART-" or fields[0].startswith("#"):
                    if words:
                        tokens.append(words)
                        tags.append(labels)
                        words, labels = [], []
                    continue
                if expected is None:
                    expected = len(fields)
                    if expected < 2:
                        raise DataFileError(
                            f"{p}:{lineno}: expected at least 2 fields (token and tag), got 1: {line.strip()!r}"
                        )
                if len(fields) != expected:
                    raise DataFileError(
                        f"{p}:{lineno}: expected {expected} fields (token ... tag), got {len(fields)}: {line.strip()!r}"
                    )
                words.append(fields[0])
                labels.append(fields[tag_field])
    except UnicodeDecodeError:
        raise not_utf8_error(p, "CoNLL file") from None
    if words:
        tokens.append(words)
        tags.append(labels)
    if not tokens:
        raise DataFileError(f"CoNLL file {str(p)!r} has no tokens")
    return ConllCorpus(tokens, tags, p)
