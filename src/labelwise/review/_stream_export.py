"""``labelwise export`` of an audit whose data is Parquet (a folder of parts, or one file), part by part.

The in-memory export (:func:`labelwise.review.cleaned_table`) reads the whole audited table into pandas,
applies the decisions and writes the copy: at a million rows that is the whole table in memory, more than
once. Here, when the data is Parquet and the cleaned copy is a ``.parquet`` (or ``.pq``) file:

1. Only the columns the decisions and the checks need are read whole: the label column, the id columns
   (:mod:`labelwise.review._data_ids`: the change log's ids, and the audit's ``--id-column`` compared row
   by row with the audit's, :func:`~labelwise.review._audited_data.check_ids_unchanged`) and the
   dictionary (categorical) columns, whose categories pandas unites across the parts. The checks that the
   data is the audited data run on them before anything is written, so a refused export writes nothing.
2. The table is then read part by part, in batches (``pyarrow.dataset``, the parts in the order the audit
   read them), each batch turned into pandas as the whole table would be; its narrow columns are replaced
   by the same rows of the columns read in step 1 with the relabels applied (so a categorical has the
   categories of the whole table, and a relabel to a new category adds it in every part), its excluded
   rows dropped or marked by their row numbers, and it is written with a ``pyarrow.parquet.ParquetWriter``
   into a temporary file beside ``out`` that is moved into place only at the end
   (:func:`labelwise.io.atomic.atomic_write`).

The file equals the in-memory export's: the same rows, column types, categories and pandas metadata
(``tests/review/test_stream_export.py``). Other data (CSV, JSON) and other output formats go through
the in-memory export, and so does Parquet data whose pandas metadata names a ``RangeIndex`` (metadata only, no
column: each batch would number its rows anew). A named index held as a column (``df.set_index("id")``) is
restored in each batch as in the whole table, and made a column (:func:`labelwise.io.index_as_columns`)
(``tests/review/test_stream_export_named_index.py``).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataFileError, StorageError
from ..io.atomic import COMPRESSIONS, atomic_write
from ..io.index_columns import index_as_columns
from ..io.outputs import AuditOutput, load_audit
from ..io.parquet_parts import PARQUET_PARTS, parquet_dataset
from ..report._data_as_written import check_data_unchanged
from ._audited_data import check_ids_unchanged
from ._data_ids import _candidates
from ._decided import Decided, decided
from ._label_text import holding, label_as_one_type

__all__ = ["BATCH_ROWS", "stream_cleaned"]

#: Rows read, changed and written at a time.
BATCH_ROWS = 131_072

_WHAT = "the audit's data (summary.json's settings.data)"


def stream_cleaned(
    out_dir: str | os.PathLike, path: Path, mark_excluded: bool, *, batch_rows: int | None = None
) -> tuple[Decided, Any] | None:
    """The decisions on the audit ``out_dir`` and a function that writes its cleaned copy to ``path``
    part by part (returning the rows written), or None when the export is not streamed (the module says when).

    Raises
    ------
    DataFileError
        The data changed since the audit (its labels, its ids or its number of rows), or cannot be read.
    """
    if COMPRESSIONS.get(path.suffix.lower()) or path.suffix.lower() not in (".parquet", ".pq"):
        return None
    audit = load_audit(out_dir, with_data=False, scores=False)  # row, given_label and ids: what the export uses
    source = audit.data_path
    if source is None or not (source.is_dir() or (source.is_file() and source.suffix.lower() in PARQUET_PARTS)):
        return None
    dataset = _dataset(source)
    if _names_an_index(dataset.schema):
        return None
    narrow = _read(
        source, lambda: index_as_columns(dataset.to_table(columns=_narrow(audit, dataset.schema)).to_pandas())
    )
    if len(narrow) == 0:
        raise DataFileError(f"{_WHAT} {str(source)!r} is Parquet with no rows")
    audit = dataclasses.replace(audit, data=narrow)
    check_data_unchanged(audit)  # as load_reviewed_audit: refused before anything is written
    check_ids_unchanged(audit)
    plan = decided(audit, narrow, mark_excluded, "excluded")
    with holding() as held:  # a type change and the Parquet copy's text column: one warning
        relabelled = plan.relabelled(narrow)
    fixed, flags = label_as_one_type(relabelled, plan.label, path, held), plan.is_excluded(len(narrow))

    def write() -> int:
        return _read(source, lambda: _write(dataset, path, plan, fixed, flags, batch_rows or BATCH_ROWS))

    return plan, write


def _dataset(source: Path) -> Any:
    """The data as a ``pyarrow.dataset``, read as ``load_audit`` reads it (a folder's parts in their order)."""
    if source.is_dir():
        return parquet_dataset(source, _WHAT)
    import pyarrow.dataset as ds

    return _read(source, lambda: ds.dataset(str(source), format="parquet"))


def _read(source: Path, work: Any) -> Any:
    """``work()``, with pyarrow's errors on an unreadable part told as a :class:`DataFileError`."""
    try:
        return work()
    except (DataFileError, StorageError):
        raise
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError, ArrowIOError an OSError
        raise DataFileError(f"{_WHAT} {str(source)!r} could not be read as Parquet: {exc}") from None


def _names_an_index(schema: Any) -> bool:
    """Whether pandas' metadata of ``schema`` names a ``RangeIndex`` (held as metadata only, no column: each batch
    would number its rows anew). A named index held as a column is restored batch by batch as the whole table
    restores it, and streamed."""
    import json

    meta = (schema.metadata or {}).get(b"pandas")
    if not meta:
        return False
    for entry in json.loads(meta).get("index_columns", []):
        if isinstance(entry, dict) and entry.get("name") is not None:
            return True
    return False


def _narrow(audit: AuditOutput, schema: Any) -> list[str]:
    """The columns read whole: the label column, the id columns and the dictionary (categorical) columns."""
    import pyarrow as pa

    names = [n for n in schema.names if not n.startswith("__")]
    empty = pd.DataFrame(columns=names)
    wanted = {audit.label_column, audit.settings.get("id_column"), *_candidates(empty, audit.summary, None)}
    wanted |= {f.name for f in schema if pa.types.is_dictionary(f.type)}
    return [n for n in names if n in wanted]


def _write(dataset: Any, path: Path, plan: Decided, fixed: pd.DataFrame, flags: np.ndarray, batch_rows: int) -> int:
    """Write the cleaned copy of ``dataset``, batch by batch, into a temporary file moved onto ``path``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    start, written, writer, group = 0, 0, None, _Group()
    with atomic_write(path, "wb") as fh:
        try:
            for fragment in dataset.get_fragments():
                for batch in fragment.to_batches(batch_size=batch_rows, schema=dataset.schema):
                    part = index_as_columns(pa.Table.from_batches([batch], schema=dataset.schema).to_pandas())
                    stop = start + len(part)
                    for column in fixed.columns:
                        part[column] = fixed[column].iloc[start:stop].set_axis(part.index)
                    part = plan.finished(part, flags[start:stop])
                    table = _as_arrow(part, path, writer and writer.schema)
                    writer = writer or pq.ParquetWriter(fh, table.schema)
                    group.add(table, writer, path)
                    start, written = stop, written + len(part)
            if writer is not None:
                group.flush(writer, path)
        finally:
            if writer is not None:
                writer.close()
    return written


def _as_arrow(part: pd.DataFrame, path: Path, schema: Any) -> Any:
    """``part`` as an Arrow table (of ``schema``, the first part's, when given), as pandas' ``to_parquet`` makes it."""
    import pyarrow as pa

    try:
        return pa.Table.from_pandas(part, preserve_index=False, schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
        raise DataFileError(f"cannot write {str(path)!r} as Parquet: {exc}") from exc


#: A row group is written once it holds this many rows (pyarrow's own largest) or bytes of Arrow data.
GROUP_ROWS = 1024 * 1024
GROUP_BYTES = 64 * 1024 * 1024


class _Group:
    """The batches of the row group being gathered: one row group per batch would make the file larger than
    the in-memory export's (Parquet compresses and encodes a column chunk at a time)."""

    def __init__(self) -> None:
        self.tables: list[Any] = []

    def add(self, table: Any, writer: Any, path: Path) -> None:
        self.tables.append(table)
        if sum(t.num_rows for t in self.tables) >= GROUP_ROWS or sum(t.nbytes for t in self.tables) >= GROUP_BYTES:
            self.flush(writer, path)

    def flush(self, writer: Any, path: Path) -> None:
        import pyarrow as pa

        if self.tables:
            try:
                writer.write_table(pa.concat_tables(self.tables), row_group_size=GROUP_ROWS)
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
                raise DataFileError(f"cannot write {str(path)!r} as Parquet: {exc}") from exc
            self.tables = []
