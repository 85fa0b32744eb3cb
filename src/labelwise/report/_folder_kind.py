"""Folders that look like an aggregation's but were written by another command (``aggregate-tags``).

``labelwise aggregate-tags`` writes ``labels.csv`` and ``annotators.csv`` too, so the report took its
folder for an aggregation's and stopped on the missing ``label`` column. :func:`refuse_other_labels`
says what the folder is and which folders the report reads.
"""

from __future__ import annotations

import csv
from pathlib import Path

from ..errors import DataFileError

__all__ = ["refuse_other_labels"]

#: What the report reads, for the message.
READS = "an audit's (any --task), train's, train-tags' or aggregate's folder"


def refuse_other_labels(folder: Path) -> None:
    """Raise :class:`DataFileError` when ``folder``'s ``labels.csv`` has no ``label`` column (tag sets
    and other answer shapes), naming its columns and what the report reads; return otherwise."""
    try:
        with (folder / "labels.csv").open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh), [])
    except (OSError, UnicodeDecodeError):
        return  # unreadable: the loader says so
    if "label" in header:
        return
    what = "tag sets (labelwise aggregate-tags)" if "tags" in header else f"columns {header[:10]}"
    raise DataFileError(
        f"{str(folder)!r} holds a labels.csv of {what}, without the 'label' column of labelwise aggregate's: "
        f"labelwise report does not show it; it reads {READS}"
    )
