"""Which of pass 1's per-block numpy calls run in parallel on two threads (issue 12, threads goal).

Each operation of ``audit._passes.self_confidence_pass``'s block loop (the row sums by ``einsum``,
the minimum, the argmax, the two gathers by fancy indexing, and the gathers as one flat ``take``)
is run over 1 MB float32 blocks of a 42 MB matrix, ``--reps`` times on one thread, then the same
work split over two threads; the best of five of each. A call that holds the GIL (or is all
call overhead) shows a speed-up near or below 1.

Usage: ``python benchmarks/dev_gil_ops.py [--reps 20]``
"""

from __future__ import annotations

import argparse
import threading
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    k = 100
    step = (1 << 18) // k
    P = rng.random((40 * step, k), dtype=np.float32)
    codes = rng.integers(0, k, 40 * step).astype(np.int64)
    pos = np.arange(step)
    sums = np.empty(40 * step, np.float32)
    blocks = [slice(s, s + step) for s in range(0, P.shape[0], step)]
    ops = {
        "einsum row sums": lambda b, part: np.einsum("ij->i", part, out=sums[b]),
        "min": lambda b, part: part.min(),
        "argmax": lambda b, part: part.argmax(axis=1),
        "gather part[pos, codes]": lambda b, part: part[pos, codes[b]],
        "flat take": lambda b, part: part.ravel().take(pos * k + codes[b]),
    }

    def run(op, reps: int) -> None:
        for _ in range(reps):
            for b in blocks:
                op(b, P[b])

    for name, op in ops.items():
        run(op, 2)
        one = two = float("inf")
        for _ in range(5):
            t = time.perf_counter()
            run(op, args.reps)
            one = min(one, time.perf_counter() - t)
            threads = [threading.Thread(target=run, args=(op, args.reps // 2)) for _ in range(2)]
            t = time.perf_counter()
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            two = min(two, time.perf_counter() - t)
        per_call = one / (args.reps * len(blocks)) * 1e6
        print(
            f"{name:24s} one thread {one * 1e3:7.1f} ms  two {two * 1e3:7.1f} ms  speed-up {one / two:.2f}  {per_call:.1f} us a call"
        )


if __name__ == "__main__":
    main()
