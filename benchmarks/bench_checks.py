"""labelwise.checks against cleanlab Datalab 2.9, and the approximate-index libraries, side by side.

Usage (from the repository root)::

    python benchmarks/bench_checks.py --ann        # faiss HNSW, usearch, pynndescent, hnswlib at 1M x 64
    python benchmarks/bench_checks.py --detect     # AUROC per check vs Datalab on blobs and digits
    python benchmarks/bench_checks.py --speed 10000 100000   # time vs Datalab (outlier, near_duplicate, label)
    python benchmarks/bench_checks.py --speed 10000 100000 --speed-parts   # + one more run, the graph's steps timed
    python benchmarks/bench_checks.py --scale 1000000        # every default check, time and peak memory
    python benchmarks/bench_checks.py --scale 1000000 --scale-index cells,hnswlib,faiss-sq8   # per approximate index
    python benchmarks/bench_checks.py --scale 1000000 --label-choice   # + after it, the label scaling's costs
    python benchmarks/bench_checks.py --audit-scale 30000 200000   # approximate graph with/without its exact audit

Every section runs both sides on the same features in the same run and prints the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import cpu_model

THREADS = int(os.environ.get("BENCH_THREADS", "2"))


def blobs(n: int, d: int, centers: int = 20, random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian blobs (float32) and their blob labels.

    Drawn by row blocks (the same numbers as one draw), so that making the data never holds
    more than the float32 matrix plus a block: the scale run's peak memory is labelwise's, not
    the generator's (one draw held a float64 copy and two float32 ones, 4x the features).
    """
    rng = np.random.default_rng(random_state)
    mu = rng.normal(scale=4.0, size=(centers, d)).astype(np.float32)
    y = rng.integers(0, centers, size=n)
    X = np.empty((n, d), dtype=np.float32)
    for s in range(0, n, 8192):
        e = min(n, s + 8192)
        X[s:e] = mu[y[s:e]] + rng.normal(size=(e - s, d)).astype(np.float32)
    return X, y


# --------------------------------------------------------------------------- ANN


def _exact_truth(X: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    sq = np.einsum("ij,ij->i", X, X, dtype=np.float64)
    out = np.empty((len(queries), k), dtype=np.int64)
    for s in range(0, len(queries), 100):
        q = queries[s : s + 100]
        d = sq[None, :] - 2.0 * (X[q].astype(np.float64) @ X.T.astype(np.float64))
        d[np.arange(len(q)), q] = np.inf
        part = np.argpartition(d, k, axis=1)[:, :k]
        dd = np.take_along_axis(d, part, 1)
        out[s : s + 100] = np.take_along_axis(part, np.argsort(dd, axis=1), 1)
    return out


def _recall(found: np.ndarray, truth: np.ndarray) -> float:
    hits = sum(len(set(a.tolist()) & set(b.tolist())) for a, b in zip(found, truth, strict=False))
    return hits / truth.size


def _ann_faiss(X, queries, k):
    import faiss

    faiss.omp_set_num_threads(THREADS)
    t = time.perf_counter()
    index = faiss.IndexHNSWFlat(X.shape[1], 16)
    index.hnsw.efConstruction = 100
    index.add(X)
    built = time.perf_counter() - t
    index.hnsw.efSearch = 64
    t = time.perf_counter()
    _, idx = index.search(X, k + 1)
    return built, time.perf_counter() - t, idx


def _ann_hnswlib(X, queries, k):
    import hnswlib

    t = time.perf_counter()
    index = hnswlib.Index(space="l2", dim=X.shape[1])
    index.init_index(max_elements=len(X), ef_construction=100, M=16, random_seed=0)
    index.set_num_threads(THREADS)
    index.add_items(X, np.arange(len(X)))
    built = time.perf_counter() - t
    index.set_ef(64)
    t = time.perf_counter()
    idx, _ = index.knn_query(X, k=k + 1)
    return built, time.perf_counter() - t, idx.astype(np.int64)


def _ann_usearch(X, queries, k):
    from usearch.index import Index

    t = time.perf_counter()
    index = Index(ndim=X.shape[1], metric="l2sq", dtype="f32", connectivity=16, expansion_add=100, expansion_search=64)
    index.add(np.arange(len(X)), X, threads=THREADS)
    built = time.perf_counter() - t
    t = time.perf_counter()
    res = index.search(X, k + 1, threads=THREADS)
    return built, time.perf_counter() - t, np.asarray(res.keys).astype(np.int64)


def _ann_pynndescent(X, queries, k):
    import pynndescent

    t = time.perf_counter()
    index = pynndescent.NNDescent(X, n_neighbors=k + 1, metric="euclidean", random_state=0, n_jobs=THREADS)
    idx, _ = index.neighbor_graph
    built = time.perf_counter() - t
    return built, 0.0, idx.astype(np.int64)


ANN = {"faiss-hnsw": _ann_faiss, "hnswlib": _ann_hnswlib, "usearch": _ann_usearch, "pynndescent": _ann_pynndescent}


def _ann_one(name: str, n: int, d: int, k: int, n_queries: int) -> dict:
    X, _ = blobs(n, d, centers=50, random_state=1)
    rng = np.random.default_rng(2)
    queries = rng.choice(n, size=n_queries, replace=False)
    truth = _exact_truth(X, queries, k)
    built, searched, idx = ANN[name](X, queries, k)
    found = []
    for q, row in zip(queries, idx[queries], strict=False):
        row = row[row != q][:k]
        found.append(row)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "library": name,
        "n": n,
        "recall@10": _recall(np.array(found), truth),
        "build_s": built,
        "query_all_s": searched,
        "total_s": built + searched,
        "peak_rss_mb": rss,
    }


def run_ann(n: int, d: int, k: int, n_queries: int, libs: list[str]) -> list[dict]:
    """Each library in its own subprocess (so peak memory is its own), same data, same queries."""
    rows = []
    for name in libs:
        code = (
            f"import sys, json; sys.path.insert(0, {str(Path(__file__).resolve().parent)!r}); "
            f"import bench_checks as b; print(json.dumps(b._ann_one({name!r}, {n}, {d}, {k}, {n_queries})))"
        )
        proc = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=1800)
        if proc.returncode != 0:
            rows.append({"library": name, "error": proc.stderr.strip().splitlines()[-1:]})
        else:
            rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        print(rows[-1], flush=True)
    return rows


# --------------------------------------------------------------------------- detection and speed


def inject(X: np.ndarray, y: np.ndarray, random_state: int = 0) -> dict:
    """Copy X, y and inject 2% flipped labels, 1% exact and 1% near duplicates, 1% far and 1% off-manifold outliers."""
    rng = np.random.default_rng(random_state)
    X, y = X.astype(np.float64).copy(), y.copy()
    n, d = X.shape
    K = int(y.max()) + 1
    rows = rng.permutation(n)
    m = max(2, n // 100)
    flip, exact_src, exact_dst, near_src, near_dst, far, off = np.split(rows[: 8 * m], np.cumsum([2 * m] + [m] * 5))
    y[flip] = (y[flip] + rng.integers(1, K, len(flip))) % K
    X[exact_dst], y[exact_dst] = X[exact_src], y[exact_src]
    scale = X.std(axis=0) + 1e-12
    X[near_dst] = X[near_src] + rng.normal(scale=0.01, size=(m, d)) * scale
    y[near_dst] = y[near_src]
    centre = X.mean(axis=0)
    X[far] = centre + (X[far] - centre) * 3.0  # too far out, along the data's own directions
    X[off] = X[off] + rng.normal(size=(m, d)) * scale * 1.5  # off the manifold, moderately
    truth = {n_: np.zeros(n, dtype=bool) for n_ in ("label", "outlier", "near_duplicate")}
    truth["label"][flip] = True
    truth["outlier"][np.r_[far, off]] = True
    truth["near_duplicate"][np.r_[exact_src, exact_dst, near_src, near_dst]] = True
    return {"X": X, "y": y, "truth": truth}


def run_labelwise(X, y, checks, k=10):
    from labelwise.checks import find_data_issues

    t = time.perf_counter()
    found = find_data_issues(X, y, checks=checks, k=k)
    return time.perf_counter() - t, found.issues


def run_datalab(X, y, checks, k=10):
    from cleanlab import Datalab

    t = time.perf_counter()
    lab = Datalab(data={"y": y}, label_name="y", verbosity=0)
    lab.find_issues(features=X, issue_types={c: {"k": k} if c != "label" else {} for c in checks})
    issues = lab.get_issues()
    return time.perf_counter() - t, issues


def auroc(truth, score):
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(truth, -np.asarray(score)))


def run_detect() -> list[dict]:
    from sklearn.datasets import load_digits

    checks = ["label", "outlier", "near_duplicate"]
    Xb, yb = blobs(3000, 16, centers=5, random_state=11)
    digits = load_digits()
    sets = {"blobs 3000x16": inject(Xb, yb, 0), "digits 1797x64": inject(digits.data, digits.target, 0)}
    rows = []
    for name, data in sets.items():
        _, ours = run_labelwise(data["X"], data["y"], checks)
        _, theirs = run_datalab(data["X"], data["y"], checks)
        for c in checks:
            row = {
                "data": name,
                "check": c,
                "labelwise": auroc(data["truth"][c], ours[f"{c}_score"]),
                "datalab": auroc(data["truth"][c], theirs[f"{c}_score"]),
            }
            row["met"] = row["labelwise"] >= row["datalab"]
            rows.append(row)
            print(row, flush=True)
    return rows


def run_speed(sizes: list[int], parts: bool = False) -> list[dict]:
    """labelwise and Datalab on the same data; with ``parts``, labelwise once more with the graph's steps timed."""
    checks = ["label", "outlier", "near_duplicate"]
    rows = []
    for n in sizes:
        X, y = blobs(n, 64, centers=10, random_state=5)
        t_ours, _ = run_labelwise(X, y, checks)
        t_theirs, _ = run_datalab(X, y, checks)
        row = {"n": n, "labelwise_s": t_ours, "datalab_s": t_theirs, "speedup": t_theirs / t_ours}
        rows.append(row)
        print(row, flush=True)
    if parts:  # after every timed run: the timing wrappers stay in place once installed
        times: dict = {}
        _time_graph_parts(times)  # hnswlib's steps
        _time_cells_parts(times)  # the k-means and the assignments of the cells and the spill lists
        for n in sizes:
            times.clear()
            X, y = blobs(n, 64, centers=10, random_state=5)
            took, _ = run_labelwise(X, y, checks)
            steps = {name: [round(v[0], 2), round(v[1], 2), v[2]] for name, v in times.items()}
            print({"n": n, "labelwise_s (parts run)": took, "wall_cpu_rows": steps}, flush=True)
    return rows


def _rss_mb() -> float:
    """Current resident memory of this process (Linux /proc), in MB."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _graph_recall(X: np.ndarray, graph: Any, n_queries: int = 100) -> float:
    """recall@k of ``graph`` (a ``NeighborGraph``) on sampled rows against exact search in its own space.

    The space (standardised or not, cosine or euclidean) is rebuilt by the library's
    ``StandardizedRows`` from the graph's recorded metric, so the truth follows the graph's default.
    """
    from labelwise.checks.graph import StandardizedRows

    k = graph.indices.shape[1]
    space = StandardizedRows.fit(X, metric=graph.metric, standardize=graph.standardized)
    unit_rows = space.materialize() if space.cosine else None
    queries = np.random.default_rng(3).choice(len(X), n_queries, replace=False)
    hits = 0
    for q in queries:
        if unit_rows is not None:
            d2 = 2.0 - 2.0 * (unit_rows @ unit_rows[q])
        else:
            diff = ((X - X[q]) / space.scale).astype(np.float32)  # one query at a time: memory O(n d)
            d2 = np.einsum("ij,ij->i", diff, diff)
        d2[q] = np.inf
        hits += len(set(np.argpartition(d2, k)[:k].tolist()) & set(graph.indices[q].tolist()))
    return hits / (n_queries * k)


def _phase_peak_mb() -> float | None:
    """Peak resident memory since the last :func:`_reset_peak` (Linux VmHWM), in MB; None where unreadable."""
    try:
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) / 1024 for line in fh if line.startswith("VmHWM"))
    except (OSError, StopIteration):
        return None


def _reset_peak() -> None:
    """Reset the kernel's peak-RSS counter (``5`` to /proc/self/clear_refs, Linux >= 4.0), if allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


class _TimedIndex:
    """An hnswlib index whose ``knn_query`` calls are timed per beam width (wall and process CPU seconds)."""

    def __init__(self, index, times: dict) -> None:
        self._index, self._times, self._ef = index, times, 0

    def set_ef(self, ef: int) -> None:
        self._ef = ef
        self._index.set_ef(ef)

    def knn_query(self, rows, k):
        t, c = time.perf_counter(), time.process_time()
        out = self._index.knn_query(rows, k=k)
        part = self._times.setdefault(f"query ef={self._ef}", [0.0, 0.0, 0])
        part[0] += time.perf_counter() - t
        part[1] += time.process_time() - c
        part[2] += len(rows)
        return out


def _time_graph_parts(times: dict) -> None:
    """Time hnswlib's build, the cells and insertion order, each search and the exact re-scoring inside ``NeighborGraph.build`` (bench only)."""
    from labelwise.checks import _ann

    build, refine = _ann.build_index, _ann.refine_candidates

    def timed_build(*args, **kwargs):
        t, c = time.perf_counter(), time.process_time()
        index = build(*args, **kwargs)
        times["index build"] = [time.perf_counter() - t, time.process_time() - c, args[0].shape[0]]
        return _TimedIndex(index, times)

    def timed_refine(Z, rows, cand, k):
        t, c = time.perf_counter(), time.process_time()
        out = refine(Z, rows, cand, k)
        part = times.setdefault("exact re-scoring", [0.0, 0.0, 0])
        part[0] += time.perf_counter() - t
        part[1] += time.process_time() - c
        part[2] += len(rows)
        return out

    cells, insertion = _ann.pivot_cells, _ann.insertion_order

    def timed_cells(*args, **kwargs):
        t, c = time.perf_counter(), time.process_time()
        out = cells(*args, **kwargs)
        times["pivot cells (both orders)"] = [time.perf_counter() - t, time.process_time() - c, args[0].shape[0]]
        return out

    def timed_insertion(*args, **kwargs):
        t, c = time.perf_counter(), time.process_time()
        out = insertion(*args, **kwargs)
        times["insertion order"] = [time.perf_counter() - t, time.process_time() - c, args[0]]
        return out

    _ann.build_index, _ann.refine_candidates = timed_build, timed_refine
    _ann.pivot_cells, _ann.insertion_order = timed_cells, timed_insertion


def _time_cells_parts(times: dict) -> None:
    """Time the k-means and the assignments of rows to cells inside the cells search (bench only).

    Both run before the groups are searched (single caller), so the rest of the graph's time is
    the grouped products and the exact re-scoring (all threads)."""
    from labelwise.checks import _cells

    for name in ("kmeans", "_nearest_cells"):
        real = getattr(_cells, name)

        def timed(*args, _real=real, _name=name, **kwargs):
            t, c = time.perf_counter(), time.process_time()
            out = _real(*args, **kwargs)
            part = times.setdefault(_name + " (all calls)", [0.0, 0.0, 0])
            part[0] += time.perf_counter() - t
            part[1] += time.process_time() - c
            part[2] += args[0].shape[0]
            return out

        setattr(_cells, name, timed)


def _label_choice_costs(X: np.ndarray, y: np.ndarray, graph_s: float) -> dict:
    """After the scale run's measured phases: what ``label_scaling="auto"`` adds when the graph is built here.

    The scale run passes a prebuilt graph, so the choice does not run in it. Timed here: the z-score
    statistics and the fenced range (passes over all rows), the labels' choice on its subsample,
    and the second (fenced) graph with the same builder, as ``find_data_issues`` would build it.
    """
    from labelwise.checks import NeighborGraph
    from labelwise.checks._scaling import choose_label_scaling, fenced_range
    from labelwise.checks.graph import StandardizedRows

    t = time.perf_counter()
    zscore = StandardizedRows.fit(X, metric="euclidean", standardize=True)
    span, outside = fenced_range(zscore)
    passes_s = time.perf_counter() - t
    t = time.perf_counter()
    choice = choose_label_scaling(zscore, StandardizedRows(X, zscore.mean, span), y, 10, 0)
    choice_s = time.perf_counter() - t
    t = time.perf_counter()
    NeighborGraph.build(X, k=10, scaling="fenced")
    fenced_s = time.perf_counter() - t
    return {
        "zscore_and_fence_passes_s": passes_s,
        "choice_on_subsample_s": choice_s,
        "choice": {**choice.to_dict(), "outside_fence": outside},
        "second_graph_fenced_s": fenced_s,
        "first_graph_s": graph_s,
    }


def _scale_child(n: int, index: str = "auto", label_choice: bool = False) -> dict:
    from labelwise.checks import NeighborGraph, find_data_issues
    from labelwise.checks.graph import auto_index

    base = _rss_mb()
    X, y = blobs(n, 64, centers=20, random_state=7)
    features_peak = _phase_peak_mb()
    _reset_peak()
    parts: dict = {}
    used = auto_index(n) if index == "auto" else index
    if used == "hnswlib":
        _time_graph_parts(parts)
    elif used in ("cells", "spill"):
        _time_cells_parts(parts)
    t = time.perf_counter()
    graph = NeighborGraph.build(X, k=10, index=index)
    graph_s = time.perf_counter() - t
    graph_peak = _phase_peak_mb()
    print(f"graph built in {graph_s:.1f} s ({graph.method})", file=sys.stderr, flush=True)
    _reset_peak()
    found = find_data_issues(X, y, k=10, graph=graph)
    took = time.perf_counter() - t
    checks_peak = _phase_peak_mb()
    # ru_maxrss is not reset between phases, and after fork + exec Linux carries the parent's peak
    # into it (the parent ran Datalab before): only a fallback where VmHWM cannot be read.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    phases = [p for p in (features_peak, graph_peak, checks_peak) if p is not None]
    labelwise_peak = max(phases[1:]) if len(phases) == 3 else peak
    return {
        "n": n,
        "index": index if index == used else f"{index} ({used})",
        "seconds": took,
        "graph_s": graph_s,
        "peak_rss_mb": labelwise_peak,
        "ru_maxrss_mb": peak,
        "rss_before_features_mb": base,
        "peak_above_start_mb": labelwise_peak - base,
        "graph_parts_wall_cpu_rows": {name: [round(v[0], 1), round(v[1], 1), v[2]] for name, v in parts.items()},
        "phase_peaks_above_start_mb": {
            "features": None if features_peak is None else features_peak - base,
            "graph": None if graph_peak is None else graph_peak - base,
            "checks": None if checks_peak is None else checks_peak - base,
        },
        "features_mb": X.nbytes / 2**20,
        "graph_mb": (graph.indices.nbytes + graph.distances.nbytes) / 2**20,
        "graph_method": found.graph.method,
        "recall@10 (100 rows)": _graph_recall(X, graph),
        "checks": found.checks_run,
        **({"label_choice_costs": _label_choice_costs(X, y, graph_s)} if label_choice else {}),
    }


def run_scale(n: int, index: str = "auto", label_choice: bool = False) -> dict:
    """Every default check in a fresh subprocess (so peak RSS is this run's)."""
    code = (
        f"import sys, json; sys.path.insert(0, {str(Path(__file__).resolve().parent)!r}); "
        f"import bench_checks as b; print(json.dumps(b._scale_child({n}, {index!r}, {label_choice!r})))"
    )
    proc = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True)
    row = (
        json.loads(proc.stdout.strip().splitlines()[-1])
        if proc.returncode == 0
        else {"n": n, "error": proc.stderr[-500:]}
    )
    print(row, flush=True)
    return row


# --------------------------------------------------------------------------- graph audit at scale


def _audit_table(n: int, kind: str) -> np.ndarray:
    """The features the checks see of :func:`bench_table_features.table` (``kind`` "onehot": every
    column, categories one-hot; "numbers": its numbers, boolean and nullable int; "categories": its
    boolean and two categories alone), gaps filled."""
    from bench_table_features import table

    from labelwise.checks._inputs import check_features
    from labelwise.checks._table_features import table_features

    frame = table(n)
    if kind == "numbers":
        frame = frame[["x0", "x1", "x2", "x3", "member", "visits"]]
    elif kind == "categories":
        frame = frame[["member", "country", "product"]]
    return check_features(table_features(frame).X, impute=True)[0]


def _outlier_flags(graph: Any) -> int:
    from labelwise.checks.outlier import _fence, distance_ratios

    m = distance_ratios(graph.distances, graph.indices)
    q1, q3 = np.quantile(m, [0.25, 0.75])
    return int((m > _fence(float(q1), float(q3), 3.0)).sum())


def _exact_seconds(view: Any, k: int, rows: int) -> tuple[float, float, bool]:
    """Wall and CPU seconds of the exact graph's search: run whole when ``rows`` >= n, else its first
    ``rows`` query rows (``exact_knn``'s own blocks) timed and scaled by n / rows; and whether it was
    extrapolated."""
    from labelwise.checks._exact_select import block_best, search_shift, shifted_rows, sq_norms32
    from labelwise.checks.graph import BLOCK_ELEMENTS, exact_knn

    Z = view.materialize()
    n = Z.shape[0]
    t, cpu = time.perf_counter(), time.process_time()
    if rows >= n:
        exact_knn(Z, k)
        return time.perf_counter() - t, time.process_time() - cpu, False
    shift = search_shift(Z)
    Y = shifted_rows(Z, shift)
    sq = sq_norms32(Y)
    step = int(np.clip(BLOCK_ELEMENTS // n, 1, 4096))
    for s in range(0, rows, step):
        e = min(rows, s + step)
        norms = (sq[s:e], sq, float(sq.max()))
        block_best(Y[s:e], Y, Z[s:e], Z, norms, k, min(n - 1, 2 * k), np.arange(s, e), shifted=shift is not None)
    return (time.perf_counter() - t) * n / rows, (time.process_time() - cpu) * n / rows, True


def _audit_child(n: int, kind: str, mode: str, exact_rows: int, index: str = "auto") -> dict:
    """One run of ``--audit-scale``: ``mode`` "index" (the approximate index alone, main before
    session 49), "audited" (``method="approximate"``: index, sample and far rows searched exactly,
    each timed) or "exact" (the exact graph, extrapolated from ``exact_rows`` query rows)."""
    from labelwise.checks import _graph_audit
    from labelwise.checks._ann import approximate_knn
    from labelwise.checks.graph import NeighborGraph, StandardizedRows, auto_index

    X = _audit_table(n, kind)
    _reset_peak()
    base = _rss_mb()
    row: dict = {
        "n": n,
        "table": kind,
        "d": X.shape[1],
        "mode": mode,
        "index": auto_index(n) if index == "auto" else index,
    }
    t, cpu = time.perf_counter(), time.process_time()
    if mode == "index":
        approximate_knn(StandardizedRows.fit(X, metric="euclidean", standardize=True), 10, index=row["index"])
    elif mode == "exact":
        view = StandardizedRows.fit(X, metric="euclidean", standardize=True)
        row["exact_s"], row["exact_cpu_s"], row["extrapolated"] = _exact_seconds(view, 10, exact_rows)
        if not row["extrapolated"]:
            row["outliers"] = _outlier_flags(NeighborGraph.build(X, k=10, method="exact"))
    else:
        parts: dict = {}
        real = _graph_audit.exact_rows

        def timed(Z, rows, k):
            c, p = time.perf_counter(), time.process_time()
            out = real(Z, rows, k)
            part = parts.setdefault("sample" if not parts else "far_rows", [0.0, 0.0])
            part[0] += time.perf_counter() - c
            part[1] += time.process_time() - p
            return out

        _graph_audit.exact_rows = timed
        graph = NeighborGraph.build(X, k=10, method="approximate", index=row["index"])
        row.update({f"{k}_s": round(v[0], 2) for k, v in parts.items()}, **graph.search.audit)
        row.update({f"{k}_cpu_s": round(v[1], 2) for k, v in parts.items()}, outliers=_outlier_flags(graph))
    row["seconds"], row["cpu_s"] = round(time.perf_counter() - t, 2), round(time.process_time() - cpu, 2)
    peak = _phase_peak_mb()
    row["peak_above_features_mb"] = None if peak is None else round(peak - base, 1)
    return row


def run_audit_scale(sizes: list[int], kinds: list[str], modes: list[str], exact_rows: int, index: str) -> None:
    """Each (size, table, mode) of ``--audit-scale`` in a fresh subprocess (its own peak memory)."""
    for n in sizes:
        for kind in kinds:
            for mode in modes:
                code = (
                    f"import sys, json; sys.path.insert(0, {str(Path(__file__).resolve().parent)!r}); import bench_checks as b; "
                    f"print(json.dumps(b._audit_child({n}, {kind!r}, {mode!r}, {exact_rows}, {index!r})))"
                )
                proc = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True)
                out = proc.stdout.strip().splitlines()
                print(
                    out[-1]
                    if proc.returncode == 0 and out
                    else {"n": n, "table": kind, "mode": mode, "error": proc.stderr[-500:]},
                    flush=True,
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ann", action="store_true", help="Compare approximate-index libraries.")
    parser.add_argument("--ann-n", type=int, default=1_000_000)
    parser.add_argument("--ann-libs", default=",".join(ANN))
    parser.add_argument("--detect", action="store_true", help="AUROC per check vs Datalab.")
    parser.add_argument("--speed", type=int, nargs="*", help="Sizes for the speed comparison (x 64 features).")
    parser.add_argument("--speed-parts", action="store_true", help="After --speed, time the graph's steps once more.")
    parser.add_argument("--scale", type=int, default=None, help="Rows for the every-check scale run.")
    parser.add_argument(
        "--scale-index",
        default="auto",
        help="Comma list of approximate indexes for --scale (auto: the default; cells, spill, hnswlib, faiss-sq8...).",
    )
    parser.add_argument(
        "--label-choice",
        action="store_true",
        help="After each --scale run, time the label scaling's passes, choice and second graph (not in its seconds).",
    )
    parser.add_argument(
        "--audit-scale", type=int, nargs="*", help="Sizes: the approximate graph with and without its exact audit."
    )
    parser.add_argument(
        "--audit-tables",
        default="onehot,numbers",
        help="For --audit-scale: onehot (the mixed bench table), numbers, categories.",
    )
    parser.add_argument(
        "--audit-modes", default="index,audited,exact", help="For --audit-scale: index, audited, exact."
    )
    parser.add_argument(
        "--audit-exact-rows",
        type=int,
        default=30_000,
        help="For --audit-scale: query rows of the exact graph timed (more rows: extrapolated).",
    )
    parser.add_argument(
        "--audit-index", default="auto", help="For --audit-scale: the approximate index (auto, hnswlib, spill...)."
    )
    args = parser.parse_args()
    print(f"machine: {cpu_model()}, {os.cpu_count()} CPUs, threads={THREADS}")
    if args.ann:
        run_ann(args.ann_n, 64, 10, 1000, args.ann_libs.split(","))
    if args.detect:
        run_detect()
    if args.speed:
        run_speed(args.speed, parts=args.speed_parts)
    if args.audit_scale:
        run_audit_scale(
            args.audit_scale,
            args.audit_tables.split(","),
            args.audit_modes.split(","),
            args.audit_exact_rows,
            args.audit_index,
        )
    if args.scale:
        for index in args.scale_index.split(","):
            run_scale(args.scale, index, args.label_choice)


if __name__ == "__main__":
    main()
