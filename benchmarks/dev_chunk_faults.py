"""Per-chunk cost of the Dask audit's chunk functions in one process (issue 12, session 7): NOT the benchmark's data.

``distributed`` starts its workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which turns off glibc's
adaptive mmap threshold: every temporary of 128 KB or more is a fresh mapping, page-faulted again.
This script runs the chunk functions of pass 1 (label check, self-confidence, limb sums) and of the
selection's round one on 500k-row chunks of ``bench_scale.generate``'s data with seed 1 (the
benchmark uses seed 0), read as the workers read them (read-only memory-map views), and prints the
best of 3 wall / CPU time and minor page faults of each. Run it twice to compare, with and without
the workers' setting::

    python benchmarks/dev_chunk_faults.py --dir /tmp/dev
    MALLOC_TRIM_THRESHOLD_=65536 python benchmarks/dev_chunk_faults.py --dir /tmp/dev
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import bench_scale

import labelwise as lw
from labelwise._validate.probabilities import PROB_SUM_ATOL
from labelwise.audit import _exact, _passes, _select, _selection, chunked

ROWS = 500_000


def faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def timed(name: str, fn: Callable[[int], Any], reps: int = 3) -> None:
    """Best of ``reps`` calls (call ``r`` works on chunk ``r``): wall, CPU and minor faults."""
    best: tuple[float, float, int] | None = None
    for r in range(reps):
        f0, c0, w0 = faults(), time.process_time(), time.perf_counter()
        fn(r)
        got = (time.perf_counter() - w0, time.process_time() - c0, faults() - f0)
        best = got if best is None or got[0] < best[0] else best
    assert best is not None
    print(f"{name:22s} wall {best[0] * 1e3:7.1f} ms  cpu {best[1] * 1e3:7.1f} ms  faults {best[2]:7d}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True)
    parser.add_argument("--n", type=int, default=2_000_000)
    args = parser.parse_args()
    folder = Path(args.dir)
    if not (folder / "probs.npy").exists():
        folder.mkdir(parents=True, exist_ok=True)
        bench_scale.generate(folder, args.n, seed=1)
    probs = np.load(folder / "probs.npy", mmap_mode="r")
    labels = np.load(folder / "labels.npy", mmap_mode="r")
    k = probs.shape[1]
    print(f"MALLOC_TRIM_THRESHOLD_={os.environ.get('MALLOC_TRIM_THRESHOLD_')}, load {os.getloadavg()[0]:.2f}")
    # cell limits of a 1e7-row audit with 20 chunks (this data's calibrated joint scaled to 1e7 rows)
    joint = lw.find_label_issues(np.asarray(labels), probs).calibrated_confident_joint
    limits = np.rint(joint * (1e7 / probs.shape[0])).astype(np.int64)
    np.fill_diagonal(limits, 0)
    share = _selection.tput_share(limits.ravel(), 20)
    chunks = [
        (np.asarray(probs[r * ROWS : (r + 1) * ROWS]), np.asarray(labels[r * ROWS : (r + 1) * ROWS])) for r in range(3)
    ]
    for p, _ in chunks:
        p.sum()  # pages mapped: the first touch of the file is not what is measured
    predicted = [np.array(p).argmax(axis=1).astype(np.int16) for p, _ in chunks]
    check = partial(chunked._label_problems, n_classes=k, index=None)
    first = partial(_passes.self_confidence_pass, n_classes=k, atol=PROB_SUM_ATOL)
    conf = first(0, *chunks[0])[0][0]
    margins = partial(_select.margin_entries, mispredicted_only=True)
    edges = _selection.cell_groups(share * 20.0, 20)
    timed("label check", lambda r: check(r * ROWS, chunks[r][1]))
    timed("pass 1", lambda r: first(r * ROWS, *chunks[r]))
    timed("limb sums", lambda r: _exact.class_limb_sums(chunks[r][1], conf, k))
    timed(
        "round one",
        lambda r: _selection._round_one(r * ROWS, *chunks[r], predicted[r], fn=margins, share=share, edges=edges),
    )


if __name__ == "__main__":
    main()
