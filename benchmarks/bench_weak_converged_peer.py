"""Benchmark: issue 15's label-model goal restated against crowd-kit's Dawid-Skene run to its fixed point.

crowd-kit 1.4.2's ``DawidSkene.fit`` stops when its per-answer evidence bound stops rising
(``new_loss - loss < tol``). That bound is not the EM objective, so the run can end a few steps
in (five on cifar10n_slots, whatever ``n_iter`` and ``tol >= 0`` say). Issue 3 was blocked on the
same early stop (ZenCrowd_us). This script asks whether that stop decides issue 15's goal: on
``bench_weak.py``'s 19 sets it runs, on the same input in one process,

* labelwise's default ``weak.LabelModel()``;
* crowd-kit's ``DawidSkene(n_iter=100)`` as ``bench_weak.py`` runs it (its default stop);
* crowd-kit's own E and M steps (``_e_step``, ``_m_step``, started from its majority vote as
  ``fit`` starts) repeated until no posterior moves by more than ``--atol`` or ``--max-iter``
  steps: crowd-kit's Dawid-Skene at its own fixed point;

and prints each accuracy on the gold items with at least one vote (``bench_weak.evaluate``'s
rule). Snorkel is not run: its accuracies are on record in RESULTS.md. Nothing here chooses a
default. ::

    LABELWISE_CROWD_DATA=../shared/data/crowd python benchmarks/bench_weak_converged_peer.py [--crowds-only]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_weak  # noqa: E402


def converged_dawid_skene(data, max_iter: int, atol: float):
    """crowd-kit's Dawid-Skene EM without its evidence-bound stop; returns (labels, steps)."""
    import crowdkit.aggregation as ca
    from crowdkit.aggregation.utils import get_most_probable_labels

    ds = ca.DawidSkene()
    probas = ca.MajorityVote().fit_predict_proba(data)
    priors = probas.mean()
    errors = ds._m_step(data, probas)
    steps = 0
    while steps < max_iter:
        steps += 1
        new = ds._e_step(data, priors, errors)
        priors, errors = new.mean(), ds._m_step(data, new)
        moved = float(np.abs(new.to_numpy() - probas.reindex_like(new).to_numpy()).max())
        probas = new
        if moved < atol:
            break
    return get_most_probable_labels(probas), steps


def main() -> None:
    import crowdkit.aggregation as ca

    from labelwise.weak import LabelModel, as_votes

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-iter", type=int, default=5000)
    parser.add_argument("--atol", type=float, default=1e-12)
    parser.add_argument("--crowds-only", action="store_true", help="skip the ten simulated LF sets")
    args = parser.parse_args()
    sets = [(name, as_votes(a.astype({"annotator": str})), gold) for name, a, gold in bench_weak.crowd_sets()]
    if not args.crowds_only:
        sets += list(bench_weak.simulated_sets(1000))
    print(f"load {os.getloadavg()}")
    print(f"{'set':<36} {'labelwise':>9} {'ck_stop':>8} {'ck_fixed':>8} steps seconds")
    for name, votes, gold in sets:
        v = as_votes(votes)
        covered = (v.matrix() >= 0).any(axis=1)
        g = gold.reindex(v.items)
        scored = covered & g.notna().to_numpy()
        truth = g.to_numpy()[scored]

        def acc(labels) -> float:
            return float(np.mean(np.asarray(labels)[scored] == truth))

        ours = acc(LabelModel().fit(v).labels_.to_numpy())
        long = v.to_annotations().rename(columns={"item": "task", "annotator": "worker"})
        stopped = acc(ca.DawidSkene(n_iter=100).fit_predict(long).reindex(v.items).to_numpy())
        start = time.perf_counter()
        labels, steps = converged_dawid_skene(long, args.max_iter, args.atol)
        fixed = acc(labels.reindex(v.items).to_numpy())
        seconds = time.perf_counter() - start
        print(f"{name:<36} {ours:9.4f} {stopped:8.4f} {fixed:8.4f} {steps:5d} {seconds:7.1f}", flush=True)
    print(f"load {os.getloadavg()}")


if __name__ == "__main__":
    main()
