"""Issue 15, session 57 (every57b): a NEW candidate, geninf57's refit by EM over every vote row with a free class
balance (``weak._every_row``) applied ONCE, to the fit the label model finally keeps, so that no comparison of fits
ever reads it.

WHY (RESULTS.md, session 57, geninf57 and every57): on the voted items alone the informative-abstain model of
independent functions is fitted to a truncated sample (Dempster, Laird and Rubin 1977, section 4.2), with the class
balance fixed at the vote shares; geninf57's refit over every vote row lifted the benchmark generator's fresh sets
of independent functions. Its second judging (every57, b760c89c) FAILED (d): the refit ran inside each fit that
``_one_class_fit.choose_structure`` compares by BIC (each fit's last log-likelihood entry times the voted items), so
the no-pair fit's every-row likelihood entered a comparison made on the voted rows and true copy cliques were
dropped (three fresh low-coverage sets newly below majority vote).

THE CANDIDATE (``src/labelwise/weak/_every_row.py``, ``kept_refit``; one hook line in ``LabelModel.fit`` between
``_covote_join.fit_joined`` and ``set_results``; ``ENABLED`` off = main's behaviour): where the class balance is the
default ``"votes"``, EM ran, some vote row has no vote, the kept fit's abstain model is informative without the
lured-item model, and the kept fit's groups are all single functions, the kept fit is refitted by EM over every vote
row from its posterior with the class balance free, and the refit kept unless it relabels a class against majority
vote. The structure and abstain-model choices are main's, made before it. No threshold was chosen.

THE RULE (registered in this commit, before any judging run; judged ONCE, candidate against main on the same sets,
stopped at the first failed part; MV, scoring and set builders those of ``dev_weak_gen_informative57.py``, whose
functions this script calls with its seeds and configurations replaced by these):
(a) fresh focused sets: ``simulate_lfs`` with configurations K3_m10+0_cov0.3, K2_m10+0_cov0.6 and K5_m10+0_cov0.6 of
    ``bench_weak.SIM_CONFIGS`` at seeds 45000-45399 (1,200 sets; gold items with a vote; MV =
    ``aggregate.MajorityVote``): at least 5 sets changed; strictly fewer sets more than 0.5 below MV than main; none
    newly more than 0.5 below MV (a set main has within 0.5); mean not lower.
(b) the 93 dev sets (``_dev_weak_sets.rule_sets`` of seed -1, covered gold items): mean not lower than main's by
    more than 0.01, no set down more than 0.5.
(c) the 19 (``_dev_weak_judge.bench_accuracies`` with the switch on, ``compare_with_record``): NO accuracy lower than
    the record; the sets that moved are printed.
(d) fresh low-coverage seeds 9900-10499 (600 sets, ``dev_weak_low_coverage_peers.sparse_set``, voted items,
    ``MajorityLabelVoter``), fresh shared-trigger seeds 1996-2059 at K 2 and 3 (128 sets, covered gold items,
    ``MajorityLabelVoter``) and fresh ``bench_weak.simulated_sets`` at first seeds 25300-26200 (100 sets, MV as in
    (a)): none newly more than 0.5 below MV; on the low-coverage sets the count more than 0.5 below MV not higher
    than main's.
(e) cost. The 19's ten sims, each split by whether the candidate changes any of its labels (in-process fits, switch
    off then on) and whether its refit runs there at all (:func:`~labelwise.weak._every_row.applies` true). Cold fit
    CPU (``speed_weak_fit.py --srcs /work/ab-main-every57b/src,<candidate>``, fresh processes a side, interleaved,
    OMP_NUM_THREADS=1, medians; main's worktree made by ``git worktree add --detach /work/ab-main-every57b main``;
    ``<candidate>`` a temporary copy of this worktree's ``src`` with ``_every_row.ENABLED = True``, since the
    committed switch is off): on each unchanged sim at most 1.05x main's (``--repeats 5``; where the refit runs on
    none of the unchanged sims the gate reaches no code there, and sim1004 alone is timed, ``--repeats 11``), on each
    changed sim at most 1.35x main's (``--repeats 5``). And ``bench_weak.py --sets <the changed sims>
    --snorkel-python /work/venvs/weak-snorkel/bin/python --skip-apply`` run with the candidate's src: on each changed
    sim Snorkel's fit CPU (``snorkel_cpu_s``) at least 15x labelwise's (``lw_cpu_s``).
Adopted (``ENABLED = True``) only if all pass; otherwise ``src`` goes back to main's.

OUTCOME (``--judge`` at 372c08bb, the registering commit 59f6138e with main's bit-identical speed57 changes merged,
05:19-05:25 UTC; log /tmp/every57b/judge.log, not committed): it FAILS (d). (a) passes: 1,113 of 1,200 changed (641
up and 6 down by more than 0.5, the largest fall 1.21), more than 0.5 below MV 22 -> 9, none newly, mean 83.516 ->
84.581. (b) passes: 2 of the 93 changed, mean 86.8666 -> 86.9365, largest fall 0.333. (c) passes: 19 of 19 at or
above the record; moved sim1000 0.7733 -> 0.8191, sim1003 0.8086 -> 0.8420, sim1006 0.8387 -> 0.8635. (d) fails:
low-coverage sets more than 0.5 below MV 109 -> 104 and mean 77.285 -> 77.801 (153 of 600 changed: 93 up, 23 down by
more than 0.5), but 10351 newly below MV (84.65 -> 76.73, MV 82.18; four functions on 661 items, one of them a copy
the kept fit has no clique for: the every-row refit moves the balance from 0.20/0.80 to 0.55/0.45 and two
functions' accuracies from 0.99/0.76 to 0.67/0.83); shared triggers 12 -> 11 below MV, none newly; generator sets 3
-> 3, none newly. (e) was not run. ``src`` went back to main's; this script exits unless run from 372c08bb.

Run (from the repository root)::

    LABELWISE_CROWD_DATA=/work/shared/data/crowd PYTHONPATH=$PWD/src OMP_NUM_THREADS=1 \\
        python benchmarks/dev_weak_every_row57b.py --judge

References: A. P. Dempster, N. M. Laird and D. B. Rubin, JRSS B 39(1), 1977 (section 4.2, truncated samples);
A. P. Dawid and A. M. Skene, Applied Statistics 28(1), 1979.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import dev_weak_every_row57 as er  # noqa: E402  (it sets gi.FOCUSED to this rule's three configurations)
import dev_weak_gen_informative57 as gi  # noqa: E402

_every_row = er._every_row  # the candidate's module; None where it left src after a failed judging

# The earlier judgings' functions with this judging's fresh seeds (module docstring, THE RULE).
gi.FRESH_A = range(45000, 45400)
gi.FRESH_D_BENCH = list(range(25300, 26201, 100))
gi.FRESH_D_LOW = range(9900, 10500)
gi.FRESH_D_SHARED = range(1996, 2060)
gi.OUT = Path("/tmp/every57b")
er.MAIN_SRC = Path("/work/ab-main-every57b/src")


def sims_split() -> tuple[list[str], list[str], list[str]]:
    """The 19's ten sims: unchanged where the refit runs, unchanged where it does not, and changed (in-process)."""
    from _dev_weak_judge import fits_with_switch
    from bench_weak import simulated_sets

    gate = _every_row.applies
    ran: list[bool] = []

    def recorded(*args):
        ran.append(gate(*args))
        return ran[-1]

    reached, idle, changed = [], [], []
    _every_row.applies = recorded
    try:
        for name, votes, _ in simulated_sets(1000):
            ran.clear()
            fits = fits_with_switch(_every_row, "ENABLED", votes)
            same = pd.Series(fits[True].labels).equals(pd.Series(fits[False].labels))  # unlabelled items equal
            (changed if not same else reached if any(ran) else idle).append(name)
    finally:
        _every_row.applies = gate
    print(f"(e) unchanged, refit run {reached}; unchanged, gate only {idle}; changed {changed}", flush=True)
    return reached, idle, changed


def part_e() -> bool:
    """Cold fit CPU at most 1.05x main's on the unchanged sims (sim1004 alone, 11 repeats, where the refit runs on
    none of them), 1.35x on the changed; Snorkel at least 15x labelwise's on the changed."""
    reached, idle, changed = sims_split()
    with tempfile.TemporaryDirectory() as tmp:
        cand = er.candidate_src(tmp)
        limits = {**dict.fromkeys(reached + idle, 1.05), **dict.fromkeys(changed, 1.35)}
        if reached:
            ratios = er.cold_ratios(reached + idle + changed, cand)
        else:
            ratios = cold_ratios_repeats(["sim1004"], cand, 11) if "sim1004" in idle else {}
            limits = {"sim1004": 1.05, **dict.fromkeys(changed, 1.35)}
            ratios.update(er.cold_ratios(changed, cand) if changed else {})
        print("(e) cold ratios:", {n: round(r, 3) for n, r in ratios.items()}, flush=True)
        if len(ratios) != len(limits) or any(ratios[n] > limit for n, limit in limits.items()):
            return False
        if not changed:
            return True
        snorkel = er.snorkel_ratios(changed, cand)
    print("(e) Snorkel / labelwise CPU:", {n: round(r, 1) for n, r in snorkel.items()}, flush=True)
    return len(snorkel) == len(changed) and all(r >= 15 for r in snorkel.values())


def cold_ratios_repeats(sims: list[str], cand: Path, repeats: int) -> dict[str, float]:
    """:func:`dev_weak_every_row57.cold_ratios` with ``repeats`` fresh processes a side."""
    import subprocess

    real = subprocess.run

    def run(cmd, **kw):
        cmd = [str(repeats) if i and cmd[i - 1] == "--repeats" else c for i, c in enumerate(cmd)]
        return real(cmd, **kw)

    subprocess.run = run
    try:
        return er.cold_ratios(sims, cand)
    finally:
        subprocess.run = real


def judge() -> str:
    """The registered rule (module docstring), to its first failed part: "PASSES" or "FAILS <part>"."""
    if not gi.part_a(gi.table("focused")):
        return "FAILS a"
    if not gi.part_b(gi.table("dev93")):
        return "FAILS b"
    if not er.part_c():
        return "FAILS c"
    d = {kind: gi.against_mv(gi.table(kind), f"(d) {kind}") for kind in ("low", "shared", "bench")}
    if any(r["newly"] for r in d.values()) or d["low"]["below"][1] > d["low"]["below"][0]:
        return "FAILS d"
    return "PASSES" if part_e() else "FAILS e"


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--judge", action="store_true", help="the registered rule, once, to its first failure")
    args = ap.parse_args()
    if _every_row is None:
        sys.exit(
            "labelwise.weak._every_row left src after its judging (benchmarks/RESULTS.md, session 57, every57b): "
            "run this script from commit 372c08bb"
        )
    gi.OUT.mkdir(parents=True, exist_ok=True)
    if args.judge:
        print("RULE:", judge(), flush=True)


if __name__ == "__main__":
    main()
