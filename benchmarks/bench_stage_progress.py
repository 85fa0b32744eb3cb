"""What the stage bars cost: the audit and Dawid-Skene with bars drawn (into a terminal console writing
to /dev/null) and without, on numpy, Dask threads and a LocalCluster (benchmarks/RESULTS.md, issue 12,
session 19).

Run: ``python benchmarks/bench_stage_progress.py [--n 1000000] [--k 100] [--repeats 5]``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import time

import numpy as np
from _machine import machine_line


def _timed(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def _bars(on: bool):
    from rich.console import Console

    from labelwise._stage_progress import stages

    if not on:
        return stages(False)
    return stages(True, console=Console(file=open(os.devnull, "w"), force_terminal=True))  # noqa: SIM115


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--k", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--answers-items", type=int, default=200_000)
    args = parser.parse_args()
    print(machine_line("scikit-learn", "rich"), flush=True)

    import dask
    import dask.array as da
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    import labelwise as lw
    from labelwise.aggregate import distributed

    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(args.k), args.n).astype(np.float32)
    labels = rng.integers(0, args.k, args.n)
    dprobs = da.from_array(probs, chunks=(max(1, args.n // 16), -1))
    dlabels = da.from_array(labels, chunks=(dprobs.chunks[0],))
    true = rng.integers(0, 4, args.answers_items)
    answers = lw.aggregate.simulate_annotators(true, n_annotators=50, answers_per_item=3, random_state=0).answers
    frame = dd.from_pandas(answers, npartitions=8)

    def run(label: str, fn) -> None:
        for on in (False, True):
            with _bars(on):
                times = _timed(fn, args.repeats)
            print(f"{label:38s} bars={'on ' if on else 'off'} median {statistics.median(times):.3f} s  {times}")

    run(f"numpy audit {args.n}x{args.k}", lambda: lw.find_label_issues(labels, probs))
    with dask.config.set(scheduler="threads"):
        run(f"dask threads audit {args.n}x{args.k}", lambda: lw.find_label_issues(dlabels, dprobs).compute())
        run(f"dask threads DS {len(answers)} answers", lambda: distributed.fit(lw.aggregate.DawidSkene(), frame))
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        Client(cluster),
        contextlib.suppress(KeyError),
    ):
        run(f"LocalCluster audit {args.n}x{args.k}", lambda: lw.find_label_issues(dlabels, dprobs).compute())
        run(f"LocalCluster DS {len(answers)} answers", lambda: distributed.fit(lw.aggregate.DawidSkene(), frame))


if __name__ == "__main__":
    main()
