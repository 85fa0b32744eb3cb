"""CPU of the default ``weak.LabelModel().fit``, cold and warm, on ``bench_weak.py``'s sets (speedfit51, session 51).

Each set is timed in fresh processes (``--repeats`` of them): the votes are built as ``bench_weak.py`` builds them,
then the first ``LabelModel().fit`` in the process is timed (cold: what the benchmark's first set pays, imports made
at the first fit included) and three more (warm: their median). CPU seconds by ``time.process_time``; a table of each
set's median over the processes. ``--sets`` takes names as ``bench_weak.py --sets`` does (default: all 19);
``--one-class-rules`` / ``--no-one-class-rules`` fit ``LabelModel(one_class_rules=True / False)`` (speed2, session
51); without either, ``LabelModel()``'s own default (on since session 52; fast53). A simulated set
``simN_...`` is seed N of configuration N mod 10 (any first seed of ``bench_weak.py --first-seed`` ending in 0);
``--srcs A,B`` alternates each set's processes between the ``src`` folders A and B (pairfast52, session 52).

    LABELWISE_CROWD_DATA=/work/shared/data/crowd OMP_NUM_THREADS=1 PYTHONPATH=<worktree>/src \\
        python benchmarks/speed_weak_fit.py --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def one_process(name: str, one_class_rules: bool | None = None) -> None:
    """In this process: the set's votes, then one cold and three warm fits; prints their CPU as JSON."""
    sys.path.insert(0, str(HERE))
    import bench_weak

    from labelwise.weak import LabelModel, as_votes

    if name.startswith("sim"):
        # ``simN_...``: seed N, configuration N mod 10 (``bench_weak.simulated_sets`` of a first seed ending in 0)
        seed = int(name.split("_")[0][3:])
        n, m, k, corr, cov, imb = bench_weak.SIM_CONFIGS[seed % len(bench_weak.SIM_CONFIGS)]
        from labelwise.weak import simulate_lfs

        votes = simulate_lfs(n, m, k, n_correlated=corr, coverage=cov, imbalance=imb, random_state=seed).votes
    else:
        import pandas as pd

        answers = pd.read_csv(bench_weak.DATA / name / "annotations.csv")
        votes = as_votes(answers.astype({"annotator": str}))
    params = {} if one_class_rules is None else {"one_class_rules": one_class_rules}  # None: the model's default
    times = []
    for _ in range(4):
        start = time.process_time()
        LabelModel(**params).fit(votes)
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
    parser.add_argument(
        "--one-class-rules",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="fit LabelModel(one_class_rules=True / False) (default: LabelModel()'s own)",
    )
    parser.add_argument(
        "--srcs", default=None, help="comma-separated src folders: each set's processes alternate between them"
    )
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.one:
        one_process(args.one, args.one_class_rules)
        return
    import numpy as np

    names = set_names() if not args.sets else [s.strip() for s in args.sets.split(",")]
    srcs = [None] if not args.srcs else [s.strip() for s in args.srcs.split(",")]
    print(f"{'set':36s} {'cold (s)':>9s} {'warm (s)':>9s}  cold, each process")
    for name in names:
        runs: dict = {src: [] for src in srcs}
        for _ in range(args.repeats):
            for src in srcs:  # alternating, so that a change of load falls on every src alike
                env = None if src is None else {**os.environ, "PYTHONPATH": src}
                switch = (
                    []
                    if args.one_class_rules is None
                    else [f"--{'' if args.one_class_rules else 'no-'}one-class-rules"]
                )
                out = subprocess.run(
                    [sys.executable, __file__, "--one", name, *switch],
                    capture_output=True,
                    text=True,
                    check=True,
                    env=env,
                ).stdout
                runs[src].append(json.loads(out.strip().splitlines()[-1]))
        for src in srcs:
            cold = [r["cold"] for r in runs[src]]
            warm = [r["warm"] for r in runs[src]]
            each = ", ".join(f"{c:.4f}" for c in cold)
            label = name if src is None else f"{name} [{src}]"
            print(f"{label:36s} {np.median(cold):9.4f} {np.median(warm):9.4f}  {each}", flush=True)


if __name__ == "__main__":
    main()
