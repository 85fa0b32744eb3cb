"""Dev runs for the label model's EM stop rule (session 33), simulated data only.

:class:`labelwise.weak.LabelModel`'s EM watches its own objective since session 33 (the
log-likelihood plus the log prior of the smoothing and prior pseudo-counts, which MAP-EM raises)
instead of the likelihood alone. This script fits ``LabelModel()`` (defaults) on the dev sets
of ``dev_weak_clique_prior.py`` (32 of ``dev_weak_abstains.py`` and 8 slot crowds) and on
``bench_weak.py --dev``'s seeds 100-109 (none of the benchmark's sets) and prints, per set, the
accuracy on the items with a vote and a gold label, the abstain model, the kept run's EM steps
(when the code reports them) and the fit's CPU seconds, then the totals. Run it on two checkouts
(``PYTHONPATH=<checkout>/src``) and compare::

    PYTHONPATH=src python benchmarks/dev_weak_em_stop.py --out after.csv
    PYTHONPATH=/path/to/main/src python benchmarks/dev_weak_em_stop.py --out before.csv
    python benchmarks/dev_weak_em_stop.py --compare before.csv after.csv

Timings are CPU seconds of one process (BLAS limited to one thread), only as good as the load.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))


def sets() -> list[tuple[str, object, pd.Series]]:
    from bench_weak import simulated_sets
    from dev_weak_clique_prior import dev_sets

    out = {name: (name, votes, truth) for name, votes, truth in [*dev_sets(), *simulated_sets(100)]}
    return list(out.values())  # dev_sets already holds some of the seeds 100-109


def fit_all() -> pd.DataFrame:
    from labelwise.weak import LabelModel, as_votes

    rows = []
    for name, votes, truth in sets():
        v = as_votes(votes)
        start = time.process_time()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = LabelModel().fit(v)
        seconds = time.process_time() - start
        gold = pd.Series(truth).reindex(v.items) if isinstance(truth, pd.Series) else pd.Series(truth, index=v.items)
        scored = ((v.matrix() >= 0).any(axis=1)) & gold.notna().to_numpy()
        accuracy = float((model.labels_.to_numpy()[scored] == gold.to_numpy()[scored]).mean())
        rows.append(
            {
                "set": name,
                "accuracy": accuracy,
                "abstains": model.abstains_,
                "em_evals": getattr(model, "n_em_evals_", np.nan),
                "converged": getattr(model, "em_converged_", np.nan),
                "warnings": sum("did not converge" in str(w.message) for w in caught),
                "cpu_s": seconds,
            }
        )
        print(pd.DataFrame(rows[-1:]).round(4).to_string(index=False, header=len(rows) == 1), flush=True)
    return pd.DataFrame(rows)


def compare(before: Path, after: Path) -> None:
    a, b = pd.read_csv(before), pd.read_csv(after)
    both = a.merge(b, on="set", suffixes=("_before", "_after"))
    both["points"] = 100 * (both["accuracy_after"] - both["accuracy_before"])
    moved = both.loc[both["points"].abs() > 1e-9, ["set", "accuracy_before", "accuracy_after", "points"]]
    print(moved.round(4).to_string(index=False) if len(moved) else "no set's accuracy moved")
    print(
        f"sets: {len(both)}; moved: {len(moved)}; worst {both['points'].min():+.2f} points, best {both['points'].max():+.2f}; "
        f"mean {both['points'].mean():+.3f}; CPU s before {both['cpu_s_before'].sum():.1f}, after {both['cpu_s_after'].sum():.1f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path)
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = ap.parse_args()
    if args.compare:
        compare(*args.compare)
        return
    frame = fit_all()
    if args.out:
        frame.to_csv(args.out, index=False)
    print(f"total CPU s {frame['cpu_s'].sum():.1f}; mean accuracy {frame['accuracy'].mean():.4f}")


if __name__ == "__main__":
    main()
