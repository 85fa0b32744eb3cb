"""Searching the next block ahead in a worker thread vs one block at a time, side by side.

``labelwise.checks._ann.search_index`` searches block ``b + 1`` in a worker thread while block
``b`` is re-scored exactly (single-threaded numpy). This script builds one hnswlib index on a dev
set (``dev_hnsw_params.lowrank``, not the benchmark's generator) and runs the whole search both
ways, alternating, printing wall and process CPU seconds and checking that the graphs are equal.

Usage: ``python benchmarks/dev_search_ahead.py [n] [repeats]`` (default 100,000 rows, 2 repeats).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dev_hnsw_params


def main() -> None:
    from labelwise.checks import _ann
    from labelwise.checks.graph import StandardizedRows

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    view = StandardizedRows.fit(dev_hnsw_params.lowrank(n), metric="euclidean", standardize=True)
    index = _ann.build_index(view)
    ways = {"one block at a time": lambda fn, items: map(fn, items), "next block ahead": _ann.ahead}
    graphs, times = {}, {name: [] for name in ways}
    for _ in range(repeats):
        for name, ahead in ways.items():
            _ann.ahead = ahead
            t, c = time.perf_counter(), time.process_time()
            graphs[name] = _ann.search_index(index, view, 10)
            times[name].append((time.perf_counter() - t, time.process_time() - c))
    first, second = graphs.values()
    same = all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))
    for name, runs in times.items():
        walls = ", ".join(f"{w:.2f}" for w, _ in runs)
        cpus = ", ".join(f"{c:.2f}" for _, c in runs)
        print(f"{name:20s} wall s: {walls}   cpu s: {cpus}")
    print(f"n={n}: same graph: {same}; load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
