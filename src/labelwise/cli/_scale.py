"""``--scheduler`` and ``--chunk-rows`` for ``labelwise audit`` and ``labelwise aggregate``: data that
does not fit in memory, on Dask.

The commands call :func:`audit_at_scale` (and ``_aggregate_scale.aggregate_at_scale``) first; they
return ``None`` when the ordinary in-memory path applies (no ``--scheduler``, no ``--labels`` file, no
``.zarr`` or directory input).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from .._caller import warn_at_caller
from .._chunk_floor import chunks_record
from .._dask_rows import inlined
from .._extras import require
from .._heavy import pandas as pd
from .._stage_progress import compute, stage, stages
from ..errors import DataFileError, InvalidParameterError, LabelwiseWarning, MissingColumnError, ShapeMismatchError
from ..io import files_together
from ..io.arrays import load_npy as read_npy
from ..io.arrays import load_zarr
from ..io.audit_summary import write_audit_summary
from ..io.parquet_parts import PARQUET_PARTS as _PARQUET_PARTS
from ..io.parquet_parts import check_parquet_parts, hive_columns, parquet_part_files, read_part_schema
from ..io.paths import require_path
from ._audit_health import OVERLAP_FILE, add_health, print_health, write_overlap
from ._classes_option import check_class_count, check_labels_named, classes_like_labels
from ._common import load_npy
from ._issues_parquet import write_issues
from ._na_values import given_na_values, na_values_setting, remember_table
from ._probs_table import PROBS_TABLE_SUFFIXES
from ._scheduler import scheduler
from ._wrote import print_wrote

SCHEDULERS = ("threads", "processes", "synchronous", "local")


def read_parquet_rows(path: Path, what: str) -> Any:
    """``dask.dataframe.read_parquet(path)``; a folder without Parquet parts, or parts that do not
    read, is a :class:`DataFileError` naming ``what`` and the path, not Dask's traceback.

    The columns are those of the in-memory readers (:func:`labelwise.io.read_table`,
    :func:`labelwise.io.parquet_parts.read_parquet_folder`): the index pandas stored is read as columns
    by :func:`labelwise.io.index_columns.index_as_columns` in each partition (:mod:`._dask_parquet`:
    any ``MultiIndex``, unnamed levels and levels a column holds dropped; a named ``RangeIndex`` kept in
    pandas' metadata only, each part's own range), and the hive partition columns
    of a folder (``df.to_parquet(folder, partition_cols=[...])``) have the in-memory types
    (:func:`labelwise.io.parquet_parts.hive_columns`, given to Dask as the partitioning), not Dask's
    categories: the same file gives the same columns with and without ``--scheduler``."""
    dd = require("dask.dataframe", f"{what} {str(path)!r} (Parquet parts read one by one)")
    from ._dask_parquet import IndexAsColumns

    p = Path(path)
    if p.is_dir() and not any(f.suffix.lower() in _PARQUET_PARTS and f.is_file() for f in p.rglob("*")):
        raise DataFileError(
            f"{what} {str(p)!r} is a folder without Parquet files ({', '.join(_PARQUET_PARTS)}); give a table "
            "file (CSV, Parquet, JSON Lines) or a folder of Parquet parts"
        )
    try:
        # a hive folder's partition columns typed as in memory (Dask's own discovery makes categories, and fails
        # on a null first partition); pyarrow.dataset.partitioning's keywords, as Dask's docs ask (no pickling)
        hive = hive_columns(p) if p.is_dir() else None
        given = {"dataset": {"partitioning": {"flavor": "hive", "schema": hive}}} if hive else {}
        frame = dd.read_parquet(str(p), engine=IndexAsColumns, **given)
    except (OSError, ValueError) as exc:
        for part in parquet_part_files(p) if p.is_dir() else ():
            read_part_schema(part, p, what)  # names the unreadable part in the parts' own words
        why = " ".join(str(exc).split("Original Message:")[-1].split())  # Dask wraps pyarrow's reason
        raise DataFileError(f"{what} {str(p)!r} could not be read as Parquet: {why}") from None
    if p.is_dir():
        check_parquet_parts(p, what, [str(c) for c in frame.columns])
    return frame


#: Memory maps of the ``.npy`` files this process's tasks read, by file identity (at most ``_MAX_MAPS``).
_MAPS: OrderedDict[tuple, np.ndarray] = OrderedDict()
_MAX_MAPS = 8
_MAPS_LOCK = threading.Lock()


@inlined  # a view: each reader reads it itself, in its own task
def _npy_rows(path: str, start: int, stop: int, option: str = "--probs") -> np.ndarray:
    """Rows ``start:stop`` of a ``.npy`` file: a read-only view of one memory map per file and process.

    Each pass of an audit reads every chunk again (a Dask task that slices the file). A new memory
    map per read would make every pass map the chunk's pages again (page faults, in the kernel);
    with one map per file, kept while the file is unchanged (same inode, size and modification time),
    the pages an earlier pass mapped stay mapped, as in a single process's memory-mapped audit.
    """
    info = os.stat(path)
    key = (path, info.st_ino, info.st_size, info.st_mtime_ns)
    with _MAPS_LOCK:
        found = _MAPS.get(key)
        if found is None:
            found = _MAPS[key] = read_npy(path, parameter=option, mmap=True)
            while len(_MAPS) > _MAX_MAPS:
                _MAPS.popitem(last=False)
        else:
            _MAPS.move_to_end(key)
    return np.asarray(found[start:stop])


def load_probs(path: Path, chunk_rows: int | None, *, lazy: bool, option: str = "--probs") -> Any:
    """``--probs`` (or ``option``: ``--features``) as a memory map (``lazy=False``) or a dask array read
    chunk by chunk by the workers."""
    require_path(path, parameter=option, kind=".npy file or Zarr store")
    if path.suffix == ".zarr" or path.is_dir():
        arr = load_zarr(path, parameter=option)
        if arr.ndim != 2:
            what = "one column per class" if option == "--probs" else "one column per feature"
            raise ShapeMismatchError(
                f"{option} must be a 2-D array (one row per example, {what}), got shape {arr.shape} in {str(path)!r}"
            )
        if arr.ndim == 2 and len(arr.chunks[1]) > 1:
            warn_at_caller(
                LabelwiseWarning(
                    f"{option} {str(path)!r} is chunked along its columns ({len(arr.chunks[1])} column chunks); "
                    "each task reads whole rows, so the chunks are merged per row block (more memory per task: "
                    "store it with chunks=(rows, n_classes) to avoid this)"
                )
            )
        return arr.rechunk({0: chunk_rows or "auto", 1: -1}) if chunk_rows or len(arr.chunks[1]) > 1 else arr
    if option == "--probs":
        _refuse_probs_table(path)
    mm = load_npy(path, option, mmap=True)
    if not lazy:
        return mm
    import dask
    from dask.base import tokenize

    from .._dask_rows import keyed_array

    rows = chunk_rows or max(1, (64 << 20) // max(1, mm.itemsize * (mm.shape[1] if mm.ndim > 1 else 1)))
    bounds = [(s, min(s + rows, mm.shape[0])) for s in range(0, mm.shape[0], rows)]
    resolved, info = str(path.resolve()), path.stat()
    name = f"npy-rows-{tokenize(resolved, info.st_ino, info.st_size, info.st_mtime_ns, rows)}"
    task = dask.delayed(_npy_rows, pure=True)
    # each chunk is the task that reads it (no alias tasks: benchmarks/RESULTS.md, issue 12, session 12)
    return keyed_array(
        name,
        bounds,
        mm.dtype,
        tuple(mm.shape[1:]),
        lambda i, key: task(resolved, bounds[i][0], bounds[i][1], option, dask_key_name=key),
    )


def _refuse_probs_table(path: Path) -> None:
    """A :class:`DataFileError` for a ``--probs`` table (``probs.csv``, ``probs.csv.gz``) at scale, which
    reads ``--probs`` as an array file in blocks: saying so, not that it lacks numpy's header."""
    from ..io.plain_text import table_suffix

    try:
        suffix = table_suffix(path)
    except DataFileError:  # a ZIP that cannot be read: load_npy names the file
        return
    if suffix in PROBS_TABLE_SUFFIXES:
        raise DataFileError(
            f"--probs {str(path)!r} is a table: --scheduler and --labels read --probs as a .npy file or "
            "a .zarr store, in blocks; save the probabilities with numpy.save, or leave out --scheduler and "
            "--labels and give the labels as DATA's --label column (a table is read in memory)"
        )


def load_labels(labels_path: Path | None, data: Path | None, label: str | None, like: Any, frame: Any = None) -> Any:
    """Labels from ``--labels`` (.npy, or a table with one column / the ``--label`` column) or DATA;
    ``frame``: DATA's Parquet as :func:`read_parquet_rows` read it already (DATA's labels only)."""
    path = labels_path or data
    if path is None:
        raise InvalidParameterError("--labels (a .npy file or a table) or DATA with --label is required with --probs")
    require_path(path, parameter="--labels" if labels_path else "DATA", kind="labels file (.npy or a table)")
    if Path(path).suffix == ".npy":
        values = np.asarray(load_npy(Path(path), "--labels"))
        if values.ndim != 1 or values.shape[0] != like.shape[0]:
            raise ShapeMismatchError(
                f"--labels must hold one label per row of --probs ({like.shape[0]} rows), "
                f"got shape {values.shape} in {str(path)!r}"
            )
        chunks = like.chunks[0] if hasattr(like, "chunks") and isinstance(like.chunks[0], tuple) else None
        if not chunks:
            return values
        return require("dask.array", "--labels").from_array(values, chunks=(chunks,))
    # a folder of Parquet parts, or any Parquet file read for a dask input, is read partition by partition
    is_parquet = Path(path).is_dir() or (Path(path).suffix == ".parquet" and hasattr(like, "chunks"))
    if frame is None or labels_path is not None:
        frame = read_parquet_rows(Path(path), "--labels") if is_parquet else None
    if frame is None:
        from ..io.tables import lone_column, read_table

        frame = read_table(
            path, text_columns=lambda names: [label] if label else lone_column(names), na_values=given_na_values()
        )
        remember_table(path, "--labels" if labels_path else "DATA", [str(label or frame.columns[0])])
    column = label or (frame.columns[0] if len(frame.columns) == 1 else None)
    if column is None or column not in frame.columns:
        raise MissingColumnError(f"--label must name a column of {str(path)!r}; columns are {list(frame.columns)}")
    values = frame[column]
    if isinstance(values.dtype, pd.api.extensions.ExtensionDtype):  # e.g. Parquet strings: Dask warns on them
        values = values.astype(object)
    if not hasattr(values, "to_dask_array"):
        return values.to_numpy()
    # optimised first: a column of small Parquet parts is read from fewer partitions than the frame has, and
    # lengths counted on the unoptimised column do not match them (Dask's ValueError, before session 40)
    array = values.optimize().to_dask_array(lengths=True)
    rows = like.chunks[0] if hasattr(like, "chunks") and isinstance(like.chunks[0], tuple) else None
    # the Parquet parts are the user's; the chunks are this command's choice: align them here, without
    # the library's warning about labels chunked unlike probs (a length mismatch is still the library's error)
    return array.rechunk((rows,)) if rows and array.shape[0] == like.shape[0] else array


def audit_at_scale(
    data: Path | None,
    label: str | None,
    probs_path: Path | None,
    labels_path: Path | None,
    *,
    spec: str | None,
    chunk_rows: int | None,
    out: Path,
    filter_by: str,
    rank_by: str,
    quiet: bool = False,
    classes: list[str] | None = None,
    superseded: Iterable[Path] = (),
    data_checks: dict[str, Any] | None = None,
    id_column: str | None = None,
) -> dict[str, Any] | None:
    """The audit of ``--probs`` (.npy or .zarr) with labels from a file, on the chosen scheduler; one
    progress bar per pass and one for the writing on a terminal, none with ``quiet``. ``classes``:
    ``--classes`` (parsed), the class of each column of ``--probs``, read as in memory; ``superseded``: the
    earlier outputs the files replace (an earlier in-memory audit's issues.csv would be read first);
    ``data_checks``: ``--checks``, ``--split-column``, ``--features``, ``--k``, ``--metric`` and the scalings
    (:mod:`._audit_checks_scale`; the text checks alone: :mod:`._audit_text_scale`); ``id_column``:
    ``--id-column``, DATA's ids, checked and written after ``row`` (:mod:`._scale_ids`)."""
    if spec is None and labels_path is None and not (probs_path and probs_path.suffix == ".zarr"):
        if chunk_rows is not None:  # the in-memory audit of a table would leave it out without a word
            raise InvalidParameterError(
                f"--chunk-rows applies to an audit of --probs with --scheduler, --labels or a .zarr store, "
                f"got --chunk-rows {chunk_rows} without them"
            )
        return None
    if probs_path is None:
        raise InvalidParameterError(
            "--probs (a .npy file or .zarr store of out-of-fold probabilities, one row per example) is required "
            "with --scheduler or --labels: at scale the audit does not train a model; make the probabilities on "
            "the cluster with labelwise.probs.out_of_fold_probs_on_cluster (docs/scale.md)"
        )
    from ..audit import find_label_issues
    from ._audit_checks_scale import checks_at_scale
    from ._scale_ids import ids_at_scale

    checks = checks_at_scale(data, label, {**(data_checks or {}), "id_column": id_column})
    with scheduler(spec), stages(False if quiet else None):
        lazy = spec not in (None, "threads") or probs_path.suffix == ".zarr"
        probs = load_probs(Path(probs_path), chunk_rows, lazy=lazy)
        frame = _parquet_data(data, lazy, id_column)  # read once for the ids and the labels
        ids = ids_at_scale(data, id_column, label, lazy=lazy, n_rows=int(probs.shape[0]), frame=frame)
        if checks is not None:  # DATA read and checked before the audit's passes
            checks.prepare(lazy, probs)
        labels = load_labels(labels_path, data, label, probs, frame=frame)
        if not lazy and hasattr(labels, "compute"):
            labels = labels.compute()
        source = "--labels" if labels_path is not None else f"--label column {label!r}"
        named = None if classes is None else _named_classes(classes, probs, labels, source)
        with _options_named(source):  # the API's errors name labels, probs and classes=: name the options
            result = find_label_issues(
                labels, probs, filter_by=filter_by, rank_by=rank_by, chunk_rows=chunk_rows, classes=named
            )
        # the summary is ready before the issues are written, so the two land one right after the other
        summary = add_health(result.summary(), result)
        extra = None if checks is None else checks.run(summary, labels, probs, result.classes)
        summary["settings"] = {
            "probs": str(Path(probs_path).resolve()),  # absolute, as data: which files ran, from any folder
            **_inputs_setting(labels_path or data, data, label),
            **na_values_setting(),
            "scheduler": spec or "threads",
            **chunks_that_ran(result, probs, chunk_rows),
            "filter_by": filter_by,
            "rank_by": rank_by,
            **({} if classes is None else {"classes": classes}),
            **({} if id_column is None else {"id_column": id_column}),
        }
        with files_together(supersedes=superseded), stage("writing issues.parquet"):
            path = write_issues(result, Path(out), extra, None if ids is None else (str(id_column), ids))
            write_overlap(result, Path(out))
            write_audit_summary(summary, Path(out))
    from ._common import console

    console().print(
        f"[bold]{result.n_examples}[/] examples, [bold]{len(result.classes)}[/] classes: "
        f"[bold red]{result.n_issues}[/] flagged, estimated noise rate {result.noise_rate:.1%} "
        f"(filter {filter_by}, scheduler {spec or 'threads'}, {said_chunks(summary['settings'])})"
    )
    print_health(console(), summary["health"])
    print_wrote([path, Path(out) / OVERLAP_FILE, Path(out) / "summary.json"])
    return summary


def _parquet_data(data: Path | None, lazy: bool, id_column: str | None) -> Any:
    """DATA's Parquet read by :func:`read_parquet_rows` when ``--id-column`` and the labels both read it on
    Dask, so its parts' schemas are read once; else None (each reader reads what it needs)."""
    path = None if data is None else Path(data)
    if (
        id_column is None
        or path is None
        or not lazy
        or not (path.is_dir() or (path.is_file() and path.suffix == ".parquet"))
    ):
        return None
    return read_parquet_rows(path, "DATA")


def _inputs_setting(labels_file: Path | None, data: Path | None, label: str | None) -> dict[str, Any]:
    """``settings``' ``labels`` (absolute), and ``data`` and ``label``: what export cleans (a file or parts)."""
    setting: dict[str, Any] = {"labels": None if labels_file is None else str(Path(labels_file).resolve())}
    if data is not None and Path(data).exists() and label is not None:
        setting.update(data=str(Path(data).resolve()), label=label)
    return setting


def chunks_that_ran(result: Any, probs: Any, requested: int | None) -> dict[str, Any]:
    """The settings of the row chunks the audit ran on: ``chunk_rows`` (the rows of the largest;
    dask chunks under the floor are merged, :mod:`labelwise._chunk_floor`), ``n_chunks``, and
    ``chunk_rows_requested`` (``--chunk-rows``; None: the default)."""
    codes = result.label_codes
    if hasattr(codes, "chunks"):  # dask: the per-example outputs are chunked as the passes ran
        sizes = [int(c) for c in codes.chunks[0]]
    else:  # memory-mapped on labelwise's threads: the chunks find_label_issues chose (never merged)
        from .._chunks import RowChunks

        sizes = [b - a for a, b in RowChunks.for_arrays(probs, chunk_rows=requested).bounds]
    return {**chunks_record(sizes), "chunk_rows_requested": requested}


def said_chunks(settings: dict[str, Any]) -> str:
    """The chunks that ran, for the line that gives the other settings: ``3 chunks of up to 1,001
    rows``, and ``merged from --chunk-rows 7`` when the chunks are not those asked for."""
    n, rows, asked = settings["n_chunks"], settings["chunk_rows"], settings["chunk_rows_requested"]
    said = f"{n:,} chunk{'s' if n != 1 else ''} of {'up to ' if n > 1 else ''}{rows:,} rows"
    return said if asked is None or rows <= asked else f"{said}, merged from --chunk-rows {asked:,}"


@contextlib.contextmanager
def _options_named(source: str) -> Iterator[None]:
    """The audit's input errors in the command's words: ``labels`` is ``source`` (``--labels`` or the
    ``--label`` column), ``probs`` is ``--probs``, and the API's ``classes=`` is ``--classes``."""
    from ..errors import LabelwiseError
    from ._common import renaming

    try:
        with renaming({"labels": source, "probs": "--probs"}):
            yield
    except LabelwiseError as exc:
        message = str(exc)
        if "pass classes=" not in message:
            raise
        words = "give --classes (the class of each --probs column, in column order, e.g. --classes cat,dog,owl)"
        raise type(exc)(message.replace("pass classes=", words).replace(" probs has", " --probs has")) from exc


def _named_classes(names: list[str], probs: Any, labels: Any, source: str) -> np.ndarray:
    """``--classes`` as the API's ``classes=``, by the in-memory audit's rules and errors: one name per
    column of ``probs``, every label of ``source`` named, names read as the labels' type. Only the
    distinct labels are read (per chunk on the workers for dask labels: ``K`` values a chunk)."""
    check_class_count(names, int(probs.shape[1]), what="class")
    seen = _distinct(labels)
    check_labels_named(seen, names, source=source)
    return np.asarray(classes_like_labels(names, seen), dtype=object)


def _distinct(labels: Any) -> np.ndarray:
    """The distinct values of ``labels`` (numpy, or dask: each chunk's, joined here)."""
    if not hasattr(labels, "to_delayed"):
        return pd.unique(np.asarray(labels).ravel())
    import dask

    parts = compute(*[dask.delayed(pd.unique)(b) for b in labels.to_delayed().ravel()])
    return pd.unique(np.concatenate([np.asarray(p) for p in parts]))
