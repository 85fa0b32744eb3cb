"""Dev runs: keep the lured-item fit only where it predicts held-out answers better (issue 15, session 40, is15l).

REGISTRATION: see "Registration" below (written and committed before the rule run).

Question. ``LabelModel()`` refines its MAP Dawid-Skene fit by the lured-item mixture (``weak/_lure.py``)
wherever the gate of ``_lure.lure_applies`` holds (single labelers, K >= 3, >= 10 votes per item on
average): a structural gate. It passed the 93's rule (session 38, is15h) but failed lure39's stress rule
by (2) on three crowds that do hold 5% lured items, and on the one benchmark set it reaches it costs 1.5
points. Here the choice is made per crowd from the data: both fits are made on part of the answers
and each is asked how probable it finds the answers held out (model comparison by held-out predictive
performance, as Paun et al. 2018 compare annotation models and as ``aggregate``'s ``method="auto"`` does).

The gate (``_lure_gate_dev.heldout_gain``). Where the structural gate holds: K-fold over the answers of
the items with >= 2 answers (``aggregate.auto.answer_folds``, 5 folds, seed 0: every answer of such an
item held out once, never all of an item's answers in one fold; the folds are drawn over the answers
sorted by (item, labeler, vote), each distinct vote row expanded to its items, so they do not depend on
the input's row order). For each fold, on the other answers: the plain MAP Dawid-Skene fit as the label
model makes it (EM from the majority-vote shares of the training answers, the same prior pseudo-counts,
class balance, ``n_em_iter`` and ``tol``) and the lured fit from it (``_lure.refit_lured``, both stages).
Each held-out answer ``(i, j, a)`` is scored by its posterior predictive probability given the item's
other answers: plain ``Σ_z P(z | rest) π_j[z, a]``; lured ``Σ_z [P(z, normal | rest) + (1 − s_j)
P(z, lured | rest)] π_j[z, a] + s_j P(lured with lure a | rest)`` (the lured model's item type and lure
are shared by the item's answers, so the other answers inform the held-out one). Answers of a labeler
with no training answer in the fold are not scored. ``d`` = per answer, lured log-probability minus
plain. Variants (fixed before any run):

* (A) keep the lured fit if ``mean(d) > 0``;
* (B) keep it if ``mean(d) > sd(d) / sqrt(n)`` (one standard error of the paired per-answer difference).

Where the lured fit is not kept, the label model's result is its plain MAP fit (``lured_items=False``'s).
The full-data lured fit is made as today (from the full MAP fit); the folds only decide.

References: A. P. Dawid and A. M. Skene 1979; S. Paun et al., "Comparing Bayesian models of annotation",
TACL 2018 (held-out predictive comparison of annotation models); M. Stone, "Cross-validatory choice and
assessment of statistical predictions", JRSS B 36, 1974; A. Vehtari, A. Gelman and J. Gabry, "Practical
Bayesian model evaluation using leave-one-out cross-validation and WAIC", Statistics and Computing 27,
2017 (the paired standard error of the difference in expected log predictive density, variant B).

Exploration (disclosed; fresh seeds 71-74 only, 01:19-01:27 UTC, load 1.7-3.1; ``--explore``): the 93's
generators on 71 and 73 (``dev_weak_item_difficulty.explore_sets``: 20 LF sets sim7100-7109 and
sim7300-7309, 12 crowds, 28 dense crowds of seeds 71-74, 18 pair, 8 look-alike) and lure39's four stress
families on 71, 72, 73, 74 (96 sets): 182 sets, before = main's ``LabelModel()``. A set where main's
lured fit does not run keeps its labels (the gate never runs there). The lured fit ran on 108.

* (A): 90.736 -> 90.724, 2 up / 3 down, largest fall -1.50 (minimax5_n2000_K3_m100_s73; also
  minimax0_s73 -0.67, minimax0_s74 -0.33), largest rise +0.17 (glad4_s72); rejected the lured fit on 12
  of 108 (glad and minimax crowds, per-answer gains -0.0028 to -0.00000); fails (1) and (2).
* (B): 90.736 -> 90.709, 4 up / 7 down, largest fall -2.33 (minimax0_s72); rejected on 26; fails (1), (2).
* Not registered, computed from (A)'s records: the margin the other way (drop the lured fit only when the
  plain fit is better by one standard error): 90.736 -> 90.732, 1 up / 2 down, largest fall -0.67.
* The gate keeps the lured fit on every dense crowd of the 93's generator (per-answer gain 0.017-0.062,
  7-16 standard errors) and on every ``mixlure`` crowd, including mixlure0_s73 where the lured labels are
  below majority vote (96.00 vs 96.33; gain +0.0093, 3.3 standard errors): where the lures are real, the
  lured model predicts the held-out answers better even where its labels are worse.
* CPU on the 108 reached sets and the rest (unchanged) summed: 22.56 -> 67.90 s (3.0x); on a reached
  crowd 3-4.5x the default's fit (five folds, each a MAP and a lured fit, cold from majority vote).

Registration
------------
Written and committed after the exploration above and before the rule run. Variant **(A)** (the better
of the two on the explore seeds; neither passed there, and the brief's protocol runs the rule once all
the same): the lured fit kept where ``mean(d) > 0`` over the held-out answers (5 folds, fold seed 0, fits
cold from the training answers' majority vote), else the plain MAP fit. Nothing else of the label model
changes. The rule, run ONCE with ``OMP_NUM_THREADS=1`` (``--rule A``; before = main's ``LabelModel()``,
after = the gate, majority vote from ``aggregate.MajorityVote``):

* over the 93 dev sets of ``dev_weak_losses.py`` (via ``dev_weak_pair_check.sets``): (1) mean accuracy not
  lower than main's ``LabelModel()``; (2) no set more than 0.5 point below it; (3) every set ``after − MV
  >= min(before − MV, −0.5)``; (4) summed CPU at most 3x;
* PLUS on lure39's stress seeds 95, 96, 97 (72 sets): no set more than 0.5 below the current default
  (main's ``LabelModel()``) and the mean not lower.

Adopted (``src``: ``weak/_lure_gate.py``, the default, a parameter to turn it off) only if every part
passes; then ``bench_weak.py --skip-apply`` once. If it fails: ``src`` unchanged, written up::

    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/dev_weak_lure_gate.py --explore --out explore.csv
    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/dev_weak_lure_gate.py --rule A --out rule.csv   # once

Result of the rule run (once, commit e0d2b803, 01:28:37-01:34:30 UTC, load 10.6-14.2): **fails**.

* The 93: passes (1)-(4): nothing changed (86.782 -> 86.782, 0 up / 0 down); the lured fit ran on the six
  K >= 3 dense crowds and the gate kept it on all six (per-answer gain 0.020-0.032, 8-12 standard
  errors); CPU 7.48 -> 8.90 s (1.19x).
* Stress seeds 95-97: fails both parts: 72 sets 93.278 -> 93.147, 2 up / 7 down; the gate rejected the
  lured fit on 17 of the 71 it reached (glad 7, blur 6, minimax 4, mixlure 0), where the per-answer gain
  is within about one standard error of 0 (-0.0022 to -0.0000); four sets more than 0.5 below the default:
  minimax2_n1500_K5_m60_s95 83.933 -> 79.133 (-4.80; gain -0.0001 +- 0.0010), minimax0_n300_K3_m20_s95
  -2.00, minimax0_n300_K3_m20_s96 -2.00, glad0_n300_K3_m20_s97 -0.67. The three ``mixlure`` crowds where
  lure39 found the lured fit 0.70-1.00 below the plain fit keep it (gain +0.0014 to +0.0064, 2.4-7
  standard errors): the gate cannot remove the falls it was proposed for. CPU 12.28 -> 43.78 s (3.56x).

Not adopted: ``src`` unchanged, no ``bench_weak.py`` run.

Diagnosis after the rule run (not a rule; explore seeds 71-74 only, ``--diagnose explore.csv``, 01:35-01:39
UTC, load 13-14): on the 108 explore sets the lured fit reached, the lured labels against the plain MAP
fit's (``lured_items=False``): better on 51 (median z of the held-out gain 5.92), equal on 35 (1.75),
worse on 22 (3.26; z from -1.20 to 9.47); the mixlure crowds where the lured labels are worse by 0.3-1.2
points have z 2.8-8.8. Spearman correlation of z with the accuracy gain 0.29. The held-out answers'
likelihood ranks the two models by how well they explain the answers, and where lures are real the
lured model explains them better whether or not its labels are.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import sys
import time
import warnings
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).parent))

import _lure_gate_dev as gate  # noqa: E402
from dev_weak_labeler_strength import dev_set, score  # noqa: E402
from dev_weak_lure_stress import report, stress_sets  # noqa: E402

from labelwise.weak import LabelModel, _em  # noqa: E402

_REFIT = _em.refit_lured
#: what the last fit's gate did: one dict per call of the lured refit
LOG: list[dict] = []


def gated_refit(variant: str):
    """``_em.refit_lured`` replaced: the lured fit kept only if the held-out gate of ``variant`` says so."""

    def refit(voted, run, groups, k, prior, *, free, **em):
        lured = _REFIT(voted, run, groups, k, prior, free=free, **em)
        m = len(voted.starts)
        fit_map = partial(
            _em.run_em,
            n_outcomes=np.full(m * (k + 1), k + 1),
            patterns=gate.outcome_patterns(groups, k),
            fixed=not free,
            prior=prior,
            smoothing=em["smoothing"],
            n_iter=em["n_iter"],
            tol=em["tol"],
        )

        def fit_map_at(tv, start, p):
            return fit_map(tv, post=start, p=p, w=np.ones(start.shape[0]))

        d = gate.heldout_gain(voted, run, k, prior, free=free, fit_map=fit_map_at, **em)
        keep = gate.keeps_lured(d, variant)
        se = float(d.std(ddof=1) / np.sqrt(len(d))) if len(d) > 1 else np.nan
        LOG.append({"n": len(d), "mean_d": float(d.mean()) if len(d) else np.nan, "se": se, "keep": keep})
        return lured if keep else run

    return refit


def fit(matrix: np.ndarray, k: int, variant: str | None) -> tuple[np.ndarray, float, dict]:
    """Class codes, CPU seconds and the gate's record of one ``LabelModel()`` fit (``variant`` None: main's default)."""
    _em.refit_lured = _REFIT if variant is None else gated_refit(variant)
    LOG.clear()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.process_time()
            model = LabelModel(labels=list(range(k))).fit(matrix)
            cpu = time.process_time() - start
    finally:
        _em.refit_lured = _REFIT
    rec = dict(LOG[-1]) if LOG else {"n": 0, "mean_d": np.nan, "se": np.nan, "keep": None}
    rec["calls"] = len(LOG)
    rec["ran"] = bool(model.lured_items_)
    return pd.Index(model.classes_).get_indexer(model.labels_.to_numpy()), cpu, rec


def evaluate(family: str, name: str, votes, truth, variants: list[str], skip_unreached: bool) -> list[dict]:
    """One set: main's default (before) and each variant (after); with ``skip_unreached`` a set where the
    default's lured fit did not run keeps its labels for every variant (the gate never runs there)."""
    matrix, k, g, scored, _, base = dev_set(family, name, votes, truth)
    base["per_item"] = float((matrix >= 0).sum(axis=1).mean())
    codes0, cpu0, rec0 = fit(matrix, k, None)
    base["before"] = score(codes0, g, scored)
    base["cpu_before"] = cpu0
    base["lured_before"] = rec0["ran"]
    rows = []
    for v in variants:
        row = dict(base, variant=v)
        if skip_unreached and not rec0["ran"]:
            row.update(after=base["before"], cpu_after=cpu0, keep=None, mean_d=np.nan, se=np.nan, n_held=0)
        else:
            codes, row["cpu_after"], rec = fit(matrix, k, v)
            row.update(after=score(codes, g, scored), keep=rec["keep"], mean_d=rec["mean_d"], se=rec["se"])
            row["n_held"] = rec["n"]
        row["gain"] = row["after"] - row["before"]
        row["rho"] = np.nan
        rows.append(row)
    return rows


def explore_sets():
    """Exploration (fresh seeds 71-74 only): the 93's generators on 71 and 73 (``dev_weak_item_difficulty.
    explore_sets``: dense crowds 71-74, LF sim7100-7109 and sim7300-7309, ...) and lure39's four stress
    families on 71, 72, 73, 74."""
    from dev_weak_item_difficulty import explore_sets as gen93

    for seed in (71, 73):
        for family, name, votes, truth in gen93(seed):
            yield seed, family, name, votes, truth
    for seed in (71, 72, 73, 74):
        for family, name, votes, truth in stress_sets(seed):
            yield seed, family, name, votes, truth


def rule_sets():
    """The rule's sets: the 93 dev sets (seed -1) and lure39's stress seeds 95, 96, 97."""
    from dev_weak_pair_check import sets

    for family, name, votes, truth in sets(["clique", "dense", "pair", "lookalike"]):
        yield -1, family, name, votes, truth
    for seed in (95, 96, 97):
        for family, name, votes, truth in stress_sets(seed):
            yield seed, family, name, votes, truth


def diagnose(explore_csv: str) -> None:
    """Not a rule: on the explore seeds' sets the lured fit reached, does the held-out gain (``--explore``'s
    CSV, variant A's record) tell where the lured labels beat the plain ones (``lured_items=False``)?"""
    rec = pd.read_csv(explore_csv)
    rec = rec[(rec.variant == "A") & rec.lured_before.astype(bool)].set_index("set")
    rows = []
    for _, family, name, votes, truth in explore_sets():
        if name not in rec.index:
            continue
        matrix, k, g, scored, _, row = dev_set(family, name, votes, truth)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = LabelModel(labels=list(range(k)), lured_items=False).fit(matrix)
        plain = score(pd.Index(model.classes_).get_indexer(model.labels_.to_numpy()), g, scored)
        r = rec.loc[name]
        rows.append({"set": name, "family": family, "lured": r.before, "plain": plain, "d": r.mean_d, "se": r.se})
    t = pd.DataFrame(rows)
    t["acc_gain"] = t.lured - t.plain
    t["z"] = t.d / t.se
    print(t.round(4).to_string(index=False))
    print("\nsign of the held-out gain (rows) against the sign of the lured fit's accuracy gain (columns):")
    print(pd.crosstab(np.sign(t.d.round(12)), np.sign(t.acc_gain.round(9))))
    print("Spearman (held-out gain z, accuracy gain):", round(float(t.z.corr(t.acc_gain, method="spearman")), 3))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--explore", action="store_true", help="fresh seeds 71-74, variants A and B")
    ap.add_argument("--rule", default=None, choices=["A", "B"], help="the registered rule run of one variant")
    ap.add_argument("--only", default=None, help="substring of the set names to run (smoke runs)")
    ap.add_argument("--out", default=None, help="CSV of the per-set table")
    ap.add_argument("--diagnose", default=None, help="the --explore CSV: held-out gain against accuracy gain")
    args = ap.parse_args()
    if args.diagnose:
        diagnose(args.diagnose)
        return
    pd.set_option("display.width", 250)
    variants = ["A", "B"] if args.explore else [args.rule or "A"]
    source = explore_sets() if args.explore else rule_sets()
    rows: list[dict] = []
    cols = ["set", "mv", "before", "after", "gain", "keep", "mean_d", "se", "n_held", "cpu_before", "cpu_after"]
    for seed, family, name, votes, truth in source:
        if args.only and args.only not in name:
            continue
        for row in evaluate(family, name, votes, truth, variants, skip_unreached=args.explore):
            row["seed"] = seed
            rows.append(row)
            print(
                pd.DataFrame([row])[["variant", *cols]].round(4).to_string(index=False, header=len(rows) == 1),
                flush=True,
            )
    frame = pd.DataFrame(rows)
    if args.out:
        frame.to_csv(args.out, index=False)
    for v in variants:
        part = frame[frame.variant == v]
        print(f"\n=== variant {v} ===")
        if args.explore:
            report(part)
            continue
        the93, stress = part[part.seed == -1], part[part.seed != -1]
        print("--- the 93 (before = main's LabelModel()) ---")
        ok93 = report(the93)
        print("--- stress seeds 95-97 (before = main's LabelModel()) ---")
        report(stress)
        ok_stress = bool((stress.gain >= -0.5 - 1e-9).all()) and stress.after.mean() >= stress.before.mean() - 1e-12
        print("stress rule (no set > 0.5 below, mean not lower):", "passes" if ok_stress else "fails")
        print("RULE:", "passes" if ok93 and ok_stress else "fails")


if __name__ == "__main__":
    main()
