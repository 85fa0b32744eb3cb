"""``labelwise augment``: run transformation functions from a Python file on a table, as a policy says."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import click

from ..errors import InvalidParameterError
from ..io import files_together, write_csv, write_json
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
from ._common import SEED, console, read_input, renaming, split_csv_option
from ._na_values import na_values_option
from ._out_folder import out_folder
from .weak import load_functions

#: ``--policy`` names.
POLICIES = ("random", "mean-field", "all", "each", "one")


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


def _policy(name: str, n_tfs: int, n_per_original: int, length: int, p: Any, keep: bool, seed: int) -> Policy:
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
@na_values_option
@out_folder("augment", Path("labelwise-augment"))
@click.option("--random-state", type=SEED, default=0, show_default=True)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def augment_command(
    tfs_path, data, policy, n_per_original, sequence_length, p, keep_original, out, random_state, quiet, superseded
):
    """Augment DATA with the transformation functions in TFS, as --policy says.

    TFS is a Python file defining functions decorated with @labelwise.weak.transformation_function
    (or a list named tfs); each gets a row (a dict whose keys are also attributes) and returns it
    changed, or None where it does not apply. Writes augmented.csv (DATA's rows, each followed by
    its kept copies, with source_row, the row of DATA it came from, and tfs, the functions applied
    joined by '+', empty for an original) and summary.json to --out, both or neither.
    """
    tfs = load_functions(Path(tfs_path), TransformationFunction, parameter="TFS", listed="tfs")
    table = read_input(data, "DATA")
    for column in ("source_row", "tfs"):
        if column in table.columns:
            raise InvalidParameterError(
                f"DATA must not have a column named {column!r} (augmented.csv adds it), got one; rename it"
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
            policy, len(tfs), n_per_original, sequence_length, _probabilities(p, policy), keep_original, random_state
        )
        started = time.perf_counter()
        result = augment(tfs, table, policy=chosen, verbose=False if quiet else None)
    seconds = time.perf_counter() - started
    frame = result.to_frame()
    counts = Counter(name for names in result.applied for name in names)
    out = Path(out)
    with files_together(supersedes=superseded):
        write_csv(frame, out / "augmented.csv")
        summary = {
            "tfs": str(tfs_path),
            "data": str(data),
            "policy": policy,
            "n_per_original": chosen.n_per_original,
            "sequence_length": sequence_length,
            "keep_original": keep_original,
            "random_state": random_state,
            "n_rows": len(table),
            "n_augmented": len(frame),
            "n_copies": int((frame["tfs"] != "").sum()),
            "applied": dict(counts),
            "augment_seconds": round(seconds, 3),
        }
        write_json(summary, out / "summary.json")
    console().print(
        f"{len(table)} rows -> {len(frame)} rows ({summary['n_copies']} transformed copies); "
        f"wrote augmented.csv, summary.json to {out}"
    )
