"""Dev data for the exact re-search's bound (session 50): how many rows can be searched exactly for
the work of the approximate index itself, on session 49's simulated tables (not the benchmark's).

    PYTHONPATH=src python benchmarks/dev_onehot_budget.py --rows 30000,100000 --kinds onehot,mixed

For each table: the index alone (``approximate_knn``, ``index="auto"``'s index for the size) per row,
and the exact search of ``--probe`` rows against all (``_graph_audit.exact_rows``) per row pair. Their
ratio is the number of rows whose exact search costs what the index costs for all rows; it does not
grow with n when the index's work per row does not (the exact search of R rows is R x n pairs).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from dev_onehot_graph import simulated

from labelwise.checks._ann import approximate_knn
from labelwise.checks._graph_audit import exact_rows
from labelwise.checks._table_features import table_features
from labelwise.checks.graph import StandardizedRows, auto_index


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", default="30000,100000")
    parser.add_argument("--kinds", default="onehot,mixed")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--probe", type=int, default=2000)
    args = parser.parse_args()
    for n in map(int, args.rows.split(",")):
        for kind in args.kinds.split(","):
            X = np.nan_to_num(np.asarray(table_features(simulated(n, args.seed, kind)).X, dtype=float))
            view = StandardizedRows.fit(X, metric="euclidean", standardize=True)
            t, c = time.perf_counter(), time.process_time()
            approximate_knn(view, 10, index=auto_index(n))
            index_s, index_cpu = time.perf_counter() - t, time.process_time() - c
            rows = np.sort(np.random.default_rng(0).choice(n, args.probe, replace=False))
            t, c = time.perf_counter(), time.process_time()
            exact_rows(view, rows, 10)
            pair_s, pair_cpu = (
                (time.perf_counter() - t) / (args.probe * n),
                (time.process_time() - c) / (args.probe * n),
            )
            print(
                f"{kind} n {n} d {X.shape[1]} {auto_index(n)}: index {index_s:.1f} s wall, {index_cpu:.1f} s CPU; "
                f"exact {pair_s * 1e9:.2f} ns wall, {pair_cpu * 1e9:.2f} ns CPU per pair; rows searched exactly "
                f"for the index's wall time {index_s / n / pair_s:,.0f}, CPU time {index_cpu / n / pair_cpu:,.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
