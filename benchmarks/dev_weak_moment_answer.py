"""Dev runs: the moment fit as the label model's answer where it is well determined (issue 15, session 35).

The direction (the brief's first example). Three of the benchmark's five misses (SP_amt, Face,
sim1005) are won by Snorkel's label model, the matrix-completion estimate of Ratner et al. (2019)
used as it stands; ``weak.LabelModel`` uses the same estimate only to start EM, whose MAP fit
(the crowd prior on missing abstains) then gives the labels. The variant keeps the moment
estimate as the answer where the data determine it and its model holds, judged from the moment
fit alone (never from accuracy):

* ``after``: ``LabelModel()`` (today's default, ``before``) and the moments-only fit
  ``LabelModel(n_em_iter=0)`` (the paper's estimator, converged to ``MOMENT_TOL``). The moment
  answer is that fit's posterior under the abstain model the default chose: with missing
  abstains Snorkel's ``predict_proba`` (class balance times the voted functions' ``μ[(j, a), y]``,
  abstains left out), with informative abstains labelwise's moments-only posterior. It replaces
  the default's labels when (a) the moment fit converged, (b) its parameters are identified by
  the co-vote counts: more cells than free parameters, ``d = cells − m·K·K > 0``, and (c) its
  model fits them: Pearson's chi-square test of the co-vote counts of every pair of functions
  (``j < l``, votes ``a, b``) against ``n Σ_y μ[(j, a), y] μ[(l, b), y] p_y``, the entries of
  ``O = μPμᵀ`` the fit matched, over the cells with an expected count of at least 5 (Cochran
  1954), does not reject at 5% (``chi2.sf(X², d) >= 0.05``; Pearson 1900). Where conditional
  independence holds to the precision of the data, the moment estimate is consistent and owes
  nothing to the crowd prior's pull (the cost of the prior on dense crowds, sessions 6, 11, 23).

Sets, simulated and dev seeds only (never the benchmark's sets 1000-1009 nor the real crowd
sets): the 93 of ``dev_weak_losses.py`` through ``dev_weak_pair_check.sets`` (14 LF sets, 26
crowds, 14 dense crowds, 27 pair crowds, 12 look-alike crowds). Per set: majority vote,
``before``, ``after``, the gate's inputs, and for reference labelwise's maximum-likelihood
Dawid-Skene (crowd-kit-like) and the moment answer itself.

Adoption rule, written before the rule run (the brief's): ``after`` becomes the default only if,
over the 93 sets, (1) the mean accuracy is not lower than ``before``'s; (2) no set is more than
0.5 point below ``before``; (3) no set falls more than 0.5 point below majority vote: for every
set ``after − mv >= min(before − mv, −0.5)``; (4) the summed CPU seconds of the ``after`` fits
(default fit, moment fit and test) are at most 3x ``before``'s. Otherwise ``src`` is unchanged.

Disclosed: before the rule was written, ``--explore`` ran the gate's pieces on fresh simulated
seeds that are in neither the 93 nor the benchmark (``simulate_lfs`` configurations of
``bench_weak`` at seeds 300-309, dense crowds of seeds 5 and 6, pair and look-alike crowds of
seed 5), to check that it runs and to see what the test says::

    OMP_NUM_THREADS=1 python benchmarks/dev_weak_moment_answer.py            # the rule run (93 sets)
    OMP_NUM_THREADS=1 python benchmarks/dev_weak_moment_answer.py --explore  # the fresh seeds

Run once under the rule, 10:47-10:48 UTC 2026-12-05 (commit 8ed4dc94, load 7-9): **fails (1),
(2), (3)**; (4) passes. Over the 93 sets 86.563 -> 85.945; the gate fired on 24 (12 of the 14
dense crowds, 8 of 12 look-alike crowds), where the moment answer was 2.39 points below the
default in mean (down to -10.50, pair4_s0). Not adopted. Its ``before`` is ``LabelModel()``: to
reproduce the recorded numbers, run it on that commit's ``src``.

References: A. Ratner et al., "Training Complex Models with Multi-Task Weak Supervision", AAAI
2019; K. Pearson, Philosophical Magazine 50(302), 157-175, 1900; W. G. Cochran, "Some methods for
strengthening the common chi-square tests", Biometrics 10(4), 417-451, 1954.
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
from scipy.stats import chi2

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from dev_weak_labeler_strength import dev_set, score  # noqa: E402
from dev_weak_pair_check import sets  # noqa: E402

from labelwise.aggregate import DawidSkene  # noqa: E402
from labelwise.weak import LabelModel, as_votes  # noqa: E402
from labelwise.weak._moments import indicator  # noqa: E402
from labelwise.weak._posterior import FLOOR  # noqa: E402

#: Cochran's rule: a cell enters the Pearson statistic only with an expected count of at least 5.
MIN_EXPECTED = 5.0
#: The test's level: the moment answer is kept where the fit is not rejected at 5%.
ALPHA = 0.05


def overlap_fit(matrix: np.ndarray, k: int, mu: np.ndarray, p: np.ndarray) -> tuple[float, int, int]:
    """Pearson's statistic of the moment fit on the co-vote counts of every pair of functions.

    For functions ``j < l`` and votes ``a, b``, the count of items where ``j`` votes ``a`` and ``l``
    votes ``b`` against its expectation under conditional independence at the moment estimate,
    ``n Σ_y μ[(j, a), y] μ[(l, b), y] p_y`` (the entries of ``O = μPμᵀ`` the fit matched); cells
    with an expected count under :data:`MIN_EXPECTED` are left out. Returns the statistic, the
    cells used and the free parameters (``m·K·K`` entries of ``μ``).
    """
    n, m = matrix.shape
    lam = indicator(matrix, k)
    counts = (lam.T @ lam).toarray()
    expected = n * (mu * p[None, :]) @ mu.T
    block = np.repeat(np.arange(m), k)
    upper = block[:, None] < block[None, :]
    use = upper & (expected >= MIN_EXPECTED)
    stat = float((((counts - expected) ** 2)[use] / expected[use]).sum())
    return stat, int(use.sum()), m * k * k


def moment_answer(matrix: np.ndarray, k: int, missing: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """The moments-only fit (``LabelModel(n_em_iter=0)``): its labels with the abstain model given
    (``missing``: Snorkel's posterior, the votes' factors only), ``μ``, the class balance, converged."""
    model = LabelModel(labels=list(range(k)), n_em_iter=0).fit(matrix)
    order = pd.Index(model.classes_).get_indexer(range(k))
    mu, p = model.mu_[:, order], model.class_balance_[order]
    if not missing:
        codes = pd.Index(range(k)).get_indexer(model.labels_.to_numpy())
        return codes, mu, p, bool(model.converged_)
    lam = indicator(matrix, k)
    log_q = np.log(np.maximum(p, FLOOR))[None, :] + np.asarray(lam @ np.log(np.maximum(mu, FLOOR)))
    return log_q.argmax(axis=1), mu, p, bool(model.converged_)


def explore_sets():
    """Fresh simulated seeds, none among the 93 dev sets nor the benchmark's (1000-1009)."""
    from bench_weak import simulated_sets
    from dev_aggregate_eb_prior import LOOK_ALIKE, look_alike_crowd
    from dev_aggregate_pair_crowds import PAIR, pair_crowd
    from dev_weak_dense_crowds import dev_sets as dense_sets

    for name, votes, truth in simulated_sets(300):
        yield "lf", name, votes, truth
    for name, votes, truth in dense_sets([5, 6], quick=True):
        yield "dense", name, votes, truth
    for i, cfg in enumerate(PAIR):
        answers, truth = pair_crowd(*cfg, seed=5)
        yield "pair", f"pair{i}_s5", as_votes(answers.rename(columns={"annotator": "labeler"})), truth
    for i, cfg in enumerate(LOOK_ALIKE):
        answers, truth = look_alike_crowd(*cfg, seed=5)
        yield "lookalike", f"look{i}_s5", as_votes(answers.rename(columns={"annotator": "labeler"})), truth


def evaluate(family: str, name: str, votes, truth) -> dict:
    matrix, k, g, scored, long, row = dev_set(family, name, votes, truth)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.process_time()
        model = LabelModel(labels=list(range(k))).fit(matrix)
        row["cpu_before"] = time.process_time() - start
        before = pd.Index(model.classes_).get_indexer(model.labels_.to_numpy())
        row["before"] = score(before, g, scored)
        missing = model.abstains_ == "missing"
        start = time.process_time()
        codes, mu, p, converged = moment_answer(matrix, k, missing)
        stat, cells, params = overlap_fit(matrix, k, mu, p)
        row["cpu_gate"] = time.process_time() - start
        ds = DawidSkene(smoothing=0).fit(long).labels_.reindex(votes.items).to_numpy()
    row["ds_ml"] = score(pd.Index(votes.classes).get_indexer(ds), g, scored)
    row["moments"] = score(codes, g, scored)
    df = cells - params
    gate = converged and df > 0 and float(chi2.sf(stat, df)) >= ALPHA
    row["gate"] = gate
    row["after"] = row["moments"] if gate else row["before"]
    row["cpu_after"] = row["cpu_before"] + row["cpu_gate"]
    row["gain"] = row["after"] - row["before"]
    row.update(
        abstains=model.abstains_,
        conv=converged,
        vpi=float((matrix >= 0).sum(axis=1).mean()),
        stat=stat,
        df=df,
        ratio=stat / df if df > 0 else np.nan,
        pval=float(chi2.sf(stat, df)) if df > 0 else np.nan,
    )
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--explore", action="store_true")
    args = ap.parse_args()
    pd.set_option("display.width", 250)
    rows = []
    chosen = explore_sets() if args.explore else sets(["clique", "dense", "pair", "lookalike"])
    for family, name, votes, truth in chosen:
        rows.append(evaluate(family, name, votes, truth))
        print(pd.DataFrame([rows[-1]]).round(3).to_string(index=False, header=len(rows) == 1), flush=True)
    report(pd.DataFrame(rows))


def report(acc: pd.DataFrame) -> None:
    """Per family: mean before -> after, worst vs MV, gate fired, up / down; then the rule."""
    print("\nper family: mean before -> after; worst vs MV; gate fired; largest fall; up / down")
    for fam, part in [*acc.groupby("family", sort=False), ("all", acc)]:
        worst = [(part[v] - part.mv).min() for v in ("before", "after")]
        print(
            f"{fam:10s} ({len(part):2d})  {part.before.mean():.3f} -> {part.after.mean():.3f};"
            f"  {worst[0]:+.2f} -> {worst[1]:+.2f};  {int(part.gate.sum())};  {part.gain.min():+.2f};"
            f"  {int((part.gain > 0).sum())} / {int((part.gain < 0).sum())}"
        )
    cpu = acc.cpu_after.sum() / max(acc.cpu_before.sum(), 1e-12)
    print(f"CPU s summed: before {acc.cpu_before.sum():.2f}, after {acc.cpu_after.sum():.2f} ({cpu:.2f}x)")
    fired = acc[acc.gate]
    if len(fired):
        print(f"where the gate fired: moments - before mean {fired.gain.mean():+.3f}, min {fired.gain.min():+.2f}")
    floor = np.minimum(acc.before - acc.mv, -0.5)
    rules = {
        "(1) mean not lower": acc.after.mean() >= acc.before.mean() - 1e-12,
        "(2) no set more than 0.5 below before": bool((acc.gain >= -0.5 - 1e-9).all()),
        "(3) no set falls > 0.5 below MV": bool(((acc.after - acc.mv) >= floor - 1e-9).all()),
        "(4) CPU at most 3x": cpu <= 3.0,
    }
    ok = True
    for what, passed in rules.items():
        print(f"{what}: {'passes' if passed else 'fails'}")
        ok &= bool(passed)
    print("rule:", "passes: adopt" if ok else "fails: not adopted")


if __name__ == "__main__":
    main()
