"""Issue 15, session 48 (is15r): lfguard48's trigger check judged by the project's standard adoption rule, on fresh seeds.

The candidate is lfguard48's, unchanged (commit 2f40a3b9, restored as ``weak/_trigger_check.py`` with its one hook in
``label_model.py``): ``abstains="auto"`` keeps missing abstains (whose non-identified fit falls back to majority vote,
``weak/_missing_guard.py``) when the informative fit labels more than 5% (``UNANIMOUS_OVERTURNED = 0.05``, chosen by
lfguard48 on seeds 200-215) of the unanimous items another class. Main's default is the same code with the check
off (``UNANIMOUS_OVERTURNED = None``: the hook then makes exactly main's call), so both run in one process.

Disclosed: this candidate was judged before, by lfguard48 (``dev_weak_shared_triggers.py``, seeds 216-247), under a
stricter rule whose part (1) asked that ``LabelModel()`` be on no set more than 0.5 points below majority vote; it
failed that part (21 of 64 sets, main 42). That part cannot be met on these sets even by majority vote as a label
model gives it (``DawidSkeneLabelModel`` after its fallback also fails it on 21 of 64): label models break an exact
tie once per distinct vote row, ``MajorityVote`` once per item. Judging it here is not a re-tuning: no constant
changes (5% and all else as registered at 2f40a3b9), the shared-trigger seeds are new (248-279, never run before),
and the rule is the project's standing one, the one every issue-15 mechanism since session 36 was judged by
(mean not down, no set more than 0.5 points below main, no set further below majority vote than main's is).

JUDGING RULE (registered, session 48, is15r, committed before any run of this script). The candidate becomes the
default only if all three parts hold; the parts are judged in order and a part counts only if the ones before it
passed (for time, (b) and (c) may run at once; a later part's result after a failure is reported, not used):
(a) shared-trigger sets (``dev_weak_shared_triggers.shared_trigger_set``), seeds 248-279, K = 2 and 3 (64 sets),
    accuracy on the covered items: the candidate's mean not below main's; no set more than 0.5 points below main's;
    no set further below majority vote than main's is (``cand - mv >= min(main - mv, -0.5)`` in points, ``mv``:
    ``labelwise.aggregate.MajorityVote``'s labels, ``mv_bench``, as ``bench_weak.py`` scores it). Reported, not part
    of the rule: the sets more than 0.5 points below ``mv_bench`` and the worst gap, main and candidate.
(b) ``_dev_weak_sets.rule_sets()`` (the 93 dev sets, seed -1, and the stress sets of seeds 33-36 and 137-140), per
    block as ``dev_weak_missing_guard.py`` runs it: the same three parts (points on the scored items, majority vote
    as ``dev_weak_labeler_strength.dev_set`` scores it); the summed CPU seconds of the two fits, and their ratio,
    stated (not part of the rule).
(c) ``LABELWISE_CROWD_DATA=/work/shared/data/crowd OMP_NUM_THREADS=1 python benchmarks/bench_weak.py --no-snorkel
    --skip-apply`` with the candidate in ``src``: none of the 19 accuracies below main's (RESULTS.md, session 38's,
    equal to main's per lfguard48).
If a part fails, ``src`` goes back to main's (``_trigger_check.py`` and its hook removed).

OUTCOME (01:40-01:42 UTC by the sandbox clock, load 6-8, commit 59a70186): the candidate FAILS part (a). Over the 64
sets the mean rose 66.757 -> 69.698 points (``MajorityVote`` 70.308), but 12 sets fell more than 0.5 points below
main (largest fall -5.66, seed 254 K=2; main there 6.07 above majority vote) and one set went further below majority
vote than main's (seed 278 K=2: main -1.29, candidate -2.74, the same as ``DawidSkeneLabelModel``). Reported: sets
more than 0.5 below ``MajorityVote`` main 41 (worst -18.81), candidate 19 (worst -12.85). Part (b) had been started
beside (a) and was stopped when (a) failed; before that it printed three of the 93's LF sets that the candidate
moves, all down (sim101_K2_m10+3_cov0.6 87.005 -> 72.672, MV 78.629; sim109_K2_m12+4_cov0.3 84.403 -> 81.301;
lfs_unipolar1_s101 81.863 -> 75.392). (c) was not run. Not adopted: ``src`` is main's. ``--part shares`` (after
the rule, no choice made from it) prints the check's statistic per set: it does not separate the sets where the
informative fit wins from those where it collapses (see ``benchmarks/RESULTS.md``, session 48, is15r).

Run with the ``src`` of commit 59a70186, which holds the candidate (``git worktree add DIR 59a70186``, ``PYTHONPATH=DIR/src``)::

    OMP_NUM_THREADS=1 PYTHONPATH=DIR/src python benchmarks/dev_weak_trigger_check.py --part a
    OMP_NUM_THREADS=1 PYTHONPATH=DIR/src python benchmarks/dev_weak_trigger_check.py --part b --block 93
    OMP_NUM_THREADS=1 PYTHONPATH=DIR/src python benchmarks/dev_weak_trigger_check.py --part b --block stress
    OMP_NUM_THREADS=1 PYTHONPATH=DIR/src python benchmarks/dev_weak_trigger_check.py --part shares  # after --part a
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

import dev_weak_shared_triggers as triggers  # noqa: E402

from labelwise.weak import LabelModel  # noqa: E402

try:
    from labelwise.weak import _trigger_check
except ImportError:  # not adopted: ``src`` holds the candidate only at the registration commit
    sys.exit(
        "weak/_trigger_check.py is not in src (the candidate was not adopted): its result is in benchmarks/RESULTS.md, "
        "session 48 (is15r), \"lfguard48's trigger check judged by the project's standard rule\"; to rerun it, run "
        "this at commit 59a70186"
    )

SEEDS = "248-279"
CANDIDATE = _trigger_check.UNANIMOUS_OVERTURNED


class MainLabelModel(LabelModel):
    """``LabelModel()`` with the trigger check off: main's default."""

    def fit(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        _trigger_check.UNANIMOUS_OVERTURNED = None
        try:
            return super().fit(*args, **kwargs)
        finally:
            _trigger_check.UNANIMOUS_OVERTURNED = CANDIDATE


triggers.VARIANTS["main"] = MainLabelModel


def judge(frame: pd.DataFrame, before: str, after: str, mv: str, label: str) -> bool:
    """Print the three parts of the rule (columns in points) and return whether all hold."""
    gain = frame[after] - frame[before]
    worse_mv = frame[after] - frame[mv] < np.minimum(frame[before] - frame[mv], -0.5) - 1e-9
    ok = bool(frame[after].mean() >= frame[before].mean() - 1e-9 and (gain >= -0.5).all() and not worse_mv.any())
    print(
        f"{label} ({len(frame)} sets): mean main {frame[before].mean():.4f} -> candidate {frame[after].mean():.4f}; "
        f"largest fall {gain.min():+.3f}, rise {gain.max():+.3f}; more than 0.5 below main: {int((gain < -0.5).sum())}; "
        f"further below MV than main: {int(worse_mv.sum())} -> {'PASS' if ok else 'FAIL'}"
    )
    for name in (before, after):
        gap = frame[name] - frame[mv]
        print(f"  {name}: more than 0.5 below MV {int((gap < -0.5).sum())}, worst gap {gap.min():+.2f}")
    return ok


def part_a() -> bool:
    frame = triggers.run(triggers.parse_seeds(SEEDS), ["main"])
    for col in ("mv", "mv_bench", "default", "missing", "ds", "main"):
        frame[col] = frame[col] * 100
    frame.to_csv("/tmp/is15r_part_a.csv", index=False)
    print("\nmeans (points):", frame[["mv", "mv_bench", "main", "default", "missing", "ds"]].mean().round(3).to_dict())
    return judge(frame, "main", "default", "mv_bench", "(a) shared-trigger seeds " + SEEDS)


def shares() -> None:
    """Diagnosis after the rule (no choice made from it): the check's statistic per set of (a), beside (a)'s table."""
    seen: list[float] = []
    measure = _trigger_check.overturned_share

    def record(*args):  # type: ignore[no-untyped-def]
        seen.append(measure(*args))
        return seen[-1]

    _trigger_check.overturned_share = record
    frame = pd.read_csv("/tmp/is15r_part_a.csv")
    share = []
    for seed, k in zip(frame.seed, frame.K, strict=True):
        seen.clear()
        triggers.fit_labels(LabelModel(), triggers.shared_trigger_set(int(seed), int(k))[0])
        share.append(seen[0] if seen else np.nan)  # nan: "auto" chose missing abstains by itself
    frame["share"] = share
    frame["main_vs_mv"] = frame.main - frame.mv_bench
    frame["gain"] = frame.default - frame.main
    print(frame[["seed", "K", "chose", "share", "main_vs_mv", "gain"]].round(3).to_string(index=False))


def fit_codes(matrix: np.ndarray, k: int, model: type[LabelModel]) -> tuple[np.ndarray, float, str]:
    start = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = model(labels=list(range(k))).fit(matrix)
    return fitted.labels_.to_numpy(dtype=int), time.process_time() - start, str(fitted.abstains_)


def part_b(block: str) -> bool:
    from _dev_weak_sets import rule_sets
    from dev_weak_labeler_strength import dev_set, score

    rows = []
    for seed, family, name, votes, truth in rule_sets():
        if (seed == -1) != (block == "93"):
            continue
        matrix, k, g, scored, _, row = dev_set(family, name, votes, truth)
        before, cpu_main, chose_main = fit_codes(matrix, k, MainLabelModel)
        after, cpu_cand, chose = fit_codes(matrix, k, LabelModel)
        row.update(seed=seed, main=score(before, g, scored), cand=score(after, g, scored), cpu_main=cpu_main)
        row.update(cpu_cand=cpu_cand, chose_main=chose_main, chose=chose)
        rows.append(row)
        if (before != after).any() or chose != chose_main:
            print(
                f"changed: {seed} {family} {name}: {row['main']:.3f} -> {row['cand']:.3f} (MV {row['mv']:.3f}) {chose}"
            )
    frame = pd.DataFrame(rows)
    frame.to_csv(f"/tmp/is15r_part_b_{block}.csv", index=False)
    ok = judge(frame, "main", "cand", "mv", f"(b) {block}")
    print(
        f"  CPU seconds: main {frame.cpu_main.sum():.1f}, candidate {frame.cpu_cand.sum():.1f} "
        f"(ratio {frame.cpu_cand.sum() / frame.cpu_main.sum():.2f}); candidate kept missing on "
        f"{int((frame.chose != frame.chose_main).sum())} sets"
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["a", "b", "shares"], required=True)
    parser.add_argument("--block", choices=["93", "stress"], default="93")
    args = parser.parse_args()
    if args.part == "shares":
        return shares()
    ok = part_a() if args.part == "a" else part_b(args.block)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
