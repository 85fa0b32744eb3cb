"""Two versions of the exact selection (``checks._exact_select.exact_best``) side by side: the same
graphs bit for bit, and the time of each.

Session 28 moved the "settled row" pass of ``_cells.pool_best`` (the ``m`` smallest products
re-scored in float64 decide every ordinary row) into ``exact_best``, so ``graph.exact_knn``, the
dask sharded search and the scaling choice skip the near-tie passes over the whole slab on
ordinary rows too. This script runs every caller on both versions, each in its own process
(``PYTHONPATH`` = that version's ``src``), alternating, and compares the arrays they return.

Tables (z-scored float32 rows, as ``NeighborGraph.build`` makes them): scikit-learn's digits
(1,797 x 64, integer pixels: ties and a few copies), seeded gaussian 20,000 x 16, a table of
exact copies (4,000 rows drawn from 150 gaussian rows, plus 1,000 distinct ones), a small-integer
grid (5,000 x 5 of values 0..3: copies and distance ties everywhere), and the out-of-sample
predicted probabilities of MNIST's 10,000 test images (``../shared/data/label_errors/mnist/pred_probs.npy``,
Northcutt, Athalye & Mueller 2021; rows packed near the one-hot corners, closer than the float32
error bound of the products) and a synthetic near-one-hot table as in ``tests/checks/test_exact_select.py``.
Searches: ``exact_knn`` (k = 1, 10, 30; and a small ``block_size``), ``cell_knn``, ``spill_knn``,
``_scaling.neighbour_lists``, the dask sharded exact graph (4 chunks, and ragged chunks with
shards smaller than ``k``: ``-1`` padding and fewer finite columns than ``m``), and
``exact_best`` on hand-made slabs (columns masked with ``inf``; ``k`` copies).

Usage: ``OMP_NUM_THREADS=1 python benchmarks/dev_exact_settled.py --base <src of main> --branch src
[--repeat 3] [--out DIR]``: prints one JSON line per comparison and per timing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "label_errors" / "mnist"


def tables() -> dict:
    rng = np.random.default_rng(0)

    def digits() -> np.ndarray:
        from sklearn.datasets import load_digits

        return load_digits().data

    def copies() -> np.ndarray:
        base = np.random.default_rng(1).normal(size=(150, 12))
        X = base[np.random.default_rng(2).integers(0, 150, 4000)]
        return np.vstack([X, np.random.default_rng(3).normal(size=(1000, 12))])

    def one_hot() -> np.ndarray:
        r = np.random.default_rng(4)
        X = np.eye(6)[r.integers(0, 6, 4000)] * (1 - 1e-7 * r.random((4000, 1)))
        X[::9] = X[1]
        return X

    return {
        "digits": digits,
        "gaussian": lambda: rng.normal(size=(20_000, 16)),
        "copies": copies,
        "grid": lambda: np.random.default_rng(5).integers(0, 4, size=(5000, 5)).astype(float),
        "mnist": lambda: np.load(DATA / "pred_probs.npy"),
        "one_hot": one_hot,
    }


def _digest(*arrays: np.ndarray) -> str:
    return hashlib.sha256(b"".join(np.ascontiguousarray(a).tobytes() for a in arrays)).hexdigest()[:16]


def _dask_graph(X: np.ndarray, k: int, chunks) -> tuple[np.ndarray, np.ndarray]:
    import dask
    import dask.array as da

    from labelwise.checks._dask_graph import column_fit, sharded_exact_graph

    Xd = da.from_array(X, chunks=(chunks, -1))
    with dask.config.set(scheduler="synchronous"):
        mean, scale = column_fit(Xd, standardize=True)
        g = sharded_exact_graph(Xd, mean, scale, k=k, metric="euclidean", standardized=True).compute()
    return np.asarray(g.indices), np.asarray(g.distances)


def _slabs() -> dict:
    """``exact_best`` on hand-made slabs: non-self columns masked with ``inf`` (some rows keep fewer
    finite columns than ``m``, or than ``k``), and rows with more than ``k`` exact copies."""
    from labelwise.checks._exact_select import exact_best, float32_product_tol

    out = {}
    r = np.random.default_rng(6)
    S = r.normal(size=(60, 5)).astype(np.float32)
    S[40:] = S[40]  # 20 copies
    Q = S[::3].copy()
    own = np.arange(0, 60, 3)
    sq_s = np.einsum("ij,ij->i", S, S, dtype=np.float64).astype(np.float32)
    slab = Q @ S.T
    slab *= -2.0
    slab += sq_s[None, :]
    slab[np.arange(len(Q)), own] = np.inf
    q_sq = np.einsum("ij,ij->i", Q, Q, dtype=np.float64)[:, None]
    try:  # session 28 (tol28) added the dimension; older versions take two arguments
        tol = float32_product_tol(q_sq, float(sq_s.max()), Q.shape[1])
    except TypeError:
        tol = float32_product_tol(q_sq, float(sq_s.max()))
    out["copies k=5"] = exact_best(slab.copy(), Q, S, 5, 10, tol, self_cols=own)
    masked = slab.copy()
    masked[r.random(masked.shape) < 0.85] = np.inf
    out["masked k=5 m=10"] = exact_best(masked.copy(), Q, S, 5, 10, tol, self_cols=own)
    out["masked k=3 m=6 no self"] = exact_best(masked.copy(), Q, S, 3, 6, tol)
    # a shard of 3 rows (fewer than k; m = 3) and the query block's own shard of 3 (its own column inf)
    T = S[:3].copy()
    other = Q[1:] @ T.T  # rows 3, 6, ...: not in the shard
    other *= -2.0
    other += sq_s[None, :3]
    out["small shard k=10 m=3"] = exact_best(other, Q[1:], T, 10, 3, tol[1:])
    small = T @ T.T
    small *= -2.0
    small += sq_s[None, :3]
    small[np.arange(3), np.arange(3)] = np.inf
    out["own small shard k=10 m=3"] = exact_best(small, T, T, 10, 3, tol[:3], self_cols=np.arange(3))
    return out


def graphs(names: list[str]) -> dict:
    """Every search's arrays on every table (in this process's labelwise)."""
    from labelwise.checks import _cells, _scaling, _spill, graph
    from labelwise.checks.graph import StandardizedRows

    out = {}
    for name, make in tables().items():
        if name not in names:
            continue
        X = make()
        view = StandardizedRows.fit(X, metric="euclidean", standardize=True)
        Z = view.materialize()
        for k in (1, 10, 30):
            out[f"{name} exact_knn k={k}"] = graph.exact_knn(Z, k)
        out[f"{name} exact_knn k=10 block=37"] = graph.exact_knn(Z, 10, block_size=37)
        out[f"{name} cell_knn k=10"] = _cells.cell_knn(view, 10, n_threads=1)
        out[f"{name} spill_knn k=10"] = _spill.spill_knn(view, 10, n_threads=1)
        out[f"{name} neighbour_lists k=10"] = (_scaling.neighbour_lists(Z, 10),)
        out[f"{name} dask 4 chunks k=10"] = _dask_graph(X, 10, -(-len(X) // 4))
        ragged = (3, 1, 8, 250, len(X) - 262)
        out[f"{name} dask ragged k=10"] = _dask_graph(X, 10, ragged)
    if "slabs" in names:
        out.update({f"slab {key}": value for key, value in _slabs().items()})
    return out


def timings(repeat: int, only: str = "") -> list[dict]:
    """Wall and CPU times in this process: exact_knn, the dask sharded search and find_data_issues."""
    import dask

    from labelwise.checks import find_data_issues, graph
    from labelwise.checks.graph import StandardizedRows

    made = tables()
    rows = []

    def timed(label: str, fn) -> None:
        if only not in label:
            return
        times, cpu = [], []
        for _ in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        rows.append(
            {
                "what": label,
                "times": [round(t, 3) for t in times],
                "best": round(min(times), 3),
                "cpu": [round(t, 3) for t in cpu],
                "best_cpu": round(min(cpu), 3),
            }
        )

    for name in ("gaussian", "digits", "copies", "mnist"):
        X = made[name]()
        Z = StandardizedRows.fit(X, metric="euclidean", standardize=True).materialize()
        timed(f"exact_knn {name} k=10", lambda Z=Z: graph.exact_knn(Z, 10))
    for name in ("gaussian", "mnist"):
        X = made[name]()
        timed(f"dask sharded exact {name} 4 chunks k=10", lambda X=X: _dask_graph(X, 10, -(-len(X) // 4)))
    labels = np.load(DATA / "labels.npy")
    probs = np.load(DATA / "pred_probs.npy")
    X = made["gaussian"]()
    y = (X[:, 0] + 0.5 * np.random.default_rng(7).normal(size=len(X)) > 0).astype(int)
    with dask.config.set(scheduler="synchronous"):
        timed(
            "find_data_issues mnist probs as features, method=exact",
            lambda: find_data_issues(probs, labels, probs, method="exact"),
        )
        timed(
            "find_data_issues gaussian 20k x 16, labels, method=exact", lambda: find_data_issues(X, y, method="exact")
        )
    return rows


def child(args: argparse.Namespace) -> None:
    if args.mode == "graphs":
        result = graphs(args.tables.split(","))
        np.savez(args.save, **{f"{key}|{i}": a for key, arrs in result.items() for i, a in enumerate(arrs)})
        print(json.dumps({"keys": len(result)}))
    else:
        print(json.dumps(timings(args.repeat, args.only)))


def run(src: str, *extra: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(Path(src).resolve()))
    done = subprocess.run(
        [sys.executable, __file__, "--child", *extra], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=["graphs", "time"], default="graphs")
    parser.add_argument("--save", help=argparse.SUPPRESS)
    parser.add_argument("--base", default="/tmp/exact28_base/src")
    parser.add_argument("--branch", default="src")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2, help="alternating timing processes per version")
    parser.add_argument("--tables", default="digits,gaussian,copies,grid,mnist,one_hot,slabs")
    parser.add_argument("--out", default="/tmp/exact28_dev")
    parser.add_argument("--skip", choices=["graphs", "time"])
    parser.add_argument("--only", default="", help="time only the lines whose label contains this")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.skip != "graphs":
        saved = {}
        for version, src in (("base", args.base), ("branch", args.branch)):
            saved[version] = out / f"{version}.npz"
            start = time.perf_counter()
            run(src, "--mode", "graphs", "--tables", args.tables, "--save", str(saved[version]))
            print(json.dumps({"version": version, "graphs_s": round(time.perf_counter() - start, 1)}), flush=True)
        base, branch = np.load(saved["base"]), np.load(saved["branch"])
        assert sorted(base.files) == sorted(branch.files)
        for key in sorted({f.split("|")[0] for f in base.files}):
            parts = sorted(f for f in base.files if f.split("|")[0] == key)
            same = all(
                base[f].dtype == branch[f].dtype and np.array_equal(base[f], branch[f], equal_nan=True) for f in parts
            )
            first = base[parts[0]]
            line = {
                "graph": key,
                "shape": list(first.shape),
                "bit_identical": same,
                "digest": _digest(*(base[f] for f in parts)),
                "minus_one": int((first < 0).sum()) if first.dtype.kind == "i" else None,
            }
            print(json.dumps(line), flush=True)
    if args.skip != "time":
        for r in range(args.rounds):
            for version, src in (("base", args.base), ("branch", args.branch))[:: 1 if r % 2 == 0 else -1]:
                load = os.getloadavg()[0]
                for row in json.loads(run(src, "--mode", "time", "--repeat", str(args.repeat), "--only", args.only)):
                    print(json.dumps({"version": version, "round": r, "load1": round(load, 1), **row}), flush=True)


if __name__ == "__main__":
    main()
