"""Where the Dask audit's client and scheduler spend their time (issue 12, session 12): NOT the benchmark's data.

Runs ``bench_scale.py``'s Dask stage (``LocalCluster(n_workers=2, threads_per_worker=1)``, the
scheduler in the client's process, on its ``IO loop`` thread) on ``bench_scale.generate``'s
probabilities with seed 1 (the benchmark uses seed 0) and measures the client's process:

- CPU seconds of each worker process, and of each of the client's threads, during the audit (``/proc/self/task``): the main thread (the
  client's Python: graph building, tokenisation, the passes' small steps) and the ``IO loop`` thread
  (the scheduler and the client's communication);
- every graph sent to the scheduler (``Client._graph_to_futures``): how many and the client's time
  in them; the tasks the workers ran (the task stream); and
  the client's time in ``dask.persist`` / ``dask.compute`` calls;
- the workers' task stream: busy seconds per worker, and the time neither / one worker ran a task;
- with ``--profile main`` or ``--profile loop``: a ``cProfile`` of that thread during the audit (the
  loop thread's profiler is switched on and off from within the loop), its top functions.

Each run is a fresh process; ``--src A --src B`` alternate source trees (``--repeat`` times). The flags
are checked against the memory-mapped audit's (computed once into ``--dir``).

Usage: ``python benchmarks/dev_dask_client.py --dir /tmp/dev4 [--src A --src B] [--repeat 2] [--profile main|loop]``
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import bench_scale


def _kind(name: str) -> str:
    """A thread's kind from its name: the client's main and loop threads, a worker's task thread
    (``Dask-Worker-Threads``), its profiler and memory monitor, or other."""
    for prefix, kind in (
        ("MainThread", "main"),
        ("IO loop", "IO loop"),
        ("Dask-Default-Threads", "tasks"),
        ("Profile", "profile"),
    ):
        if name.startswith(prefix):
            return kind
    return "other"


def thread_cpu() -> dict[str, float]:
    """CPU seconds (user + system) of this process's threads, summed by kind (:func:`_kind`)."""
    names = {t.native_id: t.name for t in threading.enumerate()}
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = defaultdict(float)
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/stat", encoding="ascii") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        out[_kind(names.get(int(tid), "other"))] += (int(fields[11]) + int(fields[12])) / tick
    return dict(out)


def _top(profile: cProfile.Profile, n: int = 30) -> list[str]:
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats(os.environ.get("DEV_SORT", "tottime")).print_stats(n)
    lines = [ln for ln in text.getvalue().splitlines() if ln.strip()]
    start = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls")), 0)
    return lines[start : start + n + 1]


def _idle(tasks: list[dict], epoch: float, wall: float) -> dict[str, float]:
    """Seconds of the audit with 0, 1 and 2 workers running a task (compute or transfer)."""
    events = []
    for t in tasks:
        for s in t["startstops"]:
            events += [(s["start"] - epoch, 1), (s["stop"] - epoch, -1)]
    events.sort()
    spans: dict[int, float] = defaultdict(float)
    level, last = 0, 0.0
    for at, step in [*events, (wall, 0)]:
        at = min(max(at, 0.0), wall)
        spans[min(level, 2)] += at - last
        level, last = level + step, at
    return {f"{k}_busy": round(v, 3) for k, v in sorted(spans.items())}


def dask_client(folder: Path, chunk_rows: int, profile: str | None) -> dict[str, Any]:
    """The Dask stage of bench_scale, with the client's process measured."""
    import dask
    from distributed import Client, LocalCluster, get_task_stream

    import labelwise as lw
    from labelwise.cli._scale import load_probs

    graphs: list[tuple[int, float]] = []
    original = Client._graph_to_futures

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            graphs.append((0, time.perf_counter() - t))

    Client._graph_to_futures = counted  # type: ignore[method-assign]
    calls: dict[str, list[float]] = defaultdict(list)
    for name in ("persist", "compute"):
        fn = getattr(dask, name)

        def timed(*args: Any, _f: Any = fn, _n: str = name, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return _f(*args, **kwargs)
            finally:
                calls[_n].append(time.perf_counter() - t)

        setattr(dask, name, timed)
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
    with cluster, Client(cluster) as client:
        client.run(bench_scale._import_labelwise)
        import dask.array  # noqa: F401

        prof = cProfile.Profile(time.thread_time) if profile else None  # CPU of the profiled thread
        done = threading.Event()

        def switch(on: bool) -> None:
            assert prof is not None
            prof.enable() if on else prof.disable()
            done.set()

        if profile == "loop":
            client.loop.add_callback(switch, True)
            done.wait()
        graphs.clear()
        with get_task_stream(client) as ts:
            workers_before = client.run(thread_cpu)
            before = thread_cpu()
            if profile == "main":
                prof.enable()  # type: ignore[union-attr]
            epoch = time.time()
            wall = time.perf_counter()
            probs = load_probs(folder / "probs.npy", chunk_rows, lazy=True)
            labels = load_probs(folder / "labels.npy", chunk_rows, lazy=True)
            result = lw.find_label_issues(labels, probs)
            passes = time.perf_counter() - wall
            flags = result.is_issue.compute()
            wall = time.perf_counter() - wall
            if profile == "main":
                prof.disable()  # type: ignore[union-attr]
            after = thread_cpu()
            workers_after = client.run(thread_cpu)
        if profile == "loop":
            done.clear()
            client.loop.add_callback(switch, False)
            done.wait()
    np.save(folder / "flags_dask.npy", flags)
    busy: dict[str, float] = defaultdict(float)
    names: dict[str, int] = defaultdict(int)
    for t in ts.data:
        key = t["key"]
        names[(key[0] if isinstance(key, tuple) else str(key)).rsplit("-", 1)[0]] += 1
        for s in t["startstops"]:
            busy[t["worker"][-5:]] += s["stop"] - s["start"]
    out: dict[str, Any] = {
        "wall": round(wall, 3),
        "passes": round(passes, 3),
        "cpu": {k: round(after.get(k, 0.0) - before.get(k, 0.0), 3) for k in after},
        "workers_cpu": [
            {k: round(v - workers_before[w].get(k, 0.0), 3) for k, v in workers_after[w].items()}
            for w in sorted(workers_after)
        ],
        "graphs": len(graphs),
        "tasks": len(ts.data),
        "graph_s": round(sum(g[1] for g in graphs), 3),
        "calls": {k: [len(v), round(sum(v), 3)] for k, v in calls.items()},
        "worker_busy": {k: round(v, 3) for k, v in sorted(busy.items())},
        "task_names": dict(sorted(names.items(), key=lambda kv: -kv[1])),
        **_idle(ts.data, epoch, wall),
    }
    if prof is not None:
        out["top"] = _top(prof)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True)
    parser.add_argument("--chunk-rows", type=int, default=500_000)
    parser.add_argument("--src", action="append", help="labelwise src/ folders to compare (default: this one)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", choices=("main", "loop"))
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = Path(args.dir)
    if args.stage == "dask":
        print(json.dumps(dask_client(folder, args.chunk_rows, args.profile)))
        return
    if args.stage:
        print(json.dumps(bench_scale.stage(args.stage, folder)))
        return
    srcs = args.src or [str(Path(__file__).parents[1] / "src")]
    env = dict(os.environ)
    if not (folder / "flags_memmap.npy").exists():
        cmd = [sys.executable, __file__, "--dir", str(folder), "--stage", "memmap"]
        subprocess.run(cmd, check=True, capture_output=True, env=dict(env, PYTHONPATH=srcs[0]))
    reference = np.load(folder / "flags_memmap.npy")
    for _ in range(args.repeat):
        for src in srcs:
            load = os.getloadavg()[0]
            cmd = [sys.executable, __file__, "--dir", str(folder), "--chunk-rows", str(args.chunk_rows)]
            cmd += ["--stage", "dask", *(["--profile", args.profile] if args.profile else [])]
            res = subprocess.run(cmd, capture_output=True, text=True, check=False, env=dict(env, PYTHONPATH=src))
            if res.returncode != 0:
                print(src, "failed:", res.stderr.strip().splitlines()[-3:], flush=True)
                continue
            out = json.loads(res.stdout.strip().splitlines()[-1])
            top = out.pop("top", None)
            out["same_flags"] = bool(np.array_equal(np.load(folder / "flags_dask.npy"), reference))
            print(f"{src} load {load:.2f}", json.dumps(out), flush=True)
            if top:
                print("\n".join(top), flush=True)


if __name__ == "__main__":
    main()
