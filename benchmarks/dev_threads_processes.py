"""Does the machine itself slow two CPUs working at once? Two *processes*, no threads, no shared GIL.

The two-thread audit (issue 12, threads goal) burns more CPU than the one-thread one for the same
work (x1.03-1.30 per stage, sessions 6-12). That can come from the code's threads (the GIL, their
hand-offs) or from the machine (two vCPUs that share a core, a cache or the memory bus). This
script takes the threads out: it runs the same one-thread work in one process alone (``solo``),
then in two processes started together (``pair``), alternating, and compares the CPU each call
takes (``time.thread_time``). Whatever inflation the pair shows is the machine's: it bounds the
ratio any two-thread code can reach here (with inflation ``x``, at most ``2 / x``).

Two kinds of work:

- ``audit``: ``find_label_issues(n_jobs=1)`` on the dev data (``dev_threads.load``, seed 1 by
  default, never the benchmark's 0): reads 400 MB per call (memory and cache bound in part);
- ``compute``: sorting a 16 KB array over and over (stays in each core's L1 cache): no memory
  traffic, so an inflation there is the vCPUs sharing a physical core (or the host taking time).

Usage: ``PYTHONPATH=src python benchmarks/dev_threads_processes.py [--rounds 3] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))


def work_calls(work: str, repeat: int, start_at: float, folder: str, seed: int) -> list[tuple[float, float]]:
    """``(wall, thread CPU)`` of ``repeat`` calls of ``work``, the first after ``start_at`` (a
    ``time.time()``; one warm-up call before the wait)."""
    if work == "audit":
        from dev_threads import load

        import labelwise as lw

        labels, probs = load(Path(folder), 1_000_000, seed)

        def call() -> None:
            lw.find_label_issues(labels, probs, n_jobs=1)

    else:
        rng = np.random.default_rng(seed)
        base = rng.random(2048)

        def call() -> None:
            for _ in range(10_000):
                np.sort(base)

    call()  # warm-up (imports, first-touch of buffers)
    while time.time() < start_at:
        time.sleep(0.001)
    out = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.thread_time()
        call()
        out.append((time.perf_counter() - wall, time.thread_time() - cpu))
    return out


def launch(work: str, n_procs: int, args: argparse.Namespace) -> list[list[tuple[float, float]]]:
    """Run ``work`` in ``n_procs`` processes started together; each one's calls."""
    start_at = time.time() + (args.wait if work == "audit" else 3.0)  # after every process has loaded
    cmd = [sys.executable, __file__, "child", "--work", work, "--repeat", str(args.repeat)]
    cmd += ["--start-at", repr(start_at), "--dir", args.dir, "--seed", str(args.seed)]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) for _ in range(n_procs)]
    return [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", nargs="?", default="compare", choices=["compare", "child"])
    parser.add_argument("--work", default="audit", choices=["audit", "compute"])
    parser.add_argument("--works", default="compute,audit")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--start-at", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--wait", type=float, default=8.0, help="audit: seconds for the processes to load")
    parser.add_argument("--dir", default="/tmp")
    args = parser.parse_args()
    if args.mode == "child":
        print(json.dumps(work_calls(args.work, args.repeat, args.start_at, args.dir, args.seed)))
        return
    out: dict = {"load_start": os.getloadavg()[0]}
    for work in args.works.split(","):
        cpu: dict[str, list[float]] = {"solo": [], "pair": []}
        wall: dict[str, list[float]] = {"solo": [], "pair": []}
        for _ in range(args.rounds):
            for kind, n in (("solo", 1), ("pair", 2)):
                for calls in launch(work, n, args):
                    wall[kind] += [c[0] for c in calls]
                    cpu[kind] += [c[1] for c in calls]
        out[work] = {
            kind: {
                "cpu_median_ms": round(1e3 * float(np.median(cpu[kind])), 1),
                "cpu_min_ms": round(1e3 * float(np.min(cpu[kind])), 1),
                "wall_median_ms": round(1e3 * float(np.median(wall[kind])), 1),
                "calls": len(cpu[kind]),
            }
            for kind in ("solo", "pair")
        }
        out[work]["cpu_inflation_median"] = round(
            out[work]["pair"]["cpu_median_ms"] / out[work]["solo"]["cpu_median_ms"], 3
        )
        out[work]["cpu_inflation_min"] = round(out[work]["pair"]["cpu_min_ms"] / out[work]["solo"]["cpu_min_ms"], 3)
    out["load_end"] = os.getloadavg()[0]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
