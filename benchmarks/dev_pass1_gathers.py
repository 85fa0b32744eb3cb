"""Dev measurements for issue 12's threads goal: pass 1 without its per-block gathers' GIL hand-offs.

Pass 1 (``labelwise.audit._passes.self_confidence_pass``) makes two small fancy-index gathers per
1 MB row block (each row's top probability and its self-confidence); session 15's
``dev_gil_ops.py`` found them call overhead under the GIL (0.99x from a second thread). Variants,
each checked bit for bit against the library's pass 1 on the dev data:

- ``max``: the top probability by ``part.max(axis=1)`` (a reduction that releases the GIL) instead
  of a gather; the self-confidence gathered per block as in the library;
- ``gN``: the self-confidence gathered once per ``N`` blocks (``N`` MB of rows, from L3), the top
  probability per block as in the library;
- ``max_gN``: both.

Only pass 1 runs (``find.first_pass`` over the library's row chunks for ``n_jobs`` 1 and 2), the
variants alternating in one process; best and median of ``--repeat`` passes each. Data:
``dev_threads.load`` (seed 1, never the benchmark's 0), 1e6 x 100 float32.

Usage: ``PYTHONPATH=src python benchmarks/dev_pass1_gathers.py [--variants lib,max,g4,g8] [--repeat 9]``
"""

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from dev_threads import load

from labelwise import _chunks
from labelwise._scratch import scratch
from labelwise._validate import first_problem_rows, probs_problems
from labelwise.audit import _passes, find
from labelwise.audit._blocks import index_dtype, row_blocks
from labelwise.audit._exact import class_limb_sums

LIB = _passes.self_confidence_pass


def make(top_by_max: bool, group: int):
    def variant(start, probs, codes, *, n_classes, atol):
        n, k = probs.shape
        found = []
        predicted = np.empty(n, dtype=index_dtype(k))
        top = np.empty(n, dtype=probs.dtype)
        conf = np.empty(n, dtype=probs.dtype)
        step = min(n, max(1, _passes.FIRST_PASS_ELEMENTS // max(1, k)))
        positions = np.arange(step * max(1, group))
        sums = scratch("audit._passes.first.sums", n, np.float32)
        low = np.inf
        pending = []
        for block in row_blocks(n, k, _passes.FIRST_PASS_ELEMENTS):
            part = probs[block]
            np.einsum("ij->i", part, out=sums[block])
            low = min(low, float(part.min()))
            pred = part.argmax(axis=1)
            predicted[block] = pred
            if top_by_max:
                part.max(axis=1, out=top[block])
            else:
                top[block] = part[positions[: pred.shape[0]], pred]
            if group <= 1:
                conf[block] = part[positions[: pred.shape[0]], codes[block]]
            else:
                pending.append(block)
                if len(pending) == group:
                    a, b = pending[0].start, pending[-1].stop
                    conf[a:b] = probs[a:b][positions[: b - a], codes[a:b]]
                    pending = []
        if pending:
            a, b = pending[0].start, pending[-1].stop
            conf[a:b] = probs[a:b][positions[: b - a], codes[a:b]]
        if not _passes._clean_float32_chunk(probs, sums, low, atol):
            found = [
                probs_problems(start + b.start, probs[b], atol) for b in row_blocks(n, k, _passes.FIRST_PASS_ELEMENTS)
            ]
        limb_sums = class_limb_sums(codes, conf, n_classes)
        problems = first_problem_rows(found) if found else np.full(3, -1, dtype=np.int64)
        return (conf, predicted, top), (problems, limb_sums, np.bincount(codes, minlength=n_classes))

    return variant


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=9)
    p.add_argument("--variants", default="lib,max,max_g4,max_g8,g8")
    p.add_argument("--dir", default="/tmp")
    args = p.parse_args()
    labels, probs = load(Path(args.dir), 1_000_000, 1)
    codes = labels.astype(np.int64)
    table = {"lib": LIB}
    for name in args.variants.split(","):
        if name == "lib":
            continue
        g = int(name.split("_g")[-1]) if "_g" in name else (int(name[1:]) if name.startswith("g") else 1)
        table[name] = make(name.startswith("max"), g)
    ref = None
    res = {v: {1: [], 2: []} for v in table}
    for r in range(args.repeat):
        for v, fn in table.items():
            _passes.self_confidence_pass = fn
            for jobs in (1, 2):
                chunks = _chunks.RowChunks.for_arrays(probs, n_jobs=jobs)
                t0 = time.perf_counter()
                out = find.first_pass(chunks, codes, probs)
                res[v][jobs].append(time.perf_counter() - t0)
                if r == 0:
                    flat = [np.asarray(x) for x in out[1]] + [np.asarray(out[2])]
                    if ref is None:
                        ref = flat
                    else:
                        assert all(
                            np.array_equal(a, b) and a.tobytes() == b.tobytes() for a, b in zip(ref, flat, strict=True)
                        ), v
    for v in table:
        w1, w2 = min(res[v][1]), min(res[v][2])
        m1, m2 = np.median(res[v][1]), np.median(res[v][2])
        print(
            f"{v:8s} best 1t {1e3 * w1:6.1f} 2t {1e3 * w2:6.1f} ratio {w1 / w2:.3f} | median 1t {1e3 * m1:6.1f} 2t {1e3 * m2:6.1f} ratio {m1 / m2:.3f}"
        )
    print("load", os.getloadavg()[0])


if __name__ == "__main__":
    main()
