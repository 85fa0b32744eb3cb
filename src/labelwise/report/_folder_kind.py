"""Folders that look like an aggregation's but hold labels of another shape.

``labelwise aggregate-tags`` writes ``labels.csv`` and ``annotators.csv`` too; its folder has its own
view (``report._folders``), recognised by its ``summary.json``. A folder with those two files that no
view recognises and whose ``labels.csv`` has no ``label`` column (a tag-set folder without its
summary, another tool's files) is refused by :func:`refuse_other_labels`, which says what the folder
holds and which folders the report reads.
"""

from __future__ import annotations

import csv
from pathlib import Path

from ..errors import DataFileError
from ._folders import FOLDER_VIEWS

__all__ = ["refuse_other_labels"]

#: What the report reads, for the message.
READS = (
    "an audit's (any --task), train's, train-tags' or aggregate's folder, or one of "
    + ", ".join(f"{command}'s" for command in FOLDER_VIEWS)
    + " (with its summary.json)"
)


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
    what = (
        "tag sets (labelwise aggregate-tags, without its summary.json)"
        if "tags" in header
        else f"columns {header[:10]}"
    )
    raise DataFileError(
        f"{str(folder)!r} holds a labels.csv of {what}, without the 'label' column of labelwise aggregate's: "
        f"labelwise report does not show it; it reads {READS}"
    )
