"""Issue 15, session 57 (every57c): a NEW candidate, every57b's refit of the kept fit by EM over every vote row
(``weak._every_row.kept_refit``, 372c08bb) with ONE extra gate condition: at least ``MIN_VOTING`` = 5 functions
that vote on some item.

WHY (RESULTS.md, session 57, every57b): the refit applied once to the kept fit of independent functions passed (a),
(b) and (c) and FAILED (d) on one fresh low-coverage set, 10351 (661 items, four functions, one a copy the kept fit
has no clique for): 84.65 -> 76.73 against MV 82.18. The refit's other falls on low coverage were small sets of few
functions too.

THE GATE, chosen on SEEN data only (every57's and every57b's low-coverage seeds 9100-9499 and 9900-10499, 1,000 sets;
generator first seeds 20300-26200, 600 sets; the refit ungated against main on each, its gate's inputs read where
it would run; /tmp/every57c/diag.py and gates.py, not committed). Candidates: a least number of functions that vote
(5 or 6), a least number of voted items (500 or 1,000), no function with one-class votes only. On the seen
low-coverage sets (main fc056821 and 7306eb14 alike): ungated 182 -> 172 more than 0.5 below MV, 1 newly (10351, four functions); at
least 5 functions voting: 182 -> 171, none newly; at least 6: 182 -> 177, none newly; at least 500 voted items:
182 -> 171, none newly; at least 1,000: 182 -> 176, none newly. Every seen generator set has ten functions voting
and 6,671 voted items or more, so each of these keeps all 164 generator sets the refit reaches (14 -> 13 below MV,
none newly, no fall over 0.5); "no one-class function" would keep none of them (each has two or more). The least
number of functions is the simplest (three conditionally independent views identify a latent class model: Allman,
Matias and Rhodes 2009; plus margin), and 5 is the brief's example and keeps the most lifts: ``MIN_VOTING = 5``.
The closest seen call under it: 9950 (K 2, five functions) 77.37 -> 72.32 against MV 72.78 (0.46 below, within 0.5).

THE CANDIDATE: ``src/labelwise/weak/_every_row.py`` as at 372c08bb plus the condition in ``applies``; one hook line
in ``LabelModel.fit`` between ``_covote_join.fit_joined`` and ``set_results``; ``ENABLED`` off = main's behaviour.

THE RULE (registered in this commit, before any judging run; judged ONCE, candidate against main on the same sets,
stopped at the first failed part; MV, scoring and set builders those of ``dev_weak_gen_informative57.py``, part (e)
that of ``dev_weak_every_row57b.py``, whose functions this script calls with its seeds replaced by these):
(a) fresh focused sets: ``simulate_lfs`` with configurations K3_m10+0_cov0.3, K2_m10+0_cov0.6 and K5_m10+0_cov0.6 of
    ``bench_weak.SIM_CONFIGS`` at seeds 47000-47399 (1,200 sets; gold items with a vote; MV =
    ``aggregate.MajorityVote``): at least 5 sets changed; strictly fewer sets more than 0.5 below MV than main; none
    newly more than 0.5 below MV (a set main has within 0.5); mean not lower.
(b) the 93 dev sets (``_dev_weak_sets.rule_sets`` of seed -1, covered gold items): mean not lower than main's by
    more than 0.01, no set down more than 0.5.
(c) the 19 (``_dev_weak_judge.bench_accuracies`` with the switch on, ``compare_with_record``): NO accuracy lower than
    the record; the sets that moved are printed.
(d) fresh low-coverage seeds 11100-11899 (800 sets, ``dev_weak_low_coverage_peers.sparse_set``, voted items,
    ``MajorityLabelVoter``), fresh shared-trigger seeds 2188-2251 at K 2 and 3 (128 sets, covered gold items,
    ``MajorityLabelVoter``) and fresh ``bench_weak.simulated_sets`` at first seeds 27300-28200 (100 sets, MV as in
    (a)): none newly more than 0.5 below MV; on the low-coverage sets the count more than 0.5 below MV not higher
    than main's.
(e) cost, as every57b's rule: cold fit CPU (``speed_weak_fit.py --srcs /work/ab-main-every57c/src,<candidate>``,
    fresh processes a side, interleaved, OMP_NUM_THREADS=1, medians; main's worktree made by ``git worktree add
    --detach /work/ab-main-every57c main``; ``<candidate>`` a temporary copy of this worktree's ``src`` with
    ``ENABLED = True``): sim1004 (``--repeats 11``, where the refit runs on none of the unchanged sims: the gate
    reaches no code there) at most 1.05x main's; each of the 19's changed sims at most 1.35x main's (``--repeats 5``)
    and Snorkel's fit CPU at least 15x labelwise's (``bench_weak.py --sets <changed sims> --snorkel-python
    /work/venvs/weak-snorkel/bin/python --skip-apply``, the candidate's src).
Adopted (``ENABLED = True``) only if all pass; otherwise ``src`` goes back to main's.

OUTCOME (``--judge`` at 3c3a0bd3, the registering commit, 05:36-05:40 UTC; log /tmp/every57c/judge.log, not
committed): it FAILS (d). (a) passes: 1,114 of 1,200 changed (672 up by more than 0.5, none down by more than 0.5,
the largest fall 0.41), more than 0.5 below MV 28 -> 7, none newly, mean 83.406 -> 84.520. (b) passes: 2 of the 93
changed, mean 86.8666 -> 86.9365, largest fall 0.333. (c) passes: 19 of 19 at or above the record; moved sim1000
0.7733 -> 0.8191, sim1003 0.8086 -> 0.8420, sim1006 0.8387 -> 0.8635. (d) fails: low-coverage sets more than 0.5
below MV 126 -> 114 (14 lifted), mean 77.896 -> 78.342, but 2 newly: 11805 (K 3, 15 functions, 337 items, 99.4%
voted) 88.06 -> 80.00 against MV 83.58, and 11615 (K 4, six functions, two of them copies the kept fit has no clique
for) 52.54 -> 51.68 against MV 52.28; shared triggers 9 -> 9, none newly; generator sets 2 -> 2, none newly. (e)
was not run. ``src`` went back to main's; this script exits unless run from 3c3a0bd3.

Run (from the repository root)::

    LABELWISE_CROWD_DATA=/work/shared/data/crowd PYTHONPATH=$PWD/src OMP_NUM_THREADS=1 \\
        python benchmarks/dev_weak_every_row57c.py --judge

References: A. P. Dempster, N. M. Laird and D. B. Rubin, JRSS B 39(1), 1977 (section 4.2, truncated samples);
A. P. Dawid and A. M. Skene, Applied Statistics 28(1), 1979; E. S. Allman, C. Matias and J. A. Rhodes, Annals of
Statistics 37(6A), 2009.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import dev_weak_every_row57b as eb  # noqa: E402  (it sets dev_weak_every_row57's and gen_informative57's state)

er, gi = eb.er, eb.gi
_every_row = eb._every_row  # the candidate's module; None where it left src after a failed judging

# every57b's functions with this judging's fresh seeds (module docstring, THE RULE).
gi.FRESH_A = range(47000, 47400)
gi.FRESH_D_BENCH = list(range(27300, 28201, 100))
gi.FRESH_D_LOW = range(11100, 11900)
gi.FRESH_D_SHARED = range(2188, 2252)
gi.OUT = Path("/tmp/every57c")
er.MAIN_SRC = Path("/work/ab-main-every57c/src")


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--judge", action="store_true", help="the registered rule, once, to its first failure")
    args = ap.parse_args()
    if _every_row is None or not hasattr(_every_row, "MIN_VOTING"):
        sys.exit(
            "labelwise.weak._every_row left src after its judging (benchmarks/RESULTS.md, session 57, every57c): "
            "run this script from commit 3c3a0bd3"
        )
    gi.OUT.mkdir(parents=True, exist_ok=True)
    if args.judge:
        print("RULE:", eb.judge(), flush=True)


if __name__ == "__main__":
    main()
