"""``exact_knn`` in many dimensions with a proven float32 error bound: float64 brute force's
graph, and its time against the previous version's.

Session 28 (tol28) made ``checks._exact_select.float32_product_tol`` take the dimension ``d`` and
return Higham's rounding-error bound of the float32 slab above ``d = 165``: about ``4.7x`` session
27's ``tol`` at 784 dimensions and ``12x`` at 2,048 for rows of equal norms, which sent every row
of an uncentred table (a large common offset) to the band of ``exact_best`` (2.6 s -> 139 s).
Session 29 (tol29) takes the products of rows shifted by their column mean when the offset is
large (``_exact_select.search_shift``), with the shift's rounding in the bound. This script builds
float32 tables of ``d = 784`` and ``2048`` (seeded gaussian; low-rank plus noise; near-duplicate
rows; gaussian with one huge-norm outlier row; and a large common offset), checks ``exact_knn``
against float64 brute force (``--mode check``), and times both versions (each in its own
process, ``PYTHONPATH`` = that version's ``src``, alternating), counting the rows that went past
the first step and saying whether the rows were shifted.

Usage: ``OMP_NUM_THREADS=1 python benchmarks/dev_tol_highd.py --base <src of main> --branch src
[--n 5000] [--check-n 1500] [--rounds 2] [--kinds gaussian,offset] [--search cell_knn]``: one JSON line per check and
per timing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

KINDS = ("gaussian", "low_rank", "near_dup", "outlier", "offset")


def table(kind: str, n: int, d: int) -> np.ndarray:
    """Float32 rows of one kind (z-scoring left out: the offset and the outlier are the point)."""
    rng = np.random.default_rng(d)
    if kind == "gaussian":
        X = rng.normal(size=(n, d))
    elif kind == "low_rank":
        X = rng.normal(size=(n, 8)) @ rng.normal(size=(8, d)) + 0.01 * rng.normal(size=(n, d))
    elif kind == "near_dup":
        X = rng.normal(size=(n // 20, d))[rng.integers(0, n // 20, n)] + 1e-4 * rng.normal(size=(n, d))
    elif kind == "outlier":
        X = rng.normal(size=(n, d))
        X[7] *= 1e4
    else:
        X = 30.0 + rng.normal(size=(n, d))
    return X.astype(np.float32)


def brute_force(Z: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest other rows by (float64 distance from the float32 rows' differences, row):
    candidates from a float64 product with a wide margin, then the differences."""
    Z64 = Z.astype(np.float64)
    sq = np.einsum("ij,ij->i", Z64, Z64)
    idx = np.empty((len(Z), k), dtype=np.int64)
    best = np.empty((len(Z), k))
    for s in range(0, len(Z), 256):
        approx = sq[s : s + 256, None] + sq[None, :] - 2.0 * (Z64[s : s + 256] @ Z64.T)
        approx[np.arange(approx.shape[0]), np.arange(s, s + approx.shape[0])] = np.inf
        kth = np.partition(approx, k - 1, axis=1)[:, k - 1]
        margin = 1e-9 * (sq[s : s + 256] + sq.max())
        for i, r in enumerate(range(s, s + approx.shape[0])):
            cols = np.flatnonzero(approx[i] <= kth[i] + margin[i])
            diff = Z64[cols] - Z64[r]
            dist = np.einsum("ij,ij->i", diff, diff)
            order = np.lexsort((cols, dist))[:k]
            idx[r], best[r] = cols[order], dist[order]
    return idx, best


def child(mode: str, n: int, repeat: int, kinds: list[str], search_name: str = "exact_knn") -> list[dict]:
    from labelwise.checks import _cells, _exact_select, _scaling, _spill, graph

    searches = {
        "exact_knn": lambda Z: graph.exact_knn(Z, 10),
        "cell_knn": lambda Z: _cells.cell_knn(Z, 10, n_threads=1),
        "spill_knn": lambda Z: _spill.spill_knn(Z, 10, n_threads=1),
        "neighbour_lists": lambda Z: _scaling.neighbour_lists(Z, 10),
    }
    search = searches[search_name]

    passed = {"rows": 0}
    inner = _exact_select._near_ties_best

    def counting(slab, *args, **kwargs):
        passed["rows"] += slab.shape[0]
        return inner(slab, *args, **kwargs)

    _exact_select._near_ties_best = counting
    rows = []
    for d in (784, 2048):
        for kind in kinds:
            Z = table(kind, n, d)
            if mode == "check":
                shift = getattr(_exact_select, "search_shift", lambda Z: None)(Z)
                idx, best = graph.exact_knn(Z, 10)
                want_idx, want_best = brute_force(Z, 10)
                same = bool(np.array_equal(idx, want_idx) and np.array_equal(best, want_best))
                rows.append({"d": d, "table": kind, "n": n, "brute_force_equal": same, "shifted": shift is not None})
                continue
            times, cpu = [], []
            for _ in range(repeat):
                passed["rows"] = 0
                start, start_cpu = time.perf_counter(), time.process_time()
                search(Z)
                times.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)  # one thread: less sensitive to a shared machine's load
            shift = getattr(_exact_select, "search_shift", lambda Z: None)(Z)  # absent before session 29
            rows.append(
                {
                    "d": d,
                    "table": kind,
                    "search": search_name,
                    "n": n,
                    "best_s": round(min(times), 3),
                    "best_cpu_s": round(min(cpu), 3),
                    "past_step_1": passed["rows"] // repeat,
                    "shifted": shift is not None,
                }
            )
    return rows


def run(src: str, *extra: str) -> list[dict]:
    env = dict(os.environ, PYTHONPATH=str(Path(src).resolve()))
    done = subprocess.run(
        [sys.executable, __file__, "--child", *extra], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=["check", "time"], default="time")
    parser.add_argument("--base", default="/tmp/tol28_base/src")
    parser.add_argument("--branch", default="src")
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--check-n", type=int, default=1500)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--skip", choices=["check", "time"])
    parser.add_argument("--kinds", default=",".join(KINDS), help="tables timed (all are checked)")
    parser.add_argument("--search", default="exact_knn", help="timed: exact_knn, cell_knn, spill_knn, neighbour_lists")
    args = parser.parse_args()
    if args.child:
        n = args.check_n if args.mode == "check" else args.n
        kinds = list(KINDS) if args.mode == "check" else args.kinds.split(",")
        print(json.dumps(child(args.mode, n, args.repeat, kinds, args.search)))
        return
    if args.skip != "check":
        for row in run(args.branch, "--mode", "check", "--check-n", str(args.check_n)):
            print(json.dumps({"version": "branch", **row}), flush=True)
    if args.skip != "time":
        for r in range(args.rounds):
            for version, src in (("base", args.base), ("branch", args.branch))[:: 1 if r % 2 == 0 else -1]:
                load = os.getloadavg()[0]
                for row in run(
                    src,
                    "--mode",
                    "time",
                    "--n",
                    str(args.n),
                    "--repeat",
                    str(args.repeat),
                    "--kinds",
                    args.kinds,
                    "--search",
                    args.search,
                ):
                    print(json.dumps({"version": version, "round": r, "load1": round(load, 1), **row}), flush=True)


if __name__ == "__main__":
    main()
