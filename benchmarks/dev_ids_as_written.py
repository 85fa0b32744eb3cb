"""Time ``report._data_as_written.columns_as_written`` (the report's and the review's ids as the file writes
them) on a 200k-row CSV with two integer id columns, with the source trees given as ``--src``, one process
each, alternating (session 48). Each child prints its best of 5 and a digest of the frame it returns, so
equal digests mean equal outputs. Usage::

    python benchmarks/dev_ids_as_written.py --rows 200000 --src /tmp/mainsrc/src --src src
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

CHILD = """
import hashlib, sys, time
import pandas as pd
from labelwise.io import read_table
from labelwise.report._data_as_written import columns_as_written
data = read_table(sys.argv[1], text_columns=["label"])
best = []
for _ in range(5):
    t = time.perf_counter()
    out = columns_as_written(data, sys.argv[1], exclude=("label",))
    best.append(time.perf_counter() - t)
digest = hashlib.sha256(pd.util.hash_pandas_object(out, index=True).to_numpy().tobytes()).hexdigest()[:12]
print(min(best), digest, [str(t) for t in out.dtypes])
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--src", action="append", required=True)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    n = args.rows
    with tempfile.TemporaryDirectory() as tmp:
        tables = {
            "ints.csv": pd.DataFrame({"id": np.arange(n), "group": rng.integers(0, 1000, n)}),
            "padded.csv": pd.DataFrame({"id": [f"{i:07d}" for i in range(n)], "group": rng.integers(0, 1000, n)}),
        }
        paths = []
        for name, frame in tables.items():
            frame = frame.assign(x=rng.random(n), label=rng.choice(["a", "b", "c"], n))
            group = frame["group"].astype("Int64")
            group[::1000] = pd.NA  # a gap: floats read, Int64 written back
            frame["group"] = group
            frame.to_csv(Path(tmp) / name, index=False)
            paths.append(Path(tmp) / name)
        for r in range(args.rounds):
            for path in paths:
                for src in args.src:
                    env = {"PYTHONPATH": str(Path(src).resolve()), "OMP_NUM_THREADS": "1"}
                    out = subprocess.run(
                        [sys.executable, "-c", CHILD, str(path)], env=env, capture_output=True, text=True, check=True
                    )
                    seconds, rest = out.stdout.split(" ", 1)
                    print(f"round {r} {path.name} {src}: {float(seconds):.3f} s (best of 5); {rest.strip()}")


if __name__ == "__main__":
    main()
