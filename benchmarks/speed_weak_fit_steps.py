"""CPU of each step of the default ``weak.LabelModel().fit``, cold and warm, in fresh processes (speed55, session 55).

``speed_weak_fit.py`` times the whole fit; this splits it. In each fresh process the set's votes are built as
``speed_weak_fit.py`` builds them, then four fits are made: the first (cold: what the benchmark's first set pays,
first calls and the BLAS thread-pool search included) and three more (warm: their median). Each step is timed by
``time.process_time`` around the function the label model calls (the label model's module attributes are wrapped,
so the steps are the ones its ``_fit_rows`` reaches); indented steps are inside the step above them, and the first
``fit_abstain_models`` call is the first EM fits alone (the refit's EM runs are inside ``refit_best``). Printed: each
step's median over the processes, cold / warm, in ms. ``--srcs A,B`` alternates the processes between ``src``
folders (main's and a branch's, say). The imports made before the first fit (``labelwise.weak.label_model``,
pandas, scipy) are not in any step, as they are not in ``speed_weak_fit.py``'s cold CPU.

    OMP_NUM_THREADS=1 PYTHONPATH=<worktree>/src python benchmarks/speed_weak_fit_steps.py \\
        --sets sim6201_K2_m10+3_cov0.6,sim6109_K2_m12+4_cov0.3 --repeats 5 --srcs /tmp/main/src,<worktree>/src
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

#: The modules that call the fit's tail steps, the first that has the name wrapped (``_fit_tail`` since split55).
TAIL = "labelwise.weak._fit_tail labelwise.weak.label_model"

#: (modules, attribute, label, first call only): the steps timed, in the order printed.
STEPS = (
    ("labelwise.weak.label_model", "LabelModel.fit", "whole fit", False),
    ("labelwise.weak.label_model", "LabelModel._moment_fit", "moment fit", False),
    ("labelwise.weak.label_model", "clique_search", "clique search", False),
    ("labelwise.weak.label_model", "fit_abstain_models", "first EM fits (the abstain models, the first MAP fit)", True),
    (TAIL, "fitted_check", "fitted_check (the dependent-pair check)", False),
    ("labelwise.aggregate._base", "_blas_controller", "  BLAS thread-pool controller (first fit only)", False),
    ("labelwise.weak._crowd_pairs", "Votes.to_annotations", "  the long answer table", False),
    ("labelwise.aggregate.dawid_skene", "DawidSkene._encode", "  aggregate's encoding", False),
    ("labelwise.aggregate._dependent", "find_dependent_pairs", "  aggregate's pair check", False),
    ("labelwise.aggregate.dawid_skene", "DawidSkene._run_em", "  aggregate's EM", False),
    ("labelwise.weak._crowd_pairs", "triad_keep", "  the weak triad gate", False),
    (TAIL, "refit_best", "refit_best (the refit of the new groups)", False),
    ("labelwise.weak._fit_check", "_taken_on", "  the refit taken on to tol", False),
    (TAIL, "guard_missing", "guard_missing", False),
)


def _wrap(owner: Any, attr: str, label: str, first_only: bool, acc: dict, calls: dict) -> None:
    f = getattr(owner, attr)

    def timed(*args: Any, **kwargs: Any) -> Any:
        calls[label] = calls.get(label, 0) + 1
        if first_only and calls[label] > 1:
            return f(*args, **kwargs)
        start = time.process_time()
        try:
            return f(*args, **kwargs)
        finally:
            acc[label] = acc.get(label, 0.0) + time.process_time() - start

    setattr(owner, attr, timed)


def _module(name: str) -> Any:
    """The module ``name``, or None where this ``src`` has none of that name."""
    import importlib

    try:
        return importlib.import_module(name)
    except ModuleNotFoundError:
        return None


def one_process(name: str) -> None:
    """In this process: the set's votes, the steps wrapped, four fits; prints each fit's step times as JSON."""
    sys.path.insert(0, str(HERE))
    import bench_weak

    from labelwise.weak import LabelModel, simulate_lfs

    acc: dict = {}
    calls: dict = {}
    for modules, attr, label, first_only in STEPS:
        *parents, leaf = attr.split(".")
        owner: Any = next(m for m in map(_module, modules.split()) if m is not None and hasattr(m, attr.split(".")[0]))
        for parent in parents:
            owner = getattr(owner, parent)
        _wrap(owner, leaf, label, first_only, acc, calls)
    seed = int(name.split("_")[0][3:])  # simN_...: seed N, configuration N mod 10, as speed_weak_fit.py
    n, m, k, corr, cov, imb = bench_weak.SIM_CONFIGS[seed % len(bench_weak.SIM_CONFIGS)]
    votes = simulate_lfs(n, m, k, n_correlated=corr, coverage=cov, imbalance=imb, random_state=seed).votes
    fits = []
    for _ in range(4):
        acc.clear()
        calls.clear()
        LabelModel().fit(votes)
        fits.append(dict(acc))
    print(json.dumps(fits))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sets", default="", help="comma-separated simulated set names (simN_...)")
    parser.add_argument("--repeats", type=int, default=5, help="fresh processes per set and src")
    parser.add_argument("--srcs", default=None, help="comma-separated src folders: processes alternate between them")
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.one:
        one_process(args.one)
        return
    if not args.sets:
        parser.error("give --sets")
    import numpy as np

    srcs = [None] if not args.srcs else [s.strip() for s in args.srcs.split(",")]
    print(f"load {open('/proc/loadavg').read().split()[:3]}", flush=True)
    for name in [s.strip() for s in args.sets.split(",")]:
        runs: dict = {src: [] for src in srcs}
        for _ in range(args.repeats):
            for src in srcs:  # alternating, so that a change of load falls on every src alike
                env = None if src is None else {**os.environ, "PYTHONPATH": src}
                cmd = [sys.executable, __file__, "--one", name]
                out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stdout
                runs[src].append(json.loads(out.strip().splitlines()[-1]))
        print(f"{name}: cold / warm ms, median of {args.repeats} processes" + "".join(f"  [{s}]" for s in srcs))
        for _, _, label, _ in STEPS:
            cells = []
            for src in srcs:
                cold = np.median([fits[0].get(label, 0.0) for fits in runs[src]])
                warm = np.median([np.median([f.get(label, 0.0) for f in fits[1:]]) for fits in runs[src]])
                cells.append(f"{1000 * cold:7.1f} / {1000 * warm:6.1f}")
            print(f"  {label:58s}" + "   ".join(cells), flush=True)
    print(f"load {open('/proc/loadavg').read().split()[:3]}", flush=True)


if __name__ == "__main__":
    main()
