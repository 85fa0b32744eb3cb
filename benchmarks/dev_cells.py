"""Choose the parameters of the ``"cells"`` index (``labelwise.checks._cells``) on dev data.

The dev sets of ``dev_hnsw_params`` (``lowrank``: 30 clusters on 8-dimensional subspaces, the
embedding-like case; ``iso``: 200 isotropic 64-d clusters of unequal spread, the high-dimensional
case), not the benchmark's generator. For each (cell size, probes, share) the whole search runs
once (all cores); recall@10 on 1,000 rows against exact search, wall and process CPU seconds.

Usage: ``python benchmarks/dev_cells.py [n] [--grid size:probes:share,...] [--sets lowrank,iso]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dev_hnsw_params as dev

K = 10


def main() -> None:
    from labelwise.checks import _cells
    from labelwise.checks.graph import StandardizedRows

    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=100_000)
    parser.add_argument("--grid", default="1024:4:0.1")
    parser.add_argument("--sets", default="lowrank,iso")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"load average at start {os.getloadavg()}", flush=True)
    for name in args.sets.split(","):
        X = getattr(dev, name)(args.n)
        q = rng.choice(args.n, 1000, replace=False)
        true = dev.truth(dev.standardise(X), q)
        view = StandardizedRows.fit(X, metric="euclidean", standardize=True)
        for cell in args.grid.split(","):
            size, probes, share = cell.split(":")
            _cells.SHARE = float(share)
            wall, cpu = time.perf_counter(), time.process_time()
            idx, _ = _cells.cell_knn(view, K, cell_size=int(size), probes=int(probes), n_threads=os.cpu_count() or 1)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            recall = dev.recall_at_k(idx[q], true)
            print(
                f"{name} n={args.n} cell_size={size} probes={probes} share={share}: recall@10 {recall:.4f}, "
                f"wall {wall:.1f} s, cpu {cpu:.1f} s",
                flush=True,
            )


if __name__ == "__main__":
    main()
