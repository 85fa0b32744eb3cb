"""Time ``read_table`` on a JSON Lines answers table (item, annotator, label as text columns) with the
source tree given as ``--src`` and this one, in one process each, alternating: the cost of reading a
JSON file's id columns as its CSV (session 45). Usage::

    python benchmarks/dev_json_ids_read.py --rows 200000 --src /tmp/mainsrc/src --src src
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

CHILD = """
import sys, time
from labelwise.io import read_table
best = []
for _ in range(3):
    t = time.perf_counter()
    read_table(sys.argv[1], text_columns=["item", "annotator", "label"])
    best.append(time.perf_counter() - t)
print(min(best))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--src", action="append", required=True)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "answers.jsonl"
        items, annotators, labels = (
            rng.integers(0, args.rows // 3, args.rows),
            rng.integers(0, 500, args.rows),
            rng.integers(0, 5, args.rows),
        )
        with path.open("w") as fh:
            for i, a, y in zip(items, annotators, labels, strict=True):
                fh.write(json.dumps({"item": int(i), "annotator": f"w{a}", "label": int(y), "x": 0.5}) + "\n")
        for r in range(args.rounds):
            for src in args.src:
                env = {"PYTHONPATH": str(Path(src).resolve()), "OMP_NUM_THREADS": "1"}
                out = subprocess.run(
                    [sys.executable, "-c", CHILD, str(path)], env=env, capture_output=True, text=True, check=True
                )
                print(f"round {r} {src}: {float(out.stdout):.3f} s (best of 3)")


if __name__ == "__main__":
    main()
