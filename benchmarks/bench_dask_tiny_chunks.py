"""Dask entry points on tiny row chunks: unmerged (main's computation) against merged
(``labelwise._chunk_floor``), the same input, the ratio of the times.

Each case builds one small table, wraps it in dask chunks of ``c`` rows and runs the entry point
twice on the same collection: with ``ROW_CHUNK_FLOOR_BYTES = 0`` (no chunk merged: what main
computes) and with the library's floor. The answers are compared: the audit's fields bit for bit;
the data checks' flags and labels bit for bit and their scores as the largest difference; the
aggregation's labels bit for bit and its posteriors as the largest difference. Cases:

- ``audit``: ``find_label_issues`` on dask labels and probs (``--audit-rows`` x 4, float32);
- ``checks``: ``find_data_issues(method="exact")`` on a dask array (``--checks-rows`` x 4 blobs);
- ``checks-frame``: the same on a dask DataFrame from ``dd.from_pandas(chunksize=c)``;
- ``aggregate``: ``DawidSkene`` on a dask frame of answers (``--items`` items, 3 answers each).

``--sweep``: instead, the time of the audit and the checks against the chunk size with the floor
off (the measurement the floor was chosen by): ``--sweep-audit-rows`` x 10 and
``--sweep-checks-rows`` x 8 tables.

Usage: ``python benchmarks/bench_dask_tiny_chunks.py [--cases audit checks checks-frame aggregate]
[--audit-rows 1000] [--checks-rows 200] [--items 200] [--sweep]``
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings
from collections.abc import Callable
from typing import Any

import dask
import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd
from _machine import cpu_model

import labelwise as lw
from labelwise import _chunk_floor
from labelwise.aggregate import distributed

#: Row chunk sizes per case (1-row chunks of the checks are left out: one task per pair of chunks,
#: 40,000 pair tasks for 200 rows, minutes unmerged).
CHUNKS = {"audit": (1, 7, 64), "checks": (7, 64), "checks-frame": (7, 64), "aggregate": (1, 7, 64)}
FLOOR = _chunk_floor.ROW_CHUNK_FLOOR_BYTES


def timed(fn: Callable[[], Any], floor: int) -> tuple[float, Any]:
    """Seconds of ``fn()`` (computed to numpy / pandas) with the floor at ``floor`` bytes, and its result."""
    _chunk_floor.ROW_CHUNK_FLOOR_BYTES = floor
    try:
        start = time.perf_counter()
        out = fn()
        return time.perf_counter() - start, out
    finally:
        _chunk_floor.ROW_CHUNK_FLOOR_BYTES = FLOOR


def audit_case(n: int) -> tuple[Callable[[int], Callable[[], Any]], Callable[[Any, Any], str]]:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, n)
    probs = rng.dirichlet(np.ones(4), n).astype(np.float32)

    def make(c: int) -> Callable[[], Any]:
        y, p = da.from_array(labels, chunks=c), da.from_array(probs, chunks=(c, -1))
        return lambda: lw.find_label_issues(y, p).compute()

    def compare(a: Any, b: Any) -> str:
        fields = ("is_issue", "label_quality", "suggested_codes", "ranked_indices", "confident_joint", "noise_matrix")
        same = all(np.array_equal(getattr(a, f), getattr(b, f)) for f in fields)
        return f"fields bit-equal: {same}"

    return make, compare


def _blobs(n: int, d: int = 4) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    y = rng.integers(0, 3, n)
    X = rng.normal(size=(n, d))
    X[:, 0] += 2 * y
    return X, y


def checks_case(n: int, frame: bool) -> tuple[Callable[[int], Callable[[], Any]], Callable[[Any, Any], str]]:
    X, y = _blobs(n)

    def make(c: int) -> Callable[[], Any]:
        if frame:
            features = dd.from_pandas(pd.DataFrame(X, columns=list("abcd")), chunksize=c)
        else:
            features = da.from_array(X, chunks=(c, 4))
        return lambda: lw.checks.find_data_issues(features, y, method="exact").issues.compute()

    def compare(a: pd.DataFrame, b: pd.DataFrame) -> str:
        scores = [c for c in b.columns if c.endswith("_score")]
        others = [c for c in b.columns if c not in scores]
        same = a[others].reset_index(drop=True).equals(b[others].reset_index(drop=True))
        diff = max(float(np.max(np.abs(a[c].to_numpy() - b[c].to_numpy()))) for c in scores)
        return f"flags bit-equal: {same}, scores max diff {diff:.1e}"

    return make, compare


def aggregate_case(n_items: int) -> tuple[Callable[[int], Callable[[], Any]], Callable[[Any, Any], str]]:
    true = np.random.default_rng(0).integers(0, 4, n_items)
    sim = lw.aggregate.simulate_annotators(true, n_annotators=30, answers_per_item=3, random_state=0)
    answers = sim.answers.sample(frac=1, random_state=0).reset_index(drop=True)

    def make(c: int) -> Callable[[], Any]:
        lazy = dd.from_pandas(answers, chunksize=c)
        return lambda: distributed.fit(lw.aggregate.DawidSkene(), lazy)

    def compare(a: Any, b: Any) -> str:
        same = np.array_equal(a.labels_.to_numpy(), b.labels_.to_numpy())
        diff = float(np.max(np.abs(a.probas_.to_numpy() - b.probas_.to_numpy())))
        return f"labels bit-equal: {same}, posteriors max diff {diff:.1e}"

    return make, compare


def compare_cases(args: argparse.Namespace) -> None:
    cases = {
        "audit": lambda: audit_case(args.audit_rows),
        "checks": lambda: checks_case(args.checks_rows, frame=False),
        "checks-frame": lambda: checks_case(args.checks_rows, frame=True),
        "aggregate": lambda: aggregate_case(args.items),
    }
    print("| case | rows per chunk | chunks | unmerged s | merged s | ratio | answers |\n|---|---|---|---|---|---|---|")
    for name in args.cases:
        make, compare = cases[name]()
        timed(make(64), FLOOR)  # warm-up: imports, numba-free first calls
        for c in CHUNKS[name]:
            run = make(c)
            slow, unmerged = timed(run, 0)
            fast, merged = timed(run, FLOOR)
            n = args.audit_rows if name == "audit" else args.checks_rows if name.startswith("checks") else "answers"
            print(
                f"| {name} | {c} | {'-' if n == 'answers' else -(-n // c)} | {slow:.2f} | {fast:.2f} | "
                f"{slow / fast:.1f}x | {compare(merged, unmerged)} |",
                flush=True,
            )


def sweep(args: argparse.Namespace) -> None:
    """Time against chunk size, the floor off: where the per-chunk overhead stops mattering."""
    n, k = args.sweep_audit_rows, 10
    rng = np.random.default_rng(0)
    labels, probs = rng.integers(0, k, n), rng.dirichlet(np.ones(k), n)
    print("| entry | rows | chunk rows | chunk bytes | s (best of 2) |\n|---|---|---|---|---|")
    for c in (128, 512, 2048, 4096, 8192, 16384, n):
        y, p = da.from_array(labels, chunks=c), da.from_array(probs, chunks=(c, -1))
        best = min(timed(lambda y=y, p=p: lw.find_label_issues(y, p).compute(), 0)[0] for _ in range(2))
        print(f"| audit K={k} | {n} | {c} | {c * (8 * k + 8)} | {best:.2f} |", flush=True)
    m, d = args.sweep_checks_rows, 8
    X, y = _blobs(m, d)
    for c in (m // 32, m // 16, m // 8, m // 4, m // 2, m):
        features = da.from_array(X, chunks=(c, d))
        s, _ = timed(lambda f=features: lw.checks.find_data_issues(f, y, method="exact").issues.compute(), 0)
        print(f"| checks d={d} | {m} | {c} | {c * 8 * d} | {s:.2f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", nargs="+", default=list(CHUNKS), choices=list(CHUNKS))
    parser.add_argument("--audit-rows", type=int, default=1000)
    parser.add_argument("--checks-rows", type=int, default=200)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--sweep-audit-rows", type=int, default=60000)
    parser.add_argument("--sweep-checks-rows", type=int, default=3000)
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # convergence notes of the short fits, the same in both runs
    print(
        f"{cpu_model()}, Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"dask {dask.__version__}, labelwise {lw.__version__}; threads scheduler, 2 workers; "
        f"floor {FLOOR} bytes"
    )
    with dask.config.set(scheduler="threads", num_workers=2):
        sweep(args) if args.sweep else compare_cases(args)


if __name__ == "__main__":
    main()
