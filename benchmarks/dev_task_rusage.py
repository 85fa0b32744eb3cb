"""Why a chunk function costs more on a Dask worker (issue 12, session 11): NOT the benchmark's data.

Runs ``bench_scale.py``'s Dask stage (``LocalCluster(n_workers=2, threads_per_worker=1)``) on
``bench_scale.generate``'s probabilities with seed 1 (the benchmark uses seed 0) and records, inside
every task on the workers, the thread's resource usage (``getrusage(RUSAGE_THREAD)``: user and
system seconds, minor page faults, context switches) around the task's function, by wrapping
``distributed.worker._run_task_simple`` on the workers before the timer. Per task name it prints the
summed wall, user and system seconds and faults. ``--variant`` sets what the nanny puts in the
workers' environment before they start (``distributed.nanny.pre-spawn-environ``):

- ``default``: distributed's own (``MALLOC_TRIM_THRESHOLD_=65536``, one BLAS / OpenMP thread);
- ``no-trim``: the same without ``MALLOC_TRIM_THRESHOLD_`` (glibc's adaptive mmap threshold, as in
  the memory-mapped audit's process);
- ``no-thp``: the default plus ``NUMPY_MADVISE_HUGEPAGE=0`` (numpy does not ask for 2 MB pages);
- ``neither``: both changes;
- ``no-profile``: the default with the workers' statistical profiler off (a thread that samples
  every thread's stack every 10 ms, holding the GIL while it does);
- ``inproc`` / ``inproc-trim``: no cluster; the same graph on dask's synchronous scheduler in one
  process (without / with ``MALLOC_TRIM_THRESHOLD_=65536``), its tasks recorded the same way.

Each run is one fresh process; several variants alternate (``--variant a,b --repeat 3``). The
flags are checked against the memory-mapped audit's (computed once into ``--dir``).

Usage: ``python benchmarks/dev_task_rusage.py --dir /tmp/dev4 [--n 4000000] [--variant default,no-trim] [--repeat 2]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import bench_scale

BASE_ENV = {"OMP_NUM_THREADS": 1, "MKL_NUM_THREADS": 1, "OPENBLAS_NUM_THREADS": 1}
VARIANTS = {
    "default": {**BASE_ENV, "MALLOC_TRIM_THRESHOLD_": 65536},
    "no-trim": dict(BASE_ENV),
    "no-thp": {**BASE_ENV, "MALLOC_TRIM_THRESHOLD_": 65536, "NUMPY_MADVISE_HUGEPAGE": 0},
    "neither": {**BASE_ENV, "NUMPY_MADVISE_HUGEPAGE": 0},
    "no-profile": {**BASE_ENV, "MALLOC_TRIM_THRESHOLD_": 65536, "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False"},
}


def _install() -> str:
    """On a worker: wrap the function that runs every task with a thread-rusage record."""
    import resource

    from distributed import worker

    if getattr(worker, "_dev_rusage", False):
        return "already"
    original = worker._run_task_simple
    records: list = []
    worker._dev_records = records  # on the module: this function and _collect are pickled by value

    def run(task: Any, data: dict, time_delay: float) -> Any:
        r0, w0 = resource.getrusage(resource.RUSAGE_THREAD), time.perf_counter()
        msg = original(task, data, time_delay)
        w1, r1 = time.perf_counter(), resource.getrusage(resource.RUSAGE_THREAD)
        key = task.key if hasattr(task, "key") else "?"
        name = (key[0] if isinstance(key, tuple) else str(key)).rsplit("-", 1)[0]
        records.append(
            (
                name,
                w1 - w0,
                r1.ru_utime - r0.ru_utime,
                r1.ru_stime - r0.ru_stime,
                r1.ru_minflt - r0.ru_minflt,
                r1.ru_nivcsw - r0.ru_nivcsw,
                r1.ru_nvcsw - r0.ru_nvcsw,
            )
        )
        return msg

    worker._run_task_simple = run
    worker._dev_rusage = True
    return os.environ.get("MALLOC_TRIM_THRESHOLD_", "-") + "/" + os.environ.get("NUMPY_MADVISE_HUGEPAGE", "-")


def _cpu() -> tuple[float, float]:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


def _profiling() -> bool:
    import dask

    return bool(dask.config.get("distributed.worker.profile.enabled"))


def _collect() -> list:
    import resource

    from distributed import worker

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return [*worker._dev_records, ("(process)", 0.0, usage.ru_utime, usage.ru_stime, usage.ru_minflt, 0, 0)]


def run_inproc(folder: Path, chunk_rows: int, variant: str) -> dict:
    """The same graph run by dask's synchronous scheduler in this process (no workers), each task
    recorded as on the workers: what the chunk functions cost outside a worker."""
    import resource

    import dask
    from dask import local

    import labelwise as lw
    from labelwise.cli._scale import load_probs

    records: list = []
    original = local.execute_task

    def execute(key: Any, *args: Any) -> Any:
        r0, w0 = resource.getrusage(resource.RUSAGE_THREAD), time.perf_counter()
        out = original(key, *args)
        w1, r1 = time.perf_counter(), resource.getrusage(resource.RUSAGE_THREAD)
        name = (key[0] if isinstance(key, tuple) else str(key)).rsplit("-", 1)[0]
        records.append(
            (
                name,
                w1 - w0,
                r1.ru_utime - r0.ru_utime,
                r1.ru_stime - r0.ru_stime,
                r1.ru_minflt - r0.ru_minflt,
                r1.ru_nivcsw - r0.ru_nivcsw,
                r1.ru_nvcsw - r0.ru_nvcsw,
            )
        )
        return out

    local.execute_task = execute
    dask.config.set(scheduler="synchronous")
    load = os.getloadavg()[0]
    wall = time.perf_counter()
    probs = load_probs(folder / "probs.npy", chunk_rows, lazy=True)
    labels = load_probs(folder / "labels.npy", chunk_rows, lazy=True)
    flags = lw.find_label_issues(labels, probs).is_issue.compute()
    wall = time.perf_counter() - wall
    return summary(
        variant, [os.environ.get("MALLOC_TRIM_THRESHOLD_", "-")], wall, load, flags, folder, {"local": records}
    )


def summary(variant: str, envs: list, wall: float, load: float, flags: np.ndarray, folder: Path, records: dict) -> dict:
    same = bool(np.array_equal(flags, np.load(folder / "flags_memmap.npy")))
    per: dict = defaultdict(lambda: np.zeros(7))
    for addr, recs in records.items():
        for name, *vals in recs:
            per[(name, addr[-5:])] += [1, *vals]
    return {
        "variant": variant,
        "env": sorted(set(envs)),
        "wall": round(wall, 3),
        "load": load,
        "same_flags": same,
        "per": {f"{n}@{w}": [round(float(v), 3) for v in a] for (n, w), a in sorted(per.items())},
    }


def run_variant(folder: Path, chunk_rows: int, variant: str) -> dict:
    """One Dask audit on a fresh LocalCluster with the variant's worker environment."""
    import dask
    from distributed import Client, LocalCluster

    import labelwise as lw
    from labelwise.cli._scale import load_probs

    if variant.startswith("inproc"):
        return run_inproc(folder, chunk_rows, variant)
    dask.config.set({"distributed.nanny.pre-spawn-environ": VARIANTS[variant]})
    if variant == "no-profile":  # the nanny hands its own config to the worker too
        dask.config.set({"distributed.worker.profile.enabled": False})
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
    with cluster, Client(cluster) as client:
        client.run(bench_scale._import_labelwise)
        envs = client.run(_install)
        import dask.array  # noqa: F401

        load = os.getloadavg()[0]
        sched0, self0 = client.run_on_scheduler(_cpu), _cpu()
        wall = time.perf_counter()
        probs = load_probs(folder / "probs.npy", chunk_rows, lazy=True)
        labels = load_probs(folder / "labels.npy", chunk_rows, lazy=True)
        result = lw.find_label_issues(labels, probs)
        flags = result.is_issue.compute()
        wall = time.perf_counter() - wall
        sched1, self1 = client.run_on_scheduler(_cpu), _cpu()
        records = client.run(_collect)
        records["client"] = [("(client cpu)", wall, self1[0] - self0[0], self1[1] - self0[1], 0, 0, 0)]
        records["sched"] = [("(scheduler cpu)", wall, sched1[0] - sched0[0], sched1[1] - sched0[1], 0, 0, 0)]
        envs = {
            a: e + (" profile" if p else " no-profile")
            for (a, e), p in zip(envs.items(), client.run(_profiling).values(), strict=True)
        }
    return summary(variant, list(envs.values()), wall, load, flags, folder, records)


def memmap_flags(folder: Path) -> None:
    """The memory-mapped audit's flags, the reference."""
    import labelwise as lw

    probs = np.load(folder / "probs.npy", mmap_mode="r")
    labels = np.load(folder / "labels.npy", mmap_mode="r")
    wall = time.perf_counter()
    flags = lw.find_label_issues(labels, probs).is_issue
    print(f"memmap audit {time.perf_counter() - wall:.2f} s", flush=True)
    np.save(folder / "flags_memmap.npy", flags)


def show(out: dict) -> None:
    print(
        f"{out['variant']:8s} env {out['env']} wall {out['wall']:.2f} s load {out['load']:.2f} same {out['same_flags']}",
        flush=True,
    )
    print(
        f"  {'task@worker':36s} {'n':>4s} {'wall':>7s} {'user':>7s} {'sys':>7s} {'minflt':>8s} {'invcs':>6s} {'vcs':>6s}"
    )
    for key, (n, wall, user, sys_, flt, inv, vol) in out["per"].items():
        if wall > 0.02 or key.startswith("("):
            print(
                f"  {key:36s} {int(n):4d} {wall:7.3f} {user:7.3f} {sys_:7.3f} {int(flt):8d} {int(inv):6d} {int(vol):6d}"
            )


def reads(folder: Path, chunk_rows: int, rounds: int) -> None:
    """Pass 1 and round one on a chunk read three ways, alternating, in this process: ``fresh-map``
    (a new memory map per call, as a worker's ``_npy_rows`` task reads it: every page of the
    chunk mapped again), ``kept-map`` (a view of one memory map whose pages were mapped before, as
    the memory-mapped audit's later passes and ``dev_chunk_faults.py`` read it) and ``copy`` (a
    writeable array in memory). Thread CPU (user, system), minor faults, median over ``rounds``."""
    import resource
    from functools import partial

    import labelwise as lw
    from labelwise._validate.probabilities import PROB_SUM_ATOL
    from labelwise.audit import _passes, _select, _selection
    from labelwise.cli._scale import _npy_rows

    path = str(folder / "probs.npy")
    probs = np.load(path, mmap_mode="r")
    labels = np.load(folder / "labels.npy")
    k = probs.shape[1]
    joint = lw.find_label_issues(labels, probs).calibrated_confident_joint  # limits as dev_chunk_faults.py
    limits = np.rint(joint * (1e7 / probs.shape[0])).astype(np.int64)
    np.fill_diagonal(limits, 0)
    share = _selection.tput_share(limits.ravel(), 20)
    edges = _selection.cell_groups(share * 20.0, 20)
    first = partial(_passes.self_confidence_pass, n_classes=k, atol=PROB_SUM_ATOL)
    margins = partial(_select.margin_entries, mispredicted_only=True)
    one = partial(_selection._round_one, fn=margins, share=share, edges=edges, key_dtype=np.dtype(np.float32))
    n_chunks = min(4, probs.shape[0] // chunk_rows)
    bounds = [(r * chunk_rows, (r + 1) * chunk_rows) for r in range(n_chunks)]
    kept = [probs[a:b] for a, b in bounds]
    for v in kept:
        float(v.sum())  # map every page once
    copies = [np.array(v) for v in kept]
    codes = [labels[a:b].copy() for a, b in bounds]
    predicted = [first(a, kept[r], codes[r])[0][1] for r, (a, b) in enumerate(bounds)]
    read = {
        "fresh-map": lambda r: _npy_rows(path, *bounds[r]),
        "kept-map": lambda r: kept[r],
        "copy": lambda r: copies[r],
    }
    calls = {
        "pass 1": lambda r, chunk: first(bounds[r][0], chunk, codes[r]),
        "round one": lambda r, chunk: one(bounds[r][0], chunk, codes[r], predicted[r]),
    }
    got: dict = defaultdict(list)
    for i in range(rounds):
        for fname, call in calls.items():
            for mode, get in read.items():
                r = i % n_chunks
                r0, w0 = resource.getrusage(resource.RUSAGE_THREAD), time.perf_counter()
                call(r, get(r))
                w1, r1 = time.perf_counter(), resource.getrusage(resource.RUSAGE_THREAD)
                got[(fname, mode)].append(
                    (w1 - w0, r1.ru_utime - r0.ru_utime, r1.ru_stime - r0.ru_stime, r1.ru_minflt - r0.ru_minflt)
                )
    env = os.environ.get("MALLOC_TRIM_THRESHOLD_", "-")
    print(f"MALLOC_TRIM_THRESHOLD_={env} load {os.getloadavg()[0]:.2f}; median of {rounds} (ms, ms, ms, faults)")
    for (fname, mode), vals in got.items():
        med = np.median(np.array(vals), axis=0)
        print(
            f"  {fname:10s} {mode:10s} wall {med[0] * 1e3:7.1f} user {med[1] * 1e3:7.1f} "
            f"sys {med[2] * 1e3:6.1f} faults {int(med[3]):6d}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True)
    parser.add_argument("--n", type=int, default=4_000_000)
    parser.add_argument("--chunk-rows", type=int, default=500_000)
    parser.add_argument("--variant", default="default,no-trim")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--reads", type=int, default=0, help="rounds of the read-mode comparison (no cluster)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = Path(args.dir)
    if args.reads:
        reads(folder, args.chunk_rows, args.reads)
        return
    if args.child:
        print(json.dumps(run_variant(folder, args.chunk_rows, args.child)))
        return
    if not (folder / "probs.npy").exists():
        folder.mkdir(parents=True, exist_ok=True)
        bench_scale.generate(folder, args.n, seed=1)
    if not (folder / "flags_memmap.npy").exists():
        memmap_flags(folder)
    for _ in range(args.repeat):
        for variant in args.variant.split(","):
            cmd = [sys.executable, __file__, "--dir", str(folder), "--chunk-rows", str(args.chunk_rows)]
            env = dict(os.environ)
            if variant == "inproc-trim":  # the workers' allocator setting in this one process
                env["MALLOC_TRIM_THRESHOLD_"] = "65536"
            res = subprocess.run([*cmd, "--child", variant], capture_output=True, text=True, check=False, env=env)
            if res.returncode != 0:
                print(variant, "failed:", res.stderr.strip().splitlines()[-3:], flush=True)
                continue
            show(json.loads(res.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
