"""Dev probe for the threads goal of issue 12: how much more CPU does work cost on two cores than on one?

- ``kernels``: plain numpy kernels with nothing shared, one thread vs two (each on its own data): an
  L2-resident partition loop, row sums streamed over 400 MB, gathers of random rows of 400 MB.
- ``selection``: the in-memory audit's selection (``margin_entries``) split into its two LPT halves
  of the classes, run one after the other, in two threads, and in two forked processes (no shared
  GIL, no shared allocator). Dev data: ``bench_scale.generate`` with seed 1 (``dev_threads.load``).

Prints CPU seconds (``time.thread_time``) summed over the workers, and the ratio to one worker.

Usage: ``PYTHONPATH=src python benchmarks/dev_threads_probe.py [kernels|selection] [--dir /tmp]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from dev_threads import load


def _threads(work: Callable[[int], float], n: int) -> float:
    """CPU of ``work(i)`` for ``i < n`` run in ``n`` threads at once, summed."""
    out = [0.0] * n
    threads = [threading.Thread(target=lambda i=i: out.__setitem__(i, work(i))) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(out)


def _processes(work: Callable[[int], float], n: int) -> float:
    """CPU of ``work(i)`` for ``i < n`` run in ``n`` forked processes at once, summed."""
    pipes, pids = [], []
    for i in range(n):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            os.write(w, repr(work(i)).encode())
            os._exit(0)
        pipes.append(r)
        pids.append(pid)
    for pid in pids:
        os.waitpid(pid, 0)
    return sum(float(os.read(r, 64)) for r in pipes)


def kernels(repeat: int) -> dict:
    rng = np.random.default_rng(0)
    big = rng.random((1_000_000, 100), dtype=np.float32)
    small = [rng.random((100, 2000), dtype=np.float32) for _ in range(2)]
    rows = [np.sort(rng.choice(1_000_000, 300_000, replace=False)) for _ in range(2)]

    def compute(i: int) -> float:
        t = time.thread_time()
        for _ in range(60):
            b = small[i].copy()
            b.partition(1900, axis=1)
        return time.thread_time() - t

    def stream(i: int) -> float:
        t = time.thread_time()
        for _ in range(2):
            big[i * 500_000 : (i + 1) * 500_000].sum(axis=1)
        return time.thread_time() - t

    def gather(i: int) -> float:
        t = time.thread_time()
        out = np.empty((2621, 100), np.float32)
        for lo in range(0, 300_000, 2621):
            idx = rows[i][lo : lo + 2621]
            np.take(big, idx, axis=0, out=out[: idx.size], mode="clip")
        return time.thread_time() - t

    res = {}
    for name, work in (("l2_partition", compute), ("stream_row_sums", stream), ("row_gathers", gather)):
        one = min(work(0) + work(1) for _ in range(repeat))
        two = min(_threads(work, 2) for _ in range(repeat))
        res[name] = {"one_thread_cpu": round(one, 4), "two_threads_cpu": round(two, 4), "ratio": round(two / one, 3)}
    return res


def selection(folder: Path, repeat: int) -> dict:
    import labelwise as lw
    from labelwise.audit import _select

    labels, probs = load(folder, 1_000_000, 1)
    seen: dict = {}
    original = _select.margin_entries

    def capture(start, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.setdefault("call", (args, kwargs))
        return original(start, *args, **kwargs)

    _select.margin_entries = capture
    lw.find_label_issues(labels, probs, n_jobs=1)
    _select.margin_entries = original
    args, kwargs = seen["call"]
    k = probs.shape[1]
    cell_class = np.repeat(np.arange(k), k)
    groups = _select.balanced_groups(np.bincount(labels, minlength=k), 2)
    limits = [kwargs["limits"] * np.isin(cell_class, g) for g in groups]

    def work(i: int) -> float:
        t = time.thread_time()
        original(0, *args, **(kwargs | {"limits": limits[i]}))
        return time.thread_time() - t

    work(0), work(1)
    one = min(work(0) + work(1) for _ in range(repeat))
    two = min(_threads(work, 2) for _ in range(repeat))
    procs = min(_processes(work, 2) for _ in range(repeat))
    return {
        "one_after_the_other_cpu": round(one, 4),
        "two_threads_cpu": round(two, 4),
        "two_processes_cpu": round(procs, 4),
        "threads_ratio": round(two / one, 3),
        "processes_ratio": round(procs / one, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["kernels", "selection"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", default="/tmp")
    args = parser.parse_args()
    load_start = os.getloadavg()[0]
    res = kernels(args.repeat) if args.mode == "kernels" else selection(Path(args.dir), args.repeat)
    print(json.dumps({"load_start": round(load_start, 2), **res}))


if __name__ == "__main__":
    main()
