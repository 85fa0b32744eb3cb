"""Dev runs: each labeler's own prior strength in ``weak.LabelModel`` (issue 15, part 2, session 23).

The direction (one, the brief's third): sessions 6 and 11 found that on dense crowds the crowd
prior (``prior_strength=8`` pseudo-votes per confusion row around the crowd's one-coin mean)
costs against maximum likelihood, because it shrinks the few good workers, who have many votes,
toward the crowd; a *global* strength by empirical Bayes (session 11, ``type2``) asked for a
stronger prior there and ran to full shrinkage on batch crowds. Here the strength is each
labeler's own, as the concentration of a hierarchical model (Paun et al. 2018, HierD&S;
Carpenter 2008): ``weak._worker_strength.labeler_strengths``, the MAP of ``s_j`` under the
Dirichlet-multinomial evidence of labeler ``j``'s expected vote counts (Minka 2000) and a
log-normal hyperprior ``log s_j ~ N(log 8, log(4)²)``, on a grid ``8 · 2^(t/2)``, t = -12..6;
alternated with the MAP refit (at most 3 refits, from the default MAP fit's posterior); cliques
keep 8. Switch: ``weak._em.LABELER_STRENGTH`` (``False``: today's model, ``before``; ``True``:
``after``). The hyperprior's centre and spread and the grid were fixed from the argument above,
not tuned. Disclosed: before this rule was committed the code was smoke-run on six dense crowds
(dense0-5, seed 0) to check that it runs (labels moved by -1.0 to +1.33 points there).

Sets, simulated and dev seeds only (never the benchmark's sets 1000-1009 nor the real crowd
sets): the 93 of session 11's ``dev_weak_losses.py`` through ``dev_weak_pair_check.sets`` (the 40
of ``dev_weak_clique_prior.py``: 14 LF sets on seeds 100-109 and variants, 26 crowds including
sparse, slot and batch crowds; 14 dense crowds; 27 pair crowds; 12 look-alike crowds). Per set:
majority vote; ``before`` and ``after``; the peers of the rule, labelwise's maximum-likelihood
Dawid-Skene ``aggregate.DawidSkene(smoothing=0)`` (crowd-kit-like) and the moments-only
``LabelModel(n_em_iter=0)`` (Snorkel-like); the better of the two is ``peer``. Accuracy in
points on the items with a vote and a truth; CPU seconds of each labelwise fit.

Adoption rule, committed before the first run: ``after`` becomes the default only if, over the
93 sets, (1) the mean accuracy is not lower than ``before``'s; (2) the count of sets with
accuracy >= ``peer`` (to 1e-9) is higher than ``before``'s; (3) no set falls more than 0.5
point below majority vote: for every set ``after − mv >= min(before − mv, −0.5)`` (a set
already below −0.5 may not fall further, no other set may drop below −0.5); (4) the summed CPU
seconds of the ``after`` fits are at most 2x ``before``'s (the benchmark's 10x-faster-than-
Snorkel margin is 11-13x). Otherwise nothing changes in ``src`` and the switch leaves it::

    OMP_NUM_THREADS=1 python benchmarks/dev_weak_labeler_strength.py [--families clique dense pair lookalike]
    OMP_NUM_THREADS=1 python benchmarks/dev_weak_labeler_strength.py --diagnose   # exploratory, see below

Run once under the rule, 18:39:50-18:43:10 UTC 2026-12-03 (commit 53f2284, load 2 cores
shared): **fails (1) and (2)**, (3) and (4) pass. Over the 93 sets mean accuracy 86.601 ->
86.596; sets >= peer 71 -> 70 (lost crowd_K3_r3_confusion_s0, slots_K10_s3_hard0.2_s0, pair1_s2;
gained dense5_s0, dense6_s1); worst vs MV -3.81 both; 34 up / 37 down; CPU 12.32 -> 14.76 s
(1.20x). Dense crowds 93.214 -> 93.142 (6 up / 7 down), crowds +0.065, pair -0.103, look-alike
+0.138, LF -0.003. Not adopted. Exploratory afterwards (cannot adopt anything):
``--hyper-sigma 2.7726`` (log 16) 86.575, sets >= peer 69, dense 92.972, and (3) fails (pair2_s2).
Numbers and a diagnosis in benchmarks/RESULTS.md ("session 23 (weak23)"). The variant left
``src``: run this script with the
``src/labelwise/weak`` of commit 53f2284 (branch weak23): ``git checkout 53f2284 -- src/labelwise/weak``
(the exploratory run used this version of the script on that code; it exits without the switch).
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

from dev_weak_pair_check import sets  # noqa: E402

from labelwise.aggregate import DawidSkene, MajorityVote  # noqa: E402
from labelwise.weak import LabelModel, _em  # noqa: E402


def score(codes: np.ndarray, g: np.ndarray, scored: np.ndarray) -> float:
    """Accuracy (points) of class codes on the scored items."""
    return 100 * float(np.mean(codes[scored] == g[scored]))


def dev_set(family: str, name: str, votes, truth: pd.Series) -> tuple:
    """``(matrix, K, truth codes, scored items, long table, row)`` of one dev set; ``row`` holds
    its family, name and majority vote's accuracy (points)."""
    matrix = votes.matrix()
    k = len(votes.classes)
    classes = pd.Index(votes.classes)
    g = classes.get_indexer(truth.reindex(votes.items).to_numpy())
    scored = (matrix >= 0).any(axis=1) & (g >= 0)
    long = votes.to_annotations()
    mv = MajorityVote().fit(long).labels_.reindex(votes.items).to_numpy()
    row: dict = {"family": family, "set": name, "mv": score(classes.get_indexer(mv), g, scored)}
    return matrix, k, g, scored, long, row


def fit_lw(matrix: np.ndarray, k: int, flag: bool, **params: object) -> tuple[np.ndarray, float]:
    """Class codes and CPU seconds of one ``LabelModel`` fit with the switch at ``flag``."""
    _em.LABELER_STRENGTH = flag
    try:
        start = time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = LabelModel(labels=list(range(k)), **params).fit(matrix)
        cpu = time.process_time() - start
        return pd.Index(model.classes_).get_indexer(model.labels_.to_numpy()), cpu
    finally:
        _em.LABELER_STRENGTH = False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--families", nargs="*", default=["clique", "dense", "pair", "lookalike"])
    ap.add_argument("--diagnose", action="store_true", help="exploratory: each labeler's strength against its accuracy")
    ap.add_argument("--hyper-sigma", type=float, default=None, help="exploratory only: the hyperprior's sd of log s_j")
    args = ap.parse_args()
    if not hasattr(_em, "LABELER_STRENGTH"):
        sys.exit(
            "the per-labeler strength left src (not adopted): its result is in benchmarks/RESULTS.md, session 23 (weak23), "
            '"each labeler\'s own prior strength"; to rerun it, run it on src/labelwise/weak of commit 53f2284 '
            "(branch weak23)"
        )
    if args.hyper_sigma is not None:
        from labelwise.weak import _worker_strength

        _worker_strength.HYPER_SIGMA = args.hyper_sigma
    if args.diagnose:
        diagnose()
        return
    pd.set_option("display.width", 220)
    rows = []
    for family, name, votes, truth in sets(args.families):
        matrix, k, g, scored, long, row = dev_set(family, name, votes, truth)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = DawidSkene(smoothing=0).fit(long).labels_.reindex(votes.items).to_numpy()
        row["ds_ml"] = score(pd.Index(votes.classes).get_indexer(ds), g, scored)
        row["moments"] = score(fit_lw(matrix, k, False, n_em_iter=0)[0], g, scored)
        row["peer"] = max(row["ds_ml"], row["moments"])
        for variant, flag in (("before", False), ("after", True)):
            codes, row[f"cpu_{variant}"] = fit_lw(matrix, k, flag)
            row[variant] = score(codes, g, scored)
        row["gain"] = row["after"] - row["before"]
        rows.append(row)
        print(pd.DataFrame([row]).round(3).to_string(index=False, header=len(rows) == 1), flush=True)
    report(pd.DataFrame(rows))


def diagnose() -> None:
    """Exploratory, after the rule run (nothing chosen on it): per dense and pair dev crowd, the
    labelers' strengths ``s_j`` at the last refit, their median in the top accuracy quartile, the
    middle half and the bottom quartile, and the correlation of ``log s_j`` with the labeler's
    accuracy on the items it answered."""
    calls: list = []
    estimate = _em.labeler_strengths

    def spy(counts: np.ndarray, groups: list, mean: np.ndarray, strength: float) -> np.ndarray:
        out = estimate(counts, groups, mean, strength)
        calls.append((groups, out))
        return out

    _em.labeler_strengths = spy
    _em.LABELER_STRENGTH = True
    for family, name, votes, truth in sets(["dense", "pair"]):
        matrix = votes.matrix()
        k = len(votes.classes)
        g = pd.Index(votes.classes).get_indexer(truth.reindex(votes.items).to_numpy())
        calls.clear()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            LabelModel(labels=list(range(k))).fit(matrix)
        if not calls:
            print(f"{name:28s} no MAP refit")
            continue
        groups, strengths = calls[-1]
        rows = []
        for gi, members in enumerate(groups):
            if len(members) == 1:
                j = members[0]
                ok = (matrix[:, j] >= 0) & (g >= 0)
                rows.append((strengths[gi], int((matrix[:, j] >= 0).sum()), np.mean(matrix[ok, j] == g[ok])))
        d = pd.DataFrame(rows, columns=["s", "n", "acc"]).dropna()
        good, bad = d.acc >= d.acc.quantile(0.75), d.acc <= d.acc.quantile(0.25)
        print(
            f"{family:6s} {name:28s} s_j median {d.s.median():6.2f}; top quartile {d.s[good].median():6.2f}"
            f" (votes {d.n[good].median():.0f}), middle {d.s[~good & ~bad].median():6.2f},"
            f" bottom {d.s[bad].median():6.2f}; corr(log s_j, accuracy) {np.corrcoef(np.log(d.s), d.acc)[0, 1]:+.2f}",
            flush=True,
        )


def report(acc: pd.DataFrame) -> None:
    """Per family and overall: mean, worst vs MV, sets >= peer; then the rule."""
    print("\nper family: mean accuracy; worst vs MV; sets >= peer (before -> after); gain up / down")
    for fam, part in [*acc.groupby("family", sort=False), ("all", acc)]:
        at_peer = [int((part[v] >= part.peer - 1e-9).sum()) for v in ("before", "after")]
        worst = [(part[v] - part.mv).min() for v in ("before", "after")]
        print(
            f"{fam:10s} ({len(part):2d})  {part.before.mean():.3f} -> {part.after.mean():.3f};"
            f"  {worst[0]:+.2f} -> {worst[1]:+.2f};  {at_peer[0]} -> {at_peer[1]};"
            f"  {int((part.gain > 0).sum())} / {int((part.gain < 0).sum())}"
        )
    cpu = acc.cpu_after.sum() / max(acc.cpu_before.sum(), 1e-12)
    print(f"CPU s summed: before {acc.cpu_before.sum():.2f}, after {acc.cpu_after.sum():.2f} ({cpu:.2f}x)")
    floor = np.minimum(acc.before - acc.mv, -0.5)
    rules = {
        "(1) mean not lower": acc.after.mean() >= acc.before.mean() - 1e-12,
        "(2) sets >= peer rises": (acc.after >= acc.peer - 1e-9).sum() > (acc.before >= acc.peer - 1e-9).sum(),
        "(3) no set falls > 0.5 below MV": bool(((acc.after - acc.mv) >= floor - 1e-9).all()),
        "(4) CPU at most 2x": cpu <= 2.0,
    }
    ok = True
    for what, passed in rules.items():
        print(f"{what}: {'passes' if passed else 'fails'}")
        ok &= bool(passed)
    print("rule:", "passes: adopt" if ok else "fails: not adopted")


if __name__ == "__main__":
    main()
