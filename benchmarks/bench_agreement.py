"""Krippendorff's alpha (nominal) on the real crowd sets: labelwise vs the `krippendorff` package
vs crowd-kit's `alpha_krippendorff` (nltk), same input, one run.

Each peer runs in a subprocess with a time limit; a run past it is reported as a timeout.
Duplicate (item, annotator) answers are reduced to the last one first, because the
`krippendorff` package takes one value per (coder, unit).

    python benchmarks/bench_agreement.py [--timeout 120] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _crowd_sets import REAL_CROWD_SETS
from _machine import cpu_model

ROOT = Path(__file__).resolve().parents[1]
CROWD = ROOT.parent / "shared" / "data" / "crowd"
SETS = REAL_CROWD_SETS

PEER_CODE = {
    "krippendorff": """
import json, sys, time
import pandas as pd, krippendorff
a = pd.read_csv(sys.argv[1]).drop_duplicates(["item", "annotator"], keep="last")
best = float("inf")
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    m = a.pivot(index="annotator", columns="item", values="label").to_numpy(dtype=float)
    v = krippendorff.alpha(reliability_data=m, level_of_measurement="nominal")
    best = min(best, time.perf_counter() - t)
print(json.dumps({"alpha": float(v), "seconds": best}))
""",
    "crowd-kit": """
import json, sys, time, warnings
warnings.simplefilter("ignore")
import pandas as pd
from crowdkit.metrics.data import alpha_krippendorff
a = pd.read_csv(sys.argv[1]).drop_duplicates(["item", "annotator"], keep="last")
a = a.rename(columns={"item": "task", "annotator": "worker"})
best = float("inf")
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    v = alpha_krippendorff(a)
    best = min(best, time.perf_counter() - t)
print(json.dumps({"alpha": float(v), "seconds": best}))
""",
}


def run_peer(name: str, path: Path, repeat: int, timeout: float) -> dict:
    try:
        proc = subprocess.run(
            [sys.executable, "-c", PEER_CODE[name], str(path), str(repeat)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"alpha": None, "seconds": None, "status": f"timeout > {timeout:g} s"}
    if proc.returncode != 0:
        return {"alpha": None, "seconds": None, "status": "error: " + proc.stderr.strip().splitlines()[-1]}
    return {**json.loads(proc.stdout.strip().splitlines()[-1]), "status": "ok"}


def run_ours(path: Path, repeat: int) -> dict:
    from labelwise.aggregate import krippendorff_alpha

    a = pd.read_csv(path).drop_duplicates(["item", "annotator"], keep="last")
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        v = krippendorff_alpha(a)
        best = min(best, time.perf_counter() - t)
    return {"alpha": v, "seconds": best, "n_answers": len(a)}


def machine() -> str:
    cpu = cpu_model()
    import os

    return (
        f"nproc {os.cpu_count()}, {cpu}, Python {platform.python_version()}, numpy {np.__version__}, "
        f"pandas {pd.__version__}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(machine())
    print(
        f"{'data set':34s} {'answers':>8s} {'alpha':>8s} {'labelwise s':>12s} {'krippendorff s':>15s} "
        f"{'ratio':>7s} {'crowd-kit s':>12s} {'ratio':>7s} {'max |diff|':>11s}"
    )
    for name in SETS:
        path = CROWD / name / "annotations.csv"
        ours = run_ours(path, args.repeat)
        peers = {p: run_peer(p, path, args.repeat, args.timeout) for p in PEER_CODE}
        cells = []
        diffs = []
        for p in ("krippendorff", "crowd-kit"):
            r = peers[p]
            if r["status"] != "ok":
                cells += [r["status"], ""]
                continue
            cells += [f"{r['seconds']:.4f}", f"{r['seconds'] / ours['seconds']:.1f}x"]
            diffs.append(abs(r["alpha"] - ours["alpha"]))
        diff = f"{max(diffs):.1e}" if diffs else "n/a"
        print(
            f"{name:34s} {ours['n_answers']:8d} {ours['alpha']:8.4f} {ours['seconds']:12.4f} {cells[0]:>15s} "
            f"{cells[1]:>7s} {cells[2]:>12s} {cells[3]:>7s} {diff:>11s}",
            flush=True,
        )


if __name__ == "__main__":
    main()
