"""``labelwise aggregate``'s reading of PATH: the export read into one long table of answers, and a
Label Studio or Prodigy export's item and annotator ids refused when two of them would print alike
in labels.csv or annotators.csv."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..io.paths import require_file
from ._common import reading
from ._na_values import given_na_values


def read_answers(
    path: Path, fmt: str, item_column: str | None, annotator_column: str | None, label_column: str | None
) -> Any:
    """:func:`labelwise.io.read_annotations` of PATH with the command's options. A long table's or votes
    file's ids are read as text (JSON ``2`` and ``"2"`` are one id, as in a CSV file); an export's
    must each be written one way (two ids to pandas, and two rows ``2`` of labels.csv)."""
    from ..io.annotations import read_annotations
    from ._ids_alike import refuse_ids_written_alike

    with reading("PATH"):
        read = read_annotations(
            require_file(path, parameter="PATH", kind="annotation file"),
            fmt,
            item_column=item_column,
            annotator_column=annotator_column,
            label_column=label_column,
            na_values=given_na_values(),
        )
    if read.format.startswith(("labelstudio", "prodigy")):
        # an export's ids are fields of the tool's JSON, read as the tool wrote them (a long table's
        # and a votes file's are read as their CSV would be: labelwise.io.read_table)
        for option, column, given, output in (
            ("--item-column", "item", item_column, "labels.csv"),
            ("--annotator-column", "annotator", annotator_column, "annotators.csv"),
        ):
            ids = read.answers[[column]].rename(columns={column: given or column})
            refuse_ids_written_alike(ids, {option: given or column}, "PATH", output)
    return read
