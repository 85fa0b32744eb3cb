"""Dev runs: iterative weighted majority voting (IWMV) as a second start of the label model's MAP fit (issue 15, session 50, is15z).

REGISTRATION: see "Registration" below (written and committed before the rule run).

Question. Li and Yu (arXiv:1411.4086, 2014) bound the mean error rate of weighted majority voting under the
Dawid-Skene model, show that the oracle MAP rule of the homogeneous model is a weighted vote whose weight
``log((L − 1) w / (1 − w))`` has the bound-optimal weight ``L w − 1`` as its first-order term, and propose
IWMV (Algorithm 1): from equal weights, repeat (label by the weighted vote; each labeler's accuracy against
those labels; ``ν = L ŵ − 1``) until the labels stop changing. They note that EM's MAP rule "might be far away"
from the oracle's when EM starts from a bad initialisation. ``labelwise.weak.IWMVLabelModel`` (new, opt-in,
``LABEL_MODELS["iwmv"]``) is Algorithm 1 as the paper states it. Does IWMV, as a label model or as the start
of the label model's fit, move issue 15's misses without losing dev sets?

Exploration (disclosed; fresh seeds 710-713 only, ``_dev_weak_sets.explore_sets``: is15n's biased crowds on
710-713, the 93's generators on 710 and 712, lure39's stress families on 710-713; before = main's
``LabelModel()``), 2026-12-07, load 2.5-11:

1. (draft code in /tmp, 06:16-06:22 UTC) IWMV's labels in place of the label model's, on all 290 sets: far
   worse where the label model's class-conditional fit matters. Mean by family, main -> IWMV (IWMV.log): dense
   90.88 -> 82.73 (83.19), crowd 81.48 -> 75.92 (76.20), LF 83.76 -> 70.02 (68.96), pair 86.28 -> 83.56,
   stress blur 95.56 -> 87.59, minimax 81.40 -> 73.54, glad 99.30 -> 98.59, mixlure 97.38 -> 96.29; IWMV ahead
   only on look-alike crowds (88.81 -> 89.40, 7 up / 1 down), on some symmetric biased crowds (12 up / 13 down)
   and on 3 minimax crowds (minimax1_n800_K4_m109_s712 72.25 -> 73.75). Gated by BIC (the homogeneous model
   at IWMV's accuracies against the label model's maximum-likelihood Dawid-Skene fit, both on the vote values
   given who voted), IWMV's labels would be used on 217 of the 270 missing-abstain sets, down to -24.17 points
   (a dense crowd): the homogeneous model wins BIC where its labels are worse. Not a candidate.
2. IWMV as a start of the missing-abstain MAP refit (the fit whose labels ``LabelModel()`` returns on crowd
   data): (S1) IWMV's labels (one-hot) replace majority vote's shares as that refit's start; (S2) the refit is
   also run from IWMV's labels and the run of higher MAP objective kept (the rule of the spectral start,
   ``weak._spectral.keep_higher_map``: higher by more than ``tol``, and not relabelling majority vote's classes
   unless the usual run does). This script's ``--explore`` (06:31-06:49 UTC, load 7.8-11; 270 sets, the 20 LF
   sets left out: their fits keep informative abstains, which the start does not touch):

   =======  ==================  =========  ====================  =====  =====================================
   variant  mean (270 sets)     up / down  sets > 0.5 below (2)  CPU    worst
   =======  ==================  =========  ====================  =====  =====================================
   S1       93.755 -> 93.757    15 / 9     1                     1.11x  sparse_K2_r2_s712 -2.50 (329 labels)
   S2       93.755 -> 93.760    5 / 2      0                     1.09x  biased_K4_strong_own_..._s710 -0.33
   =======  ==================  =========  ====================  =====  =====================================

   S2 kept IWMV's start on 7 of 270 sets, and moved labels on those 7 only: minimax3_n3000_K6_m150 s710 +0.80,
   s711 +0.43; three K=4 biased crowds +0.23, +0.23, -0.33; blur1_n800_K4_m109_s711 -0.12, blur3_s711 +0.10.
   Neither variant falls further below majority vote than main. (A first pass with draft code, ties broken by
   the first class and the start's IWMV on the labelers rather than the groups, gave S1 93.801 and S2 93.756,
   each with sparse_K2_r2_s712 -1.40: the tie rule moves EM's basin on that 2-vote crowd.)

The variant judged (S2), inside ``LabelModel()``: wherever the missing-abstain MAP refit runs (the first fit
and the pair check's refits), it is also run from IWMV's labels on the same rows, and the higher MAP objective
kept as above; the lured-item refinement then starts from the kept fit, as from main's. IWMV runs on the fit's
distinct vote rows weighted by their items (its accuracies count each row that often), over the model's
groups: a clique the model joined is one labeler of IWMV, its weight multiplying its members' votes per class
(``column_votes`` of ``dev_weak_max_margin.py`` reads them); IWMV's ties are drawn per row (seed 0).
Informative-abstain fits and the maximum-likelihood fits that choose the abstain model are main's.

Registration
------------
Written and committed after the exploration above and before the rule run. The variant judged is **S2**,
``weights="linear"`` (the paper's IWMV), at most 50 rounds, IWMV's ties drawn per row with seed 0. Chosen by the
exploration's two criteria, which agree: the higher mean (93.760 against S1's 93.757) and the fewer sets more
than 0.5 below main (0 against 1). It is also the principled one of the two: the second start is kept only where
it reaches a higher posterior. The exploration PREDICTS that few labels move (7 of 270 sets), mostly on large
many-class minimax crowds, and that a one-item fall on a K=4 crowd is possible; on the 93, whose 2-vote sparse
crowds moved under S1, it may fail (1) or (2). No second variant is registered.

The rule, run ONCE with ``OMP_NUM_THREADS=1`` (``--rule``; before = main's ``LabelModel()``, after = S2, majority
vote from ``aggregate.MajorityVote``):
(b) on the 93 dev sets (``dev_weak_pair_check.sets``): (1) mean accuracy not lower than main's; (2) no set more
than 0.5 point below main's; (3) every set ``after − MV >= min(before − MV, −0.5)``; (4) summed CPU at most 3x.
AND on the 192 stress sets of seeds 33-36 and 137-140 (pooled): (1), (2) and (3); their CPU ratio stated.
(c) only if (b) passes: ``--bench --no-snorkel --skip-apply`` (``bench_weak.py`` under S2,
``LABELWISE_CROWD_DATA=/work/shared/data/crowd OMP_NUM_THREADS=1``): none of the 19 labelwise accuracies below
main's on record (sessions 38-49: CF 0.8867, MS 0.7886, SP_amt 0.9440, ZenCrowd_us 0.8686, cifar10n_slots
0.9195, Duck 0.8889, Dog 0.8228, Face 0.6421, smem_rte 0.9288, sim1000-1009 0.7733 0.9522 0.8012 0.8086 0.9982
0.8131 0.8387 0.8759 0.9813 0.9219), and the count against the better peer on record (Snorkel's and crowd-kit
DS's accuracies on record) reported. Adopted only if (b) and (c) pass: then ``src`` gets the start as a
``LabelModel`` option and default, with tests. If it fails: ``src``'s defaults stay main's; ``IWMVLabelModel``
stays as an opt-in label model (tested against the paper's steps). After a failed (b), as a diagnosis only (not
a rule, no choice made from it), ``--bench`` says whether S2 moves the four misses at all.

Sets. Exploration ONLY on fresh seeds 710-713 (never used by an earlier script or section). The rule: the 93
dev sets and the stress sets of seeds 33-36 and 137-140 (``_dev_weak_sets.rule_sets``). None of the 19
benchmark sets' votes or gold is looked at before the rule::

    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/dev_weak_iwmv.py --explore --out explore.csv
    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/dev_weak_iwmv.py --rule --out rule.csv  # once
    # (c), or after a failed (b) a diagnosis only (LABELWISE_CROWD_DATA=/work/shared/data/crowd):
    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/dev_weak_iwmv.py --bench --no-snorkel --skip-apply

Reference: H. Li and B. Yu, "Error Rate Bounds and Iterative Weighted Majority Voting for Crowdsourcing",
arXiv:1411.4086, 2014 (Algorithm 1, eq. 33, Corollary 9, Section 5.2).
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
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from _dev_weak_sets import collect, judge_rule_blocks, rule_sets  # noqa: E402
from _dev_weak_sets import explore_sets as dev_explore_sets  # noqa: E402
from dev_weak_labeler_strength import dev_set, score  # noqa: E402
from dev_weak_lure_stress import report  # noqa: E402

from labelwise.aggregate.dawid_skene import relabelled_classes  # noqa: E402
from labelwise.weak import LabelModel, _em, label_model  # noqa: E402
from labelwise.weak.iwmv import iterative_weighted_vote  # noqa: E402


def _column_votes():
    """is15q's ``column_votes`` (importing its module patches ``_em.run_em`` with a pass-through: undone)."""
    saved = _em.run_em
    from dev_weak_max_margin import column_votes

    _em.run_em = saved
    return column_votes


column_votes = _column_votes()
VARIANTS = ("S1", "S2")  # S1: IWMV's start replaces majority vote's; S2: a second start, the higher MAP kept


class Candidate:
    """The variant in force (``None``: main's fit) and the fits where the IWMV start was kept (a diagnosis)."""

    variant: str | None = None
    kept: list[bool] = []


def group_counts(voted, k: int) -> sp.csr_matrix:
    """Vote counts (rows, groups·K) of the model's groups: ``[r, g·K + c]`` = members of group ``g`` voting ``c``."""
    counts, col_group = column_votes(voted, k)
    cols, classes = np.nonzero(counts)
    spread = sp.csr_matrix(
        (counts[cols, classes], (cols, col_group[cols] * k + classes)),
        shape=(counts.shape[0], len(voted.starts) * k),
    )
    return sp.csr_matrix(voted.lam @ spread)


def iwmv_start(voted, w: np.ndarray, k: int) -> np.ndarray:
    """IWMV's labels (one-hot, rows x K) on the fit's weighted distinct rows."""
    run = iterative_weighted_vote(group_counts(voted, k), k, row_weights=w, random_state=0)
    return np.eye(k)[run.labels]


_keep_spectral = _em.keep_higher_map
_fit_abstain_models = label_model.fit_abstain_models


def keep_iwmv(run, voted, w, k, groups, majority, refit, tol):
    """The MAP refit ``run`` (from majority vote) against the same refit from IWMV's labels (see the docstring)."""
    alt = refit(iwmv_start(voted, w, k))
    if Candidate.variant == "S1":
        Candidate.kept.append(True)
        return alt
    relabels = [len(relabelled_classes(majority, r.post, w)) > 0 for r in (run, alt)]
    keep = alt.objective[-1] - run.objective[-1] > tol and (not relabels[1] or relabels[0])
    Candidate.kept.append(bool(keep))
    return alt if keep else run


def fit_abstain_models_variant(*args, spectral_start=False, **kwargs):
    """Main's ``fit_abstain_models``; with a variant in force its start hook runs IWMV's start instead."""
    if Candidate.variant is None:
        _em.keep_higher_map = _keep_spectral
        return _fit_abstain_models(*args, spectral_start=spectral_start, **kwargs)
    _em.keep_higher_map = keep_iwmv
    try:
        return _fit_abstain_models(*args, spectral_start=True, **kwargs)
    finally:
        _em.keep_higher_map = _keep_spectral


label_model.fit_abstain_models = fit_abstain_models_variant


def fit(matrix: np.ndarray, k: int, variant: str | None) -> tuple[np.ndarray, float, int]:
    """Class codes, CPU seconds and how many MAP refits kept IWMV's start, of one ``LabelModel()`` fit."""
    Candidate.variant, Candidate.kept = variant, []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.process_time()
            model = LabelModel(labels=list(range(k))).fit(matrix)
            cpu = time.process_time() - start
    finally:
        Candidate.variant = None
    return pd.Index(model.classes_).get_indexer(model.labels_.to_numpy()), cpu, sum(Candidate.kept)


def evaluate(family: str, name: str, votes, truth, variants: list[str]) -> list[dict]:
    """One set: main's ``LabelModel()`` (before) and each variant (after)."""
    matrix, k, g, scored, _, base = dev_set(family, name, votes, truth)
    per_item = (matrix >= 0).sum(axis=1)
    base["per_item"] = float(per_item[per_item > 0].mean())
    base["K"] = k
    codes0, cpu0, _ = fit(matrix, k, None)
    base.update(before=score(codes0, g, scored), cpu_before=cpu0)
    rows = []
    for v in variants:
        codes, cpu, kept = fit(matrix, k, v)
        row = dict(base, variant=v, after=score(codes, g, scored), cpu_after=cpu, kept=kept)
        row["gain"] = row["after"] - row["before"]
        row["moved"] = int((codes != codes0)[scored].sum())
        row["rho"] = np.nan
        rows.append(row)
    return rows


def explore_sets():
    """Exploration (fresh seeds 710-713 only; LF sets left out: their fits keep informative abstains)."""
    for seed, family, name, votes, truth in dev_explore_sets((710, 711, 712, 713)):
        if family != "lf":
            yield seed, family, name, votes, truth


def bench(argv: list[str]) -> None:
    """(c), or after a failed (b) a diagnosis: ``bench_weak.py`` with ``argv`` under S2."""
    import bench_weak

    original = LabelModel.fit

    def fit_s2(self, *args, **kwargs):
        Candidate.variant = "S2"
        try:
            return original(self, *args, **kwargs)
        finally:
            Candidate.variant = None

    LabelModel.fit = fit_s2
    sys.argv = ["bench_weak.py", *argv]
    bench_weak.main()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--explore", action="store_true", help="fresh seeds 710-713, both variants")
    ap.add_argument("--rule", action="store_true", help="the registered rule run of S2 (once)")
    ap.add_argument("--only", default=None, help="substring of the set names to run (smoke runs)")
    ap.add_argument("--out", default=None, help="CSV of the per-set table")
    ap.add_argument("--bench", action="store_true", help="bench_weak.py under S2 (its options follow)")
    args, rest = ap.parse_known_args()
    if args.bench:
        bench(rest)
        return
    if rest:
        ap.error(f"unrecognized arguments: {rest}")
    if args.explore == args.rule:
        ap.error("give --explore or --rule")
    pd.set_option("display.width", 250)
    variants, source = (list(VARIANTS), explore_sets()) if args.explore else (["S2"], rule_sets())
    from _machine import machine_line

    print("machine:", machine_line(), "load:", open("/proc/loadavg").read().split()[:3], flush=True)
    cols = ["set", "K", "per_item", "mv", "before", "after", "gain", "moved", "kept"]
    frame = collect(source, evaluate, variants, cols, args.only)
    if args.out:
        frame.to_csv(args.out, index=False)
    for v in variants:
        part = frame[frame.variant == v]
        print(f"\n=== variant {v} ===  (sets with a moved label: {int((part.moved > 0).sum())} of {len(part)})")
        if args.explore:
            report(part)
        else:
            judge_rule_blocks(part, report)
    print("load:", open("/proc/loadavg").read().split()[:3])


if __name__ == "__main__":
    main()
