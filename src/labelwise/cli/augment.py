"""``labelwise augment``: run transformation functions from a Python file on a table, as a policy says."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click
import numpy as np

from .._heavy import pandas as pd
from ..errors import DataFileError, InvalidParameterError, MissingColumnError
from ..io import atomic_write, files_together, write_json, write_table
from ..io.delimiter import csv_delimiter
from ..io.na_values import check_na_values, csv_na_options
from ..io.paths import require_file
from ..io.plain_text import format_suffix, plain_text, shown_as
from ..io.tables import check_unique_header
from ._common import SEED, console, quiet_option, read_input, renaming, split_csv_option
from ._na_values import given_na_values, na_values_option, remember_table
from ._out_folder import out_folder
from ._wrote import wrote_text
from .weak import load_functions

if TYPE_CHECKING:
    from ..weak import Policy

#: A missing cell, equal only to itself (:func:`_equal`).
_MISSING = object()
#: ``--policy`` names.
POLICIES = ("random", "mean-field", "all", "each", "one")
#: ``--format``: the augmented table's suffix (:func:`labelwise.io.write_table` writes by it).
FORMATS = {"csv": ".csv", "tsv": ".tsv", "parquet": ".parquet", "jsonl": ".jsonl"}
#: DATA's suffix -> the default ``--format`` (DATA's own format; a ``.txt`` or ``.json`` table: csv, jsonl).
_DATA_FORMATS = {".tsv": "tsv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def table_name(table_format: str | None, data: Path) -> str:
    """The augmented table's file name: ``augmented`` and the suffix of ``--format``, by default of
    DATA's format (a Parquet DATA keeps its column types; a ``.json`` DATA gives JSON Lines, others CSV)."""
    if table_format is None:
        suffix = format_suffix(data)  # data.tsv.gz: TSV
        table_format = "jsonl" if suffix == ".json" else _DATA_FORMATS.get(suffix, "csv")
    return "augmented" + FORMATS[table_format]


def _probabilities(p: str | None, policy: str) -> list[float] | None:
    """``--p``: comma-separated probabilities, one per TF, for ``--policy mean-field`` only."""
    if p is None:
        return None
    if policy != "mean-field":
        raise InvalidParameterError(f"--p is for --policy mean-field only, got --policy {policy}")
    parts = split_csv_option(p)
    try:
        return [float(v) for v in parts]
    except ValueError:
        raise InvalidParameterError(f"--p must be comma-separated probabilities (e.g. 0.5,0.5), got {p!r}") from None


def _policy(name: str, tfs: list, n_per_original: int, length: int, p: Any, keep: bool, seed: int) -> Policy:
    from ..weak import ApplyAllPolicy, ApplyEachPolicy, ApplyOnePolicy, MeanFieldPolicy, RandomPolicy

    n_tfs, named = len(tfs), ", ".join(tf.name for tf in tfs[:5]) + (", ..." if len(tfs) > 5 else "")
    if name == "one" and n_tfs != 1:
        raise InvalidParameterError(
            f"--policy one applies the one transformation function of TFS, got {n_tfs} ({named}); "
            "use --policy each (one copy per function) or all (every function in turn)"
        )
    if p is not None and len(p) != n_tfs:
        raise InvalidParameterError(
            f"--p must give one probability per function in TFS ({n_tfs}: {named}), got {len(p)}"
        )
    if name in ("all", "each", "one") and length != 1:
        raise InvalidParameterError(
            f"--sequence-length is for --policy random and mean-field only, got {length} with --policy {name}"
        )
    if name == "each" and n_per_original != 1:
        raise InvalidParameterError(
            f"--n-per-original must be 1 with --policy each (one copy per function), got {n_per_original}"
        )
    if name == "all":
        return ApplyAllPolicy(n_tfs, n_per_original, keep)
    if name == "each":
        return ApplyEachPolicy(n_tfs, keep)
    if name == "one":
        return ApplyOnePolicy(n_per_original, keep)
    if name == "random":
        return RandomPolicy(n_tfs, length, n_per_original, keep, seed)
    return MeanFieldPolicy(n_tfs, length, p, n_per_original, keep, seed)


def _unchanged_copies(frame: pd.DataFrame, table: pd.DataFrame, start: int = 0) -> Counter:
    """The copies in ``frame`` (the augmented table) equal to their row of ``table`` (DATA's rows from
    row ``start`` on) in every column, by their ``tfs``; a column a function added counts as a change
    where it is filled."""
    copies = frame[frame["tfs"] != ""].reset_index(drop=True)
    if copies.empty:
        return Counter()
    rows = table.iloc[copies["source_row"].to_numpy() - start].reset_index(drop=True)
    same = np.ones(len(copies), dtype=bool)
    for column in table.columns:
        same &= _equal(copies[column], rows[column])
    for column in copies.columns.difference([*table.columns, "source_row", "tfs"]):
        same &= copies[column].isna().to_numpy()
    return Counter(copies.loc[same, "tfs"])


def _equal(after: pd.Series, before: pd.Series) -> np.ndarray:
    """Cell by cell: equal values, or missing on both sides (a cell that does not compare: changed)."""
    a, b = after.to_numpy(dtype=object, copy=True), before.to_numpy(dtype=object, copy=True)
    a[after.isna().to_numpy()] = _MISSING
    b[before.isna().to_numpy()] = _MISSING
    try:
        return np.asarray(a == b, dtype=bool)
    except (TypeError, ValueError):
        return np.zeros(len(a), dtype=bool)


def _chunks(data: Path, size: int) -> Iterator[pd.DataFrame]:
    """DATA read ``size`` rows at a time (CSV/TSV/text by pandas' ``chunksize``, Parquet by pyarrow's
    record batches, JSON Lines by ``chunksize``; a ``.json`` file, which may be one list, whole), each
    chunk on the running row numbers, so that ``source_row`` counts DATA's rows as without ``--batch-size``."""
    path = require_file(data, parameter="DATA", kind="data file")
    suffix = format_suffix(path)
    if suffix == ".json":
        yield read_input(data, "DATA")
        return
    if path.stat().st_size == 0:
        raise DataFileError(f"DATA: data file {str(path)!r} is empty")
    remember_table(path, "DATA", [])
    start = 0
    try:
        from ..io.index_columns import index_as_columns

        src = plain_text(path)  # data.csv.gz, UTF-16 text: the decoded copy, read in chunks
        with shown_as(src, path):
            for chunk in _reader(src, suffix, size):
                chunk = index_as_columns(chunk)
                chunk.index = pd.RangeIndex(start, start + len(chunk))
                start += len(chunk)
                yield chunk
    except pd.errors.EmptyDataError:
        raise DataFileError(f"DATA: data file {str(path)!r} has no rows or columns") from None
    except UnicodeDecodeError:
        raise DataFileError(f"DATA: data file {str(path)!r} is not UTF-8 text") from None
    except (pd.errors.ParserError, ValueError, OSError) as exc:
        raise DataFileError(f"DATA: data file {str(path)!r} could not be read: {str(exc).strip()}") from None


def _named_range_index(metadata: dict[str, Any]) -> tuple[str, int, int] | None:
    """``(name, start, step)`` of the named RangeIndex that pandas' Parquet ``metadata`` describes, if any."""
    index = metadata.get("index_columns", [])
    if len(index) == 1 and isinstance(index[0], dict) and index[0].get("kind") == "range" and index[0].get("name"):
        return str(index[0]["name"]), int(index[0]["start"]), int(index[0]["step"])
    return None


def _reader(path: Path, suffix: str, size: int) -> Iterator[pd.DataFrame]:
    if suffix in (".parquet", ".pq"):
        import pyarrow as pa
        import pyarrow.parquet as pq

        with pq.ParquetFile(path) as file:
            named_range = _named_range_index(file.schema_arrow.pandas_metadata or {})
            done = 0
            for batch in file.iter_batches(batch_size=size):
                chunk = pa.Table.from_batches([batch]).to_pandas()
                if named_range is not None:  # pandas stores a RangeIndex as metadata only, not as a column
                    name, start, step = named_range
                    chunk.index = pd.RangeIndex(
                        start + step * done, start + step * (done + len(chunk)), step, name=name
                    )
                done += len(chunk)
                yield chunk
    elif suffix in (".jsonl", ".ndjson"):
        with pd.read_json(path, lines=True, chunksize=size, dtype=True, encoding="utf-8-sig") as reader:
            yield from reader
    else:
        sep = csv_delimiter(path)
        check_unique_header(path, sep)
        na = csv_na_options(check_na_values(given_na_values()))
        with pd.read_csv(path, sep=sep, chunksize=size, index_col=False, **na) as reader:
            yield from reader


class _Rows:
    """The chunks of DATA as they are read, kept until their rows' batch is augmented (for the count
    of unchanged copies), so that at most a batch and a chunk are held."""

    def __init__(self, chunks: Iterator[pd.DataFrame]) -> None:
        self.chunks, self.held = chunks, list[pd.DataFrame]()

    def __iter__(self) -> Iterator[pd.DataFrame]:
        for chunk in self.chunks:
            if len(chunk):  # pyarrow may give an empty record batch
                self.held.append(chunk)
                yield chunk

    def take(self, start: int, stop: int) -> pd.DataFrame:
        """DATA's rows ``start`` to ``stop`` (read already); those before ``stop`` are let go."""
        rows = pd.concat([c.loc[(c.index >= start) & (c.index < stop)] for c in self.held])
        self.held = [c for c in self.held if c.index[-1] >= stop]
        return rows


def _signature(frame: pd.DataFrame, text: bool) -> list[tuple[str, str, tuple]]:
    """What decides how a batch is written: its columns and dtypes and, in a CSV or TSV table, how each
    datetime column is formatted (pandas writes dates alone, or down to the finest unit used)."""
    out = []
    for name in frame.columns:
        column, shown = frame[name], tuple[bool, ...]()
        if text and column.dtype.kind == "M":
            values = column.dropna()
            micro, nano = values.dt.microsecond, values.dt.nanosecond
            shown = (bool((values == values.dt.normalize()).all()), bool((micro % 1000 != 0).any()),
                     bool((micro != 0).any()), bool((nano != 0).any()))  # fmt: skip
        out.append((str(name), str(column.dtype), shown))
    return out


def _drift(signature: list, first: list, start: int) -> str:
    """Why a batch cannot be appended to the first: other columns, a column of another type, or dates
    that pandas would write otherwise."""
    pairs = [(a, b) for a, b in zip(signature, first, strict=False) if a != b]
    if len(signature) != len(first) or pairs[0][0][0] != pairs[0][1][0]:
        what = f"has the columns {[c[0] for c in signature][:10]}, the first batch {[c[0] for c in first][:10]}"
    elif pairs[0][0][1] != pairs[0][1][1]:
        what = f"has column {pairs[0][0][0]!r} of type {pairs[0][0][1]}, the first batch {pairs[0][1][1]}"
    else:
        what = f"has dates in column {pairs[0][0][0]!r} written otherwise (with or without times, to another unit)"
    return (
        f"--batch-size: the batch from DATA's row {start} on {what}, so the table streamed would not be the one "
        "written without --batch-size; run without --batch-size"
    )


def _write_batch(fh: IO, frame: pd.DataFrame, table_format: str, state: dict[str, Any]) -> None:
    """Append one batch to the table being written, as :func:`labelwise.io.write_table` writes the whole."""
    signature = _signature(frame, table_format in ("csv", "tsv"))
    first = state.setdefault("signature", signature)
    if signature != first:
        raise InvalidParameterError(_drift(signature, first, state["start"]))
    if table_format == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(frame, preserve_index=False)
        if "writer" not in state:
            state["writer"] = pq.ParquetWriter(fh, table.schema)
        state["writer"].write_table(table)
    elif table_format == "jsonl":
        frame.to_json(fh, orient="records", lines=True, force_ascii=False)
    else:
        frame.to_csv(fh, index=False, sep="\t" if table_format == "tsv" else ",", header="writer" not in state)
        state["writer"] = True


@click.command("augment")
@click.argument("tfs_path", metavar="TFS", type=click.Path(path_type=Path))
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--policy", type=click.Choice(POLICIES), default="random", show_default=True, help="Augmentation policy.")
@click.option(
    "--n-per-original",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Transformed copies of each row (kept where a function applied).",
)
@click.option(
    "--sequence-length",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Functions drawn per copy (random, mean-field).",
)
@click.option("--p", "p", default=None, help="mean-field: each function's probability, comma-separated.")
@click.option("--keep-original/--no-keep-original", default=True, show_default=True, help="Keep each row itself.")
@click.option(
    "--id-column",
    default=None,
    help="Column of row ids, read as text (007 and 7 stay apart) and written as given.",
)
@na_values_option
@out_folder("augment", Path("labelwise-augment"))
@click.option(
    "--random-state", type=SEED, default=0, show_default=True, help="Seed of --policy random and mean-field's draws."
)
@click.option(
    "--format",
    "table_format",
    type=click.Choice(list(FORMATS)),
    default=None,
    help="Format of the augmented table (augmented.csv, .tsv, .parquet or .jsonl); default: DATA's format.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=None,
    help="Stream: read, augment and write DATA this many rows at a time (the same table, less memory).",
)
@quiet_option
def augment_command(
    tfs_path,
    data,
    policy,
    n_per_original,
    sequence_length,
    p,
    keep_original,
    id_column,
    out,
    random_state,
    table_format,
    batch_size,
    quiet,
    superseded,
):
    """Augment DATA with the transformation functions in TFS, as --policy says.

    TFS is a Python file defining functions decorated with @labelwise.weak.transformation_function
    (or a list named tfs); each gets a row (a dict whose keys are also attributes) and returns it
    changed, or None where it does not apply. Writes augmented.csv (DATA's rows, each followed by
    its kept copies, with source_row, the row of DATA it came from, and tfs, the functions applied
    joined by '+', empty for an original; .tsv, .parquet or .jsonl as --format says, by default in
    DATA's format) and summary.json to --out, both or neither. --batch-size N reads, augments and
    writes N rows at a time: the same table (the same bytes, but for Parquet's row groups). A copy equal
    to its row (a function returned the row unchanged) is kept, as Snorkel keeps it, and counted.
    """
    from ..weak import TransformationFunction

    tfs = load_functions(Path(tfs_path), TransformationFunction, parameter="TFS", listed="tfs")
    if batch_size is not None and id_column is not None:
        raise InvalidParameterError(
            f"--batch-size cannot be used with --id-column (whether ids become numbers is decided on the whole "
            f"column), got --batch-size {batch_size} and --id-column {id_column!r}"
        )
    table = None if batch_size is not None else read_input(data, "DATA", text_columns=[id_column] if id_column else [])
    if table is not None:
        if id_column is not None and id_column not in table.columns:
            raise MissingColumnError(f"--id-column {id_column!r} is not in DATA; columns are {list(table.columns)}")
        _check_columns(table.columns)
    names = {
        "tfs": "TFS",
        "df": "DATA",
        "p": "--p",
        "n_per_original": "--n-per-original",
        "sequence_length": "--sequence-length",
    }
    out, name = Path(out), table_name(table_format, Path(data))
    with renaming(names, within=("n_per_original", "sequence_length")), files_together(supersedes=superseded):
        chosen = _policy(
            policy, tfs, n_per_original, sequence_length, _probabilities(p, policy), keep_original, random_state
        )
        started = time.perf_counter()
        if table is None:
            stats = _augment_streamed(tfs, Path(data), chosen, batch_size, out / name)
        else:
            stats = _augment_whole(tfs, table, chosen, quiet, out / name)
        summary = {
            "tfs": str(tfs_path),
            "data": str(data),
            "policy": policy,
            "n_per_original": chosen.n_per_original,
            "sequence_length": sequence_length,
            "keep_original": keep_original,
            "id_column": id_column,
            "random_state": random_state,
            "batch_size": batch_size,
            "n_rows": stats["n_rows"],
            "table": name,
            "n_augmented": stats["n_augmented"],
            "n_copies": stats["n_copies"],
            "applied": dict(stats["applied"]),
            "n_unchanged_copies": sum(stats["unchanged"].values()),
            "augment_seconds": round(time.perf_counter() - started, 3),
        }
        write_json(summary, out / "summary.json")
    unchanged = stats["unchanged"]
    if unchanged:
        by = ", ".join(f"{tfs} {n}" for tfs, n in unchanged.most_common(5))
        console().print(
            f"notice: {sum(unchanged.values())} transformed copies equal their original row ({by}): a function "
            f"returned the row unchanged; {name} keeps them (as Snorkel does)"
        )
    console().print(
        f"{summary['n_rows']} rows -> {summary['n_augmented']} rows ({summary['n_copies']} transformed copies); "
        + wrote_text([out / name, out / "summary.json"])
    )


def _check_columns(columns: pd.Index) -> None:
    for column in ("source_row", "tfs"):
        if column in columns:
            raise InvalidParameterError(
                f"DATA must not have a column named {column!r} (the augmented table adds it), got one; rename it"
            )


def _stats(frame: pd.DataFrame, applied: tuple, unchanged: Counter, n_rows: int) -> dict[str, Any]:
    """The counts summary.json gives of (a batch of) the augmented table."""
    counts = Counter(name for names in applied for name in names)
    n_copies = int((frame["tfs"] != "").sum())
    return {
        "n_rows": n_rows,
        "n_augmented": len(frame),
        "n_copies": n_copies,
        "applied": counts,
        "unchanged": unchanged,
    }


def _augment_whole(tfs: list, table: pd.DataFrame, policy: Policy, quiet: bool, path: Path) -> dict[str, Any]:
    """Augment DATA in memory and write the table (its counts returned)."""
    from ..weak import augment

    result = augment(tfs, table, policy=policy, verbose=False if quiet else None)
    frame = result.to_frame()
    write_table(frame, path)
    return _stats(frame, result.applied, _unchanged_copies(frame, table), len(table))


def _augment_streamed(tfs: list, data: Path, policy: Policy, batch_size: int, path: Path) -> dict[str, Any]:
    """``--batch-size``: DATA read, augmented (:func:`labelwise.weak.augment_batches`) and written batch
    after batch into one temporary file, moved into place at the end (its counts returned)."""
    from ..weak import augment_batches

    rows = _Rows(_chunks(data, batch_size))
    table_format = next(f for f, suffix in FORMATS.items() if suffix == path.suffix)
    total: dict[str, Any] = {"n_rows": 0, "n_augmented": 0, "n_copies": 0, "applied": Counter(), "unchanged": Counter()}
    state: dict[str, Any] = {"start": 0}
    with atomic_write(path, "wb" if table_format == "parquet" else "w") as fh:
        for result in augment_batches(tfs, _first_checked(rows), policy=policy, batch_size=batch_size):
            start = state["start"]
            stop = min(start + batch_size, int(rows.held[-1].index[-1]) + 1)
            frame = result.to_frame()
            _write_batch(fh, frame, table_format, state)
            for key, value in _stats(frame, result.applied, _unchanged_copies(frame, rows.take(start, stop), start),
                                     stop - start).items():  # fmt: skip
                total[key] += value
            state["start"] = stop
        if table_format == "parquet" and "writer" in state:
            state["writer"].close()
    return total


def _first_checked(chunks: _Rows) -> Iterator[pd.DataFrame]:
    for number, chunk in enumerate(chunks):
        if number == 0:
            _check_columns(chunk.columns)
        yield chunk
