"""Time ``read_annotations(path, "votes")`` on a votes file (item, sample, answer) as JSON Lines and as
CSV with the source trees given as ``--src``, one process each, alternating (session 48: the votes
reader's cost since session 46's ids rule). Also checks that every tree gives the same answers. Usage::

    python benchmarks/dev_votes_read.py --rows 100000 --src /tmp/mainsrc/src --src src
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
import hashlib, sys, time
import pandas as pd
from labelwise.io import read_annotations
best = []
for _ in range(3):
    t = time.perf_counter()
    got = read_annotations(sys.argv[1], "votes")
    best.append(time.perf_counter() - t)
digest = hashlib.sha256(pd.util.hash_pandas_object(got.answers, index=True).to_numpy().tobytes()).hexdigest()[:12]
print(min(best), digest, got.n_records, dict(got.dropped), [str(t) for t in got.answers.dtypes])
"""


def write_votes(folder: Path, rows: int) -> list[Path]:
    """The same votes as JSON Lines and CSV: string items, integer samples, letters (some blank)."""
    rng = np.random.default_rng(0)
    items, samples = rng.integers(0, rows // 5, rows), rng.integers(0, 10, rows)
    answers = rng.choice(["A", "B", "C", "D", ""], rows, p=[0.3, 0.3, 0.2, 0.19, 0.01])
    jsonl, csv = folder / "votes.jsonl", folder / "votes.csv"
    with jsonl.open("w") as fh:
        for i, s, a in zip(items, samples, answers, strict=True):
            fh.write(json.dumps({"item": f"q{i}", "sample": int(s), "answer": str(a)}) + "\n")
    with csv.open("w") as fh:
        fh.write("item,sample,answer\n")
        fh.writelines(f"q{i},{s},{a}\n" for i, s, a in zip(items, samples, answers, strict=True))
    return [jsonl, csv]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--src", action="append", required=True)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = write_votes(Path(tmp), args.rows)
        for r in range(args.rounds):
            for path in files:
                for src in args.src:
                    env = {"PYTHONPATH": str(Path(src).resolve()), "OMP_NUM_THREADS": "1"}
                    out = subprocess.run(
                        [sys.executable, "-c", CHILD, str(path)], env=env, capture_output=True, text=True, check=True
                    )
                    seconds, rest = out.stdout.split(" ", 1)
                    print(f"round {r} {path.name} {src}: {float(seconds):.3f} s (best of 3); {rest.strip()}")


if __name__ == "__main__":
    main()
