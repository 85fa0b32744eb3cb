"""Benchmark: ``AutoAggregator`` with and without the opt-in GLAD candidate on the nine real crowd sets.

For each set in ../shared/data/crowd (relative to the project root; ``LABELWISE_CROWD_DATA``
points elsewhere): majority vote's accuracy
against gold, then ``AutoAggregator()`` (default candidates) and
``AutoAggregator(candidates=(..., "glad"))``: accuracy, points against majority vote, the chosen
candidate, each candidate's held-out log-likelihood per answer, and the fit time (one fit, wall
seconds). GLAD's place among the candidates was decided on simulated crowds
(``benchmarks/dev_aggregate_auto_glad.py``) before this was run. Usage::

    python benchmarks/bench_auto_candidates.py [--sets ZenCrowd_us MS]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("LABELWISE_CROWD_DATA", ROOT.parent / "shared" / "data" / "crowd"))
sys.path.insert(0, str(ROOT / "src"))

from _crowd_sets import REAL_CROWD_SETS, accuracy, read_crowd_set
from _machine import cpu_model

from labelwise.aggregate import AutoAggregator, MajorityVote
from labelwise.aggregate.auto import CANDIDATES

SETS = REAL_CROWD_SETS
DEFAULT = ("majority-vote", "one-coin", "dawid-skene")
WITH_GLAD = (*DEFAULT, "glad")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", nargs="*", default=SETS)
    args = ap.parse_args()
    assert "glad" in CANDIDATES
    print(
        f"machine: {cpu_model()}, Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}"
    )
    rows = []
    for ds in args.sets:
        answers, gold = read_crowd_set(DATA / ds)
        mv = accuracy(MajorityVote().fit(answers).labels_, gold)
        row: dict = {"set": ds, "majority": round(mv, 4)}
        for name, cands in (("auto", DEFAULT), ("auto_glad", WITH_GLAD)):
            est = AutoAggregator(candidates=cands)
            t0 = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                est.fit(answers)
            row[f"{name}_s"] = round(time.perf_counter() - t0, 3)
            acc = accuracy(est.labels_, gold)
            row[name] = round(acc, 4)
            row[f"{name}_pts"] = round(100 * (acc - mv), 2)
            row[f"{name}_pick"] = est.chosen_
        row["scores"] = " ".join(f"{c}={v:.4f}" for c, v in est.scores_.items())
        rows.append(row)
        print(pd.DataFrame([row]).to_string(index=False, header=len(rows) == 1), flush=True)
    frame = pd.DataFrame(rows)
    for name in ("auto", "auto_glad"):
        worst = frame[f"{name}_pts"].min()
        print(
            f"{name}: mean {frame[name].mean():.4f} (majority {frame.majority.mean():.4f}); worst {worst:+.2f} points "
            f"vs majority vote ({frame.loc[frame[f'{name}_pts'].idxmin(), 'set']}); never more than 0.5 below: "
            f"{'met' if worst >= -0.5 else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
