"""CPU of the Dask selection's steps after round one, old (round two) vs new (cut from round one's
counts), in one process (issue 12, session 10): NOT the benchmark's data.

Round one runs on 500k-row chunks of ``bench_scale.generate``'s data with seed 1 (the benchmark uses
seed 0) with the cell limits of a 1e7-row audit in 20 chunks (this data's calibrated joint scaled to
1e7 rows, as ``dev_chunk_faults.py``); the 20 chunks reuse the file's chunks in turn (rows offset).
Then, on those lists, the steps each path runs on the workers are timed (thread CPU, best of 3):
before, the bounds by groups, the per-chunk re-read check, round two, the sum of its counts, the
quotas and the cut; now, the groups' bounds and counts and the cut from round one's lists. Both
selections are checked equal.

Usage: ``python benchmarks/dev_round_two.py --dir /tmp/dev`` (the folder of ``dev_dask_cut.py``).
"""

from __future__ import annotations

import argparse
import os
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
from labelwise.audit import _select, _selection

ROWS = 500_000
N_CHUNKS = 20


def best_cpu(fn: Callable[[], Any], reps: int = 3) -> tuple[float, Any]:
    """Best thread CPU seconds of ``reps`` calls, and the last result."""
    best, out = np.inf, None
    for _ in range(reps):
        t = time.thread_time()
        out = fn()
        best = min(best, time.thread_time() - t)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True)
    parser.add_argument("--n", type=int, default=4_000_000)
    args = parser.parse_args()
    folder = Path(args.dir)
    if not (folder / "probs.npy").exists():
        folder.mkdir(parents=True, exist_ok=True)
        bench_scale.generate(folder, args.n, seed=1)
    probs = np.load(folder / "probs.npy", mmap_mode="r")
    labels = np.load(folder / "labels.npy", mmap_mode="r")
    print(f"load average {os.getloadavg()[0]:.2f}", flush=True)
    joint = lw.find_label_issues(np.asarray(labels), probs).calibrated_confident_joint
    limits = np.rint(joint * (1e7 / probs.shape[0])).astype(np.int64)
    np.fill_diagonal(limits, 0)
    limits = limits.ravel()
    share = _selection.tput_share(limits, N_CHUNKS)
    edges = _selection.cell_groups(share * float(N_CHUNKS), N_CHUNKS)
    ranges = list(zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True))
    n_file = probs.shape[0] // ROWS
    margins = partial(_select.margin_entries, mispredicted_only=True)
    firsts = []
    for i in range(N_CHUNKS):
        r = i % n_file
        p = np.asarray(probs[r * ROWS : (r + 1) * ROWS])
        c = np.asarray(labels[r * ROWS : (r + 1) * ROWS])
        firsts.append(_selection._round_one(i * ROWS, p, c, p.argmax(axis=1), fn=margins, share=share, edges=edges))
    bounds = [(i * ROWS, (i + 1) * ROWS) for i in range(N_CHUNKS)]
    print(f"{N_CHUNKS} chunks, {len(ranges)} groups of cells, {sum(f[0][0].size for f in firsts):,} round-one entries")

    def before() -> list:
        group = [
            _selection.group_bound([f[g + 1] for f in firsts], limits, lo, hi) for g, (lo, hi) in enumerate(ranges)
        ]
        bound = np.concatenate(group)
        assert not any(_selection._any_cell_to_redo(f[0], share, bound) for f in firsts)
        second = partial(_selection._second_round, fn=margins, limits=limits, share=share, bound=bound)
        seconds = [second(s, None, None, None, f[0]) for f, (s, _) in zip(firsts, bounds, strict=True)]
        below = _selection._sum_counts([s[2] for s in seconds])
        quotas, _, _ = _selection.tie_quotas(limits, below, [s[3] for s in seconds])
        return [
            _selection.cut_chunk(s[0], s[1], q, None, None, a, b)
            for s, q, (a, b) in zip(seconds, quotas, bounds, strict=True)
        ]

    def now() -> list:
        counts = [
            _selection.group_counts([f[g + 1] for f in firsts], limits, share, lo, hi)
            for g, (lo, hi) in enumerate(ranges)
        ]
        bound, below, ties, redo = _selection.join_group_counts(counts, N_CHUNKS)
        assert not redo.any()
        quotas, _, _ = _selection.tie_quotas(limits, below, ties)
        return [_selection.cut_first(f[0], bound, q, a, b) for f, q, (a, b) in zip(firsts, quotas, bounds, strict=True)]

    for name, fn in (("before", before), ("now", now), ("before", before), ("now", now)):
        cpu, parts = best_cpu(fn)
        print(f"{name:7s} CPU {cpu * 1e3:7.1f} ms", flush=True)
        if name == "before":
            reference = parts
        else:
            for a, b in zip(parts, reference, strict=True):
                merged_a, merged_b = (
                    _select.merge_top([a], np.full(limits.size, 10**9)),
                    _select.merge_top([b], np.full(limits.size, 10**9)),
                )
                assert all(np.array_equal(x, y) for x, y in zip(merged_a, merged_b, strict=True))
    print(f"load average {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
