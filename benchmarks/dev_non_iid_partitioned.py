"""``non_iid`` on dask features: the graph gathered to the client vs the check per partition.

A neighbour graph of ``n`` rows and ``k`` neighbours is made on the workers of
``LocalCluster(n_workers=2, threads_per_worker=1)`` chunk by chunk (chunk ``i`` from
``default_rng([seed, i])``: each row's neighbours lie within ``--window`` rows of it, wrapped
around, so the row order is not random and the test rejects) and held there as a
:class:`~labelwise.checks._partitioned.PartitionedGraph`, as ``find_data_issues`` holds the graph it
builds on dask features. Each stage runs in a fresh process, so its peak memory is its own:

- ``gather``: the path ``find_data_issues`` took before session 22 (``_dask_run._Gathered``: the
  graph brought to the client, the in-memory ``non_iid.run``, the columns sent back);
- ``partitioned``: ``non_iid.run_partitioned`` (the graph stays on the workers).

The graph search itself is left out (it is the same for both and, exact at 1M rows, quadratic):
the time is the check's alone. The client's peak anonymous memory (``RssAnon`` sampled every 10 ms;
the scheduler runs in the client's process) is measured from the start of the check, after the
graph is persisted. The statistic, p-value, flags and scores are compared at the end.

``--probe``: in one process (no cluster), the time of what a permutation costs per option: a numpy
gather of ``n k`` positions (memory), ``take_rows`` of them (option (a), the sync scheduler) and a
keyed pseudo-random permutation evaluated elementwise on the ``n k`` neighbours (option (b): a
4-round Feistel network over ``2^(2h) >= n`` with cycle walking, Black & Rogaway 2002; a plain numpy
sketch, not tuned).

Usage: ``python benchmarks/dev_non_iid_partitioned.py [--n 1000000] [--k 16] [--chunk-rows 100000]
[--window 2000] [--permutations 50] [--scheduler cluster|threads] [--probe]``

``--scheduler threads``: the threads scheduler in the stage's process instead of the LocalCluster
(session 22, trips22).

``worker_cpu_s`` (session 23, scale23): the CPU time the check cost the worker processes (the sum of
their ``time.process_time()`` differences; on ``threads``, the stage's own process). Run it with
another checkout's ``labelwise`` first on ``PYTHONPATH`` to compare two versions; ``labelwise`` in
the output says which one ran.
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
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _machine import cpu_model
from bench_scale import PeakAnon


def make_chunk(i: int, rows: int, n: int, k: int, window: int, seed: int = 0) -> np.ndarray:
    """Chunk ``i`` of the graph's indices: each row's ``k`` neighbours within ``window`` rows of it."""
    rng = np.random.default_rng([seed, i])
    start = i * rows
    offsets = rng.integers(1, window + 1, size=(rows, k)) * rng.choice([-1, 1], size=(rows, k))
    return (np.arange(start, start + rows)[:, None] + offsets) % n


def feistel(x: np.ndarray, n: int, keys: list[int]) -> np.ndarray:
    """A keyed permutation of ``[0, n)`` evaluated at ``x``: balanced Feistel rounds on ``2h`` bits,
    re-applied to the values that land at ``n`` or above (cycle walking)."""
    h = max(1, (int(n - 1).bit_length() + 1) // 2)
    mask = np.uint64((1 << h) - 1)
    out, cur = np.empty(x.size, dtype=np.uint64), x.astype(np.uint64).ravel()
    todo = np.arange(x.size)
    while todo.size:
        v = cur[todo]
        left, right = v >> np.uint64(h), v & mask
        for key in keys:
            f = right * np.uint64(0x9E3779B97F4A7C15) + np.uint64(key)
            f ^= f >> np.uint64(29)
            left, right = right, (left ^ f) & mask
        v = (left << np.uint64(h)) | right
        ok = v < n
        out[todo[ok]] = v[ok]
        cur[todo[~ok]] = v[~ok]
        todo = todo[~ok]
    return out.reshape(x.shape)


def probe(args: argparse.Namespace) -> dict:
    import dask
    import dask.array as da

    from labelwise._dask_take import take_rows
    from labelwise.checks._partitioned import as_rows

    n, k, rows = args.n, args.k, args.chunk_rows
    idx = np.concatenate([make_chunk(i, rows, n, k, args.window) for i in range(n // rows)])
    assert np.array_equal(np.sort(feistel(np.arange(n), n, [1, 2, 3, 4])), np.arange(n))
    perm = np.random.default_rng(0).permutation(n)
    t0 = time.perf_counter()
    perm[idx]
    t1 = time.perf_counter()
    feistel(idx, n, [1, 2, 3, 4])
    t2 = time.perf_counter()
    indices = da.from_array(idx, chunks=(rows, k))
    with dask.config.set(scheduler="sync"):
        taken = take_rows(as_rows(perm, indices.chunks[0]), indices).sum()
        t3 = time.perf_counter()
        dask.compute(taken)
    t4 = time.perf_counter()
    return {"numpy_gather_s": t1 - t0, "feistel_s": t2 - t1, "take_rows_sync_s": t4 - t3}


def run_stage(stage: str, args: argparse.Namespace, out: Path) -> dict:
    import dask
    import dask.array as da
    from distributed import Client, LocalCluster

    from labelwise.checks import non_iid
    from labelwise.checks._base import CheckInputs
    from labelwise.checks._dask_run import _Gathered
    from labelwise.checks._partitioned import PartitionedGraph

    n, k, rows = args.n, args.k, args.chunk_rows
    cluster = client = None
    if args.scheduler == "cluster":
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
        client = Client(cluster)
        client.run(lambda: __import__("labelwise.checks.find"))
    else:
        dask.config.set(scheduler="threads")
    make = dask.delayed(make_chunk, pure=True)
    chunks = [da.from_delayed(make(i, rows, n, k, args.window), (rows, k), np.int64) for i in range(n // rows)]
    indices = da.concatenate(chunks)
    graph = PartitionedGraph(*dask.persist(indices, da.zeros((n, k), dtype=np.float32, chunks=(rows, k))))
    dask.compute(graph.indices.sum())  # held on the workers before the timer
    inputs = CheckInputs(n=n, graph=graph, options={"non_iid": {"n_permutations": args.permutations}})
    cpu0 = _cpu_times(client)
    with PeakAnon() as peak:
        t0 = time.perf_counter()
        if stage == "gather":
            result = _Gathered(graph.chunks, None, None).run(non_iid.CHECK, inputs)
        else:
            result = non_iid.run_partitioned(inputs)
        flags, score = dask.compute(result.columns["is_non_iid_issue"], result.columns["non_iid_score"])
        wall = time.perf_counter() - t0
    cpu = sum(_cpu_times(client).values()) - sum(cpu0.values())
    np.savez(out, flags=flags, score=score)
    if client is not None:
        client.close()
        cluster.close()
    return {
        "stage": stage,
        "scheduler": args.scheduler,
        "wall_s": wall,
        "worker_cpu_s": cpu,
        "labelwise": str(Path(non_iid.__file__).parents[1]),
        "client_peak_anon_above_start_mb": (peak.peak - peak.base) / 1e6,
        "client_anon_at_start_mb": peak.base / 1e6,
        "info": result.info,
    }


def _cpu_times(client: object) -> dict:
    """CPU seconds used so far by each worker process (``client``), or by this process (no client)."""
    if client is None:
        return {"self": time.process_time()}
    return client.run(time.process_time)  # type: ignore[attr-defined]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--k", type=int, default=16)
    ap.add_argument("--chunk-rows", type=int, default=100_000)
    ap.add_argument("--window", type=int, default=2000)
    ap.add_argument("--permutations", type=int, default=50)
    ap.add_argument("--stage", choices=["gather", "partitioned"])
    ap.add_argument("--stages", default="gather,partitioned")
    ap.add_argument("--out")
    ap.add_argument("--probe", action="store_true", help="time one permutation's lookup per option")
    ap.add_argument("--scheduler", choices=["cluster", "threads"], default="cluster")
    args = ap.parse_args()
    if args.probe:
        print(json.dumps(probe(args)))
        return
    if args.stage:
        print(json.dumps(run_stage(args.stage, args, Path(args.out))))
        return
    print(f"machine: {cpu_model()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"load average before: {os.getloadavg()}")
    stages = args.stages.split(",")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for stage in stages:
            cmd = [sys.executable, __file__, "--stage", stage, "--out", str(Path(tmp) / f"{stage}.npz")]
            for name in ("n", "k", "chunk_rows", "window", "permutations", "scheduler"):
                cmd += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
            done = subprocess.run(cmd, capture_output=True, text=True, check=True)
            results[stage] = json.loads(done.stdout.strip().splitlines()[-1])
            print(json.dumps(results[stage]))
        if len(stages) == 2:
            a, b = (np.load(Path(tmp) / f"{s}.npz") for s in stages)
            same = {
                "info": results[stages[0]]["info"] == results[stages[1]]["info"],
                "flags": bool((a["flags"] == b["flags"]).all()),
                "scores": bool((a["score"] == b["score"]).all()),
            }
            print(
                json.dumps(
                    {"identical": same, "wall_ratio": results[stages[1]]["wall_s"] / results[stages[0]]["wall_s"]}
                )
            )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
