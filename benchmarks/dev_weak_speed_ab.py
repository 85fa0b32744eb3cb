"""Wall and CPU seconds of ``weak.LabelModel().fit`` on twins of the benchmark's slowest LF set (issue 15).

For A/B timing of two source trees in fresh processes, alternating (session 10)::

    for r in 1 2 3; do for src in <main>/src src; do
        PYTHONPATH=$src python benchmarks/dev_weak_speed_ab.py --seeds 608 208 508
    done; done

Each set is ``bench_weak.py``'s configuration ``--config`` (default 8, that of sim1008: 10,000 items,
26 functions, K = 5) drawn with a dev seed (608 is this session's own; 208-508 are
``dev_weak_speed.py``'s twins; never 1000-1009 to choose anything). One warm-up fit, then
``--repeat`` fits of the same votes: minimum and median of CPU and wall seconds, as the
benchmark times one fit (wall clock, BLAS on one thread). Timings are only as good as the
machine's load; read ``uptime`` with them.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import sys
import time
from pathlib import Path

import numpy as np

import labelwise
from labelwise.weak import LabelModel, as_votes, simulate_lfs

sys.path.insert(0, str(Path(__file__).parent))


def main() -> None:
    from bench_weak import SIM_CONFIGS

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", type=int, default=8)
    ap.add_argument("--seeds", type=int, nargs="+", default=[608])
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    tree = labelwise.__file__.split("/src/")[0]
    n, m, k, corr, cov, imb = SIM_CONFIGS[args.config]
    for seed in args.seeds:
        sim = simulate_lfs(n, m, k, n_correlated=corr, coverage=cov, imbalance=imb, random_state=seed)
        votes = as_votes(sim.votes)
        LabelModel().fit(votes)
        cpu, wall = [], []
        for _ in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            LabelModel().fit(votes)
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        print(
            f"{tree} config {args.config} seed {seed}: CPU min/median {min(cpu):.4f}/{np.median(cpu):.4f} s, "
            f"wall min/median {min(wall):.4f}/{np.median(wall):.4f} s",
            flush=True,
        )


if __name__ == "__main__":
    main()
