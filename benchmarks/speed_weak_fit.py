"""CPU of the default ``weak.LabelModel().fit``, cold and warm, on ``bench_weak.py``'s sets (speedfit51, session 51).

Each set is timed in fresh processes (``--repeats`` of them): the votes are built as ``bench_weak.py`` builds them,
then the first ``LabelModel().fit`` in the process is timed (cold: what the benchmark's first set pays, imports made
at the first fit included) and three more (warm: their median). CPU seconds by ``time.process_time``; a table of each
set's median over the processes. ``--sets`` takes names as ``bench_weak.py --sets`` does (default: all 19);
``--one-class-rules`` fits ``LabelModel(one_class_rules=True)`` (speed2, session 51).

    LABELWISE_CROWD_DATA=/work/shared/data/crowd OMP_NUM_THREADS=1 PYTHONPATH=<worktree>/src \\
        python benchmarks/speed_weak_fit.py --repeats 3
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def one_process(name: str, one_class_rules: bool = False) -> None:
    """In this process: the set's votes, then one cold and three warm fits; prints their CPU as JSON."""
    sys.path.insert(0, str(HERE))
    import bench_weak

    from labelwise.weak import LabelModel, as_votes

    if name.startswith("sim"):
        i = [f"sim{1000 + i}_" for i in range(len(bench_weak.SIM_CONFIGS))].index(name.split("_")[0] + "_")
        n, m, k, corr, cov, imb = bench_weak.SIM_CONFIGS[i]
        from labelwise.weak import simulate_lfs

        votes = simulate_lfs(n, m, k, n_correlated=corr, coverage=cov, imbalance=imb, random_state=1000 + i).votes
    else:
        import pandas as pd

        answers = pd.read_csv(bench_weak.DATA / name / "annotations.csv")
        votes = as_votes(answers.astype({"annotator": str}))
    times = []
    for _ in range(4):
        start = time.process_time()
        LabelModel(one_class_rules=one_class_rules).fit(votes)
        times.append(time.process_time() - start)
    print(json.dumps({"cold": times[0], "warm": sorted(times[1:])[1]}))


def set_names() -> list[str]:
    sys.path.insert(0, str(HERE))
    import bench_weak

    crowd = sorted(p.name for p in bench_weak.DATA.iterdir() if (p / "annotations.csv").exists())
    sims = [
        f"sim{1000 + i}_K{k}_m{m}+{corr}_cov{cov[1]}"
        for i, (_, m, k, corr, cov, _) in enumerate(bench_weak.SIM_CONFIGS)
    ]
    return crowd + sims


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per set")
    parser.add_argument("--sets", default=None, help="comma-separated set names (default: all 19)")
    parser.add_argument("--one-class-rules", action="store_true", help="fit LabelModel(one_class_rules=True)")
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.one:
        one_process(args.one, args.one_class_rules)
        return
    import numpy as np

    names = set_names() if not args.sets else [s.strip() for s in args.sets.split(",")]
    print(f"{'set':36s} {'cold (s)':>9s} {'warm (s)':>9s}  cold, each process")
    for name in names:
        runs = []
        for _ in range(args.repeats):
            out = subprocess.run(
                [sys.executable, __file__, "--one", name, *(["--one-class-rules"] if args.one_class_rules else [])],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            runs.append(json.loads(out.strip().splitlines()[-1]))
        cold = [r["cold"] for r in runs]
        warm = [r["warm"] for r in runs]
        each = ", ".join(f"{c:.4f}" for c in cold)
        print(f"{name:36s} {np.median(cold):9.4f} {np.median(warm):9.4f}  {each}", flush=True)


if __name__ == "__main__":
    main()
