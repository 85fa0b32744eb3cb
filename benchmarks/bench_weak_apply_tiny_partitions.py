"""``weak.apply`` on Dask frames of tiny partitions: labelled one partition at a time (the floor
off: main's computation) against in merged groups (``labelwise.weak._apply_groups``).

A ``--rows``-row frame (a float and a text column) with ``--lfs`` vectorised labeling functions, cut
by ``dd.from_pandas(chunksize=c)`` (the frame's own unique index) or written as CSV files of ``c``
rows and read with ``dd.read_csv`` (each partition its own ``0..len-1`` index: the rows are renumbered
through the files). Each case runs the merged computation, then the unmerged one, on the same
collection (after a warm-up of both); the votes (long table, items, matrix) must be equal, bit for
bit, and equal to pandas.

Usage: ``python benchmarks/bench_weak_apply_tiny_partitions.py [--rows 20000] [--lfs 20]
[--chunks 1 10 10000] [--csv-chunks 10] [--repeat 1]``
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
from _machine import cpu_model

import labelwise as lw
from labelwise import _chunk_floor
from labelwise.weak import apply, labeling_function

FLOOR = _chunk_floor.ROW_CHUNK_FLOOR_BYTES


def vectorised_lfs(m: int) -> list[Any]:
    """``m`` vectorised functions: thresholds on ``x`` (abstaining below), one in three reads ``t``."""
    lfs = []
    for j in range(m):

        def lf(df: pd.DataFrame, j: int = j) -> np.ndarray:
            vote = np.where(df["x"].to_numpy() > (j - m / 2) / m, j % 3, -1)
            return np.where(df["t"].to_numpy() == "a", vote, -1) if j % 3 == 0 else vote

        lfs.append(labeling_function(vectorized=True, name=f"lf{j}")(lf))
    return lfs


def timed(lfs: list[Any], frame: Any, floor: int) -> tuple[float, Any]:
    _chunk_floor.ROW_CHUNK_FLOOR_BYTES = floor
    try:
        start = time.perf_counter()
        votes = apply(lfs, frame, verbose=False)
        return time.perf_counter() - start, votes
    finally:
        _chunk_floor.ROW_CHUNK_FLOOR_BYTES = FLOOR


def same(a: Any, b: Any) -> bool:
    """The long tables, items and matrices equal, bit for bit (dtypes included)."""
    try:
        pd.testing.assert_frame_equal(a.answers, b.answers)
        pd.testing.assert_index_equal(pd.Index(a.items), pd.Index(b.items), exact=False)
        np.testing.assert_array_equal(a.matrix(), b.matrix())
    except AssertionError:
        return False
    return True


def run(name: str, lfs: list[Any], lazy: Any, pandas_votes: Any, repeat: int = 1) -> None:
    """One table row: the fastest of ``repeat`` runs each, merged and unmerged taking turns."""
    merged_s = unmerged_s = float("inf")
    for _ in range(repeat):
        seconds, merged = timed(lfs, lazy, FLOOR)
        merged_s = min(merged_s, seconds)
        seconds, unmerged = timed(lfs, lazy, 0)
        unmerged_s = min(unmerged_s, seconds)
    print(
        f"| {name} | {lazy.npartitions} | {unmerged_s:.2f} | {merged_s:.2f} | {unmerged_s / merged_s:.1f}x | "
        f"{'equal' if same(merged, unmerged) else 'DIFFERENT'} | "
        f"{'equal' if np.array_equal(merged.matrix(), pandas_votes.matrix()) else 'DIFFERENT'} |",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--lfs", type=int, default=20)
    parser.add_argument("--chunks", type=int, nargs="*", default=[1, 10, 10_000])
    parser.add_argument("--csv-chunks", type=int, nargs="*", default=[10])
    parser.add_argument("--repeat", type=int, default=1, help="runs of each, the fastest kept")
    args = parser.parse_args()
    print(
        f"{cpu_model()}, Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"dask {dask.__version__}, labelwise {lw.__version__}; threads scheduler, 2 workers; floor {FLOOR} bytes"
    )
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=args.rows), "t": rng.choice(["a", "b", "c"], args.rows)})
    lfs = vectorised_lfs(args.lfs)
    pandas_votes = apply(lfs, frame, verbose=False)
    print("| input | partitions | unmerged s | merged s | ratio | merged = unmerged | matrix = pandas |")
    print("|---|---|---|---|---|---|---|")
    with dask.config.set(scheduler="threads", num_workers=2):
        for floor in (FLOOR, 0):  # warm-up (imports, first dask-expr graph), else the first timed run pays it
            timed(lfs, dd.from_pandas(frame.head(500), chunksize=10), floor)
        for c in args.chunks:
            run(f"from_pandas, {c} rows", lfs, dd.from_pandas(frame, chunksize=c), pandas_votes, args.repeat)
        for c in args.csv_chunks:
            with tempfile.TemporaryDirectory() as tmp:
                for i, start in enumerate(range(0, args.rows, c)):
                    frame.iloc[start : start + c].to_csv(Path(tmp) / f"part{i:06d}.csv", index=False)
                run(f"read_csv, {c} rows", lfs, dd.read_csv(str(Path(tmp) / "part*.csv")), pandas_votes, args.repeat)


if __name__ == "__main__":
    main()
