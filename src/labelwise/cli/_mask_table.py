"""``aggregate-masks``' TABLE checked row by row before any mask file is read: no empty cell, one mask
per (item, annotator), a ``.npy`` or ``.png`` path on every line; each refusal names TABLE's line
(:func:`labelwise.cli._row_lines.line_words`). A repeated pair was found by the API only after every
mask file had been read, which on a large table is most of the run."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .._heavy import pandas as pd
from .._validate.arguments import show
from ..errors import AnnotationError, DataFileError
from ._row_lines import line_words

#: The columns the command works with, whatever TABLE calls them.
COLUMNS = ("item", "annotator", "path")


def checked_rows(table: pd.DataFrame, table_path: Path, named: dict[str, str]) -> tuple[pd.DataFrame, list[Path]]:
    """TABLE (its columns named by the options in ``named``, in ``COLUMNS``' order) as a table of
    ``COLUMNS`` and each row's mask path (relative paths from TABLE's folder)."""
    for option, column in named.items():
        if table[column].isna().any():
            where = line_words(table_path, int(table[column].isna().to_numpy().nonzero()[0][0]))
            raise AnnotationError(f"TABLE column {column!r} ({option}) must have no empty cells, got one on {where}")
    table = pd.DataFrame({name: table[column].to_numpy() for name, column in zip(COLUMNS, named.values(), strict=True)})
    _refuse_repeated_pairs(table, table_path, named)
    paths = [Path(p) if Path(p).is_absolute() else table_path.parent / p for p in table["path"].astype(str)]
    odd = next((n for n, p in enumerate(paths) if p.suffix.lower() not in (".npy", ".png")), None)
    if odd is not None:  # a folder or a .jpg named among .npy files: that line, not the set of suffixes
        got = "a folder" if paths[odd].is_dir() else f"suffix {paths[odd].suffix!r}"
        raise DataFileError(
            f"TABLE {line_words(table_path, odd)} (item {show(table['item'].iloc[odd])}, annotator "
            f"{show(table['annotator'].iloc[odd])}) must name a .npy or .png mask file, got {str(paths[odd])!r} ({got})"
        )
    return table, paths


def _refuse_repeated_pairs(table: pd.DataFrame, table_path: Path, named: dict[str, str]) -> None:
    """Two rows of one (item, annotator): refused naming both lines, before any mask is read."""
    repeated = table.duplicated(["item", "annotator"]).to_numpy()
    if not repeated.any():
        return
    second = int(np.argmax(repeated))
    item, annotator = table["item"].iloc[second], table["annotator"].iloc[second]
    first = int(np.argmax(((table["item"] == item) & (table["annotator"] == annotator)).to_numpy()))
    options = " and ".join(f"{option} {column!r}" for option, column in list(named.items())[:2])
    raise AnnotationError(
        f"TABLE must list one mask per item and annotator ({options}), got two for item {show(item)}, annotator "
        f"{show(annotator)}: {line_words(table_path, first)} and {line_words(table_path, second)} of "
        f"{table_path.name!r} ({int(repeated.sum())} repeated row(s) in all); keep one of them"
    )
