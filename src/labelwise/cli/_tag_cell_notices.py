"""Notices of ``audit --task multilabel`` on tag cells read otherwise than written.

Ways a tag cell is read otherwise than meant without an error: a cell written ``NA`` (or another of
pandas' missing markers) in a CSV file, or a null in a Parquet or JSON file, is a missing cell, read as
a row without tags; a cell with an empty tag between separators (``a||b``, ``a|``) is read without it
(``a|b``); a cell whose tags are joined by another separator than ``--tag-separator`` (``a;b`` read
with ``|``) is read as one tag. Each is said once, counting the cells and naming the first, as the
other readers' notices do (``notice: ...``, and in summary.json's ``notices``). Spaces around a
separator are no gap: tags are stripped (``a | b`` is ``a|b``, :func:`labelwise._tag_cells.split_tags`).
"""

from __future__ import annotations

from pathlib import Path

from .._heavy import pandas as pd
from .._tag_cells import split_tags
from ..io.na_values import is_read_as_missing, raw_column
from ..io.plain_text import format_suffix
from ._na_values import _row_words, given_na_values

__all__ = ["tag_cell_notices"]


def tag_cell_notices(
    tags: pd.Series,
    separator: str,
    label: str,
    path: Path,
    *,
    option: str = "--label",
    parameter: str = "DATA",
    markers: bool = True,
) -> list[str]:
    """The notices on ``tags`` (the ``option`` column ``label`` as read from ``path``, the command's
    ``parameter``): marker cells of a CSV file (unless ``markers`` is False: a command that says them
    itself) and null cells of a Parquet or JSON file read as no tags, cells with an empty tag between
    separators, and cells whose tags are joined by another separator than ``separator``."""
    texts = _texts(tags)
    said = [_empty_tags(tags, texts, separator, label, path)]
    said.append(_marker_cells(tags, separator, label, path) if markers else None)
    said.append(_null_cells(tags, label, path, parameter))
    said.append(_other_separator(tags, texts, separator, label, path))
    return [notice.replace("--label column", f"{option} column", 1) for notice in said if notice is not None]


def _texts(tags: pd.Series) -> list[str]:
    """The distinct text cells of ``tags`` (a cell may also be a list of tags, a number or missing)."""
    try:
        values = pd.unique(tags.dropna())
    except TypeError:  # lists of tags (JSON Lines, Parquet) are not hashable
        values = pd.unique(pd.Series([cell for cell in tags if isinstance(cell, str)], dtype=object))
    return [cell for cell in values if isinstance(cell, str)]


def _rows_of(tags: pd.Series, cells: set[str]) -> list[int]:
    """The rows of ``tags`` whose cell is one of ``cells`` (texts)."""
    return [i for i, cell in enumerate(tags) if isinstance(cell, str) and cell in cells]


def _empty_tags(tags: pd.Series, texts: list[str], separator: str, label: str, path: Path) -> str | None:
    """``a||b``, ``|a``, ``a|``: cells where a separator has no tag beside it (``texts``: :func:`_texts`)."""
    flagged = {cell for cell in texts if _has_empty_tag(cell, separator)}
    if not flagged:
        return None
    rows = _rows_of(tags, flagged)
    first = str(tags.iloc[rows[0]])
    kept = separator.join(t for t in map(str.strip, first.split(separator)) if t)
    return (
        f"{len(rows)} cell(s) of --label column {label!r} hold an empty tag between separators, which is dropped "
        f"(the first: {_where(rows[0], path)}, {first!r} read as {kept!r})"
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


#: Files whose cells are typed: a missing tag cell there is a null (None, NaN), not a text.
_TYPED = (".parquet", ".pq", ".json", ".jsonl", ".ndjson")


def _null_cells(tags: pd.Series, label: str, path: Path, parameter: str = "DATA") -> str | None:
    """Null cells of a Parquet or JSON file (or a folder of Parquet parts): read as rows without tags,
    where such a file writes no tags as an empty list or text (a CSV's empty cell says nothing)."""
    if not (path.is_dir() or format_suffix(path) in _TYPED):
        return None
    rows = tags.isna().to_numpy().nonzero()[0]
    if not rows.size:
        return None
    kind = "JSON" if format_suffix(path) in _TYPED[2:] else "Parquet"
    return (
        f"{rows.size} cell(s) of --label column {label!r} are null in the {kind} file and are read as rows "
        f"without tags (the first: {_where(int(rows[0]), path)}); no tags is written as an empty list "
        f"or text, so if these rows were not labelled, leave them out of {parameter}"
    )


def _where(row: int, path: Path) -> str:
    """``row 2 (line 4)``: the row and, in a CSV-family or JSON Lines file, its line (in a JSON Lines file
    its non-blank lines are its rows); ``row 2`` in a Parquet file or folder, or a JSON list."""
    if not (path.is_dir() or format_suffix(path) in _TYPED):
        return _row_words(row, path)
    if format_suffix(path) in (".jsonl", ".ndjson", ".json") and not path.is_dir():
        from ..errors import DataFileError
        from ..io.tables import iter_json_lines

        try:
            for i, (line, _) in enumerate(iter_json_lines(path)):
                if i == row:
                    return f"row {row} (line {line})"
        except (DataFileError, OSError):  # a .json list of objects has no line per row
            pass
    return f"row {row}"


#: Separators a cell may be written with instead of ``--tag-separator``: the common ones.
_OTHER_SEPARATORS = ("|", ";", ",", "/")


def _other_separator(tags: pd.Series, texts: list[str], separator: str, label: str, path: Path) -> str | None:
    """Cells read as one tag that another common separator splits into tags the column holds on their
    own (``a;b`` read with ``|``, beside cells ``a`` and ``b``): the separator most such cells use."""
    read = {cell: split_tags(cell, separator) for cell in texts}
    known = {tag for cell_tags in read.values() for tag in cell_tags}
    joined: dict[str, list[tuple[str, str]]] = {}  # other separator -> (cell, the tag it joins)
    for cell, cell_tags in read.items():
        for tag in cell_tags:
            other = next((c for c in _OTHER_SEPARATORS if c not in separator and _joins(tag, c, known)), None)
            if other is not None:
                joined.setdefault(other, []).append((cell, tag))
                break
    if not joined:
        return None
    other, found = max(joined.items(), key=lambda item: len(item[1]))
    tag_of = dict(found)
    rows = _rows_of(tags, set(tag_of))
    cell = str(tags.iloc[rows[0]])
    tag = tag_of[cell]
    parts = split_tags(tag, other)
    fix = (
        f"pass --tag-separator {other!r}"
        if other != ","
        else f"rewrite those cells with {separator!r} between tags (',' cannot be a --tag-separator: it is CSV's delimiter)"
    )
    return (
        f"{len(rows)} cell(s) of --label column {label!r} hold tags joined by {other!r}, not by the tag separator "
        f"{separator!r}, and are read as one tag each (the first: {_where(rows[0], path)}, {cell!r} read as the "
        f"tag {tag!r}, where {', '.join(map(repr, parts))} are tags of other cells); if {other!r} separates tags, {fix}"
    )


def _joins(tag: str, other: str, known: set[str]) -> bool:
    """Whether ``tag`` is two or more tags of ``known`` joined by ``other``."""
    parts = split_tags(tag, other) if other in tag else []
    return len(parts) > 1 and all(part in known for part in parts)
