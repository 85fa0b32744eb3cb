"""Where pass 1's GIL waits are (issue 12, threads goal): voluntary context switches per chunk call.

Runs only pass 1 (``find.first_pass`` over the library's row chunks, ``n_jobs`` 1 and 2) on the dev
data (``dev_threads.load``, seed 1, never the benchmark's 0) and counts, per chunk call of
``self_confidence_pass``, the calling thread's voluntary context switches (``RUSAGE_THREAD``: each is
a thread that blocked, on a two-thread pass almost always on the GIL) and its CPU time. With
``--elements`` several pass-1 block sizes are run in one process, alternating: if the waits scale
with the number of blocks, the block loop's numpy calls are where the threads hand the GIL over; if
not, the per-chunk work is. Fewest and median waits, CPU and wall of ``--repeat`` passes per setting,
and the waits and CPU of the fastest pass (on a loaded machine the fastest is the one whose threads
ran at once).

Usage: ``PYTHONPATH=src python benchmarks/dev_pass1_waits.py [--elements 262144 1048576] [--repeat 7]``
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from dev_threads import load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elements", type=int, nargs="*", default=[1 << 18])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", default="/tmp")
    args = parser.parse_args()
    from labelwise import _chunks
    from labelwise.audit import _passes, find

    labels, probs = load(Path(args.dir), 1_000_000, args.seed)
    codes = labels.astype(np.int64)
    events: list[tuple[int, float]] = []
    lock = threading.Lock()
    inner_fn = _passes.self_confidence_pass

    @functools.wraps(inner_fn)
    def wrapped(*a, **kw):  # type: ignore[no-untyped-def]
        r0, c0 = resource.getrusage(resource.RUSAGE_THREAD), time.thread_time()
        try:
            return inner_fn(*a, **kw)
        finally:
            r1 = resource.getrusage(resource.RUSAGE_THREAD)
            with lock:
                events.append((r1.ru_nvcsw - r0.ru_nvcsw, time.thread_time() - c0))

    _passes.self_confidence_pass = wrapped
    out: dict = {"src": _passes.__file__, "load_start": os.getloadavg()[0]}
    for jobs in (1, 2):
        chunks = _chunks.RowChunks.for_arrays(probs, n_jobs=jobs)
        for elements in args.elements:
            _passes.FIRST_PASS_ELEMENTS = elements
            rows = []
            for _ in range(args.repeat):
                events.clear()
                t0 = time.perf_counter()
                find.first_pass(chunks, codes, probs)
                wall = time.perf_counter() - t0
                rows.append((sum(e[0] for e in events), sum(e[1] for e in events), wall, len(events)))
            arr = np.array(rows)
            out[f"jobs{jobs}_el{elements}"] = {
                "blocks": int(sum(-(-(b - a) // max(1, elements // probs.shape[1])) for a, b in chunks.bounds)),
                "chunks": int(arr[0, 3]),
                "waits_min_median": [int(arr[:, 0].min()), float(np.median(arr[:, 0]))],
                "cpu_ms_min_median": [round(1e3 * arr[:, 1].min(), 1), round(1e3 * float(np.median(arr[:, 1])), 1)],
                "wall_ms_min_median": [round(1e3 * arr[:, 2].min(), 1), round(1e3 * float(np.median(arr[:, 2])), 1)],
                "waits_cpu_ms_of_fastest": [
                    int(arr[arr[:, 2].argmin(), 0]),
                    round(1e3 * arr[arr[:, 2].argmin(), 1], 1),
                ],
            }
    out["load_end"] = os.getloadavg()[0]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
