"""Dev measurements for issue 12's threads goal: pass 1 of the audit with its reductions on L2-sized tiles.

Pass 1 (``labelwise.audit._passes.self_confidence_pass``) reads each 1 MB row block of ``probs``
three times (row sums, minimum, argmax), from L3 since the block is larger than the 512 KB L2.
The variants here take the three reductions on tiles of ``T`` rows inside each block (a tile of
256 rows x 100 float32 is 100 KB: the second and third reads hit L2), and run the value checks on
the block's row sums afterwards (the same checks, so the same result; the library's own checks are
rerun on any block that is not clean). Only pass 1 runs (``find.first_pass`` over the library's
row chunks), ``n_jobs`` 1 and 2, variants alternating in one process, best of ``--repeat``; every
variant's outputs are compared with the library's.

Mode ``kernels`` times, in one thread (``time.thread_time``, best of ``--repeat``), each reduction
alone over the data by 1 MB blocks (row sums by ``np.add.reduce``, ``np.einsum`` and BLAS ``@``,
the minimum, the argmax), the three together per block, and per tile of 256, 655 and 1310 rows.

Data: ``dev_threads.load`` (``bench_scale.generate`` with a dev seed, default 1, never the
benchmark's 0), 1e6 x 100 float32.

Usage: ``PYTHONPATH=src python benchmarks/dev_pass1_tiles.py [pass|kernels] [--tiles 0,256,640] [--repeat 5]``
(tile 0 = the library's pass 1 as it is).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from dev_threads import load


def tiled_pass(start, probs, codes, *, n_classes, atol, tile):  # type: ignore[no-untyped-def]
    """Pass 1 as the library's, with the sums, minimum and argmax of each block taken tile by tile."""
    from labelwise._validate.probabilities import first_problem_rows, probs_problems, row_sums_checked
    from labelwise.audit._blocks import index_dtype, row_blocks
    from labelwise.audit._exact import class_limb_sums
    from labelwise.audit._passes import FIRST_PASS_ELEMENTS

    n, k = probs.shape
    found = []
    predicted = np.empty(n, dtype=index_dtype(k))
    top = np.empty(n, dtype=probs.dtype)
    conf = np.empty(n, dtype=probs.dtype)
    step = min(n, max(1, FIRST_PASS_ELEMENTS // max(1, k)))
    positions = np.arange(step)
    sums = np.empty(step, dtype=probs.dtype)
    pred = np.empty(step, dtype=np.intp)
    clean = np.full(3, -1, dtype=np.int64)
    for block in row_blocks(n, k, FIRST_PASS_ELEMENTS):
        part = probs[block]
        m = part.shape[0]
        low = np.inf
        for t in range(0, m, tile):
            e = min(t + tile, m)
            sub = part[t:e]
            np.add.reduce(sub, axis=1, out=sums[t:e])
            low = min(low, sub.min())
            np.argmax(sub, axis=1, out=pred[t:e])
        checked = row_sums_checked(part, atol, sums[:m])
        if not low < 0 and (np.abs(checked - 1.0) <= atol).all():
            found.append(clean)
        else:
            found.append(probs_problems(start + block.start, part, atol))
        predicted[block] = pred[:m]
        at = positions[:m]
        top[block] = part[at, pred[:m]]
        conf[block] = part[at, codes[block]]
    limbs = class_limb_sums(codes, conf, n_classes)
    problems = first_problem_rows(found) if found else np.full(3, -1, dtype=np.int64)
    return (conf, predicted, top), (problems, limbs, np.bincount(codes, minlength=n_classes))


def run(labels: np.ndarray, probs: np.ndarray, tiles: list[int], repeat: int) -> dict:
    from labelwise._chunks import RowChunks
    from labelwise.audit import _passes, find

    library = _passes.self_confidence_pass
    out: dict = {}
    reference = None
    for _ in range(repeat):
        for tile in tiles:
            _passes.self_confidence_pass = (
                library if tile == 0 else partial(tiled_pass, tile=tile)  # type: ignore[assignment]
            )
            for jobs in (1, 2):
                chunks = RowChunks.for_arrays(probs, n_jobs=jobs)
                wall, cpu = time.perf_counter(), time.process_time()
                codes, rows, thresholds, counts = find.first_pass(chunks, labels, probs)
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                got = (*rows, thresholds, counts)
                if reference is None:
                    reference = got
                same = all(np.array_equal(a, b) for a, b in zip(reference, got, strict=True))
                best = out.setdefault(f"tile{tile}", {}).setdefault(f"jobs{jobs}", {"wall": np.inf, "cpu": np.inf})
                best["wall"], best["cpu"] = min(best["wall"], wall), min(best["cpu"], cpu)
                best["same"] = bool(best.get("same", True) and same)
    _passes.self_confidence_pass = library
    for v in out.values():
        v["ratio"] = v["jobs1"]["wall"] / v["jobs2"]["wall"]
    return out


def kernels(probs: np.ndarray, repeat: int) -> dict:
    """Single-thread CPU milliseconds of pass 1's reductions by 1 MB blocks and by tiles."""
    n, k = probs.shape
    step = (1 << 18) // k
    sums, pred, ones = np.empty(step, probs.dtype), np.empty(step, np.intp), np.ones(k, probs.dtype)
    ops = {
        "sum": lambda a: np.add.reduce(a, axis=1, out=sums[: a.shape[0]]),
        "einsum": lambda a: np.einsum("ij->i", a, out=sums[: a.shape[0]]),
        "matmul": lambda a: np.matmul(a, ones, out=sums[: a.shape[0]]),
        "min": lambda a: a.min(),
        "argmax": lambda a: np.argmax(a, axis=1, out=pred[: a.shape[0]]),
    }

    def over_blocks(names: list[str], tile: int | None = None):  # type: ignore[no-untyped-def]
        def run() -> None:
            for s in range(0, n, step):
                part = probs[s : s + step]
                for t in range(0, part.shape[0], tile or part.shape[0]):
                    sub = part[t : t + (tile or part.shape[0])]
                    for name in names:
                        ops[name](sub)

        return run

    cases = {f"1 MB blocks: {name}": over_blocks([name]) for name in ops}
    cases["1 MB blocks: sum, min, argmax"] = over_blocks(["sum", "min", "argmax"])
    cases["1 MB blocks: einsum, min, argmax"] = over_blocks(["einsum", "min", "argmax"])
    for tile in (256, 655, 1310):
        cases[f"tiles of {tile} rows: sum, min, argmax"] = over_blocks(["sum", "min", "argmax"], tile)
    from threadpoolctl import threadpool_limits

    out = {}
    with threadpool_limits(1, "blas"):
        for name, fn in cases.items():
            best = np.inf
            for _ in range(repeat):
                t = time.thread_time()
                fn()
                best = min(best, time.thread_time() - t)
            out[name] = round(best * 1e3, 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["pass", "kernels"], nargs="?", default="pass")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--tiles", default="0,256,640")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dir", default="/tmp")
    args = parser.parse_args()
    labels, probs = load(Path(args.dir), args.n, args.seed)
    if args.mode == "kernels":
        print(json.dumps(kernels(probs, args.repeat), indent=1))
        return
    tiles = [int(t) for t in args.tiles.split(",")]
    print(json.dumps(run(labels, probs, tiles, args.repeat), indent=1, default=float))


if __name__ == "__main__":
    main()
