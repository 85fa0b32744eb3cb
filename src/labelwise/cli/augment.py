"""``labelwise augment``: run transformation functions from a Python file on a table, as a policy says."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import click
import numpy as np
import pandas as pd

from ..errors import InvalidParameterError, MissingColumnError
from ..io import files_together, write_json, write_table
from ..weak import (
    ApplyAllPolicy,
    ApplyEachPolicy,
    ApplyOnePolicy,
    MeanFieldPolicy,
    Policy,
    RandomPolicy,
    TransformationFunction,
    augment,
)
from ._common import SEED, console, quiet_option, read_input, renaming, split_csv_option
from ._na_values import na_values_option
from ._out_folder import out_folder
from .weak import load_functions

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
        suffix = data.suffix.lower()
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


def _unchanged_copies(frame: pd.DataFrame, table: pd.DataFrame) -> Counter:
    """The copies in ``frame`` (the augmented table) equal to their row of ``table`` in every column, by
    their ``tfs``; a column a function added counts as a change where it is filled."""
    copies = frame[frame["tfs"] != ""].reset_index(drop=True)
    if copies.empty:
        return Counter()
    rows = table.iloc[copies["source_row"].to_numpy()].reset_index(drop=True)
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
@click.option("--random-state", type=SEED, default=0, show_default=True)
@click.option(
    "--format",
    "table_format",
    type=click.Choice(list(FORMATS)),
    default=None,
    help="Format of the augmented table (augmented.csv, .tsv, .parquet or .jsonl); default: DATA's format.",
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
    quiet,
    superseded,
):
    """Augment DATA with the transformation functions in TFS, as --policy says.

    TFS is a Python file defining functions decorated with @labelwise.weak.transformation_function
    (or a list named tfs); each gets a row (a dict whose keys are also attributes) and returns it
    changed, or None where it does not apply. Writes augmented.csv (DATA's rows, each followed by
    its kept copies, with source_row, the row of DATA it came from, and tfs, the functions applied
    joined by '+', empty for an original; .tsv, .parquet or .jsonl as --format says, by default in
    DATA's format) and summary.json to --out, both or neither. A copy equal
    to its row (a function returned the row unchanged) is kept, as Snorkel keeps it, and counted.
    """
    tfs = load_functions(Path(tfs_path), TransformationFunction, parameter="TFS", listed="tfs")
    table = read_input(data, "DATA", text_columns=[id_column] if id_column is not None else [])
    if id_column is not None and id_column not in table.columns:
        raise MissingColumnError(f"--id-column {id_column!r} is not in DATA; columns are {list(table.columns)}")
    for column in ("source_row", "tfs"):
        if column in table.columns:
            raise InvalidParameterError(
                f"DATA must not have a column named {column!r} (the augmented table adds it), got one; rename it"
            )
    names = {
        "tfs": "TFS",
        "df": "DATA",
        "p": "--p",
        "n_per_original": "--n-per-original",
        "sequence_length": "--sequence-length",
    }
    with renaming(names, within=("n_per_original", "sequence_length")):
        chosen = _policy(
            policy, tfs, n_per_original, sequence_length, _probabilities(p, policy), keep_original, random_state
        )
        started = time.perf_counter()
        result = augment(tfs, table, policy=chosen, verbose=False if quiet else None)
    seconds = time.perf_counter() - started
    frame = result.to_frame()
    counts = Counter(name for names in result.applied for name in names)
    unchanged = _unchanged_copies(frame, table)
    out, name = Path(out), table_name(table_format, Path(data))
    with files_together(supersedes=superseded):
        write_table(frame, out / name)
        summary = {
            "tfs": str(tfs_path),
            "data": str(data),
            "policy": policy,
            "n_per_original": chosen.n_per_original,
            "sequence_length": sequence_length,
            "keep_original": keep_original,
            "id_column": id_column,
            "random_state": random_state,
            "n_rows": len(table),
            "table": name,
            "n_augmented": len(frame),
            "n_copies": int((frame["tfs"] != "").sum()),
            "applied": dict(counts),
            "n_unchanged_copies": sum(unchanged.values()),
            "augment_seconds": round(seconds, 3),
        }
        write_json(summary, out / "summary.json")
    if unchanged:
        by = ", ".join(f"{tfs} {n}" for tfs, n in unchanged.most_common(5))
        console().print(
            f"notice: {sum(unchanged.values())} transformed copies equal their original row ({by}): a function "
            f"returned the row unchanged; {name} keeps them (as Snorkel does)"
        )
    console().print(
        f"{len(table)} rows -> {len(frame)} rows ({summary['n_copies']} transformed copies); "
        f"wrote {name}, summary.json to {out}"
    )
