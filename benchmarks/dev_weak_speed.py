"""Dev runs for the label model's speed work (issue 15, session 6): the same answers, less time.

Fits :class:`labelwise.weak.LabelModel` (defaults) on dev sets only, never the benchmark's:

* the 40 sets of ``dev_weak_clique_prior.py`` (``dev_weak_abstains.py``'s 32 and 8 slot crowds);
* twins of the benchmark's three slowest simulated sets (``bench_weak.py``'s generator and
  configurations 4, 7 and 8, with dev seeds ``2xx``-``5xx``, never ``1000``-``1009``).

``--save FILE`` writes each set's labels, posterior, abstain model and cliques; ``--compare FILE``
fits again and prints, per set, the labels that differ, the largest posterior difference, and
whether the abstain model and cliques are the same, with the CPU seconds of both runs::

    PYTHONPATH=<old src> python benchmarks/dev_weak_speed.py --save before.pkl
    PYTHONPATH=<new src> python benchmarks/dev_weak_speed.py --compare before.pkl

Timings are CPU seconds of one process (BLAS on one thread), the median of ``--repeat`` fits, and
only as good as the machine's load; the answers do not depend on it.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import pickle
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

#: bench_weak.py's configurations whose benchmark sets were slowest against Snorkel (sim1004,
#: sim1007, sim1008), fitted here with dev seeds only.
TWIN_CONFIGS = (4, 7, 8)
TWIN_SEEDS = (200, 300, 400, 500)


def dev_sets() -> list[tuple[str, object]]:
    from bench_weak import SIM_CONFIGS
    from dev_weak_clique_prior import dev_sets as clique_sets

    from labelwise.weak import simulate_lfs

    out = [(name, votes) for name, votes, _ in clique_sets()]
    for c in TWIN_CONFIGS:
        n, m, k, corr, cov, imb = SIM_CONFIGS[c]
        for base in TWIN_SEEDS:
            seed = base + c
            sim = simulate_lfs(n, m, k, n_correlated=corr, coverage=cov, imbalance=imb, random_state=seed)
            out.append((f"twin{seed}_K{k}_m{m}+{corr}_cov{cov[1]}", sim.votes))
    return out


def fit(votes, repeat: int) -> tuple[dict, float]:
    from labelwise.weak import LabelModel

    times = []
    for _ in range(repeat):
        start = time.process_time()
        model = LabelModel().fit(votes)
        times.append(time.process_time() - start)
    result = {
        "labels": model.labels_.to_numpy(),
        "probas": model.probas_.to_numpy(),
        "abstains": model.abstains_,
        "groups": [tuple(g) for g in model.groups_],
    }
    return result, float(np.median(times))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path)
    group.add_argument("--compare", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default="", help="fit only the sets whose name contains this")
    ap.add_argument("--moment-tol", type=float, default=None, help="set label_model.MOMENT_TOL_BEFORE_EM")
    args = ap.parse_args()
    if args.moment_tol is not None:
        from labelwise.weak import label_model

        label_model.MOMENT_TOL_BEFORE_EM = args.moment_tol
    sets = [(name, votes) for name, votes in dev_sets() if args.only in name]
    if args.save:
        saved = {}
        for name, votes in sets:
            saved[name], seconds = fit(votes, args.repeat)
            saved[name]["seconds"] = seconds
            print(f"{name:36s} {seconds:7.3f} s  {saved[name]['abstains']}", flush=True)
        args.save.write_bytes(pickle.dumps(saved))
        return
    before = pickle.loads(args.compare.read_bytes())
    print(
        f"{'set':36s} {'before_s':>8s} {'after_s':>8s} {'labels_diff':>11s} {'max|dP|':>9s} same_abstains same_cliques"
    )
    totals = np.zeros(2)
    n_same = 0
    for name, votes in sets:
        old = before[name]
        new, seconds = fit(votes, args.repeat)
        differ = int((new["labels"] != old["labels"]).sum())
        dp = float(np.abs(new["probas"] - old["probas"]).max())
        same_ab, same_g = new["abstains"] == old["abstains"], new["groups"] == old["groups"]
        n_same += differ == 0 and same_ab and same_g
        totals += (old["seconds"], seconds)
        print(
            f"{name:36s} {old['seconds']:8.3f} {seconds:8.3f} {differ:11d} {dp:9.2e} {same_ab!s:13s} {same_g}",
            flush=True,
        )
    print(f"\n{n_same} of {len(sets)} sets: same labels, abstain model and cliques")
    print(f"CPU s, sum over sets: before {totals[0]:.3f}, after {totals[1]:.3f} ({totals[1] / totals[0]:.2f}x)")


if __name__ == "__main__":
    main()
