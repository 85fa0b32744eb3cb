"""``labelwise audit --checks ...`` on a mixed table: in memory (the CSV) against at scale (the same rows as
Parquet parts, ``--scheduler processes``), side by side, each command in a process of its own.

    PYTHONPATH=src python benchmarks/bench_audit_checks_scale.py --rows 200000 --method auto
    PYTHONPATH=src python benchmarks/bench_audit_checks_scale.py --rows 20000 --method exact

The table is :func:`bench_table_features.table` (session 47's: four numbers, a boolean, a nullable int,
a country of 20 values, a product of 300 and a few hundred repeated rows) with a date and a label. The
command has no option for the search: ``auto`` is the command as a user runs it (exact up to 5,000
rows, approximate above); ``exact`` runs the same command with ``find_data_issues``' ``method="exact"``
(patched in the command's process). Each command's wall time (reading and writing included), its flags
per check and the rows on which the two commands' flags differ are printed.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

CHECKS = "outlier,exact_duplicate,near_duplicate,null,class_imbalance,identifier_column"


def write_inputs(n: int, part_rows: int, folder: Path) -> None:
    from bench_table_features import table

    frame = table(n)
    days = (np.abs(frame["x0"].to_numpy() * 1e3) + frame["x1"].to_numpy() * 7).astype(np.int64) % 1500
    frame["day"] = (pd.Timestamp("2020-01-01") + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d")
    rng = np.random.default_rng(1)
    frame["y"] = np.where(frame["x0"] + rng.normal(0, 0.5, n) > 0, "pos", "neg")
    frame.loc[rng.random(n) < 0.01, "y"] = "rare"
    frame.to_csv(folder / "data.csv", index=False)
    (folder / "parts").mkdir()
    for i, start in enumerate(range(0, n, part_rows)):
        frame.iloc[start : start + part_rows].to_parquet(folder / "parts" / f"part.{i}.parquet", index=False)
    probs = rng.dirichlet(np.ones(3), n)
    np.save(folder / "probs.npy", probs)


def run_one(argv: list[str], method: str) -> None:
    """In the child process: the command, with ``find_data_issues``' method set when not ``auto``."""
    import labelwise.checks as checks
    from labelwise.cli import main

    if method != "auto":
        checks.find_data_issues = functools.partial(checks.find_data_issues, method=method)
    main(argv, standalone_mode=True)


def timed(folder: Path, mode: str, method: str) -> float:
    out = folder / mode
    data = ["data.csv"] if mode == "memory" else ["parts", "--scheduler", "processes"]
    argv = ["audit", *data, "--label", "y", "--probs", "probs.npy", "--checks", CHECKS, "--no-report", "--quiet"]
    argv += ["--out", str(out)]
    code = f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import bench_audit_checks_scale as b; "
    code += f"b.run_one({[str(a) for a in argv]!r}, {method!r})"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=folder, check=True, env=env)
    return time.perf_counter() - start


def flags(folder: Path, mode: str) -> pd.DataFrame:
    out = folder / mode
    issues = pd.read_csv(out / "issues.csv") if mode == "memory" else pd.read_parquet(out / "issues.parquet")
    return issues.sort_values("row").reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--part-rows", type=int, default=50_000)
    parser.add_argument("--method", default="auto", choices=["auto", "exact"])
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench_audit_checks_scale_"))
    write_inputs(args.rows, args.part_rows, folder)
    seconds = {mode: timed(folder, mode, args.method) for mode in ("memory", "processes")}
    found = {mode: flags(folder, mode) for mode in seconds}
    report = {"rows": args.rows, "part_rows": args.part_rows, "method": args.method, "seconds": seconds}
    for check in CHECKS.split(","):
        column = f"is_{check}_issue"
        a, b = found["memory"][column].to_numpy(), found["processes"][column].to_numpy()
        report[check] = {"memory": int(a.sum()), "processes": int(b.sum()), "rows_differing": int((a != b).sum())}
    summary = json.loads((folder / "processes" / "summary.json").read_text())["data_checks"]
    report["graph"] = summary["graph"]["search"]["index"]
    report["row_chunks"] = summary.get("row_chunks")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
