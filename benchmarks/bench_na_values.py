"""``read_table(na_values=...)`` against the default read, and the cost of the missing-label error's look-up.

A CSV table of ``--n`` rows (two float features, a label ``NA``/``EU``/``AS``) is written once. Each
round times, in turn (the order rotates every round): ``read_table`` with pandas' markers (the
default), with ``na_values=""`` and with ``na_values=["?"]``, the label column as a text column as
the CLI reads it. Then ``raw_cell`` (what the error reads: the file up to the reported row) is
timed for a row near the start, the middle and the end. The table gives the median and the range
over ``--rounds`` rounds. The frames read with ``na_values=""`` and ``["?"]`` are checked equal to
each other, and to the default one except for the ``NA`` labels.

Usage: ``python benchmarks/bench_na_values.py [--n 1000000] [--rounds 5]``
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import cpu_model

from labelwise.io import read_table
from labelwise.io.na_values import raw_cell


def _table(path: Path, n: int) -> None:
    rng = np.random.default_rng(0)
    labels = np.array(["NA", "EU", "AS"])[rng.integers(0, 3, n)]
    pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n), "label": labels}).to_csv(path, index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"{cpu_model()}, Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        _table(path, args.n)
        print(f"{args.n:,} rows, {path.stat().st_size / 1e6:.1f} MB")
        reads = {
            "default (pandas' markers)": None,
            'na_values=""': "",
            'na_values=["?"]': ["?"],
        }
        times: dict[str, list[float]] = {name: [] for name in reads}
        frames: dict[str, pd.DataFrame] = {}
        names = list(reads)
        for r in range(args.rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                start = time.perf_counter()
                frames[name] = read_table(path, text_columns=["label"], na_values=reads[name])
                times[name].append(time.perf_counter() - start)
        as_text, listed, default = (frames[n] for n in ('na_values=""', 'na_values=["?"]', names[0]))
        pd.testing.assert_frame_equal(as_text, listed)
        is_na = as_text["label"] == "NA"
        assert default["label"][is_na].isna().all() and (default["label"][~is_na] == as_text["label"][~is_na]).all()
        rows = {"raw_cell, row 10": 10, "raw_cell, middle row": args.n // 2, "raw_cell, last row": args.n - 1}
        for name, row in rows.items():
            times[name] = []
            for _ in range(args.rounds):
                start = time.perf_counter()
                text = raw_cell(path, "label", row)
                times[name].append(time.perf_counter() - start)
            assert text == as_text["label"].iloc[row]
        print(f"{'what':28s} {'median s':>9s} {'range s':>15s}")
        for name, ts in times.items():
            print(f"{name:28s} {statistics.median(ts):9.3f} {min(ts):7.3f}-{max(ts):.3f}")


if __name__ == "__main__":
    main()
