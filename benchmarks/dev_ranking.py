"""Dev measurements for ``audit._ranking.MIN_THREAD_ROWS``: from how many flagged rows two threads rank faster.

Synthetic data only (seeded uniform float32 qualities, a random share of rows flagged; no benchmark
data): for each number of flagged rows, the wall and process CPU of ``ranked_flagged`` on one thread
(one sort of packed values) and on ``--jobs`` threads (the sample sort, forced with
``MIN_THREAD_ROWS = 0``), alternating, the median of ``--repeat`` calls each. The answers are checked
equal. The threshold is the smallest size from which the threads' median wall time is below one
thread's at every larger size measured.

Usage: ``PYTHONPATH=src python benchmarks/dev_ranking.py [--repeat 15] [--jobs 2] [--seed 5]``
"""

from __future__ import annotations

import argparse
import json
import os
import time
from unittest import mock

import numpy as np

from labelwise.audit import _ranking

SIZES = [1 << e for e in range(15, 23)]


def measure(flagged: int, jobs: int, repeat: int, rng: np.random.Generator) -> dict:
    """Median wall and CPU (ms) of one and ``jobs`` threads on ``flagged`` of ``3 * flagged`` rows."""
    n = 3 * flagged
    quality = rng.random(n).astype(np.float32)
    is_issue = np.zeros(n, dtype=bool)
    is_issue[rng.choice(n, flagged, replace=False)] = True
    times: dict[int, list[tuple[float, float]]] = {1: [], jobs: []}
    answers = {}
    for _ in range(repeat):
        for j in (1, jobs):
            with mock.patch.object(_ranking, "MIN_THREAD_ROWS", 0 if j > 1 else _ranking.MIN_THREAD_ROWS):
                wall, cpu = time.perf_counter(), time.process_time()
                answers[j] = _ranking.ranked_flagged(is_issue, quality, j)
                times[j].append((time.perf_counter() - wall, time.process_time() - cpu))
    assert np.array_equal(answers[1], answers[jobs])
    out: dict = {"flagged": flagged}
    for j, label in ((1, "one"), (jobs, "threads")):
        out[label] = {
            "wall": round(1e3 * float(np.median([t[0] for t in times[j]])), 2),
            "cpu": round(1e3 * float(np.median([t[1] for t in times[j]])), 2),
        }
    return out


def threshold(rows: list[dict]) -> int | None:
    """The smallest size from which the threads are faster (median wall) at every larger size."""
    best = None
    for row in reversed(rows):
        if row["threads"]["wall"] >= row["one"]["wall"]:
            break
        best = row["flagged"]
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    load = os.getloadavg()[0]
    rows = [measure(s, args.jobs, args.repeat, rng) for s in SIZES]
    print(json.dumps({"load_start": load, "load_end": os.getloadavg()[0], "threshold": threshold(rows), "rows": rows}))


if __name__ == "__main__":
    main()
