"""Issue 15, session 52 (misscopy52): refit with learned pairs where the informative-abstain fit was rejected.

DRAFT (exploration; the rule is registered in this docstring before any judging run).

Run (``PYTHONPATH=<worktree>/src OMP_NUM_THREADS=1``, from the repository root)::

    python benchmarks/dev_weak_rejected_refit.py --explore bench:6000-6300
    python benchmarks/dev_weak_rejected_refit.py --explore trig:200-215
    python benchmarks/dev_weak_rejected_refit.py --explore low:5100-5199
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

try:
    from labelwise.weak import _rejected_refit
except ImportError:  # not adopted: ``src`` holds the candidate only at the registration commit
    sys.exit("the candidate is not in src (not adopted): run this at its registration commit (git log this file)")

from labelwise import weak  # noqa: E402
from labelwise.aggregate import MajorityVote  # noqa: E402


def fit_labels(votes, k: int | None, candidate: bool) -> tuple[np.ndarray, float, str, bool]:
    """``LabelModel()`` (with ``labels=range(k)`` where ``k`` is given) fitted on ``votes`` with the candidate on or
    off (warnings silenced): labels, CPU seconds, abstain model and, for main's fit (off), whether the candidate's
    trigger holds on it (``_rejected_refit.rejected_for_relabelling``)."""
    model = weak.LabelModel() if k is None else weak.LabelModel(labels=list(range(k)))
    _rejected_refit.REFIT_REJECTED = candidate
    token = _rejected_refit.RELABELLED.set(None)
    start = time.process_time()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(votes)
        cpu = time.process_time() - start
        trigger = not candidate and _rejected_refit.rejected_for_relabelling(model)
    finally:
        _rejected_refit.REFIT_REJECTED = True
        _rejected_refit.RELABELLED.reset(token)
    return model.labels_.to_numpy(), cpu, str(model.abstains_), bool(trigger)


def bench_majority(votes) -> np.ndarray:
    """``labelwise.aggregate.MajorityVote``'s labels of ``votes``' items (as ``bench_weak.py`` scores majority vote)."""
    v = weak.as_votes(votes)
    return MajorityVote().fit(v.to_annotations()).labels_.reindex(v.items).to_numpy()


def family_sets(family: str, seeds: list[int]) -> Iterator[tuple[str, object, np.ndarray, int | None]]:
    """``(name, votes, truth per item in the votes' item order, K or None)`` of a family's seeds: ``bench`` (first
    seeds of ``bench_weak.simulated_sets``), ``trig`` (``dev_weak_shared_triggers``, K = 2 and 3), ``low``
    (``dev_weak_low_coverage_peers.sparse_set``)."""
    if family == "bench":
        import bench_weak

        for first in seeds:
            for name, votes, gold in bench_weak.simulated_sets(first):
                yield name, votes, gold.reindex(weak.as_votes(votes).items).to_numpy(), None
    elif family == "trig":
        from dev_weak_shared_triggers import shared_trigger_set

        for seed in seeds:
            for k in (2, 3):
                matrix, truth, _ = shared_trigger_set(seed, k)
                yield f"trig{seed}_K{k}", matrix, truth, k
    elif family == "low":
        from dev_weak_low_coverage_peers import sparse_set

        for seed in seeds:
            meta, sim = sparse_set(seed)
            truth = sim.truth.reindex(sim.votes.items).to_numpy()
            yield f"low{seed}_K{meta['K']}", sim.votes, truth, int(meta["K"])
    else:
        raise SystemExit(f"unknown family {family!r}: bench, trig or low")


def family_table(family: str, seeds: list[int]) -> pd.DataFrame:
    """Per set: points of MV, main and the candidate on the items with a vote and gold (``bench_weak.py``'s
    scoring), the abstain models, the trigger, CPU seconds."""
    rows = []
    for name, votes, truth, k in family_sets(family, seeds):
        v = weak.as_votes(votes)
        scored = (v.matrix() >= 0).any(axis=1) & pd.notna(truth)
        row: dict = {"set": name}
        fits = {"mv": bench_majority(votes)}
        fits["main"], row["cpu_main"], row["ab_main"], row["trigger"] = fit_labels(votes, k, False)
        fits["cand"], row["cpu_cand"], row["ab_cand"], _ = fit_labels(votes, k, True)
        for key, labels in fits.items():
            row[key] = 100 * float(np.mean(np.asarray(labels)[scored] == truth[scored]))
        rows.append(row)
        if row["trigger"] or (fits["main"] != fits["cand"]).any():
            print(
                f"{name}: trigger {row['trigger']}, {row['ab_main']} -> {row['ab_cand']}: {row['main']:.2f} -> "
                f"{row['cand']:.2f} (MV {row['mv']:.2f})",
                flush=True,
            )
    return pd.DataFrame(rows)


def judge(frame: pd.DataFrame, label: str) -> bool:
    """Part (a)'s rule on ``frame`` (printed); whether it holds."""
    mv, main, cand = frame.mv, frame.main, frame.cand
    below_main, below_cand = main - mv < -0.5, cand - mv < -0.5
    new = below_cand & ~below_main
    print(
        f"{label} ({len(frame)} sets): mean MV {mv.mean():.3f}, main {main.mean():.3f}, candidate {cand.mean():.3f}; "
        f"more than 0.5 below MV {int(below_main.sum())} -> {int(below_cand.sum())}, newly {int(new.sum())}; "
        f"triggered {int(frame.trigger.sum())}, changed {int((cand != main).sum())}, largest fall "
        f"{float((cand - main).min()):+.2f}; CPU main {frame.cpu_main.sum():.1f} s, candidate {frame.cpu_cand.sum():.1f} s"
    )
    return bool(below_cand.sum() < below_main.sum() and not new.any() and cand.mean() >= main.mean() - 1e-9)


def parse(spec: str) -> tuple[str, list[int]]:
    """``family:FIRST-LAST`` (``bench``: first seeds FIRST, FIRST+100, ..., LAST) -> family, seeds."""
    family, _, span = spec.partition(":")
    lo, _, hi = span.partition("-")
    step = 100 if family == "bench" else 1
    return family, list(range(int(lo), int(hi or lo) + 1, step))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--explore", action="append", default=[], help="family:FIRST-LAST, no rule")
    parser.add_argument("--csv", default=None)
    args = parser.parse_args()
    frames = []
    for spec in args.explore:
        frame = family_table(*parse(spec))
        judge(frame, f"exploration {spec} (no rule)")
        frames.append(frame)
    if args.csv and frames:
        pd.concat(frames).to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
