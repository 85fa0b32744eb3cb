"""``underperforming_group`` on a Dask cluster: the graph gathered to the client (the check's
in-memory ``run``, as before session 22) vs the check per partition (``run_partitioned``).

The features are a seeded mixture of 20 Gaussian clusters in ``D`` dimensions, made chunk by chunk
on the workers (chunk ``i`` from ``default_rng([seed, i])``); the labels are each row's cluster
modulo 4, made on the workers too, with the labels of cluster 0 drawn at random (a weak cluster).
Each stage runs ``find_data_issues(X, labels, checks=["underperforming_group"])`` in a fresh
process on ``LocalCluster(n_workers=2, threads_per_worker=1)``:

- ``gathered``: the registry's check without its ``partitioned`` function, so
  ``_dask_run._Gathered`` brings the graph (and the labels) to the client and runs ``run`` there;
- ``partitioned``: the check as registered (``run_partitioned``).

Reported per stage: the whole call's wall time, the check's own wall time (its function timed
inside the call, once the graph's search has finished; for ``gathered``, ``_Gathered.run``: the
gathering and ``run``), the client's peak anonymous memory (``RssAnon`` sampled every 10 ms) above its
value when the call started and above its value when the check started. The flags, scores, groups
and graphs of the two stages are compared at the end (computed after the measured call).

Usage: ``python benchmarks/bench_group_partitioned.py [--n 200000] [--chunk-rows 50000]
[--method approximate|exact] [--dir /tmp]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _machine import cpu_model
from bench_scale import PeakAnon

D = 8
CLUSTERS = 20
CHECK = "underperforming_group"


def make_chunk(i: int, rows: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Chunk ``i``'s features and labels (module docstring)."""
    centres = np.random.default_rng(seed).normal(scale=6.0, size=(CLUSTERS, D))
    rng = np.random.default_rng([seed, i])
    cluster = rng.integers(0, CLUSTERS, rows)
    X = (centres[cluster] + rng.normal(size=(rows, D))).astype(np.float32)
    y = cluster % 4
    weak = cluster == 0
    y[weak] = rng.integers(0, 4, int(weak.sum()))
    return X, y


def _timed(fn, record: dict):
    """``fn`` wrapped: its wall time and the client's peak RssAnon above its start go to ``record``."""

    def run(*args):
        from distributed import futures_of, wait

        graph = args[-1].graph  # the check's inputs come last
        wait(futures_of(graph.indices) + futures_of(graph.distances))  # the graph's search done: not timed
        with PeakAnon() as peak:
            t0 = time.perf_counter()
            out = fn(*args)
            record["check_s"] = time.perf_counter() - t0
        record["check_peak_above_start_gb"] = (peak.peak - peak.base) / 1e9
        return out

    return run


def run_stage(stage: str, n: int, chunk_rows: int, out: Path, method: str) -> dict:
    import dask
    import dask.array as da
    from distributed import Client, LocalCluster

    from labelwise.checks import _dask_run, find, registry

    record: dict = {}
    check = registry.CHECKS[CHECK]
    if stage == "gathered":  # no partitioned function: _Gathered gathers the graph and runs ``run``
        check = replace(check, partitioned=None)
        _dask_run._Gathered.run = _timed(_dask_run._Gathered.run, record)  # the gathering timed with it
    else:
        check = replace(check, partitioned=_timed(check.partitioned, record))
    registry.CHECKS[CHECK] = find.CHECKS[CHECK] = check

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
    client = Client(cluster)
    client.run(lambda: __import__("labelwise.checks.find"))
    n_chunks = n // chunk_rows
    parts = [dask.delayed(make_chunk, nout=2, pure=True)(i, chunk_rows) for i in range(n_chunks)]
    X = da.concatenate([da.from_delayed(p[0], (chunk_rows, D), np.float32) for p in parts])
    y = da.concatenate([da.from_delayed(p[1], (chunk_rows,), np.int64) for p in parts])
    import labelwise as lw

    with PeakAnon() as peak:
        t0 = time.perf_counter()
        found = lw.checks.find_data_issues(X, y, checks=[CHECK], method=method)
        wall = time.perf_counter() - t0
    issues, graph = found.issues.compute(), found.graph.compute()  # after the measured call, to compare
    info = found.info[CHECK]
    np.savez(
        out,
        flags=issues[f"is_{CHECK}_issue"].to_numpy(),
        scores=issues[f"{CHECK}_score"].to_numpy(),
        indices=graph.indices,
        distances=graph.distances,
    )
    client.close()
    cluster.close()
    return {
        "stage": stage,
        "wall_s": wall,
        **record,
        "client_peak_above_start_gb": (peak.peak - peak.base) / 1e9,
        "client_anon_at_start_gb": peak.base / 1e9,
        "n_issues": int(issues[f"is_{CHECK}_issue"].sum()),
        "n_groups": info["n_groups"],
        "weak_groups": [(w["group"], w["size"]) for w in info["weak_groups"]],
        "rows_in_no_group": info["rows_in_no_group"],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--chunk-rows", type=int, default=50_000)
    ap.add_argument("--dir", default="/tmp")
    ap.add_argument("--method", choices=["exact", "approximate"], default="approximate")
    ap.add_argument("--stage", choices=["gathered", "partitioned"])
    ap.add_argument("--out")
    args = ap.parse_args()
    if args.stage:
        print(json.dumps(run_stage(args.stage, args.n, args.chunk_rows, Path(args.out), args.method)))
        return
    print(f"machine: {cpu_model()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        for stage in ("gathered", "partitioned"):
            cmd = [sys.executable, __file__, "--stage", stage, "--n", str(args.n), "--chunk-rows", str(args.chunk_rows)]
            cmd += ["--method", args.method, "--out", str(Path(tmp) / f"{stage}.npz")]
            done = subprocess.run(cmd, capture_output=True, text=True, check=True)
            print(done.stdout.strip().splitlines()[-1])
        a, b = (np.load(Path(tmp) / f"{s}.npz") for s in ("gathered", "partitioned"))
        same_graph = bool((a["indices"] == b["indices"]).all() and (a["distances"] == b["distances"]).all())
        print(
            json.dumps(
                {
                    "same_graph": same_graph,
                    "identical_flags": bool((a["flags"] == b["flags"]).all()),
                    "flags_differing": int((a["flags"] != b["flags"]).sum()),
                    "score_max_abs_diff": float(np.abs(a["scores"] - b["scores"]).max()),
                }
            )
        )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
