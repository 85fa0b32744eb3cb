"""Development runs for the Dask audit's selection (issue 12, session 5): NOT the benchmark's data.

Generates ``bench_scale.generate``'s probabilities with seed 1 (the benchmark uses seed 0) into
``--dir`` once, then runs the memory-mapped audit and the Dask audit on a 2-worker LocalCluster
(each in a fresh process, as ``bench_scale.py`` does), optionally for several source trees side by
side, and with ``--profile`` prints where the Dask workers spent their time (``get_task_stream``:
seconds per task name and worker). The flags of every run are compared with the memory map's.

Usage: ``python benchmarks/dev_dask_cut.py --dir /tmp/dev --n 10000000 [--src A --src B] [--profile]``
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

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import bench_scale


def dask_profiled(folder: Path, chunk_rows: int, profile: bool) -> dict:
    """The Dask stage of bench_scale, with the task stream summed per task name and worker."""
    from distributed import Client, LocalCluster, get_task_stream

    import labelwise as lw
    from labelwise.cli._scale import load_probs

    calls: list = []
    if profile:  # the client's calls into RowChunks, timed: what the workers may wait for
        from labelwise import _chunks

        for method in ("run", "partials", "apply", "compute", "compute_all", "reduce_partials", "reduce_lazy"):
            original = getattr(_chunks.RowChunks, method)

            def timed(*args: object, _f=original, _name=method, **kwargs: object) -> object:
                t = time.time()
                try:
                    return _f(*args, **kwargs)
                finally:
                    calls.append((_name, t, time.time()))

            setattr(_chunks.RowChunks, method, timed)
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
    with cluster, Client(cluster) as client:
        client.run(bench_scale._import_labelwise)
        if os.environ.get("DEV_GC_FREEZE"):  # what the client's cyclic GC costs: the heap so far never rescanned
            import gc

            gc.freeze()
        with get_task_stream(client) as ts:
            epoch = time.time()
            wall = time.perf_counter()
            probs = load_probs(folder / "probs.npy", chunk_rows, lazy=True)
            labels = load_probs(folder / "labels.npy", chunk_rows, lazy=True)
            result = lw.find_label_issues(labels, probs)
            flags = result.is_issue.compute()
            wall = time.perf_counter() - wall
    np.save(folder / "flags_dask.npy", flags)
    out: dict = {"wall": wall}
    if profile:
        per: dict = defaultdict(float)
        for t in ts.data:
            name = t["key"][0] if isinstance(t["key"], tuple) else t["key"]
            name = name.rsplit("-", 1)[0]
            for s in t["startstops"]:
                per[f"{s['action']}:{name}@{t['worker'][-5:]}"] += s["stop"] - s["start"]
        out["profile"] = {k: round(v, 3) for k, v in sorted(per.items(), key=lambda kv: -kv[1]) if v > 0.05}
        out["timeline"] = timeline(ts.data, epoch) + [
            f"client {name:12s} {t0 - epoch:7.3f} {t1 - epoch:7.3f}" for name, t0, t1 in calls if t1 - t0 > 0.005
        ]
    return out


def timeline(tasks: list[dict], epoch: float) -> list[str]:
    """Per task name in order of first start: first start, last stop (s after the timer started),
    count and busy seconds per worker; then each worker's busy total (compute and transfer)."""
    groups: dict = {}
    busy: dict = defaultdict(float)
    for t in tasks:
        name = (t["key"][0] if isinstance(t["key"], tuple) else t["key"]).rsplit("-", 1)[0]
        worker = t["worker"][-5:]
        for s in t["startstops"]:
            g = groups.setdefault(
                (name, s["action"]), {"first": np.inf, "last": -np.inf, "n": 0, "busy": defaultdict(float)}
            )
            g["first"] = min(g["first"], s["start"] - epoch)
            g["last"] = max(g["last"], s["stop"] - epoch)
            g["n"] += 1
            g["busy"][worker] += s["stop"] - s["start"]
            busy[worker] += s["stop"] - s["start"]
    lines = [
        f"{g['first']:7.3f} {g['last']:7.3f} {g['n']:4d} {action[:8]:8s} {name[:28]:28s} "
        + " ".join(f"{w}:{v:.3f}" for w, v in sorted(g["busy"].items()))
        for (name, action), g in sorted(groups.items(), key=lambda kv: kv[1]["first"])
    ]
    return [*lines, "busy " + " ".join(f"{w}:{v:.3f}" for w, v in sorted(busy.items()))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True)
    parser.add_argument("--n", type=int, default=10_000_000)
    parser.add_argument("--chunk-rows", type=int, default=500_000)
    parser.add_argument("--src", action="append", help="labelwise src/ folders to compare (default: this one)")
    parser.add_argument("--stages", default="memmap,dask")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = Path(args.dir)
    if args.stage == "dask":
        print(json.dumps(dask_profiled(folder, args.chunk_rows, args.profile)))
        return
    if args.stage:
        print(json.dumps(bench_scale.stage(args.stage, folder)))
        return
    if not (folder / "probs.npy").exists():
        folder.mkdir(parents=True, exist_ok=True)
        bench_scale.generate(folder, args.n, seed=1)
    print(f"load average {os.getloadavg()[0]:.2f}", flush=True)
    reference = None
    for src in args.src or [str(Path(__file__).parents[1] / "src")]:
        for name in args.stages.split(","):
            cmd = [
                sys.executable,
                __file__,
                "--dir",
                str(folder),
                "--chunk-rows",
                str(args.chunk_rows),
                "--stage",
                name,
            ]
            cmd += ["--profile"] if args.profile else []
            res = subprocess.run(cmd, capture_output=True, text=True, check=False, env=dict(os.environ, PYTHONPATH=src))
            if res.returncode != 0:
                print(src, name, "failed:", res.stderr.strip().splitlines()[-1:], flush=True)
                continue
            out = json.loads(res.stdout.strip().splitlines()[-1])
            if name == "threads":  # 1e6 x 100 in memory, n_jobs=1 vs 2 (bench_scale's stage): no flags file
                out["speedup"] = round(out["jobs1"]["wall"] / out["jobs2"]["wall"], 3)
                print(src, name, json.dumps(out), flush=True)
                continue
            flags = np.load(folder / f"flags_{name}.npy")
            reference = flags if reference is None else reference
            out["same_flags"] = bool(np.array_equal(flags, reference))
            out["n_flagged"] = int(flags.sum())
            lines = out.pop("timeline", None)
            print(src, name, json.dumps(out), flush=True)
            if lines:
                print("\n".join(lines), flush=True)
    print(f"load average {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
