"""Amazon Mechanical Turk batch results CSV (``HITId``, ``WorkerId``, ``AssignmentStatus``, ``Input.*``, ``Answer.*``).

Rejected assignments are dropped and counted. The answer is an ``Answer.<name>`` column, or a
group of boolean ``Answer.<name>.<option>`` columns (radio buttons in crowd HTML forms). The item
is ``Input.<item_column>``, else ``Input.id``, else ``HITId``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..._heavy import pandas as pd
from ...errors import AnnotationError, DataFileError, MissingColumnError
from ..csv_grid import read_csv_frame
from ..delimiter import CSV_SUFFIXES, csv_delimiter
from ..tables import not_utf8_error
from ._common import Annotations, empty_label, frame_of, require_ids

NAME = "mturk"


def recognise(path: Path) -> bool:
    """A CSV/TSV whose header has ``WorkerId`` and an ``Answer.*`` column."""
    if path.suffix.lower() not in CSV_SUFFIXES:
        return False
    try:
        header = pd.read_csv(path, nrows=0, sep=csv_delimiter(path)).columns
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, DataFileError):
        return False
    return "WorkerId" in header and any(str(c).startswith("Answer.") for c in header)


def read(path: Path, *, item_column: str | None = None, label_column: str | None = None, **options: Any) -> Annotations:
    """Read an MTurk batch results CSV (``annotator_column`` is always ``WorkerId``).

    Long because the item, answer-group and option-column rules of a batch CSV are each a few lines and read best in the order MTurk defines them.
    """
    p, item, label = path, item_column, label_column
    try:
        table = read_csv_frame(p, csv_delimiter(p), {"dtype": str, "keep_default_na": False, "na_values": [""]})
    except UnicodeDecodeError:
        raise not_utf8_error(p, "annotation file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataFileError(f"annotation file {str(p)!r} could not be read as an MTurk batch CSV: {exc}") from None
    cols = [str(c) for c in table.columns]
    if "WorkerId" not in cols:
        raise MissingColumnError(
            f"annotation file {str(p)!r} (MTurk batch results) must have a 'WorkerId' column; found {cols}"
        )
    inputs = [c for c in cols if c.startswith("Input.")]
    answers = [c for c in cols if c.startswith("Answer.")]
    if not answers:
        raise MissingColumnError(
            f"annotation file {str(p)!r} (MTurk batch results) has no 'Answer.*' column; found {cols}"
        )
    # item: Input.<item>, else Input.id, else HITId
    if item is not None:
        item_col = item if item in cols else f"Input.{item}"
        if item_col not in cols:
            raise MissingColumnError(
                f"annotation file {str(p)!r}: item_column {item!r} is not a column (as is or as 'Input.{item}'); "
                f"input columns are {inputs}"
            )
    elif "Input.id" in cols:
        item_col = "Input.id"
    elif "HITId" in cols:
        item_col = "HITId"
    else:
        raise MissingColumnError(
            f"annotation file {str(p)!r} (MTurk batch results) needs 'HITId' or an item column (item_column=); "
            f"found {cols}"
        )
    groups: dict[str, list[str]] = {}
    for c in answers:
        parts = c[len("Answer.") :].split(".", 1)
        groups.setdefault(parts[0], []).append(c)
    if label is not None:
        name = label[len("Answer.") :] if label.startswith("Answer.") else label
        if name not in groups and label in cols:
            groups[name] = [label]
        if name not in groups:
            raise MissingColumnError(
                f"annotation file {str(p)!r}: label_column {label!r} is not an answer; answers are {sorted(groups)}"
            )
    elif len(groups) == 1:
        name = next(iter(groups))
    else:
        raise AnnotationError(
            f"annotation file {str(p)!r} has several answers {sorted(groups)}; pass label_column= (--label-column) "
            f"to say which one holds the label"
        )
    group = groups[name]
    n = len(table)
    if group == [f"Answer.{name}"] or len(group) == 1:
        labels = table[group[0]].to_numpy(dtype=object)
        multi = np.zeros(n, dtype=bool)
    else:
        # one boolean column per option: Answer.<name>.<option> = true/false
        option_names = [c[len(f"Answer.{name}.") :] for c in group]
        flags = table[group].apply(lambda s: s.astype(str).str.strip().str.lower().isin(("true", "1", "on", "yes")))
        flag_arr = flags.to_numpy()
        count = flag_arr.sum(axis=1)
        labels = np.where(count == 1, np.asarray(option_names, dtype=object)[flag_arr.argmax(axis=1)], None)
        multi = count > 1
    status = table["AssignmentStatus"].astype(str).str.strip() if "AssignmentStatus" in cols else pd.Series([""] * n)
    rejected = (status == "Rejected").to_numpy()
    frame = frame_of(table[item_col].to_numpy(dtype=object), table["WorkerId"].to_numpy(dtype=object), labels)
    require_ids(frame, p, "line")
    empty = empty_label(frame["label"]) & ~multi
    keep = ~rejected & ~multi & ~empty
    dropped = {
        k: int(v)
        for k, v in (
            ("rejected", rejected.sum()),
            ("multiple_choices", (multi & ~rejected).sum()),
            ("empty", (empty & ~rejected).sum()),
        )
        if v
    }
    out = frame.loc[keep].reset_index(drop=True)
    return Annotations(out, "mturk", str(p), n_records=n, dropped=dropped)
