"""Exact duplicate texts: labelwise's ``exact_duplicate`` groups against pandas' ``DataFrame.duplicated``.

Usage (from the repository root)::

    python benchmarks/bench_text_duplicates.py                  # 10^4, 10^5, 10^6 rows
    python benchmarks/bench_text_duplicates.py --sizes 100000 --columns 2

The texts: short reviews of six words drawn from 40 (a tenth of the rows copies of earlier rows,
a twentieth missing), in ``--columns`` columns. For each size, the flags of
:func:`labelwise.checks.exact_duplicate.duplicate_groups` (64-bit hashes by blocks of rows, then a
value check) and ``DataFrame.duplicated(keep=False)`` are computed on the same table, compared
(they must be equal), and timed; the ratio is labelwise's time over pandas'. pandas gives flags
only; labelwise also numbers the sets (the rows ``info["sets"]`` lists).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine_line

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from labelwise.checks._inputs import check_texts  # noqa: E402
from labelwise.checks.exact_duplicate import duplicate_groups  # noqa: E402

WORDS = [f"w{i}" for i in range(40)]


def reviews(n: int, columns: int, seed: int = 0) -> pd.DataFrame:
    """``n`` rows of ``columns`` texts, a tenth copies of earlier rows and a twentieth missing cells."""
    rng = np.random.default_rng(seed)
    table = {}
    for c in range(columns):
        words = np.array(WORDS)[rng.integers(0, len(WORDS), (n, 6))]
        texts = pd.Series([" ".join(row) for row in words], dtype=object)
        texts[rng.random(n) < 0.05] = None
        table[f"text{c}"] = texts
    frame = pd.DataFrame(table)
    copies = rng.choice(n, n // 10, replace=False)
    frame.iloc[copies] = frame.iloc[rng.integers(0, n, copies.size)].to_numpy()
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--columns", type=int, default=1)
    args = parser.parse_args()
    print(machine_line())
    print(f"{'rows':>9} {'flagged':>8} {'labelwise s':>12} {'pandas s':>9} {'ratio':>6} same")
    for n in args.sizes:
        frame = reviews(n, args.columns)
        start = time.perf_counter()
        groups = duplicate_groups(None, check_texts(frame, None))
        ours = time.perf_counter() - start
        start = time.perf_counter()
        theirs = frame.duplicated(keep=False).to_numpy()
        peer = time.perf_counter() - start
        same = bool(np.array_equal(groups >= 0, theirs))
        print(f"{n:>9} {int(theirs.sum()):>8} {ours:>12.3f} {peer:>9.3f} {ours / peer:>6.2f} {same}")


if __name__ == "__main__":
    main()
