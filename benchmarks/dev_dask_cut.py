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

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
    with cluster, Client(cluster) as client:
        client.run(bench_scale._import_labelwise)
        with get_task_stream(client) as ts:
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
    return out


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
            print(src, name, json.dumps(out), flush=True)
    print(f"load average {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
