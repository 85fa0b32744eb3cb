"""Where the default label model's fit spends its time on the K5_m20+6 and K3_m15+4 simulated sets (speeddiag57).

Issue 15's goal (the label model at least 10x faster than Snorkel's, about 0.8 s on these sets) fails on fresh
blocks of ``bench_weak.py`` on single sets of these two configurations. This script fits the default
``weak.LabelModel()`` in one process on ``--n-seeds`` seeds of each configuration (seed ``10 * j + i``, ``i`` the
configuration's index in ``bench_weak.SIM_CONFIGS``, as ``bench_weak.py``'s blocks name them: all seen), one warm-up
fit then three timed fits (median, ``time.process_time``), and on the last fit counts and times the steps the fit
reaches, by wrapping the module attributes the label model calls:

* the path: whether the mostly-one-class fit ran (``_one_class_fit.choose_structure``), the learned pairs'
  number (``_structure_learning.learned_pairs``) and the learner's ADMM steps (``sparse_low_rank_admm``);
* the number of ``_fit_rows`` fits (``_one_class_fit._fit_once``: without the pairs, with them, the anchored refit)
  and their CPU each;
* EM: runs (``_em.run_em``), EM steps (``n_evals``) in all, runs that stopped at ``n_em_iter`` unconverged;
* the moment fit (``fit_mu``), the clique search, the tail (``fitted_check``, ``refit_best``, ``guard_missing``);
* the kept fit's groups (cliques of two or more functions).

Printed: one row per set (``--rows``) and, per configuration, the sets above and below ``--slow`` seconds side by
side (median of each column), plus the correlation of fit time with each count.

    OMP_NUM_THREADS=1 PYTHONPATH=<worktree>/src python benchmarks/diag_weak_speed57.py --n-seeds 50 --rows
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

#: (label, config index in ``bench_weak.SIM_CONFIGS``)
CONFIGS = (("K5_m20+6_cov0.6", 8), ("K3_m15+4_cov0.6", 4))

#: (module, attribute, column): the wrapped steps, timed (CPU ms in the column) and counted (``n_`` + column).
STEPS = (
    ("labelwise.weak._one_class_fit", "choose_structure", "choose"),
    ("labelwise.weak._one_class_fit", "_fit_once", "fit_rows"),
    ("labelwise.weak._structure_learning", "learned_pairs", "learner"),
    ("labelwise.weak._structure_learning", "sparse_low_rank", "fista"),
    ("labelwise.weak.label_model", "fit_mu", "moments"),
    ("labelwise.weak.label_model", "clique_search", "cliques"),
    ("labelwise.weak.label_model", "fit_abstain_models", "em_fits"),
    ("labelwise.weak._em", "run_em", "em"),
    ("labelwise.weak._fit_tail", "fitted_check", "check"),
    ("labelwise.weak._fit_tail", "refit_best", "refit"),
    ("labelwise.weak._fit_tail", "guard_missing", "guard"),
)


def _wrap(module: Any, attr: str, col: str, acc: dict) -> None:
    f = getattr(module, attr)

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            out = f(*args, **kwargs)
        finally:
            acc[col] = acc.get(col, 0.0) + 1000 * (time.process_time() - start)
            acc["n_" + col] = acc.get("n_" + col, 0) + 1
        if col == "em":  # an EMRun: its EM steps, and whether it stopped at the budget
            acc["em_steps"] = acc.get("em_steps", 0) + int(out.n_evals)
            acc["em_unconv"] = acc.get("em_unconv", 0) + int(not out.converged)
            acc["em_max"] = max(acc.get("em_max", 0), int(out.n_evals))
        elif col == "learner":
            acc["learned"] = -1 if out is None else len(out)
        elif col == "fit_rows":
            acc.setdefault("fit_rows_ms", []).append(round(1000 * (time.process_time() - start), 1))
        return out

    setattr(module, attr, timed)


def _admm(module: Any, acc: dict) -> None:
    f = module.sparse_low_rank_admm

    def counted(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        out = f(*args, **kwargs)
        acc["admm"] = acc.get("admm", 0.0) + 1000 * (time.process_time() - start)
        acc["admm_steps"] = int(out.n_iter)
        return out

    module.sparse_low_rank_admm = counted


def one_set(seed: int, config: tuple, acc: dict) -> dict:
    """Four fits of the set (the first a warm-up): the median CPU of the last three and the last one's steps."""
    import numpy as np

    from labelwise.weak import LabelModel, simulate_lfs

    n, m, k, corr, cov, imb = config
    votes = simulate_lfs(n, m, k, n_correlated=corr, coverage=cov, imbalance=imb, random_state=seed).votes
    times = []
    model = LabelModel()
    for _ in range(4):
        acc.clear()
        start = time.process_time()
        model = LabelModel().fit(votes)
        times.append(time.process_time() - start)
    row = dict(acc)
    row["fit_ms"] = 1000 * float(np.median(times[1:]))
    row["cliques_kept"] = sum(len(g) > 1 for g in model._groups)
    row["largest"] = max(len(g) for g in model._groups)
    row["learned_kept"] = bool(getattr(model, "_structure_learned", False))
    row["n_em_iter_"] = int(model.n_em_iter_)
    return row


COLS = (
    "fit_ms choose n_fit_rows fit_rows_ms learned learned_kept admm admm_steps n_fista moments n_moments cliques "
    "n_em em_steps em_unconv em_max em check refit n_refit guard cliques_kept largest"
).split()


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.1f}"
    if isinstance(v, list):
        return "/".join(f"{x:.0f}" for x in v)
    return str(v)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n-seeds", type=int, default=50, help="seeds per configuration (10 * j + index)")
    parser.add_argument("--first", type=int, default=0, help="first j")
    parser.add_argument("--slow", type=float, default=0.07, help="seconds: a set is slow above it")
    parser.add_argument("--rows", action="store_true", help="print one row per set")
    parser.add_argument("--configs", default="", help="comma-separated labels of CONFIGS (default: both)")
    args = parser.parse_args()
    import importlib

    import numpy as np

    sys.path.insert(0, str(HERE))
    import bench_weak

    acc: dict = {}
    for mod, attr, col in STEPS:
        _wrap(importlib.import_module(mod), attr, col, acc)
    _admm(importlib.import_module("labelwise.weak._structure_learning"), acc)
    print(f"load {open('/proc/loadavg').read().split()[:3]}", flush=True)
    chosen = [c for c in CONFIGS if not args.configs or c[0] in args.configs.split(",")]
    for label, index in chosen:
        rows = []
        for j in range(args.first, args.first + args.n_seeds):
            seed = 10 * j + index
            row = {"set": f"sim{seed}", **one_set(seed, bench_weak.SIM_CONFIGS[index], acc)}
            rows.append(row)
            if args.rows:
                print(f"{label} " + " ".join(f"{c}={_cell(row.get(c, 0))}" for c in ["set", *COLS]), flush=True)
        fit = np.array([r["fit_ms"] for r in rows])
        print(
            f"\n{label}: {len(rows)} sets, fit ms median {np.median(fit):.1f} mean {fit.mean():.1f} "
            f"p90 {np.percentile(fit, 90):.1f} max {fit.max():.1f}; over {1000 * args.slow:.0f} ms: "
            f"{int((fit > 1000 * args.slow).sum())}"
        )
        slow = fit > 1000 * args.slow
        print(f"  {'column':14s} {'slow med':>9s} {'fast med':>9s} {'corr w/ fit':>11s}")
        for c in COLS[1:]:
            if c == "fit_rows_ms":
                continue
            vals = np.array([float(r.get(c, 0)) for r in rows])
            med = [np.median(vals[s]) if s.any() else float("nan") for s in (slow, ~slow)]
            corr = np.corrcoef(vals, fit)[0, 1] if vals.std() > 0 else float("nan")
            print(f"  {c:14s} {med[0]:9.1f} {med[1]:9.1f} {corr:11.2f}")
    print(f"load {open('/proc/loadavg').read().split()[:3]}", flush=True)


if __name__ == "__main__":
    main()
