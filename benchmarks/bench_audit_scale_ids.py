"""The cost of ``--id-column`` in ``labelwise audit`` at scale: a Parquet folder of ROWS rows in PARTS parts
(zero-padded text ids, two numbers, a 5-class label with 5% flipped), out-of-fold-like probabilities as .npy;
the command with and without ``--id-column``, alternated, each in its own process, reading and writing included.
Checks that issues.parquet's ids are DATA's, row by row.

    python benchmarks/bench_audit_scale_ids.py --rows 1000000 --parts 8 --scheduler processes --repeats 2
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def inputs(folder: Path, rows: int, parts: int, seed: int = 0) -> pd.DataFrame:
    """The table as PARTS Parquet parts in ``folder/data`` and its probabilities as ``folder/p.npy``."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 5, rows)
    given = np.where(rng.random(rows) < 0.05, rng.integers(0, 5, rows), truth)
    frame = pd.DataFrame(
        {
            "sample": [f"{i:08d}" for i in range(rows)],
            "x1": rng.normal(size=rows) + truth,
            "x2": rng.normal(size=rows),
            "y": np.array(["a", "b", "c", "d", "e"])[given],
        }
    )
    (folder / "data").mkdir()
    for i, block in enumerate(np.array_split(np.arange(rows), parts)):
        frame.iloc[block].to_parquet(folder / "data" / f"part.{i}.parquet", index=False)
    probs = rng.dirichlet(np.ones(5), size=rows) * 0.4
    probs[np.arange(rows), truth] += 0.6
    np.save(folder / "p.npy", probs)
    return frame


def run(folder: Path, scheduler: str, ids: bool, out: str) -> float:
    """One command's wall time (seconds)."""
    command = [sys.executable, "-m", "labelwise", "audit", str(folder / "data"), "--label", "y", "--probs",
               str(folder / "p.npy"), "--scheduler", scheduler, "--out", str(folder / out), "--quiet"]  # fmt: skip
    if ids:
        command += ["--id-column", "sample"]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--parts", type=int, default=8)
    parser.add_argument("--scheduler", default="processes")
    parser.add_argument("--repeats", type=int, default=2)
    a = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        frame = inputs(folder, a.rows, a.parts)
        times: dict[bool, list[float]] = {False: [], True: []}
        for r in range(a.repeats):
            for ids in (False, True):
                times[ids].append(run(folder, a.scheduler, ids, f"o{int(ids)}{r}"))
                print(f"repeat {r} {'with' if ids else 'without'} --id-column: {times[ids][-1]:.1f} s", flush=True)
        got = pd.read_parquet(folder / "o10" / "issues.parquet")
        same = got["sample"].tolist() == frame["sample"].tolist() and list(got.columns[:2]) == ["row", "sample"]
        plain = pd.read_parquet(folder / "o00" / "issues.parquet")
        flags = bool((plain["is_issue"].to_numpy() == got["is_issue"].to_numpy()).all())
        print(f"rows {a.rows}, parts {a.parts}, scheduler {a.scheduler}: flagged {int(got['is_issue'].sum())}")
        print(f"ids row by row as DATA's: {same}; flags equal with and without: {flags}")
        for ids in (False, True):
            print(f"{'with' if ids else 'without'} --id-column: " + ", ".join(f"{t:.1f}" for t in times[ids]) + " s")


if __name__ == "__main__":
    main()
