"""Issue 15, session 57 (guard57): the relabelling guard on the benchmark generator's missing-abstain fits, where
many (not most) votes come from one-class functions.

THE DIAGNOSIS (``--dev``, dev and seen data only): the seen bench blocks (first seeds 12500-19200 and 20300-22200),
genmiss57's dev focused seeds 10000-10199 of the three configs below, dev low coverage 6500-7099, shared triggers
1700-1739, and the 93 dev sets: for each set, main's labels, majority vote's, and whether the relabelling check
(:func:`labelwise.aggregate._guard.relabelled_classes`, DS's) fired on a missing-abstain fit, with the vote share
of one-class functions of at least 20 votes there; the candidate's labels where the candidate's gate holds.

DEV RESULT (before registration; candidate vs main, more than 0.5 below MV): seen bench blocks (880 sets) 17 -> 13,
6 changed (sim20902 53.55 -> 73.23, sim21101 65.60 -> 73.48, sim17602 66.99 -> 75.43, sim16001 65.36 -> 68.95, all
to MV's level; sim17209 78.99 -> 73.48 and sim18309 76.13 -> 72.70, K2_m12+4_cov0.3 sets where the relabelling
missing fit was right, down to MV's level: the candidate's cost); focused 10000-10199 (600) 24 -> 22, 3 changed
(10095 +21.1, 10109 +16.0, 10161 -0.17); low coverage 6500-7099 (600) 118 -> 115, 6 changed, none down; shared
triggers 1700-1739 and the 93 dev sets: none changed (on 7 of the 93 the check fires on a missing fit, each at share
0: crowd-like and pair sets). The 19's real crowds: share at most 0.0025 (CF 0, counting workers of 20 answers or
more). On sim20705 (K3) and the other K = 3 falls the check does not fire (dev focused 10031 fired, nothing changed).

THE CANDIDATE (``src/labelwise/weak/_missing_guard.py``, switch ``UNREAD_VOTES``, False = main's behaviour): the
label model's relabelling guard (``guard_missing``) falls back to majority vote's own model where a missing-abstain
fit relabels a class against majority vote and EITHER more than half the votes come from one-class functions
(main's gate, ``ONE_CLASS_VOTES``) OR at least ``_unread_votes.MIN_SHARE`` = 0.1 of the votes come from functions
that vote one class only and have cast at least ``_unread_votes.MIN_VOTES`` = 20 votes (the share as
``_unread_votes.one_class_share`` measures it, unweighted rows of the votes' matrix), at any K. No constant is new
or tuned: 0.1 and 20 are genmiss57's (the votes the missing-abstain model cannot read, chosen by it on dev data).
The fallback is majority vote's own model as before: no fit and no solve is added (part (e) does not apply).

HOW EACH SET IS FITTED. Main's fit once, with a spy on ``_missing_guard.unread_votes`` (called only where the
missing-abstain fit relabels a class and main's gate does not hold) that evaluates it with the switch on and records
the share and whether it held, while returning what the switch's own value gives. The candidate is fitted only where
it held; elsewhere its labels are main's by construction.

THE RULE (registered before any judging run; judged ONCE, candidate vs main on the same sets, stopped at the first
failed part):
(a) fresh focused sets: ``bench_weak.SIM_CONFIGS``' K2_m20+6_cov0.1, K3_m20+6_cov0.1 and K2_m10+3_cov0.6 at seeds
    46000-46399 (1,200 sets; bench_weak's scoring: gold items with a vote, MV = ``aggregate.MajorityVote``): at least
    3 sets changed; strictly fewer sets more than 0.5 points below MV; none newly more than 0.5 below MV; mean not
    lower.
(b) the 93 dev sets: mean not lower by more than 0.01, no set down more than 0.5.
(c) ``bench_weak.py --no-snorkel --skip-apply``'s 19 with the switch on: every accuracy equal to the record.
(d) fresh low coverage ``dev_weak_low_coverage_peers.sparse_set`` 10500-11099 (voted items, MV =
    ``MajorityLabelVoter(labels=range(K))``), fresh shared triggers 2124-2187 at K 2 and 3 (covered gold items, the
    same MV) and fresh ``bench_weak.simulated_sets`` at first seeds 26300, 26400, ..., 27200 (100 sets, bench_weak's
    scoring): none newly more than 0.5 below MV; on low coverage, sets more than 0.5 below MV not more than main's.
Adopted only if all pass (``UNREAD_VOTES = True``); otherwise ``src`` goes back to main's in a commit.

OUTCOME (``--judge`` at 404cdf21, the registering commit, 05:26-05:30 UTC; log /tmp/guard57/judge.log, not
committed): PASSES, adopted (``UNREAD_VOTES = True``). (a) 1,200 focused sets: the gate held on 13, 11 changed, all
up (+3.28 to +26.50); more than 0.5 below MV 57 -> 46 (more than 5 below 22 -> 12), none newly, mean 79.892 ->
80.037 (MV 75.572); by config K2_m20+6_cov0.1 31 -> 24, K2_m10+3_cov0.6 13 -> 10, K3_m20+6_cov0.1 13 -> 12. (b) the
93: none changed, 86.8666 both. (c) 19 of 19 equal to the record. (d) low coverage 10500-11099 (600): 2 changed
(10699 79.23 -> 68.17, MV's level: the cost; 10879 57.69 -> 58.84), below MV 101 -> 100, none newly, mean 77.3924 ->
77.3759; shared triggers 2124-2187 (128) and bench first seeds 26300-27200 (100): none changed. After adoption the
script's "main" switches the module off, so it still compares against the behaviour before it.

Run (from the repository root)::

    LABELWISE_CROWD_DATA=/work/shared/data/crowd PYTHONPATH=$PWD/src OMP_NUM_THREADS=1 \\
        python benchmarks/dev_weak_missing_guard57.py --dev       # the diagnosis, dev and seen data
    ... python benchmarks/dev_weak_missing_guard57.py --judge     # the registered rule, once

References: A. P. Dawid and A. M. Skene, Applied Statistics 28(1), 1979.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import dev_weak_gen_missing57 as g57  # noqa: E402

from labelwise import weak  # noqa: E402
from labelwise.weak import _missing_guard  # noqa: E402

FOCUSED = ("K2_m20+6_cov0.1", "K3_m20+6_cov0.1", "K2_m10+3_cov0.6")
FRESH_A = range(46000, 46400)
FRESH_D = {"low": range(10500, 11100), "shared": range(2124, 2188), "bench": list(range(26300, 27300, 100))}
DEV = {
    "bench": list(range(12500, 19300, 100)) + list(range(20300, 22300, 100)),
    "focused": range(10000, 10200),
    "low": range(6500, 7100),
    "shared": range(1700, 1740),
    "dev93": None,
}
OUT = Path("/tmp/guard57")
_shares: list[float] = []
_main_shares: list[float] = []  # main's fit's
_held = [0]
_gate = _missing_guard.unread_votes


def _spy(votes):  # type: ignore[no-untyped-def]
    """``unread_votes`` with the switch forced on, its share and answer recorded; the guard gets the switch's own."""
    matrix = votes.matrix()
    _shares.append(g57._unread_votes.one_class_share(matrix, np.ones(len(matrix))))
    on = _missing_guard.UNREAD_VOTES
    _missing_guard.UNREAD_VOTES = True
    try:
        out = _gate(votes)
    finally:
        _missing_guard.UNREAD_VOTES = on
    _held[0] += out
    return out and on


_missing_guard.unread_votes = _spy


def fit(votes, k: int | None, on: bool = False) -> tuple[np.ndarray, int, object]:
    """The default label model's labels with the switch ``on`` (False: main), whether the spy held, and the model;
    the shares the spy saw are kept in ``_shares``."""
    _held[0] = 0
    _shares.clear()
    was = _missing_guard.UNREAD_VOTES
    _missing_guard.UNREAD_VOTES = on
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = weak.LabelModel(**({} if k is None else {"labels": list(range(k))})).fit(votes)
    finally:
        _missing_guard.UNREAD_VOTES = was
    if not on:
        _main_shares[:] = _shares
    return model.labels_.to_numpy(), _held[0], model


def row(name: str, votes, truth: np.ndarray, scored: np.ndarray, k: int | None, bench: bool) -> dict:
    """genmiss57's row with this candidate's fit, plus whether the check fired on a missing fit and the share."""
    out = _row(name, votes, truth, scored, k, bench)
    out["checked"] = len(_main_shares)
    out["share"] = round(max(_main_shares), 4) if _main_shares else np.nan
    return out


_row = g57.row
g57.fit, g57.row = fit, row  # genmiss57's blocks, tables and parts with this candidate's fit
g57.FOCUSED, g57.OUT = FOCUSED, OUT


def dev() -> None:
    """The diagnosis blocks (module docstring), no verdict."""
    for kind, seeds in DEV.items():
        frame = g57.table(kind, seeds, "dev")
        g57.against_mv(frame, f"dev {kind}")
        checked = frame[frame.checked > 0]
        print(f"dev {kind}: check fired on a missing fit on {len(checked)} sets:", flush=True)
        print(checked.round(3).to_string(index=False), flush=True)


def part_a(frame: pd.DataFrame) -> bool:
    """Part (a): at least 3 changed, strictly fewer below MV, none newly, mean not lower."""
    r = g57.against_mv(frame, "(a)")
    ok = len(r["changed"]) >= 3 and r["below"][1] < r["below"][0] and not r["newly"]
    return ok and r["means"][2] >= r["means"][1] - 1e-9


def part_c() -> bool:
    """Part (c): bench_weak's 19 with the switch on, every accuracy equal to the record."""
    from _dev_weak_judge import bench_accuracies, compare_with_record

    record = compare_with_record(bench_accuracies(_missing_guard, "UNREAD_VOTES", True))
    differ = record[~record.equal][["set", "printed", "record"]].values.tolist()
    print(f"(c): {int(record.equal.sum())} of {len(record)} equal to the record; differ {differ}", flush=True)
    return len(record) == 19 and bool(record.equal.all())


def judge() -> str:
    """The registered rule (module docstring), stopped at the first failed part."""
    if not part_a(g57.table("focused", FRESH_A, "judge")):
        return "FAILS (a)"
    if not g57.part_b(g57.table("dev93", None, "judge")):
        return "FAILS (b)"
    if not part_c():
        return "FAILS (c)"
    frames = {kind: g57.table(kind, seeds, "judge") for kind, seeds in FRESH_D.items()}
    return "PASSES" if g57.part_d(frames) else "FAILS (d)"


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--dev", action="store_true", help="the diagnosis, dev and seen data, no verdict")
    ap.add_argument("--only", help="with --dev: one block")
    ap.add_argument("--judge", action="store_true", help="the registered rule, once, stopped at its first failure")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.only:
        only = {args.only: DEV[args.only]}
        DEV.clear()
        DEV.update(only)
    if args.dev:
        dev()
    if args.judge:
        print("RULE:", judge(), flush=True)


if __name__ == "__main__":
    main()
