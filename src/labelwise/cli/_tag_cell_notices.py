"""Notices of ``audit --task multilabel`` on tag cells read otherwise than written.

Two ways a tag cell loses something without an error: a cell written ``NA`` (or another of pandas'
missing markers) is a missing cell, read as a row without tags; a cell with an empty tag between
separators (``a||b``, ``a|``) is read without it (``a|b``). Each is said once, counting the cells and
naming the first, as the other readers' notices do (``notice: ...``, and in summary.json's
``notices``).
"""

from __future__ import annotations

from pathlib import Path

from .._heavy import pandas as pd
from ..io.na_values import is_read_as_missing, raw_column
from ._na_values import _row_words, given_na_values

__all__ = ["tag_cell_notices"]


def tag_cell_notices(tags: pd.Series, separator: str, label: str, path: Path) -> list[str]:
    """The notices on ``tags`` (the ``--label`` column as read from ``path``): marker cells read as no tags,
    and cells with an empty tag between separators."""
    said = [_empty_tags(tags, separator, label, path)]
    said.append(_marker_cells(tags, separator, label, path))
    return [notice for notice in said if notice is not None]


def _empty_tags(tags: pd.Series, separator: str, label: str, path: Path) -> str | None:
    """``a||b``, ``|a``, ``a|``: cells where a separator has no tag beside it."""
    rows = [i for i, cell in enumerate(tags) if isinstance(cell, str) and _has_empty_tag(cell, separator)]
    if not rows:
        return None
    first = str(tags.iloc[rows[0]])
    kept = separator.join(t for t in map(str.strip, first.split(separator)) if t)
    return (
        f"{len(rows)} cell(s) of --label column {label!r} hold an empty tag between separators, which is dropped "
        f"(the first: {_row_words(rows[0], path)}, {first!r} read as {kept!r})"
    )


def _has_empty_tag(cell: str, separator: str) -> bool:
    return cell.strip() != "" and separator in cell and any(not t.strip() for t in cell.split(separator))


def _marker_cells(tags: pd.Series, separator: str, label: str, path: Path) -> str | None:
    """Missing cells of a CSV file that are not empty there (``NA``, ``None``, ``null``): read as no tags.
    Said only under pandas' markers (``--na-values`` not given): a user who named the texts chose them."""
    missing = tags.isna().to_numpy()
    if given_na_values() is not None or not missing.any():
        return None
    raw = raw_column(path, label)
    if raw is None or len(raw) != len(tags):
        return None
    texts = raw.to_numpy(dtype=object)
    rows = [int(i) for i in missing.nonzero()[0] if texts[i] != "" and is_read_as_missing(texts[i], None)]
    if not rows:
        return None
    text = str(texts[rows[0]])
    return (
        f"{len(rows)} cell(s) of --label column {label!r} hold a missing-value marker and are read as rows "
        f"without tags (the first: {_row_words(rows[0], path)} reads {text!r}); if {text!r} is a tag, "
        f'pass --na-values "" (only empty cells are missing)'
    )
