"""An audited table's integer-looking columns as the user's file writes them.

``load_audit`` reads the data's label column as text (``labelwise.io.read_table``'s
``text_columns``) and every other column as pandas types it, so a CSV or JSON column of ids
``"007"``, ``"063"`` becomes the integers 7 and 63, and a column of integer ids with a missing
cell becomes floats (``7.0``). The audit itself is unchanged by that (an id is not a feature), but
the report and the review page would name the row ``63`` and the cleaned copy written by
``labelwise export`` would hold other ids than the user's file, in silence.

:func:`columns_as_written` reads those columns again as text and keeps, for each one whose every
cell is an integer text:

- the text, when some cell is written otherwise than its number (a leading zero or ``+``, or
  ``-0``: ``"007"``): the text is the id;
- pandas' nullable ``Int64`` when the integers have missing cells, so that ``7`` is written back
  ``7``, not ``7.0``.

Other columns are left as they were read. A Parquet file (or folder) keeps its stored types.

:func:`check_data_unchanged` refuses a data table edited since the audit (the review's decisions
and the report's cards name rows by number); :func:`previewed_audit` is what the report shows.
"""

from __future__ import annotations

import dataclasses
import json
import numbers
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._caller import warn_at_caller
from ..errors import DataFileError, LabelwiseWarning
from ..io.outputs import AuditOutput
from ..io.plain_text import format_suffix, plain_text
from ..io.tables import iter_json_lines, read_texts

__all__ = ["CHANGED", "audit_as_written", "check_data_unchanged", "columns_as_written", "previewed_audit"]

CHANGED = (
    "it changed since the audit (rows sorted, edited, removed or added), so the review's row numbers "
    "would name other examples: restore the audited file, or rerun the audit"
)

_INT = re.compile(r"[+-]?[0-9]+")
_CANONICAL = re.compile(r"-?(?:0|[1-9][0-9]*)")


def audit_as_written(audit: AuditOutput) -> AuditOutput:
    """``audit`` with its data's integer-looking columns as its file writes them (see the module)."""
    if audit.data is None or audit.data_path is None:
        return audit
    data = columns_as_written(audit.data, audit.data_path, exclude=(audit.label_column,), na_values=_na(audit))
    return audit if data is audit.data else dataclasses.replace(audit, data=data)


def columns_as_written(
    data: pd.DataFrame, path: str | Path, *, exclude: tuple[Any, ...] = (), na_values: Any = None
) -> pd.DataFrame:
    """``data`` (read from ``path`` by ``read_table``) with its numeric columns whose cells are all
    integer texts in the file put back as written: the text where a cell is zero-padded or signed,
    nullable ``Int64`` where some cell is missing (the module's docstring). ``data`` itself is
    returned when nothing changes (a Parquet file, no such column)."""
    path = Path(path)
    candidates = [c for c in data.columns if c not in exclude and _maybe_integers(data[c])]
    if not candidates or path.is_dir():
        return data
    suffix = format_suffix(path)  # under a compression suffix: data.csv.gz is a .csv
    if suffix not in (".csv", ".tsv", ".txt", ".json", ".jsonl", ".ndjson"):
        return data
    try:
        plain = plain_text(path)  # compressed or UTF-16: the decoded copy read_table read
    except DataFileError:
        return data
    raw = _raw_columns(plain, suffix, [str(c) for c in candidates], na_values)
    if raw is None or len(raw) != len(data):
        return data
    out = data
    for col in candidates:
        cells = raw.get(str(col))
        if cells is None:
            continue
        written = _as_written(cells, data[col])
        if written is not None:
            out = out.copy() if out is data else out
            out[col] = written.set_axis(data.index)
    return out


def _maybe_integers(column: pd.Series) -> bool:
    """Whether ``column`` may have been read from integer texts: integers, or whole floats with a gap."""
    if column.dtype.kind in "iu":
        return True
    if column.dtype.kind != "f" or not column.isna().any():
        return False
    values = column.dropna().to_numpy()
    return bool(np.all(np.isfinite(values)) and np.all(values == np.floor(values)))


def _as_written(cells: pd.Series, typed: pd.Series) -> pd.Series | None:
    """The column to write back for ``cells`` (the file's values, missing as NaN), or None to keep ``typed``."""
    present = cells.dropna()
    if present.empty or (cells.dtype == object and not present.map(lambda v: isinstance(v, str)).all()):
        return None  # JSON numbers: the file types them itself
    texts = present.str.strip()
    if typed.dtype.kind not in "iu" and not texts.str.fullmatch(_INT.pattern).all():
        return None  # integers typed as such were integer texts: only the float columns need the look
    if not texts.str.fullmatch(_CANONICAL.pattern).all():
        texts = cells.str.strip().astype(object)
        return texts.where(cells.notna(), np.nan)  # missing cells as NaN, as read_table's text columns
    if typed.dtype.kind == "f" and typed.isna().any():
        try:  # Arrow parses the texts (a number past int64 raises: the floats are kept)
            return cells.astype("string[pyarrow]").str.strip().astype("Int64").reset_index(drop=True)
        except (OverflowError, TypeError, ValueError):
            return None
    return None


def _raw_columns(path: Path, suffix: str, columns: list[str], na_values: Any) -> pd.DataFrame | None:
    """``columns`` of the plain file at ``path``, a ``suffix`` table, as its cells (CSV: text; JSON: the
    JSON values)."""
    try:
        if suffix in (".csv", ".tsv", ".txt"):  # Arrow's parser, as read_table reads its text columns
            return read_texts(path, columns, na_values=na_values, arrow=True)
        with open(path, encoding="utf-8-sig") as fh:
            text = fh.read()
        records = json.loads(text) if text.lstrip().startswith("[") else [obj for _, obj in iter_json_lines(path)]
        frame = pd.DataFrame({c: [r.get(c) if isinstance(r, dict) else None for r in records] for c in columns})
        return frame.astype(object).where(frame.notna(), np.nan)
    except (OSError, ValueError, UnicodeDecodeError, DataFileError):
        return None  # read by read_table already: a file that fails here is left as read


def _na(audit: AuditOutput) -> Any:
    return audit.settings.get("na_values")  # the audit's `--na-values`


def check_data_unchanged(audit: AuditOutput) -> None:
    """Refuse ``audit``'s data table when it is not the table the audit read: another number of
    rows, or at some row another label than ``issues.csv``'s ``given_label`` (the same class written
    otherwise, ``2`` for ``2.0``, is the same label).

    Raises
    ------
    DataFileError
        Naming the file, the first row that differs and both labels.
    """
    data, label = audit.data, audit.label_column
    if data is None or label is None or label not in data.columns:
        return  # no table, or no label column: the callers say so themselves
    where = str(audit.data_path)
    if len(data) != len(audit.issues):
        raise DataFileError(
            f"the data table {where!r} has {len(data)} rows and the audit had {len(audit.issues)}; {CHANGED}"
        )
    given = audit.issues.set_index("row")["given_label"].sort_index()
    now = data[label].to_numpy(dtype=object)[given.index.to_numpy(dtype=np.int64)]
    audited = given.to_numpy(dtype=object)
    for i in np.flatnonzero(now.astype(str) != audited.astype(str)):
        if not _same_number(now[i], audited[i]):
            row = int(given.index[i])
            raise DataFileError(
                f"label column {label!r} of the data table {where!r} holds {now[i]!r} at row {row} "
                f"(counting data rows from 0), where the audit read {audited[i]!r}; {CHANGED}"
            )


def previewed_audit(audit: AuditOutput) -> AuditOutput:
    """``audit`` for the report's previews: its ids as written, and without its data table (no
    previews, with a warning) when the table changed since the audit, whose rows would show other
    examples beside the flagged labels."""
    audit = audit_as_written(audit)
    try:
        check_data_unchanged(audit)
    except DataFileError as exc:
        warn_at_caller(LabelwiseWarning(f"report: previews left out: {exc}"))
        return dataclasses.replace(audit, data=None)
    return audit


def _same_number(a: Any, b: Any) -> bool:
    """Whether two labels are one number (``2`` and ``2.0``); booleans only equal themselves."""
    numeric = (numbers.Number, np.number)
    if isinstance(a, bool | np.bool_) or isinstance(b, bool | np.bool_):
        return False
    return isinstance(a, numeric) and isinstance(b, numeric) and bool(a == b)
