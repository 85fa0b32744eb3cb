"""The client's memory when ``find_data_issues`` checks dask texts on a cluster (session 41).

Usage (from the repository root)::

    python benchmarks/bench_text_client_memory.py --sizes 300000 --before /path/to/main/src

The texts are ``bench_text_dask.py``'s (``write_texts``: 70% base texts, 20% near copies, 10%
rewordings; seed 100), a Parquet file of ``--partitions`` row groups read with
``dd.read_parquet(split_row_groups=True)``. Each run is a fresh Python process (this tree's ``src``,
or ``--before``'s) that starts a ``distributed.LocalCluster`` of two worker processes (one thread
each) and runs ``find_data_issues(None, texts=..., checks=["exact_duplicate",
"near_duplicate_text"])`` on it; the client process's peak resident memory (``ru_maxrss``: the
workers are other processes) is what is compared. Both runs' issue columns must be equal (checked,
or the script stops). Printed: a table row per tree and size, and the machine line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def run_one(data: Path, out: Path) -> None:
    """The checks on the texts of ``data`` on a local cluster; the issue columns to ``out`` (.npz),
    a JSON line to stdout."""
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    from labelwise.checks import find_data_issues

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        with Client(cluster):
            t0 = time.perf_counter()
            texts = dd.read_parquet(data, split_row_groups=True)["text"]
            found = find_data_issues(None, texts=texts, checks=["exact_duplicate", "near_duplicate_text"])
            seconds = time.perf_counter() - t0
    np.savez(out, **{str(c): found.issues[c].to_numpy() for c in found.issues.columns})
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    flagged = {str(c): int(found.issues[c].sum()) for c in found.issues.columns if str(c).startswith("is_")}
    print(json.dumps({"seconds": seconds, "rss_before_mib": before, "rss_peak_mib": peak, "flagged": flagged}))


def measure(src: Path, data: Path, out: Path) -> dict:
    """:func:`run_one` in a fresh process importing labelwise from ``src``; its JSON line."""
    env = dict(os.environ, PYTHONPATH=str(src))
    done = subprocess.run(
        [sys.executable, __file__, "--one", "--data", str(data), "--out", str(out)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Write the texts; run main's (``--before``) and this tree's checks per size; print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300_000])
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--before", type=Path, help="another tree's src (main's) to run first")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_one(args.data, args.out)
        return
    sys.path.insert(0, str(HERE.parent / "src"))
    from _machine import machine_line
    from bench_text_dask import write_texts

    print(machine_line("dask", "distributed"))
    print("| texts | tree | seconds | load (1 min) at start | client peak RSS MiB | flagged |")
    print("|---|---|---|---|---|---|")
    trees = ([("before", args.before)] if args.before else []) + [("this tree", HERE.parent / "src")]
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            data = Path(tmp) / f"texts-{n}.parquet"
            write_texts(n, args.partitions, data)
            columns = []
            for name, src in trees:
                load = os.getloadavg()[0]
                line = measure(Path(src).resolve(), data, Path(tmp) / f"{name}-{n}.npz")
                columns.append(np.load(Path(tmp) / f"{name}-{n}.npz"))
                print(
                    f"| {n:,} | {name} | {line['seconds']:.1f} | {load:.1f} | {line['rss_peak_mib']:.0f} "
                    f"| {line['flagged']} |",
                    flush=True,
                )
            for other in columns[1:]:
                if sorted(other.files) != sorted(columns[0].files) or any(
                    not np.array_equal(other[c], columns[0][c]) for c in columns[0].files
                ):
                    raise SystemExit("the issue columns differ between the trees")


if __name__ == "__main__":
    main()
