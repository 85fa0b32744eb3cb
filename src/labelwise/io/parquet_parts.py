"""A folder of Parquet parts read as one table: every part must hold the same columns, of the same kind.

Dask (``dask.dataframe.read_parquet``) takes the table's columns and types from the parts'
metadata and reads each part in a task of its own. A part without one of the columns (a gold
table saved beside the answers) fails in that task as a raw ``KeyError``; a part whose ``label``
column is text beside parts whose labels are integers is read without a word, and ``1`` and
``"1"`` become two classes. :func:`check_parquet_parts` reads every part's footer (its Arrow
schema, not its rows) and names the part, the column and both types before anything is computed.

Kinds, not exact types, are compared: integers and floats of any width are numbers (pandas writes
a column of integers with a missing value as floats, so the parts of one table may differ so), a
column that is null in every row of a part (Arrow's ``null`` type) fits any kind, and a dictionary
(pandas' categorical) has the kind of its values.

A part written from a frame on a named ``RangeIndex`` (``df.rename_axis("row").to_parquet(part)``) keeps it
in pandas' metadata only (start, stop, step), not as a column: :func:`range_index` finds it and
:func:`range_values` gives a part's rows (or some of its row groups) their values of it, so each part of a
folder is numbered by its own range, in memory and at scale, as the part read alone would be.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from .._heavy import pandas as pd
from .._heavy import pyarrow as pa
from ..errors import DataFileError
from .index_columns import index_as_columns

__all__ = [
    "PARQUET_PARTS",
    "arrow_kind",
    "check_parquet_parts",
    "hive_columns",
    "parquet_dataset",
    "parquet_part_files",
    "check_range_rows",
    "range_index",
    "range_values",
    "read_parquet_folder",
    "read_part_schema",
]

#: Suffixes of the Parquet files of a folder of parts.
PARQUET_PARTS = (".parquet", ".parq", ".pq")


def arrow_kind(kind: pa.DataType) -> str | None:
    """The kind of values of an Arrow type: ``"numbers"``, ``"text"``, ``"booleans"``, ``"dates or
    times"``, ``"bytes"``, the type itself for nested ones; None for ``null`` (fits any kind)."""
    if pa.types.is_dictionary(kind):
        return arrow_kind(kind.value_type)
    checks = (
        (pa.types.is_null, None),
        (pa.types.is_boolean, "booleans"),
        (lambda t: pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t), "numbers"),
        (lambda t: pa.types.is_string(t) or pa.types.is_large_string(t) or _is_string_view(t), "text"),
        (lambda t: pa.types.is_temporal(t), "dates or times"),
        (lambda t: pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t), "bytes"),
    )
    for test, name in checks:
        if test(kind):
            return name
    return str(kind)


def _is_string_view(kind: pa.DataType) -> bool:
    """Arrow's ``string_view`` (pyarrow 16 and later; the project allows 14)."""
    test = getattr(pa.types, "is_string_view", None)
    return bool(test(kind)) if test is not None else False


def parquet_part_files(folder: Path) -> list[Path]:
    """The Parquet parts of ``folder`` (its subfolders too), sorted, without the files Dask skips
    (``_metadata``, ``_common_metadata``, hidden files)."""
    return sorted(
        f
        for f in folder.rglob("*")
        if f.suffix.lower() in PARQUET_PARTS and f.is_file() and not f.name.startswith(("_", "."))
    )


def read_part_schema(part: Path, folder: Path, what: str) -> pa.Schema:
    """The Arrow schema in the footer of one Parquet ``part`` of ``folder``.

    Raises
    ------
    DataFileError
        Naming the folder, the part and pyarrow's reason, when the part is not a readable Parquet
        file (a truncated copy, another format under a ``.parquet`` name: pyarrow's own
        ``ArrowInvalid: Parquet magic bytes not found``).
    """
    import pyarrow.parquet as pq

    try:
        return pq.read_schema(part)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError, ArrowIOError an OSError
        name = str(part.relative_to(folder)) if part.is_relative_to(folder) else str(part)
        raise DataFileError(
            f"{what} {str(folder)!r} must be a folder of Parquet parts; its part {name!r} could not be read as "
            f"Parquet ({' '.join(str(exc).split())}): replace or remove that file"
        ) from None


def check_parquet_parts(folder: Path, what: str, columns: list[str]) -> None:
    """Every Parquet part of ``folder`` holds ``columns`` (those Dask read from the parts' metadata),
    each with values of one kind (:func:`arrow_kind`) in all parts. Reads each part's footer only.

    Parameters
    ----------
    folder : Path
        The folder of parts.
    what : str
        How the message names the folder (``"PATH 'answers'"``).
    columns : list of str
        The table's columns.

    Raises
    ------
    DataFileError
        Naming the part and the columns it lacks (and those it holds), or the part, the column and
        its type beside the type of an earlier part, or a part that is not readable Parquet
        (:func:`read_part_schema`).
    """
    first: dict[str, tuple[str, pa.DataType, Path]] = {}  # column -> its kind, type and part, where first not null
    ranged: dict[str, tuple[bool, Path]] = {}  # column -> whether a named RangeIndex holds it, and the first part
    for part in parquet_part_files(folder):
        schema = read_part_schema(part, folder, what)
        keys = _path_keys(part, folder)  # a hive partition column is in the part's path, not in the part
        index = range_index(schema)
        held = {*schema.names, *keys, *([] if index is None else [index["name"]])}
        missing = [c for c in columns if c not in held]
        if missing:
            raise DataFileError(
                f"{what} {str(folder)!r} must be a folder of Parquet parts with the same columns {_few(columns)}; "
                f"its part {str(part.relative_to(folder))!r} has no {_few(missing)} (it holds "
                f"{_few(sorted(schema.names))}): move other tables out of the folder"
            )
        name = None if index is None else index["name"]
        if index is not None and name in columns:
            import pyarrow.parquet as pq

            where = f"{what} {str(folder)!r}: its part {str(part.relative_to(folder))!r}"
            check_range_rows(index, pq.read_metadata(part).num_rows, where)
        for column in (c for c in columns if c == name or c in schema.names):
            seen_range = ranged.setdefault(column, (column == name, part))
            if seen_range[0] != (column == name):
                raise DataFileError(
                    f"{what} {str(folder)!r} must be a folder of Parquet parts that hold each column alike; column "
                    f"{column!r} is {_held(column == name)} in part {str(part.relative_to(folder))!r} but "
                    f"{_held(seen_range[0])} in part {str(seen_range[1].relative_to(folder))!r}: write every part "
                    "with the index as a column (df.reset_index().to_parquet(...)) or every part on its own range"
                )
        for column in (c for c in columns if c in schema.names):
            kind_type = schema.field(column).type
            kind = arrow_kind(kind_type)
            if kind is None:
                continue
            seen = first.setdefault(column, (kind, kind_type, part))
            if seen[0] != kind:
                raise DataFileError(
                    f"{what} {str(folder)!r} must be a folder of Parquet parts whose columns hold one kind of "
                    f"values; column {column!r} holds {kind} ({kind_type}) in part "
                    f"{str(part.relative_to(folder))!r} but {seen[0]} ({seen[1]}) in part "
                    f"{str(seen[2].relative_to(folder))!r} (read together, {_example(seen[0], kind)}): write the "
                    "column with one type in every part (e.g. cast it before saving each part)"
                )


def _held(as_range: bool) -> str:
    """How a part holds a column, for the message."""
    return "a named RangeIndex kept in pandas' metadata only (no column)" if as_range else "a stored column"


def range_index(schema: pa.Schema) -> dict[str, Any] | None:
    """The named ``RangeIndex`` that pandas' metadata of ``schema`` describes (``{"kind": "range", "name": ...,
    "start": ..., "stop": ..., "step": ...}``), when no column of ``schema`` holds its name; else None (an
    unnamed range is no column, and a column of that name is read instead, as
    :func:`labelwise.io.index_columns.index_as_columns` drops an index level a column holds)."""
    for entry in (schema.pandas_metadata or {}).get("index_columns", []):
        if isinstance(entry, dict) and entry.get("kind") == "range" and entry.get("name") is not None:
            return entry if entry["name"] not in schema.names else None
    return None


def range_values(metadata: Any, name: str, row_groups: list[int] | None, where: str) -> np.ndarray:
    """The values of the named ``RangeIndex`` ``name`` for the rows of one Parquet file: all of them
    (``row_groups`` None) or those of ``row_groups``, in that order, numbered through the file.

    Parameters
    ----------
    metadata : pyarrow.parquet.FileMetaData
        The file's footer.
    name : str
        The range's name (:func:`range_index` of the table's schema).
    row_groups : list of int or None
        The row groups read (a Dask partition of some of the file's row groups), or None for the whole file.
    where : str
        The file, as the message names it (``"Parquet part 'data/part.0.parquet'"``).

    Raises
    ------
    DataFileError
        The file's pandas metadata names no such range (a part changed since its folder was checked), or a range
        of another length than the file's rows (:func:`check_range_rows`).
    """
    index = range_index(metadata.schema.to_arrow_schema())
    if index is None or index["name"] != name:
        raise DataFileError(f"{where} keeps no RangeIndex {name!r} in its pandas metadata")
    check_range_rows(index, metadata.num_rows, where)
    start, step = int(index["start"]), int(index["step"])
    sizes = [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]
    if row_groups is None:
        return np.arange(sum(sizes), dtype=np.int64) * step + start
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    rows = [np.arange(offsets[g], offsets[g + 1], dtype=np.int64) for g in row_groups]
    return (np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)) * step + start


def check_range_rows(index: dict[str, Any], rows: int, where: str) -> None:
    """A :class:`DataFileError` when the named range ``index`` (:func:`range_index`) of a Parquet part has
    another length than the part's ``rows``: it numbers another table's rows (``df.to_parquet(folder,
    partition_cols=[...])`` keeps the whole frame's range in every part), not this part's."""
    length = len(range(int(index["start"]), int(index["stop"]), int(index["step"])))
    if length != rows:
        raise DataFileError(
            f"{where} keeps a RangeIndex {index['name']!r} of {length} values in its pandas metadata "
            f"for its {rows} rows (a range written for another table, as partition_cols writes one), so it does "
            "not number the part's rows: write the index as a column (df.reset_index().to_parquet(...))"
        )


def _path_keys(part: Path, folder: Path) -> set[str]:
    """The hive partition columns that the folders between ``folder`` and its ``part`` name
    (``kind=a/year=2024/part.0.parquet``: ``kind`` and ``year``), as pyarrow, pandas and Dask read them."""
    return {name.split("=", 1)[0] for name in part.relative_to(folder).parent.parts if "=" in name}


def hive_columns(folder: Path) -> pa.Schema:
    """The hive partition columns of a folder of Parquet parts (``df.to_parquet(folder, partition_cols=[...])``)
    with the Arrow types :func:`read_parquet_folder` reads them as (pyarrow's hive discovery: ``int32`` where
    every value is an integer, else ``string``); an empty schema for a folder without them. Reads the first
    part's footer only."""
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    parts = parquet_part_files(folder)
    if not any(_path_keys(part, folder) for part in parts):
        return pa.schema([])
    dataset = ds.dataset([str(p) for p in parts], format="parquet", partitioning="hive", partition_base_dir=str(folder))
    stored = set(pq.read_schema(parts[0]).names)
    return pa.schema([f for f in dataset.schema if f.name not in stored])


def _example(a: str, b: str) -> str:
    """What mixing two kinds does, for the message."""
    if {a, b} == {"numbers", "text"}:
        return "1 and '1' would be two different values"
    return "their values would not compare"


def _few(names: list[str], n: int = 6) -> str:
    """A list of column names for a message, cut after ``n`` with the count."""
    return str(names) if len(names) <= n else f"{str(names[:n])[:-1]}, ... ({len(names)} in all)]"


def _natural_key(path: Path) -> list:
    """``part.2`` before ``part.10``: digit runs compared as numbers (the order Dask gives its parts)."""
    return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", path.as_posix())]


def parquet_dataset(folder: Path, what: str) -> Any:
    """The ``pyarrow.dataset`` of a folder of Parquet parts, its parts in their names' natural order and
    checked to agree (:func:`check_parquet_parts`), as :func:`read_parquet_folder` reads it; a reader that
    goes part by part (``labelwise export``'s) reads the same rows in the same order.

    Raises
    ------
    DataFileError
        The folder holds no Parquet part, or its parts disagree.
    """
    import pyarrow.dataset as ds

    parts = sorted(parquet_part_files(folder), key=lambda p: _natural_key(p.relative_to(folder)))
    if not parts:
        raise DataFileError(
            f"{what} {str(folder)!r} is a folder without Parquet files ({', '.join(PARQUET_PARTS)}); give a table "
            "file (CSV, Parquet, JSON Lines) or a folder of Parquet parts"
        )
    schema = read_part_schema(parts[0], folder, what)
    index = range_index(schema)  # a named RangeIndex: a column of every part, from its own metadata
    columns = [*([] if index is None else [index["name"]]), *(c for c in schema.names if not c.startswith("__"))]
    check_parquet_parts(folder, what, columns)
    return ds.dataset([str(p) for p in parts], format="parquet", partitioning="hive", partition_base_dir=str(folder))


def read_parquet_folder(folder: Path, what: str) -> pd.DataFrame:
    """A folder of Parquet parts (as pandas, pyarrow or Dask write one) as one in-memory table.

    The parts are read in their names' natural order (``part.2`` before ``part.10``), the order
    in which Dask reads them, so a row has the same number here as in the commands that read the
    folder part by part (pyarrow alone would put ``part.10`` second). Every part must hold the same
    columns of the same kinds (:func:`check_parquet_parts`); the folder names of a hive-partitioned
    dataset (``year=2024/``) become columns, as in pandas and Dask, and so does a named index
    (:func:`labelwise.io.index_columns.index_as_columns`), and so does a named ``RangeIndex`` that pandas keeps
    in each part's metadata only: each part's rows hold that part's own range (:func:`range_values`), as the
    part read alone holds it.

    Parameters
    ----------
    folder : Path
        The folder.
    what : str
        How the messages name it (``"DATA"``).

    Raises
    ------
    DataFileError
        The folder holds no Parquet part, its parts disagree (see :func:`check_parquet_parts`), a
        part cannot be read, or the parts hold no rows.
    """
    try:
        dataset = parquet_dataset(folder, what)
        frame = index_as_columns(dataset.to_table().to_pandas())
        index = range_index(dataset.schema)
        if index is not None:  # pyarrow restored the first part's range where its length was the table's
            frame = frame.drop(columns=index["name"], errors="ignore")
            frame.insert(0, index["name"], _folder_range(dataset.files, index["name"]))
    except DataFileError:
        raise
    except Exception as exc:  # pyarrow's own error types for a corrupt or unreadable part
        raise DataFileError(f"{what} {str(folder)!r} could not be read as Parquet parts: {exc}") from None
    if frame.shape[0] == 0:
        raise DataFileError(f"{what} {str(folder)!r} is a folder of Parquet parts with no rows")
    return frame


def _folder_range(files: list[str], name: str) -> np.ndarray:
    """The named range ``name`` of each of ``files``, in order, over all their rows (each from its own footer)."""
    import pyarrow.parquet as pq

    return np.concatenate([range_values(pq.read_metadata(f), name, None, f"Parquet part {f!r}") for f in files])
