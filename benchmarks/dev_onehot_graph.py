"""Dev data for the approximate graph on one-hot tables (session 49): the outlier flags and the
recall@k of the approximate graph against the exact one, on simulated mixed tables that are not the
benchmark's (``bench_table_features.table``).

    PYTHONPATH=src python benchmarks/dev_onehot_graph.py --rows 20000 --seeds 1,2 --kinds mixed,onehot,numbers

The rule, written before the run: the approximate outlier flags agree with the exact ones when
their symmetric difference is at most 2% of the exact flags (or 5 rows).
``--raw`` also runs the index without the audit (``approximate_knn`` alone, main's graph).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from labelwise.checks._table_features import table_features
from labelwise.checks.graph import NeighborGraph, StandardizedRows
from labelwise.checks.outlier import _fence, distance_ratios


def simulated(n: int, seed: int, kind: str) -> pd.DataFrame:
    """Three normal numbers and a lognormal one, two booleans, three categories (8 even values,
    150 values with a Zipf tail, 40 values with geometric shares), 1% copied rows and 0.5% rows
    pushed 6 sd out; ``kind``: ``mixed`` (all), ``onehot`` (categories and booleans), ``numbers``."""
    rng = np.random.default_rng([seed, 4949])
    frame = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"])
    frame["spend"] = rng.lognormal(0, 1, n)
    far = rng.choice(n, n // 200, replace=False)
    frame.loc[far, "a"] += 6.0
    frame["flag"] = rng.random(n) < 0.5
    frame["rare_flag"] = rng.random(n) < 0.1
    frame["region"] = rng.choice([f"r{i}" for i in range(8)], n)
    frame["item"] = [f"i{v}" for v in np.minimum(rng.zipf(1.3, n), 150)]
    shares = 0.8 ** np.arange(40)
    frame["code"] = rng.choice([f"c{i}" for i in range(40)], n, p=shares / shares.sum())
    copies = rng.choice(n, n // 50, replace=False)
    frame.iloc[copies[n // 100 :]] = frame.iloc[copies[: n // 100]].to_numpy()
    if kind == "onehot":
        return frame[["flag", "rare_flag", "region", "item", "code"]]
    if kind == "numbers":
        return frame[["a", "b", "c", "spend", "flag"]]
    return frame


def flags(graph_distances: np.ndarray, graph_indices: np.ndarray) -> np.ndarray:
    m = distance_ratios(graph_distances, graph_indices)
    q1, q3 = np.quantile(m, [0.25, 0.75])
    return m > _fence(float(q1), float(q3), 3.0)


def recall(a: np.ndarray, e: np.ndarray) -> float:
    return float((a[:, :, None] == e[:, None, :]).any(2).mean())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--seeds", default="1,2")
    parser.add_argument("--kinds", default="mixed,onehot,numbers")
    parser.add_argument("--index", default="hnswlib")
    parser.add_argument("--raw", action="store_true")
    args = parser.parse_args()
    for kind in args.kinds.split(","):
        for seed in map(int, args.seeds.split(",")):
            X = np.asarray(table_features(simulated(args.rows, seed, kind)).X, dtype=float)
            t = time.perf_counter()
            ge = NeighborGraph.build(X, k=10, method="exact")
            te = time.perf_counter() - t
            t = time.perf_counter()
            ga = NeighborGraph.build(X, k=10, method="approximate", index=args.index)
            ta = time.perf_counter() - t
            fe, fa = flags(ge.distances, ge.indices), flags(ga.distances, ga.indices)
            audit = ga.search.audit
            line = (
                f"{kind} seed {seed} n {args.rows} d {X.shape[1]}: exact {te:.1f} s {int(fe.sum())} flags; "
                f"approximate {ta:.1f} s {int(fa.sum())} flags, xor {int((fe ^ fa).sum())}, "
                f"recall@10 {recall(ga.indices, ge.indices):.4f}, {audit}"
            )
            if args.raw:
                from labelwise.checks._ann import approximate_knn

                view = StandardizedRows.fit(X, metric="euclidean", standardize=True)
                t = time.perf_counter()
                ri, rd = approximate_knn(view, 10, index=args.index)
                tr = time.perf_counter() - t
                fr = flags(np.sqrt(rd).astype(np.float32), ri.astype(np.int64))
                line += f"; no audit {tr:.1f} s {int(fr.sum())} flags, xor {int((fe ^ fr).sum())}, "
                line += f"recall@10 {recall(ri, ge.indices):.4f}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
