"""Near-duplicate sets from 64-bit perceptual hashes alone: every pair compared against multi-index hashing.

Usage (from the repository root)::

    python benchmarks/bench_image_hashes.py                 # 10^4, 10^5, 10^6 hashes
    python benchmarks/bench_image_hashes.py --sizes 10000 --distances 0 4

The hashes: 90% uniformly random 64-bit values, 10% near copies of them with 1 to 8 random bits
flipped (a bit drawn twice flips back, so a few copies are exact). For each size and
``near_duplicate_distance`` d, the sets
of :func:`labelwise.checks.image_properties._near_sets` with every pair compared
(``close_pairs_all``, the method before session 34) and with the default ``close_pairs``
(multi-index hashing up to d = 11). The all-pairs pass runs in full up to ``--full-limit`` hashes
and the sets are compared; above it, its first ``--sample-blocks`` blocks of 1,024 hashes are
timed and scaled to all blocks (printed as an estimate, no sets to compare). Distance 0 takes
the sort of identical hashes on both sides (no pairs); the index's own time is printed too.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import cpu_model

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from labelwise.checks._image_scores import close_pairs_all, close_pairs_indexed, hamming  # noqa: E402
from labelwise.checks.image_properties import _near_sets  # noqa: E402


def planted_hashes(n: int, seed: int = 0) -> np.ndarray:
    """``n`` hashes, a tenth of them near copies of the others (module docstring), shuffled."""
    rng = np.random.default_rng(seed)
    n_near = n // 10
    values = rng.integers(0, 2**64 - 1, n - n_near, dtype=np.uint64, endpoint=True)
    copies = values[rng.integers(0, len(values), n_near)]
    flips = rng.integers(1, 9, n_near)
    bits = rng.integers(0, 64, (n_near, 8)).astype(np.uint64)
    masks = np.where(np.arange(8) < flips[:, None], np.uint64(1) << bits, np.uint64(0))
    hashes = np.concatenate([values, copies ^ np.bitwise_xor.reduce(masks, axis=1)])
    return hashes[rng.permutation(n)]


def _timed(func, *args, **kwargs):
    start = time.perf_counter()
    out = func(*args, **kwargs)
    return out, time.perf_counter() - start


def estimate_all_pairs(values: np.ndarray, distance: int, blocks: int, block: int = 1024) -> float:
    """Seconds of the all-pairs pass over ``values``, from its first ``blocks`` blocks."""
    start = time.perf_counter()
    for i in range(blocks):
        np.nonzero(hamming(values[i * block : (i + 1) * block], values) <= distance)
    return (time.perf_counter() - start) / blocks * -(-len(values) // block)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--distances", type=int, nargs="+", default=[0, 4, 8])
    parser.add_argument("--full-limit", type=int, default=20_000)
    parser.add_argument("--sample-blocks", type=int, default=4)
    parser.add_argument("--max-candidates", type=float, default=2e9, help="skip the index above this estimate")
    args = parser.parse_args()
    print(f"machine: {cpu_model()}, numpy {np.__version__}")
    print(f"{'n':>9} {'d':>3} {'all pairs s':>14} {'index s':>9} {'sets':>7}  same sets")
    for n in args.sizes:
        hashes = planted_hashes(n)
        readable = np.ones(n, dtype=bool)
        values = np.unique(hashes)
        for d in args.distances:
            widths = [64 // (d + 1) + (j < 64 % (d + 1)) for j in range(d + 1)]
            candidates = len(values) ** 2 / 2 * sum(2.0**-w for w in widths)
            if candidates > args.max_candidates:
                print(f"{n:>9} {d:>3} {'':>14} {'skipped':>9}  ~{candidates:.1e} candidate pairs")
                continue
            new, t_new = _timed(_near_sets, hashes, readable, d)
            note = ""
            if d == 0:
                _, t_index = _timed(close_pairs_indexed, values, 0)
                note = f"  (index pass alone {t_index:.3f} s)"
            if n <= args.full_limit:
                old, t_old = _timed(_near_sets, hashes, readable, d, pairs=close_pairs_all)
                print(f"{n:>9} {d:>3} {t_old:>14.3f} {t_new:>9.3f} {len(new):>7}  {old == new}{note}")
            else:
                est = 0.0 if d == 0 else estimate_all_pairs(values, d, args.sample_blocks)
                print(f"{n:>9} {d:>3} {'~' + format(est, '.0f') + ' (est.)':>14} {t_new:>9.3f} {len(new):>7}  -{note}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
