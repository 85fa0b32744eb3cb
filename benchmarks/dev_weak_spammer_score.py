"""Dev runs: Raykar and Yu's spammer score, labelers eliminated and the model refitted (issue 15, session 47, is15p).

REGISTRATION: see "Registration" below (written and committed before the rule run).

Question. A spammer answers independently of the truth: its confusion matrix ``A`` (rows the true class,
columns the answer) has identical rows. Raykar and Yu (2012) score labeler ``j`` by the distance of ``A_j``
from the nearest matrix with identical rows, ``e vᵀ`` (``v`` the mean row), normalised to ``[0, 1]``::

    S_j = 1/(K(K-1)) Σ_{c<c'} Σ_a (A_j[c, a] - A_j[c', a])²  =  1/(K-1) ‖A_j - e v_jᵀ‖_F²

(0: a spammer; 1: a permutation matrix, a perfect or perfectly flipped labeler; ``K = 2``: ``(α + β - 1)²``,
sensitivity and specificity; a labeler of accuracy ``a`` with errors spread evenly: ``((K a - 1)/(K - 1))²``),
and their procedure (SpEM) fits, scores, eliminates the labelers whose score is below a threshold and refits,
until no labeler is eliminated. Implemented here inside labelwise's default ``LabelModel()`` as follows:

* ``A_j`` is the MAP confusion of the fit: the posterior's expected counts ``Σ_i P(y | i) [λ_ij = a]`` plus the
  model's own prior pseudo-counts (``aggregate.priors.diagonal_confusion_prior`` with ``prior_strength`` 8 and
  the crowd's agreement accuracy of the votes being fitted, as ``_em.diagonal_pseudo_counts`` gives a single
  labeler), rows normalised. (The paper's EM carries its own Beta / Dirichlet priors; a labeler with few answers
  then keeps a prior-dominated, diagonal ``A_j`` and is not eliminated on little evidence.)
* it applies only where the fit keeps missing abstains (Dawid and Skene's model, the paper's crowd setting);
  with informative abstains (labeling functions) a one-class rule has identical rows given that it votes and
  would score 0, so those fits are left as main's;
* eliminated labelers' columns are dropped and ``LabelModel(abstains="missing")`` (otherwise the defaults) is
  refitted on the rest; scored again, eliminated again, until none is below the threshold (or one would be left
  with no labeler: then the last fit stands);
* items left with no vote keep the first fit's label (spammers' votes carry little, the first fit's posterior
  is the better guess than the class balance alone).

Threshold ``t``. Exploration over ``t`` in ``THRESHOLDS`` (0.01, 0.02, 0.05, 0.1: binary accuracy 0.55, 0.57,
0.61, 0.66 with even errors; ``K = 4``: 0.33, 0.36, 0.42, 0.49), on fresh seeds 181-188 only (never used by an
earlier script or section: is15o used 173-180), choose one by the exploration's mean and count of sets more
than 0.5 below main (as is15n and is15o chose). None of the 19 benchmark sets' votes or gold is looked at.

Exploration (disclosed; fresh seeds 181-188 only, 21:12-21:26 UTC 2026-12-06, load 3-12, ``--explore``): 472 sets
(108 biased crowds of 181-184; the 93's generators on 181/183/185/187: 40 LF, 24 crowds, 56 dense crowds of
181-188, 36 pair, 16 look-alike; 192 stress sets of 181-188), before = main's ``LabelModel()``. One smoke run on
four seed-181-184 biased crowds came before it (nothing changed after it but a ``--bench`` option).

=========  ==================  =========  ====================  =====  ==================================
threshold  mean (472 sets)     up / down  sets > 0.5 below (2)  CPU    worst
=========  ==================  =========  ====================  =====  ==================================
0.01       92.515 -> 92.357    103 / 92   21                    1.56x  pair7_s183 -18.90
0.02       92.515 -> 92.393    141 / 109  33                    1.67x  pair8_s183 -17.00
0.05       92.515 -> 92.520    163 / 116  27                    1.63x  pair8_s183 -17.00
0.1        92.515 -> 92.518    165 / 138  51                    1.55x  pair8_s183 -17.00
=========  ==================  =========  ====================  =====  ==================================

By family (0.05; mean before -> after; up / down; sets more than 0.5 below): dense 91.67 -> 92.35, 41 / 6, 1;
minimax 81.90 -> 82.58, 30 / 12, 7 (minimax0_n300_s184 -12.67); glad 98.96 -> 99.30, 15 / 12, 0; mixlure 97.80 ->
97.86; blur 95.43 -> 95.43, 18 / 17, 2; pair crowds 87.81 -> 85.42, 10 / 22, 13 (pair8_s183 -17.00, 2 labelers
eliminated, 470 items moved); biased crowds -0.02 to -0.04 per kind, 4 sets below; crowds 85.48 -> 85.44; look-alike
88.18 -> 88.17; LF sets 84.27 -> 84.33 (one LF set keeps missing abstains). Every threshold fails (2) and (3) on
the explore sets: the pair crowds' heavy near-spammers (answer the common class with probability 0.8 whatever
the item, otherwise as an ordinary worker) have confusion rows that differ by about 0.2 (``S`` about 0.015-0.04)
yet their rare-class answers are strong evidence; eliminated, the copied pair is left to lead the rare class.
The score is a Frobenius distance, not the information a labeler carries.

Registration
------------
Written and committed after the exploration above and before the rule run. The variant judged is SpEM as
described above with **threshold 0.05**. The two criteria named above disagree: 0.05 has the highest mean
(92.520; 0.1: 92.518; 0.02: 92.393; 0.01: 92.357) and is one of two that pass (1) on the exploration; 0.01
has the fewest sets more than 0.5 below main (21 against 27) but falls 0.16 point in mean, failing (1) as well
as (2). Since the rule needs (1), (2) and (3) together, the threshold predicted to fail fewer of them is
chosen: 0.05. No gate (by votes per item, heavy labelers or family) is added: it would be a choice made on the
exploration's numbers. The exploration PREDICTS that the rule fails (2) and (3) on the 93's 27 pair crowds;
the rule decides. No second variant is registered.

The rule, run ONCE with ``OMP_NUM_THREADS=1`` (``--rule 0.05``; before = main's ``LabelModel()``, after = SpEM
at 0.05, majority vote from ``aggregate.MajorityVote``): on the 93 dev sets (``dev_weak_pair_check.sets``): (1)
mean accuracy not lower than main's; (2) no set more than 0.5 point below it; (3) every set ``after − MV >=
min(before − MV, −0.5)``; (4) summed CPU at most 3x. AND on the 192 stress sets of seeds 33-36 and 137-140
(pooled): (1), (2) and (3); their CPU ratio stated. Adopted only if all pass: ``src``: ``weak/_spammer_score.py``
(the score and the elimination loop), ``LabelModel(spammer_threshold=0.05)`` the default (``None``: main's),
tests, then ``bench_weak.py --no-snorkel --skip-apply`` once. If it fails: ``src`` unchanged; then, as a
diagnosis after the rule (not a rule, no choice made from it), ``--bench 0.05 --no-snorkel --skip-apply`` to say
whether it moves the four misses at all.

Result of the rule run (once, ``--rule 0.05``, commit 08b168e7 run from ``git archive``, 21:27:30-21:35:30 UTC
2026-12-06, load 9-12): **fails**. The 93: **(1) fails** 86.782 -> 86.169 (main's mean as in sessions 38-46), 23
up / 24 down; **(2) fails** on 9 sets (pair8_s2 -13.30, pair6_s2 -12.85, pair7_s2 -10.90, pair5_s0 -10.55,
pair5_s2 -6.35, pair8_s1 -6.20, pair5_s1 -2.50, sparse_K2_r2_s1 -1.23, pair7_s0 -0.95); **(3) fails** on the same
pair crowds (worst against majority vote -2.40 -> -7.50); (4) passes, CPU 10.68 -> 14.75 s (1.38x). By group
(mean before -> after; up / down): LF 83.822 -> 83.822, 0 / 0; crowds 84.511 -> 84.523, 5 / 4; dense 93.940 ->
94.317, 10 / 4; pair 86.185 -> 83.867, 8 / 16; look-alike 88.150 -> 88.150, 0 / 0. Stress seeds 33-36 and
137-140 (192): (1) passes 93.633 -> 93.638, 87 / 56; **(2) fails** on 10 sets (minimax1_n800_K4_m109_s138 -9.12,
blur0_n300_K3_m20_s34 -9.00, minimax3_n3000_K6_m150_s33 -5.63, seven more minimax / glad sets -0.67 to -4.62);
(3) passes; CPU 53.18 -> 88.23 s (1.66x). Not adopted: ``src`` unchanged.

Diagnosis after the rule (not a rule; no choice made from it). (a) ``--bench 0.05 --no-snorkel --skip-apply``
(21:35:37-21:36:30 UTC, load 9-10) against main's 19 on record (sessions 38-46): MS 0.7886 -> 0.7943 (2 of 44
labelers eliminated); ZenCrowd_us 0.8686 -> 0.8284 (6 of 74 eliminated; 3.19 points below majority vote 0.8603);
d_Duck_Identification 0.8889 -> 0.8796 (12 of 39 eliminated; one item of 108); the other 16 unchanged, and no
labeler is eliminated on any of the four misses (SP_amt 0.944, cifar10n_slots 0.9195, Dog 0.8228, Face 0.6421).
With Snorkel's accuracies on record ZenCrowd_us and Duck become misses: 13 of 19. (b) The lowest scores under
main's fit (the same MAP confusion): Face 0.398 (median 0.499), Dog 0.297, cifar10n_slots 0.675, SP_amt 0.070
(36 answers); so no threshold below 0.29 touches Dog, Face or the slots. ZenCrowd_us's two heaviest workers
(1,684 and 1,655 answers) score 0.003 and 0.009: the near-spammers the pair crowds were built after.

Reference: V. C. Raykar and S. Yu, "Eliminating Spammers and Ranking Annotators for Crowdsourced Labeling
Tasks", JMLR 13, 491-518, 2012 (and "Ranking annotators for crowdsourced labeling tasks", NeurIPS 2011); A. P.
Dawid and A. M. Skene, Applied Statistics 28(1), 20-28, 1979.

Sets. Exploration ONLY on fresh seeds 181-188: the 93's generators (``dev_weak_item_difficulty.explore_sets``)
on 181, 183, 185, 187; lure39's stress families (``dev_weak_lure_stress.stress_sets``) on 181-188; is15n's
biased crowds (``dev_weak_class_prior.biased_crowd``: good, ordinary, biased and spamming workers, K 2-4, class
imbalance) on 181-184. The rule: the 93 dev sets (``dev_weak_pair_check.sets``) and the stress sets of seeds
33-36 and 137-140::

    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/dev_weak_spammer_score.py --explore --out explore.csv
    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/dev_weak_spammer_score.py --rule 0.05 --out rule.csv  # once
    # after a failed rule, a diagnosis only (LABELWISE_CROWD_DATA=/work/shared/data/crowd):
    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/dev_weak_spammer_score.py --bench 0.05 --no-snorkel --skip-apply
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

from _dev_weak_sets import collect, judge_rule_blocks, rule_sets  # noqa: E402
from _dev_weak_sets import explore_sets as dev_explore_sets  # noqa: E402
from dev_weak_labeler_strength import dev_set, score  # noqa: E402
from dev_weak_lure_stress import report  # noqa: E402

from labelwise.aggregate.dawid_skene import DEFAULT_PRIOR_STRENGTH  # noqa: E402
from labelwise.aggregate.priors import agreement_accuracy, diagonal_confusion_prior  # noqa: E402
from labelwise.weak import LabelModel  # noqa: E402

THRESHOLDS = ("0.01", "0.02", "0.05", "0.1")


def spammer_scores(matrix: np.ndarray, post: np.ndarray, k: int) -> np.ndarray:
    """Raykar and Yu's ``S_j`` of each column of ``matrix`` (-1: abstain) from the MAP confusion under the
    posterior ``post`` (items x K) and the default prior (see the module docstring); NaN for a column with no
    vote."""
    items, labelers = np.nonzero(matrix >= 0)
    answers = matrix[items, labelers]
    m = matrix.shape[1]
    counts = np.zeros((m, k, k))  # [j, true y, answer a]
    for y in range(k):
        np.add.at(counts[:, y, :], (labelers, answers), post[items, y])
    per_item = np.zeros((matrix.shape[0], k))
    np.add.at(per_item, (items, answers), 1.0)
    prior = diagonal_confusion_prior(k, strength=DEFAULT_PRIOR_STRENGTH, accuracy=agreement_accuracy(per_item))
    conf = counts + prior[None]
    conf /= conf.sum(axis=2, keepdims=True)
    spread = ((conf - conf.mean(axis=1, keepdims=True)) ** 2).sum(axis=(1, 2))
    out = spread / (k - 1)
    out[np.bincount(labelers, minlength=m) == 0] = np.nan
    return out


def codes_of(model: LabelModel) -> np.ndarray:
    return pd.Index(model.classes_).get_indexer(model.labels_.to_numpy())


def plain_fit(matrix: np.ndarray, k: int, **params) -> LabelModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LabelModel(labels=list(range(k)), **params).fit(matrix)


class Spem:
    """SpEM on one set from main's fit ``base``; refits cached by the set of labelers kept."""

    def __init__(self, matrix: np.ndarray, k: int, base: LabelModel) -> None:
        self.matrix, self.k, self.base = matrix, k, base
        self.first = codes_of(base)
        self.cache: dict[tuple[int, ...], tuple[LabelModel, float]] = {}

    def run(self, threshold: float) -> tuple[np.ndarray, float, int]:
        """Class codes, CPU seconds of the refits (cached ones counted as if run) and labelers eliminated."""
        if self.base.abstains_ != "missing":
            return self.first, 0.0, 0
        active = np.arange(self.matrix.shape[1])
        model, cpu = self.base, 0.0
        while True:
            sub = self.matrix[:, active]
            scores = spammer_scores(sub, model.probas_.to_numpy(), self.k)
            drop = np.flatnonzero(scores < threshold)  # NaN (no vote) never compares below
            if not len(drop) or len(drop) == len(active):
                break
            active = np.delete(active, drop)
            key = tuple(active.tolist())
            if key not in self.cache:
                start = time.process_time()
                refit = plain_fit(self.matrix[:, active], self.k, abstains="missing")
                self.cache[key] = (refit, time.process_time() - start)
            model, spent = self.cache[key]
            cpu += spent
        if model is self.base:
            return self.first, 0.0, 0
        codes = codes_of(model)
        left = ~(self.matrix[:, active] >= 0).any(axis=1)
        codes = np.where(left, self.first, codes)
        return codes, cpu, self.matrix.shape[1] - len(active)


def bench(threshold: str, argv: list[str]) -> None:
    """A diagnosis after the rule (not a rule): ``bench_weak.py`` with ``argv``, every ``LabelModel().fit`` followed
    by SpEM at ``threshold`` (``labels_`` replaced; nothing else of the fit is)."""
    import bench_weak

    from labelwise.weak._params import fit_votes

    plain = LabelModel.fit

    def fit_variant(self, votes, y=None, *, y_dev=None):
        plain(self, votes, y, y_dev=y_dev)
        if getattr(self, "_in_spem", False):
            return self
        matrix = fit_votes(votes, self.labels).matrix()
        codes, _, dropped = Spem(matrix, len(self.classes_), self).run(float(threshold))
        print(f"  SpEM at {threshold}: {dropped} of {matrix.shape[1]} labelers eliminated", flush=True)
        self.labels_ = pd.Series(pd.Index(self.classes_).take(codes).array, index=self.labels_.index, name="label")
        return self

    def refit(matrix: np.ndarray, k: int, **params) -> LabelModel:
        model = LabelModel(labels=list(range(k)), **params)
        model._in_spem = True
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return model.fit(matrix)

    globals()["plain_fit"] = refit
    LabelModel.fit = fit_variant
    sys.argv = ["bench_weak.py", *argv]
    bench_weak.main()


def explore_sets(seeds: tuple[int, ...] = (181, 182, 183, 184, 185, 186, 187, 188)):
    """Exploration (fresh seeds 181-188 only)."""
    return dev_explore_sets(seeds)


def evaluate(family: str, name: str, votes, truth, variants: list[str]) -> list[dict]:
    """One set: main's ``LabelModel()`` (before) and SpEM at each threshold (after)."""
    matrix, k, g, scored, _, base = dev_set(family, name, votes, truth)
    per_item = (matrix >= 0).sum(axis=1)
    base["per_item"] = float(per_item[per_item > 0].mean())
    base["K"] = k
    start = time.process_time()
    model = plain_fit(matrix, k)
    cpu0 = time.process_time() - start
    spem = Spem(matrix, k, model)
    base.update(before=score(spem.first, g, scored), cpu_before=cpu0, abstains=model.abstains_)
    rows = []
    for v in variants:
        codes, cpu, dropped = spem.run(float(v))
        row = dict(base, variant=v, after=score(codes, g, scored), cpu_after=cpu0 + cpu, dropped=dropped)
        row["gain"] = row["after"] - row["before"]
        row["moved"] = int((codes != spem.first)[scored].sum())
        row["rho"] = np.nan
        rows.append(row)
    return rows


def summarise(frame: pd.DataFrame, variants: list[str], rule: bool) -> None:
    """Per threshold: the report of each block (the 93 / explore sets; stress seeds)."""
    for v in variants:
        part = frame[frame.variant == v]
        print(
            f"\n=== threshold {v} ===  (sets with a moved label: {int((part.moved > 0).sum())} of {len(part)};"
            f" with a labeler eliminated: {int((part.dropped > 0).sum())})"
        )
        if not rule:
            report(part)
            continue
        judge_rule_blocks(part, report)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--explore", action="store_true", help="fresh seeds 181-188, every threshold")
    ap.add_argument("--rule", default=None, choices=list(THRESHOLDS), help="the registered rule run of one threshold")
    ap.add_argument("--only", default=None, help="substring of the set names to run (smoke runs)")
    ap.add_argument("--out", default=None, help="CSV of the per-set table")
    ap.add_argument("--bench", default=None, choices=list(THRESHOLDS), help="after the rule: bench_weak.py under it")
    args, rest = ap.parse_known_args()
    if args.bench:
        bench(args.bench, rest)
        return
    if rest:
        ap.error(f"unrecognized arguments: {rest}")
    pd.set_option("display.width", 250)
    if args.explore:
        variants, source = list(THRESHOLDS), explore_sets()
    else:
        if args.rule is None:
            ap.error("give --explore or --rule T")
        variants, source = [args.rule], rule_sets()
    from _machine import machine_line

    print("machine:", machine_line(), "load:", open("/proc/loadavg").read().split()[:3], flush=True)
    cols = ["set", "K", "per_item", "abstains", "mv", "before", "after", "gain", "moved", "dropped"]
    frame = collect(source, evaluate, variants, cols, args.only)
    if args.out:
        frame.to_csv(args.out, index=False)
    summarise(frame, variants, bool(args.rule))
    print("load:", open("/proc/loadavg").read().split()[:3])


if __name__ == "__main__":
    main()
