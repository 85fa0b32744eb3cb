"""Dev runs: copies of one-class rules found by their co-votes, in the label model's clique search (issue 15, s35).

Found while exploring the session's first direction (``dev_weak_moment_answer.py``) on fresh
seeds: on ``bench_weak``'s sixth configuration (the benchmark's sim1005: K = 3, 20 rules and 6
copies, coverage 0.01-0.1), ``LabelModel()`` falls more than 0.5 point below majority vote on 4 of
10 fresh seeds (305: 58.69 against 72.87; 505 -4.28, 705 -5.87, 805 -0.59). With the true copy
pairs given as ``dependencies`` it is above majority vote on all four (75.13, 77.92, 73.64,
72.77): the clique search misses copies. Each missed copy is the copy of a *one-class* rule (a
keyword rule that only votes its class). The search screens pairs by their agreement excess
(:func:`labelwise.weak._dependencies.agreement_excess`), but two rules that vote one class agree
whenever they co-vote, copy or not, so the agreement z of a real copy stays near the threshold
(4.1-4.9 on the missed ones; 6-7 on the copies found), while its co-vote z
(:meth:`PairTables.covote_z`, the test the search already asks of every pair it joins) is 43-80.
For a one-class rule the dependence lies in *when* it votes, not in *what*.

The variant (``one_class_search``): for a pair with a one-class member (a function whose votes
are all one class), the screen's z is the larger of the agreement z and the co-vote z; every
other pair is screened as before, and every candidate must still pass the search's acceptance
tests unchanged (co-vote z over the threshold and a positive BIC gain of the joint table). Same
threshold (``dependency_threshold``, 5), nothing tuned.

Rule, written before the rule run (the brief's): the variant becomes the library's search only
if, over the 93 dev sets of ``dev_weak_losses.py`` (never the benchmark's 19): (1) mean accuracy
not lower than ``before``; (2) no set more than 0.5 point below ``before``; (3) every set
``after − mv >= min(before − mv, −0.5)``; (4) summed CPU of the ``after`` fits at most 3x. Only if
it passes: ``bench_weak.py --no-snorkel`` once.

Disclosed: before the rule, ``--explore`` ran it on fresh seeds (every ``bench_weak``
configuration at first seeds 300, 400 and 500; none among the 93 or the benchmark's): mean
+1.20 points over the 30 sets, up to +16.39 (sim305), but **false cliques among independent
one-class rules on the K = 5 sets without copies** (sim306 -1.85, sim506 -0.87, sim406 -0.24):
under the vote-share posterior the co-vote test sees class dependence that, under the true
class, is not there (z 5-29 against 0.2-0.6). ``--posterior moments`` (the moment fit's
posterior for those tests; exploration only) removes some of them, not all (sim306 -1.85, sim506
-1.61). So the rule may well fail on (2); it is run to measure it on the project's dev sets::

    OMP_NUM_THREADS=1 python benchmarks/dev_weak_one_class_copies.py            # the rule run (93 sets)
    OMP_NUM_THREADS=1 python benchmarks/dev_weak_one_class_copies.py --explore  # the fresh seeds

Run once under the rule, 10:54 UTC 2026-12-05 (commit bff0bdd0, load 11-12): **fails (2)**: mean
over the 93 sets 86.563 -> 86.647, but sim100 -2.06 (a false clique of two independent one-class
rules); (1), (3), (4) pass (CPU 1.01x). Not adopted. Its ``before`` is ``LabelModel()``: to
reproduce the recorded numbers, run it on that commit's ``src`` (the library now runs
``dev_weak_one_class_check.py``'s check after the fit).

References: S. H. Bach, B. He, A. Ratner and C. Ré, "Learning the Structure of Generative Models
without Labeled Data", ICML 2017 (dependency selection by the pair's deviation from the
independent model).
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

from dev_weak_labeler_strength import dev_set, score  # noqa: E402
from dev_weak_pair_check import sets  # noqa: E402

from labelwise.weak import LabelModel, label_model  # noqa: E402
from labelwise.weak._dependencies import (  # noqa: E402
    PairTables,
    agreement_excess,
    clique_search,
    group_dependent,
    shared_counts,
)

LIBRARY_SEARCH = clique_search
#: the class posterior of the one-class pairs' co-vote tests: "shares" (the search's) or "moments"
POSTERIOR = "shares"


def covote_z_matrix(tables: PairTables) -> np.ndarray:
    """:meth:`PairTables.covote_z` of every pair at once (0 where its variance is 0)."""
    n_y, q, both = tables._coverage
    expected = (q * n_y[None, :]) @ q.T
    var = expected - ((q * q) * n_y[None, :]) @ (q * q).T
    z = np.where(var > 1e-9, (both - expected) / np.sqrt(np.maximum(var, 1e-300)), 0.0)
    np.fill_diagonal(z, 0.0)
    return z


def one_class_search(matrix, lam, weights, n_classes, gram, forced, *, threshold, min_shared, max_size):
    """:func:`labelwise.weak._dependencies.clique_search` with one change: for a pair with a
    one-class member (a function whose votes are all one class), the screen's z is the larger of
    the agreement z and the co-vote z (acceptance unchanged: co-vote z and BIC)."""
    from labelwise.weak._posterior import confusion_from_mu, lf_mu_from_posterior, vote_shares

    m = matrix.shape[1]
    shares = vote_shares(lam, m, n_classes)
    lf_mu = lf_mu_from_posterior(lam.T.tocsr(), shares * weights[:, None])
    sums = shared_counts(lam, shares, weights, m)
    z, shared = agreement_excess(lam, shares, confusion_from_mu(lf_mu, m, n_classes), weights, gram, sums)
    tables = PairTables(matrix, shares, weights, n_classes, sums)
    voted = np.asarray(matrix) >= 0
    classes_voted = np.array([len(np.unique(np.asarray(matrix)[voted[:, j], j])) for j in range(m)])
    one_class = classes_voted == 1
    either = one_class[:, None] | one_class[None, :]
    if POSTERIOR == "moments" and either.any():
        from types import SimpleNamespace

        model = LabelModel(n_em_iter=0, labels=list(range(n_classes)))
        post = model._fit_rows(matrix, weights, "votes", [], SimpleNamespace(classes=list(range(n_classes))))[2]
        own = PairTables(matrix, post, weights, n_classes, shared_counts(lam, post, weights, m))
    else:
        own = tables
    screen = np.where(either, np.maximum(z, covote_z_matrix(own)), z)

    def pays_for_its_table(a: int, b: int) -> bool:
        t = own if either[a, b] else tables
        return bool(t.covote_z(a, b) > threshold and t.bic_gain([(a, b)])[0] > 0)

    return group_dependent(
        screen,
        shared,
        threshold=threshold,
        min_shared=min_shared,
        max_size=max_size,
        forced=forced,
        accept=pays_for_its_table,
    )


def fit(matrix: np.ndarray, k: int, variant: bool) -> tuple[np.ndarray, float, list]:
    label_model.clique_search = one_class_search if variant else LIBRARY_SEARCH
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.process_time()
            model = LabelModel(labels=list(range(k))).fit(matrix)
            cpu = time.process_time() - start
    finally:
        label_model.clique_search = LIBRARY_SEARCH
    codes = pd.Index(model.classes_).get_indexer(model.labels_.to_numpy())
    return codes, cpu, [g for g in model.groups_ if len(g) > 1]


def explore_sets():
    """Fresh simulated LF seeds: every ``bench_weak`` configuration at first seeds 300, 400, 500."""
    from bench_weak import simulated_sets

    for first in (300, 400, 500):
        for name, votes, truth in simulated_sets(first):
            yield "lf", name, votes, truth


def evaluate(family: str, name: str, votes, truth) -> dict:
    matrix, k, g, scored, long, row = dev_set(family, name, votes, truth)
    codes, row["cpu_before"], gb = fit(matrix, k, False)
    row["before"] = score(codes, g, scored)
    codes, row["cpu_after"], ga = fit(matrix, k, True)
    row["after"] = score(codes, g, scored)
    row["gain"] = row["after"] - row["before"]
    row["cliques"] = f"{len(gb)}->{len(ga)}"
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--explore", action="store_true")
    ap.add_argument("--posterior", choices=("shares", "moments"), default="shares")
    args = ap.parse_args()
    global POSTERIOR
    POSTERIOR = args.posterior
    pd.set_option("display.width", 250)
    rows = []
    chosen = explore_sets() if args.explore else sets(["clique", "dense", "pair", "lookalike"])
    for family, name, votes, truth in chosen:
        rows.append(evaluate(family, name, votes, truth))
        print(pd.DataFrame([rows[-1]]).round(3).to_string(index=False, header=len(rows) == 1), flush=True)
    report(pd.DataFrame(rows))


def report(acc: pd.DataFrame) -> None:
    """Per family: mean before -> after, worst vs MV, largest fall, up / down; then the rule."""
    print("\nper family: mean before -> after; worst vs MV; largest fall; up / down")
    for fam, part in [*acc.groupby("family", sort=False), ("all", acc)]:
        worst = [(part[v] - part.mv).min() for v in ("before", "after")]
        print(
            f"{fam:10s} ({len(part):2d})  {part.before.mean():.3f} -> {part.after.mean():.3f};"
            f"  {worst[0]:+.2f} -> {worst[1]:+.2f};  {part.gain.min():+.2f};"
            f"  {int((part.gain > 0).sum())} / {int((part.gain < 0).sum())}"
        )
    cpu = acc.cpu_after.sum() / max(acc.cpu_before.sum(), 1e-12)
    print(f"CPU s summed: before {acc.cpu_before.sum():.2f}, after {acc.cpu_after.sum():.2f} ({cpu:.2f}x)")
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
