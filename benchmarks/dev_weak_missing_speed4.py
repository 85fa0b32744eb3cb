"""Issue 15, session 56 (own56): the missing-abstain pair check on the label model's own fit, its triad gate's model an EM fit.

speed56 (``dev_weak_missing_speed3.py``, registered in d0854701) ran the missing-abstain dependent-pair check on the
label model's own distinct vote rows and posterior instead of a second Dawid-Skene fit of the votes' long table, and
it FAILED (a1): its triad gate's model, one M-step from the label model's missing-abstain posterior (fitted before the
pair was known, so it has followed the pair), read a heavily dependent pair's excess agreement as shared with third
labelers and dropped it (pair5_s0 81.15 -> 71.50; 7 ``pair`` sets 10-15 points down). speed56's repair "cand2",
explored on dev sets only and not judged: the gate's model an EM fit of every answer with the found and known pairs'
groups weighted, started from the label model's posterior (``MemoryPairs.fit_without`` holding no function out); on
the 93 dev sets no label changed, warm in-process at load 10 sim15701 1.54x, sim6201 1.30x, sim6109 1.16x.

THE CANDIDATE (``src/labelwise/weak/_crowd_pairs.py``, switch ``OWN_FIT``; False in ``src`` at registration, main's
behaviour): d0854701's candidate (``own_fit_pairs``: aggregate's ``find_dependent_pairs`` on the label model's
distinct vote rows as weighted answer patterns, its confirmation fits started from the label model's own
missing-abstain posterior, ``MemoryPairs.start``) with cand2's gate model: with ``triad`` the triad gate's model is
``MemoryPairs.fit_without((a, b), -1, -1, ...)`` over the found and known pairs, EM from the label model's posterior
to the check's ``tol``/``max_iter``, then one M-step of every answer; no relabelling fallback. Where the distinct
rows are more than ``SAMPLE_ROWS`` main's check runs. With the switch off every answer is main's.

JUDGING RULE (registered before any judging run; judged once, candidate against main on the same sets, in this order,
stopping at the first failure; adopted (``OWN_FIT = True``) only if all hold, else ``src`` goes back to main's in a
commit). Points as ``bench_weak.py`` scores them (the gold items with a vote, percent); MV is
``labelwise.aggregate.MajorityVote`` (``dev_weak_rejected_refit.bench_majority``).
(a) answers (``--part a``):
    (a1) the 93 dev sets (``_dev_weak_sets.rule_sets()``, seed -1), main and candidate in one process: the
         candidate's mean not lower than main's by more than 0.01 points and no set more than 0.5 points below main's;
    (a2) ``bench_weak.py``'s label-model section (``--no-snorkel --skip-apply``; 19 sets) with the switch on: every
         accuracy equal to the record (``_dev_weak_judge.bench_accuracies`` / ``compare_with_record``);
    (a3) fresh bench-generator first seeds 18100-18500 (:data:`FRESH`, 50 sets) at their defaults: no set newly more
         than 0.5 points below MV (under the candidate, not under main) and none more than 0.5 points below main's.
(b) speed (``--part b``): cold CPU (``time.process_time`` of the first ``LabelModel().fit`` in a fresh process,
    ``OMP_NUM_THREADS=1``, the votes built first as ``speed_weak_fit.py`` builds them; 5 processes a side, main and
    candidate interleaved; medians) on :data:`SEEN` and on every set of (a3) that takes the missing path (main's fit
    runs the missing-abstain check at least once): main's median / the candidate's at least 1.05 on each and their
    geometric mean at least 1.15; and no set of (a3) more than 1.05x dearer (ratio at least 1/1.05), timed on the
    missing-path sets and on a sample of (a3)'s informative sets (no missing-abstain check), the first 10 in seed
    order (all 50 would take too long; there the switch is never read).
    Reported, not judged, and only if adopted: the ratio to Snorkel's first fit on :data:`SEEN`
    (``dev_weak_missing_speed3.py --snorkel-ratio``).

OUTCOME (registration commit 4feacf37 at 23:50:54 UTC; judged once; ADOPTED, ``OWN_FIT = True`` in 5e279d3e):
(a) 23:50:56-23:52:10 UTC, load 6.5-8.8: (a1) the 93: mean 86.8666 -> 86.8666, 0 sets changed: PASS; (a2) 19 of 19
    accuracies equal to the record: PASS; (a3) 50 sets, 5 on the missing path (sim18202, sim18205, sim18309,
    sim18402, sim18502), 0 labels changed, more than 0.5 below MV 5 -> 5, newly 0: PASS.
(b) 23:52:13-00:03:38 UTC, load 5.8-10.3: missing-path ratios sim6201 1.328, sim6109 1.128, sim15701 1.465, sim16001
    1.484, sim16101 1.293, sim18202 1.420, sim18205 1.173, sim18309 1.311, sim18402 1.385, sim18502 1.229 (min 1.128,
    geometric mean 1.317); the 10 informative sets 0.976-1.051 (none below 1/1.05 = 0.952): PASS.

Run (``PYTHONPATH=<worktree>/src OMP_NUM_THREADS=1``, from the repository root; (a2) needs ``LABELWISE_CROWD_DATA``)::

    python benchmarks/dev_weak_missing_speed4.py --part a
    python benchmarks/dev_weak_missing_speed4.py --part b
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from pathlib import Path

import pandas as pd

import labelwise  # noqa: F401  (first: the benchmark helpers must not put another src first)

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

#: Part (a3)'s fresh first seeds of ``bench_weak.simulated_sets`` (10 sets each).
FRESH = "bench:18100-18500"
#: Part (b)'s seen missing-path sets (speed55, speed56, the lead), named as ``speed_weak_fit.py`` names them.
SEEN = (
    "sim6201_K2_m10+3_cov0.6",
    "sim6109_K2_m12+4_cov0.3",
    "sim15701_K2_m10+3_cov0.6",
    "sim16001_K2_m10+3_cov0.6",
    "sim16101_K2_m10+3_cov0.6",
)
#: Part (b)'s bars: each missing-path set, their geometric mean, and how much dearer any set may be.
EACH, GEOMEAN, DEARER = 1.05, 1.15, 1.05
#: How many of (a3)'s informative sets part (b) times.
INFORMATIVE_SAMPLE = 10
TABLE = "/tmp/own56_part_a3.csv"


def part_a1() -> bool:
    """(a1): the 93 dev sets, main and the candidate in one process (``dev_weak_missing_speed3.part_a1``, the rule's
    bars: mean not lower by more than 0.01, no set more than 0.5 below main's)."""
    from dev_weak_missing_speed3 import part_a1 as a1

    return a1("own56")


def part_a3() -> bool:
    """(a3): the fresh sets of :data:`FRESH`; the table kept for part (b)."""
    from dev_weak_missing_speed3 import family_table

    frame = family_table(FRESH)
    frame.to_csv(TABLE, index=False)
    below = {name: frame[name] - frame.mv < -0.5 for name in ("main", "cand")}
    newly = below["cand"] & ~below["main"]
    fall = frame.cand - frame.main
    ok = bool(not newly.any() and (fall >= -0.5).all())
    print(
        f"(a3) {FRESH} ({len(frame)} sets, {int((frame.checks > 0).sum())} on the missing path): mean MV "
        f"{frame.mv.mean():.3f}, main {frame.main.mean():.3f}, candidate {frame.cand.mean():.3f}; more than 0.5 "
        f"below MV {int(below['main'].sum())} -> {int(below['cand'].sum())}, newly {int(newly.sum())}; largest fall "
        f"{fall.min():+.3f}; sets changed {int((frame.changed > 0).sum())}; in-process CPU "
        f"{frame.cpu_main.sum():.2f} -> {frame.cpu_cand.sum():.2f} s -> {'PASS' if ok else 'FAIL'}",
        flush=True,
    )
    return ok


def part_b(repeats: int = 5) -> bool:
    """(b): cold CPU of main and the candidate on the missing-path sets and (a3)'s informative sample."""
    from dev_weak_missing_speed3 import cold_rounds

    fresh = pd.read_csv(TABLE)
    missing = [*SEEN, *(s for s in fresh.loc[fresh.checks > 0, "set"] if s not in SEEN)]
    sample = fresh.loc[fresh.checks == 0, "set"].tolist()[:INFORMATIVE_SAMPLE]
    print(f"(b) load {open('/proc/loadavg').read().split()[:3]}; missing path {missing}; sample {sample}", flush=True)
    ratios = {}
    for name in [*missing, *sample]:
        runs = cold_rounds(name, repeats, snorkel=False)
        med = {side: statistics.median(runs[side]) for side in ("main", "cand")}
        ratios[name] = med["main"] / med["cand"]
        print(
            f"{name}: main {med['main']:.4f} s, candidate {med['cand']:.4f} s, ratio {ratios[name]:.3f}; main "
            f"{[round(x, 4) for x in runs['main']]}, candidate {[round(x, 4) for x in runs['cand']]}",
            flush=True,
        )
    on_path = [ratios[s] for s in missing]
    geomean = math.exp(statistics.fmean(math.log(r) for r in on_path))
    each, dearer = min(on_path) >= EACH, min(ratios.values()) >= 1 / DEARER
    ok = each and geomean >= GEOMEAN and dearer
    print(
        f"(b) missing path: min {min(on_path):.3f} (>= {EACH}: {each}), geometric mean {geomean:.3f} (>= {GEOMEAN}: "
        f"{geomean >= GEOMEAN}); every timed set >= 1/{DEARER}: {dearer} (min {min(ratios.values()):.3f}); load "
        f"{open('/proc/loadavg').read().split()[:3]} -> {'PASS' if ok else 'FAIL'}",
        flush=True,
    )
    return ok


def main() -> None:
    from dev_weak_missing_speed3 import part_a2

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--part", choices=["a", "b"], required=True)
    args = parser.parse_args()
    if args.part == "a":
        for part in (part_a1, part_a2, part_a3):  # in order, stopping at the first failure
            if not part():
                print("(a): FAIL")
                sys.exit(1)
        print("(a): PASS")
        return
    ok = part_b()
    print("(b):", "PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
