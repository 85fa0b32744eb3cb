"""``labelwise audit --id-column`` at scale: DATA's row ids, checked across partitions and carried into
``issues.parquet``.

When DATA is Parquet and the audit runs on Dask (:func:`._scale.audit_at_scale`'s ``lazy``), the column
is read as a dask Series, partition by partition, and checked there: no missing id, and no id on two
rows of any parts. Each partition is read, hashed (64 bits) and counted in one task, so no id text
leaves it; the hashes are counted by Dask's ``value_counts`` on ``distributed`` (a tree reduction with
its output split over partitions: no task holds every id), and in the command's process on Dask's local
schedulers, where the audit's per-example outputs are gathered anyway. The ids themselves are read again
where ``issues.parquet`` is written, with each part's rows (the workers on ``distributed``; this process,
one part at a time, otherwise). Otherwise (a CSV DATA, or labelwise's threads) DATA is read in
memory and the in-memory audit's own check names the rows (:func:`._task_tables.task_ids`). Either way
the ids are written as DATA holds them: a Parquet column of strings stays strings (``007``), of integers
integers; a CSV's column is read as text, as the in-memory audit reads it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .._heavy import pandas as pd
from .._validate.arguments import show
from ..errors import InvalidParameterError, MissingColumnError, ShapeMismatchError
from ._column_hint import column_hint

__all__ = ["ids_at_scale"]


def ids_at_scale(
    data: Path | None, id_column: str | None, label: str | None, *, lazy: bool, n_rows: int, frame: Any = None
) -> Any:
    """``--id-column``'s values for an audit of ``n_rows`` rows (None without it): a dask array (Parquet on
    Dask) or a numpy one, each row's id in DATA's row order, none missing or repeated. ``frame``: DATA as
    :func:`._scale.read_parquet_rows` read it (read here when None)."""
    if id_column is None:
        return None
    if data is None or not (Path(data).is_dir() or Path(data).is_file()):
        raise InvalidParameterError(
            f"--id-column {id_column!r} names a column of DATA, got no DATA table (--labels and --probs only); "
            "give DATA, or leave --id-column out"
        )
    if id_column == label:
        raise InvalidParameterError(f"--id-column must differ from --label, both are {label!r}")
    path = Path(data)
    if lazy and (path.is_dir() or path.suffix.lower() in (".parquet", ".pq")):
        ids = _dask_ids(path, id_column, frame)
    else:
        from ._common import read_input
        from ._task_tables import task_ids

        frame = read_input(path, "DATA", text_columns=[c for c in (label, id_column) if c])
        ids = np.asarray(task_ids(frame, id_column, path, label=label))
    if ids.shape[0] != n_rows:
        raise ShapeMismatchError(
            f"--id-column {id_column!r} must name every row of --probs ({n_rows} rows), got {ids.shape[0]} rows "
            f"in DATA {str(path)!r}"
        )
    return ids


def _dask_ids(path: Path, id_column: str, frame: Any = None) -> Any:
    """The column of a Parquet DATA as a dask array, checked on the workers: no id missing or repeated."""
    from .._stage_progress import compute, stage
    from ._scale import read_parquet_rows

    frame = read_parquet_rows(path, "DATA") if frame is None else frame
    if id_column not in frame.columns:
        columns = [str(c) for c in frame.columns]
        hint = column_hint(id_column, columns)
        raise MissingColumnError(f"--id-column {id_column!r} is not in DATA{hint}; columns are {columns}")
    # optimised first, as _scale.load_labels: small parts of one column are read as fewer partitions
    column = frame[id_column].optimize()
    hashes = column.map_partitions(_hashed, meta=(id_column, "uint64"))
    with stage("--id-column: ids checked"):
        n_missing, repeated, lengths = _checked(column)
    ids = _numpy_typed(column).to_dask_array(lengths=tuple(int(n) for n in lengths))
    where = f"row(s) of DATA {str(path)!r}"
    if int(n_missing):
        rows = _rows_where(column.isna().optimize().to_dask_array(lengths=True), 1)
        raise InvalidParameterError(
            f"--id-column {id_column!r} must hold an id on every row of DATA; row {rows[0]} has none "
            f"({int(n_missing)} such {where})"
        )
    if len(repeated):  # the ids whose hashes repeat, compared as written (a collision of hashes is no repeat)
        rows = _rows_where(_hashed_in(hashes, repeated), None)
        (values,) = compute(ids[np.asarray(rows)])
        again = pd.Series(values).duplicated(keep=False).to_numpy()
        if again.any():
            value = values[again][0]
            both = [r for r, v in zip(rows, values, strict=True) if v == value][:2]
            n_repeated = int(again.sum()) - int(pd.Series(values[again]).nunique())
            raise InvalidParameterError(
                f"--id-column {id_column!r} must hold a unique id on every row of DATA; {show(value)} is on "
                f"row {both[0]} and row {both[1]} ({n_repeated} repeated {where})"
            )
    return ids


def _hashed(part: Any) -> Any:
    """One partition's ids as 64-bit hashes (pandas' own, by value): what the distributed count moves."""
    return pd.util.hash_pandas_object(part, index=False)


def _checked(column: Any) -> tuple[int, np.ndarray, list[int]]:
    """The dask Series ``column``'s missing ids, the hashes on more than one row, and its partitions' lengths,
    in one computation whose tasks each read, hash and count one partition (no id text leaves them).

    On ``distributed`` the hashes are counted on the workers (Dask's ``value_counts``, its output split over as
    many partitions as ``column`` has: no task holds every id). On Dask's local schedulers they come to this
    process, 8 bytes a row, and are counted here: the audit gathers more than that per row here already (its
    per-example outputs), and the count's shuffle of tasks costs more than the count on ``processes``.
    """
    from .._chunk_floor import active_client
    from .._stage_progress import compute

    found = column.map_partitions(_part_checked, meta={"hash": "uint64", "missing": "bool"})
    lengths = found.map_partitions(len, meta=(None, "int64"))
    if active_client() is not None:
        counts = found["hash"].value_counts(split_out=max(1, column.npartitions))
        n_missing, repeated, sizes = compute(found["missing"].sum(), counts[counts > 1], lengths)
        return int(n_missing), repeated.index.to_numpy(), [int(n) for n in sizes]
    table, sizes = compute(found, lengths)
    hashes = np.sort(table["hash"].to_numpy())
    repeats = np.unique(hashes[1:][hashes[1:] == hashes[:-1]])
    return int(table["missing"].sum()), repeats, [int(n) for n in sizes]


def _part_checked(part: Any) -> Any:
    """One partition's ids as their hashes (:func:`_hashed`) and whether each is missing."""
    return pd.DataFrame({"hash": _hashed(part).to_numpy(), "missing": part.isna().to_numpy()})


def _hashed_in(hashes: Any, wanted: np.ndarray) -> Any:
    """The dask boolean array of the rows whose hash is among ``wanted``."""
    return hashes.isin(list(wanted)).optimize().to_dask_array(lengths=True)


def _numpy_typed(column: Any) -> Any:
    """``column`` with a numpy dtype, for ``to_dask_array``: Parquet strings as objects (written back as
    strings), a nullable integer column (no id missing) as its numpy integers; else as it is."""
    dtype = column.dtype
    if pd.api.types.is_string_dtype(dtype):
        return column.astype(object)
    numpy_dtype = getattr(dtype, "numpy_dtype", None)
    return column.astype(numpy_dtype) if isinstance(dtype, pd.api.extensions.ExtensionDtype) and numpy_dtype else column


def _rows_where(mask: Any, n: int | None) -> list[int]:
    """The first ``n`` rows (all: None) of DATA where the dask boolean array ``mask`` is true."""
    from .._stage_progress import compute

    (found,) = compute(mask.nonzero()[0])
    return [int(r) for r in np.asarray(found)[:n]]
