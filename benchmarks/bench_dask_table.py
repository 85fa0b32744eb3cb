"""find_data_issues on a mixed table (numbers, booleans, a nullable int, two string columns, a date)
read from a folder of Parquet parts: in memory (pandas) and on Dask (a LocalCluster of 2 worker
processes, 1 thread each), side by side.

    PYTHONPATH=src python benchmarks/bench_dask_table.py --rows 200000 --modes memory,dask
    PYTHONPATH=src python benchmarks/bench_dask_table.py --rows 1000000 --modes dask

The table is :func:`bench_table_features.table` (session 47's) with a date column, written once as
Parquet parts of ``--part-rows`` rows. Each mode prints its seconds (reading included), the flags
per check and, when both run, the largest difference between their issue columns (``--method
exact``: the same graph, so the same issues; ``auto`` is approximate above 5,000 rows, one HNSW
index in memory against one per partition on Dask, so the flags differ a little).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from bench_table_features import table

from labelwise.checks import find_data_issues

CHECKS = ["outlier", "exact_duplicate", "near_duplicate", "null", "identifier_column"]


def write_parts(n: int, part_rows: int, folder: Path, numeric: bool = False) -> None:
    frame = table(n)
    if numeric:
        return _write(frame[["x0", "x1", "x2", "x3", "member"]], part_rows, folder)
    days = (np.abs(frame["x0"].to_numpy() * 1e3) + frame["x1"].to_numpy() * 7).astype(np.int64) % 1500
    frame["day"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(days, unit="D")  # a repeated row's day repeats
    _write(frame, part_rows, folder)


def _write(frame: pd.DataFrame, part_rows: int, folder: Path) -> None:
    folder.mkdir(parents=True)
    for i, start in enumerate(range(0, len(frame), part_rows)):
        frame.iloc[start : start + part_rows].to_parquet(folder / f"part.{i}.parquet", index=False)


def in_memory(folder: Path, run: dict) -> tuple[pd.DataFrame, dict, float]:
    start = time.perf_counter()
    frame = pd.read_parquet(folder)
    found = find_data_issues(frame, **run)
    return found.issues, found.info, time.perf_counter() - start


def on_dask(folder: Path, run: dict) -> tuple[pd.DataFrame, dict, float]:
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster, Client(cluster):
        start = time.perf_counter()
        found = find_data_issues(dd.read_parquet(str(folder)), **run)
        issues = found.issues.compute()  # the per-row columns to this process: counted in the time
        return issues, found.info, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--part-rows", type=int, default=100_000)
    parser.add_argument("--modes", default="memory,dask")
    parser.add_argument("--method", default="auto")
    parser.add_argument("--numeric", action="store_true", help="the numbers and booleans alone (main's dask path)")
    args = parser.parse_args()
    run = {"checks": CHECKS, "impute": True, "random_state": 0, "method": args.method}
    tmp = Path(tempfile.mkdtemp(prefix="bench_dask_table_"))
    try:
        write_parts(args.rows, args.part_rows, tmp / "table", args.numeric)
        found = {}
        for mode in args.modes.split(","):
            issues, info, seconds = (in_memory if mode == "memory" else on_dask)(tmp / "table", run)
            found[mode] = issues.reset_index(drop=True)
            flags = {c: int(issues[f"is_{c}_issue"].sum()) for c in CHECKS}
            print(f"{mode}: {args.rows} rows, {seconds:.1f} s; flagged {flags}")
            print(f"  {info.get('feature_encoding', {}).get('line', 'numbers only')}")
        if len(found) == 2:
            a, b = found.values()
            gap = max(float(np.abs(a[c].astype(float) - b[c].astype(float)).max()) for c in a.columns)
            print(f"largest difference between the two runs' issue columns: {gap:.3g}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
