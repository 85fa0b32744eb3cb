"""Dev runs: regularised minimax conditional entropy as the label model on many-vote crowds (issue 15, session 41, is15m).

REGISTRATION: see "Registration" below (written and committed before the rule run).

Question. No label model tried so far gives an item its own confusion: Dawid-Skene gives every item of a
true class the same chance of each wrong answer. Session 40 (dsdep40) found a simulated crowd
(``minimax1_n800_K4_m109_s87`` of ``dev_weak_lure_stress.py``) where the Dawid-Skene optimum itself is
wrong (EM started at the truth ends at 52.12%) and named per-item confusability, as in minimax
conditional entropy, as the likely fix. Here ``LabelModel()``'s labels are replaced by those of the
regularised minimax conditional entropy model (``_minimax_entropy_dev.mme_posterior``: Zhou et al. 2012,
2014, 2015; ``P(i answers k | item j, class c) ∝ exp(σ_i[c, k] + τ_j[c, k])``, ``β = K²/4`` on ``σ``,
``α = β · answers per labeler / answers per item`` on ``τ``, the authors' settings; fitted as the paper
and the authors' code do: L-BFGS block steps on ``σ`` then ``τ`` (25 at most each), then the posterior
of the truth, at most 50 rounds, stop when no posterior entry moves more than 5e-3) where the crowd has
at least 10 votes per item on average (over the items with a vote), the structure in which per-item
parameters are identifiable; elsewhere ``LabelModel()`` is unchanged. Variants (at most two):

* (A) MME started from majority-vote shares (the paper's start);
* (B) MME started from ``LabelModel()``'s own posterior (the same fit, a different start).

References: D. Zhou, S. Basu, Y. Mao and J. C. Platt, "Learning from the wisdom of crowds by minimax
entropy", NIPS 2012; D. Zhou, Q. Liu, J. C. Platt and C. Meek, "Aggregating ordinal labels from crowds
by minimax conditional entropy", ICML 2014; D. Zhou, Q. Liu, J. C. Platt, C. Meek and N. B. Shah,
"Regularized minimax conditional entropy for crowdsourcing", arXiv:1503.07240, 2015; A. P. Dawid and
A. M. Skene 1979.

CPU: ``cpu_after`` is the default's fit plus the MME fit (an adopted MME would keep the default's fit
for its other results and its start).

Exploration (disclosed; fresh seeds 110-113 only, 04:31-04:38 UTC, load 6-9.5; ``--explore``): the 93's
generators on 110 and 112 (``dev_weak_item_difficulty.explore_sets``: LF sim11000-11009 and
sim11200-11209, 12 crowds, 28 dense crowds of seeds 110-113, 18 pair, 8 look-alike) and lure39's four
stress families on 110-113 (96 sets; its ``minimax`` family is the simulator ``dev_aggregate_triad.py
--minimax1`` reads): 182 sets, before = main's ``LabelModel()``; the gate reached 124 (the 28 dense
crowds and the 96 stress crowds). Before this, one smoke run of (A) on ``stress_sets(110)`` (24 sets) and
of both on the four ``minimax1`` crowds of 110-113.

* (A), every K: 91.082 -> 91.011 over the 182, 23 up / 87 down, **53 sets more than 0.5 below**
  (minimax0_n300_K3_m20_s113 -7.67, minimax2_n1500_K5_m60_s112 -5.93, dense4_n600_K4_m30_s111 -5.67,
  blur3_s113 -5.03), CPU 6.51x. Per family on the reached sets (mean before -> after): blur 95.47 ->
  94.02, dense 93.06 -> 94.26, glad 99.40 -> 99.19, minimax 80.17 -> 80.50, mixlure 97.75 -> 97.15.
* (B), every K: 91.082 -> 91.082, 25 up / 82 down, 47 sets more than 0.5 below, CPU 5.79x.
* By K (B, reached sets): K = 2 (16 dense crowds) 89.26 -> 93.20, 2 more than 0.5 below (dense1_s111
  -0.67, dense5_s112 -1.00), gains up to +15 (dense0_s110); K = 3 94.47 -> 94.17; K = 4 92.99 -> 92.69;
  K = 5 95.73 -> 94.25; K = 6 92.03 -> 91.00. With K >= 3 the default's lured-item refit (``weak/_lure.py``)
  already models an item's own confusion and MME loses to it on every family; on two classes, where the
  lured refit does not run, MME's item term gains.
* Gated to K = 2 (computed from the records above): (A) 91.082 -> 91.391, 10 up / 6 down, 5 more than
  0.5 below (largest -2.00); (B) 91.082 -> 91.428, 12 up / 3 down, 2 more than 0.5 below (largest
  -1.00), CPU 1.24x.

Registration
------------
Written and committed after the exploration above and before the rule run. The variant judged is
**B2**: (B) (MME started from ``LabelModel()``'s posterior), on crowds with two classes and at least 10
votes per item on average; elsewhere ``LabelModel()`` unchanged. (A) and (B) on every K failed (2) on the
explore seeds by 47-53 sets and (4) by 5.8-6.5x and are not judged. The rule, run ONCE with
``OMP_NUM_THREADS=1`` (``--rule B2``; before = main's ``LabelModel()``, after = B2, majority vote from
``aggregate.MajorityVote``), over the 93 dev sets of ``dev_weak_losses.py`` (via
``dev_weak_pair_check.sets``): (1) mean accuracy not lower than main's ``LabelModel()``; (2) no set more
than 0.5 point below it; (3) every set ``after − MV >= min(before − MV, −0.5)``; (4) summed CPU at most
3x. Adopted (``src``: ``weak/_minimax_entropy.py``, the default, a parameter to turn it off) only if all
four pass; then ``bench_weak.py --skip-apply`` once. Registered with the rule, not part of it: the named
crowd ``minimax1_n800_K4_m109_s87`` before/after with B2 (K = 4: not reached, by construction unchanged)
and, for the record, with (B) ungated (``--case B``)::

    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/dev_weak_minimax_entropy.py --explore --out explore.csv
    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/dev_weak_minimax_entropy.py --rule B2 --out rule.csv  # once
    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/dev_weak_minimax_entropy.py --case B

Result of the rule run (once, ``--rule B2``, commit b36f5bab, 04:39:35-04:40:23 UTC, load 8.5-8.8): **fails
(2)**; (1), (3), (4) pass. The 93: 86.782 -> 86.943, 6 up / 2 down, CPU 7.42 -> 10.40 s (1.40x); the gate
reached the 8 two-class dense crowds. Per group (mean before -> after; up / down): LF (14), crowds (26),
pair (27), look-alike (12) unchanged; dense (14) 93.940 -> 95.007, 6 / 2 (dense0_s0 +10.00, dense0_s1
+4.00, dense1_s0 +2.00, dense1_s1 +2.67, dense2_s0 +2.67, dense5_s1 +0.20). The sets more than 0.5 below
main's ``LabelModel()``: **dense2_n300_K2_m60_s1 86.333 -> 81.333 (-5.00)** and **dense5_n500_K2_m140_s0
93.800 -> 92.200 (-1.60)**. Not adopted: ``src`` unchanged, no ``bench_weak.py`` run.

The named crowd (registered, not part of the rule; 04:40-04:41 UTC): ``minimax1_n800_K4_m109_s87`` (MV
54.375, ``LabelModel()`` 52.000): B2 52.000 (K = 4, not reached); (B) ungated 49.750 (50 rounds); (A)
49.625 (50 rounds).

Diagnosis after the rule run (not a rule; ``--diagnose``, 04:44-04:48 UTC, load 12.8-15.6): on the named
crowd, the MME fit from the truth (one-hot) scores 71.12 after 50 rounds and 65.12 run to the tolerance
(142 rounds), with a HIGHER objective (regularised marginal log-likelihood -10320.19) than the fit from
majority vote run to the tolerance (50.25, 73 rounds, -10324.45): unlike Dawid-Skene's (dsdep40: EM
from the truth ends at 52.12%), the MME optimum near the truth is better than the one majority vote
leads to; the start is what fails there. With the item ridge ``α`` at a tenth of the authors' setting
the fit from the truth scores 76.75 (50 rounds) and the one from majority vote 46.38. On the explore
seeds' ``minimax1`` crowds (110-113), the authors' ``α`` reaches one optimum from both starts
(69.00-76.50, above ``LabelModel()``'s 65.88-72.75 on all four).
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from _minimax_entropy_dev import LAST, mme_posterior  # noqa: E402
from dev_weak_labeler_strength import dev_set, score  # noqa: E402
from dev_weak_lure_stress import report, stress_sets  # noqa: E402

from labelwise.weak import LabelModel  # noqa: E402

#: the gate: at least this many votes per item on average (over the items with a vote)
MIN_VOTES = 10.0


def reaches(matrix: np.ndarray) -> bool:
    """Whether the crowd has at least :data:`MIN_VOTES` votes per item on average (items with a vote)."""
    per_item = (matrix >= 0).sum(axis=1)
    return bool(per_item[per_item > 0].mean() >= MIN_VOTES) if (per_item > 0).any() else False


def variant_reaches(variant: str, matrix: np.ndarray, k: int) -> bool:
    """The gate of ``variant``: :func:`reaches`, and for ``B2`` also two classes (where the lured model does not
    apply)."""
    return reaches(matrix) and (variant != "B2" or k == 2)


def fit_default(matrix: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Class codes, posterior and CPU seconds of main's ``LabelModel()``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.process_time()
        model = LabelModel(labels=list(range(k))).fit(matrix)
        post = model.predict_proba(matrix)
        cpu = time.process_time() - start
    return pd.Index(model.classes_).get_indexer(model.labels_.to_numpy()), np.asarray(post), cpu


def fit_variant(matrix: np.ndarray, k: int, variant: str, post0: np.ndarray) -> tuple[np.ndarray, float, int]:
    """Class codes, CPU seconds (the MME fit only) and rounds of variant ``variant`` on a reached crowd."""
    start = time.process_time()
    mu, rounds = mme_posterior(matrix, k, start=None if variant == "A" else post0)
    return mu.argmax(axis=1), time.process_time() - start, rounds


def evaluate(family: str, name: str, votes, truth, variants: list[str]) -> list[dict]:
    """One set: main's default (before) and each variant (after; the default's labels where the gate fails).
    ``cpu_after`` = the default's fit plus the MME fit (the default's fit is kept for its other results)."""
    matrix, k, g, scored, _, base = dev_set(family, name, votes, truth)
    base["per_item"] = float((matrix >= 0).sum(axis=1)[(matrix >= 0).any(axis=1)].mean())
    codes0, post0, cpu0 = fit_default(matrix, k)
    base["before"] = score(codes0, g, scored)
    base["cpu_before"] = cpu0
    base["reached"] = reaches(matrix)
    rows = []
    for v in variants:
        row = dict(base, variant=v, rounds=0)
        if variant_reaches(v, matrix, k):
            codes, cpu, row["rounds"] = fit_variant(matrix, k, v, post0)
            codes = np.where((matrix >= 0).any(axis=1), codes, codes0)
            row.update(after=score(codes, g, scored), cpu_after=cpu0 + cpu)
        else:
            row.update(after=base["before"], cpu_after=cpu0)
        row["gain"] = row["after"] - row["before"]
        row["rho"] = np.nan
        rows.append(row)
    return rows


def explore_sets():
    """Exploration (fresh seeds 110-113 only): the 93's generators on 110 and 112 (LF sim11000-11009 and
    sim11200-11209, crowds, dense crowds 110-113, pair, look-alike) and lure39's four stress families on
    110, 111, 112, 113 (the stress ``minimax`` family is ``dev_aggregate_triad.py``'s minimax simulator)."""
    from dev_weak_item_difficulty import explore_sets as gen93

    for seed in (110, 112):
        for family, name, votes, truth in gen93(seed):
            yield seed, family, name, votes, truth
    for seed in (110, 111, 112, 113):
        for family, name, votes, truth in stress_sets(seed):
            yield seed, family, name, votes, truth


def rule_sets():
    """The rule's sets: the 93 dev sets of ``dev_weak_losses.py`` (seed -1)."""
    from dev_weak_pair_check import sets

    for family, name, votes, truth in sets(["clique", "dense", "pair", "lookalike"]):
        yield -1, family, name, votes, truth


def named_case():
    """Registered with the rule, not part of it: ``minimax1_n800_K4_m109_s87`` (dsdep40's diagnosis)."""
    for family, name, votes, truth in stress_sets(87):
        if name.startswith("minimax1"):
            yield 87, family, name, votes, truth


def diagnose(only_case: bool = False) -> None:
    """Not a rule: is the MME optimum itself wrong on ``minimax1_n800_K4_m109_s87`` (the model that generated it)?
    MME from majority vote and from the truth (one-hot), with the paper's item ridge ``α`` and with ``α/10``,
    ``α/100``; then the same on the explore seeds' ``minimax1`` crowds (110-113, for a future registration)."""
    cases = list(named_case())
    if not only_case:
        cases += [
            (s, f, n, v, t) for s in (110, 111, 112, 113) for f, n, v, t in stress_sets(s) if n.startswith("minimax1")
        ]
    for _, family, name, votes, truth in cases:
        matrix, k, g, scored, _, row = dev_set(family, name, votes, truth)
        codes0, _, _ = fit_default(matrix, k)
        print(f"{name}: MV {row['mv']:.2f}, LabelModel() {score(codes0, g, scored):.2f}", flush=True)
        per_item = (matrix >= 0).sum(axis=1)
        per_lab = (matrix >= 0).sum(axis=0)
        alpha = 0.25 * k * k * per_lab[per_lab > 0].mean() / per_item[per_item > 0].mean()
        truth_start = np.eye(k)[np.where(g >= 0, g, 0)]
        for scale, n_iter in ((1.0, 50), (1.0, 1000), (0.1, 50), (0.01, 50)):  # 1000: run to the tolerance
            for start_name, start in (("MV", None), ("truth", truth_start)):
                t0 = time.process_time()
                mu, rounds = mme_posterior(matrix, k, lam_task=alpha * scale, start=start, n_iter=n_iter)
                print(
                    f"  alpha x{scale:<5} from {start_name:5s}: {score(mu.argmax(axis=1), g, scored):.2f}"
                    f"  ({rounds} rounds, last move {LAST['moved']:.4f}, objective {LAST['objective']:.2f},"
                    f" {time.process_time() - t0:.2f} s)",
                    flush=True,
                )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--explore", action="store_true", help="fresh seeds 110-113, variants A and B")
    ap.add_argument("--rule", default=None, choices=["A", "B", "B2"], help="the registered rule run of one variant")
    ap.add_argument("--case", default=None, choices=["A", "B", "B2"], help="the named crowd minimax1_s87")
    ap.add_argument("--only", default=None, help="substring of the set names to run (smoke runs)")
    ap.add_argument("--reached-only", action="store_true", help="explore: skip the sets the gate does not reach")
    ap.add_argument("--out", default=None, help="CSV of the per-set table")
    ap.add_argument("--diagnose", action="store_true", help="the MME optimum on minimax1_s87 (not a rule)")
    args = ap.parse_args()
    if args.diagnose:
        diagnose(only_case=bool(args.only))
        return
    pd.set_option("display.width", 250)
    if args.explore:
        variants, source = ["A", "B"], explore_sets()
    elif args.case:
        variants, source = [args.case], named_case()
    else:
        variants, source = [args.rule or "A"], rule_sets()
    rows: list[dict] = []
    cols = ["set", "per_item", "mv", "before", "after", "gain", "rounds", "cpu_before", "cpu_after"]
    print("machine:", _machine_line(), "load:", open("/proc/loadavg").read().split()[:3], flush=True)
    for seed, family, name, votes, truth in source:
        if args.only and args.only not in name:
            continue
        if args.reached_only and not reaches(votes.matrix()):
            continue
        for row in evaluate(family, name, votes, truth, variants):
            row["seed"] = seed
            rows.append(row)
            print(
                pd.DataFrame([row])[["variant", *cols]].round(3).to_string(index=False, header=len(rows) == 1),
                flush=True,
            )
    frame = pd.DataFrame(rows)
    if args.out:
        frame.to_csv(args.out, index=False)
    for v in variants:
        part = frame[frame.variant == v]
        print(f"\n=== variant {v} ===  (reached by the gate: {int((part.rounds > 0).sum())} of {len(part)})")
        ok = report(part)
        if not args.explore and not args.case:
            print("RULE:", "passes" if ok else "fails")
    print("load:", open("/proc/loadavg").read().split()[:3])


def _machine_line() -> str:
    from _machine import machine_line

    return machine_line()


if __name__ == "__main__":
    main()
