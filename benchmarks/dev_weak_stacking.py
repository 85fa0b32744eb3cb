"""Dev runs: stacking the item posteriors of three label-model fits (issue 15, part 2, session 24).

The direction (one, the brief's first). ``weak.LabelModel`` trails the better of its two peers on
two kinds of set: dense crowds, where maximum-likelihood Dawid-Skene wins (sessions 11-12, 23:
the crowd prior's one-coin *shape* costs there), and a few LF / dense sets where the Snorkel-like
moments-only fit wins. Sessions 11 and 23 changed the prior (its strength, its mean, a choice of
prior or no prior by held-out likelihood); none passed. Stacking does not change any model: it
takes the item posteriors the three fits give,

* ``map``: ``LabelModel()`` (today's default, MAP-EM under the crowd prior),
* ``ml``: ``aggregate.DawidSkene(smoothing=0)`` (maximum-likelihood Dawid-Skene),
* ``moments``: ``LabelModel(n_em_iter=0)`` (the moments-only, Snorkel-like fit),

and returns their convex combination ``Σ_k w_k q_k(y | i)``, with the weights that maximise the
held-out log score of the votes (Yao, Vehtari, Simpson & Gelman 2018, "Using stacking to average
Bayesian predictive distributions", Bayesian Analysis 13(3), 917-1007, eq. 4, with leave-one-out
predictive densities as in their section 3):

``w = argmax_{w ∈ simplex} Σ_(i,j) log Σ_k w_k p_k(λ_ij | all other votes)``.

Session 11 *chose* one fit (MAP or ML) by a held-out vote likelihood; a convex combination is
different when the fits are right on different items. The held-out density of vote ``λ_ij = v``
under fit ``k`` (no refit; the case-deletion update of Dawid-Skene's sufficient statistics,
Stone 1974, Geisser 1975, as session 11's ``weak._loo``):

``p_k(v) = Σ_y r_k(y) · θ_k^{-i}[j, y, v]``, where ``r_k(y) ∝ q_k(y | i) / θ_k[j, y, v]`` is the item's
posterior with the vote's own factor divided out (``θ_k`` the fit's own confusion, the vote given
the class and that ``j`` voted), and ``θ_k^{-i}[j, y, v] = (θ_k[j, y, v] T_jy − q_k(y | i)) /
(T_jy − q_k(y | i))`` the confusion with item ``i``'s expected count taken out, ``T_jy = Σ_i'
q_k(y | i') + s_k`` the row's expected votes plus the fit's pseudo-votes (``s_k`` = the prior
strength 8 for ``map`` when its abstains are missing, where the prior is used, else 0), floored at ``weak._posterior.FLOOR``. Only
votes are scored (abstains are not predicted), per labeler (a clique's members are scored
one by one). The weights are the maximiser of a concave function on the simplex, found by
L-BFGS on ``w = softmax(z)`` from equal weights (each vote's densities divided by their largest,
which does not move the maximiser). Nothing here was tuned: the three fits are the
library's, their settings the defaults.

Why this can differ from session 11's choice: where the fits are complementary (ML better on the
items the good workers decide, MAP better where sparse workers need the prior) the score of a
mixture exceeds both; where one fit predicts every vote better, stacking reduces to it.

Sets, simulated and dev seeds only (never the benchmark's sets 1000-1009 nor the real crowd
sets): the 93 of session 11's ``dev_weak_losses.py`` through ``dev_weak_pair_check.sets`` (14 LF
sets, 26 crowds, 14 dense crowds, 27 pair crowds, 12 look-alike crowds). Per set: majority vote;
``before`` (today's ``LabelModel()``) and ``after`` (the stack); the peers of the rule,
``aggregate.DawidSkene(smoothing=0)`` and ``LabelModel(n_em_iter=0)``; the better of the two is
``peer``. Accuracy in points on the items with a vote and a truth; CPU seconds of each labelwise
fit (``after``: the three fits, the scores and the weights). The harness (``dev_set``, ``score``, ``report``)
is imported from ``dev_weak_labeler_strength.py``.

Adoption rule (weak23's), committed before the first run: ``after`` becomes the default only if,
over the 93 sets, (1) the mean accuracy is not lower than ``before``'s; (2) the count of sets with
accuracy >= ``peer`` (to 1e-9) is higher than ``before``'s; (3) no set falls more than 0.5 point
below majority vote: for every set ``after − mv >= min(before − mv, −0.5)``; (4) the summed CPU
seconds of the ``after`` fits are at most 2x ``before``'s. Otherwise nothing changes in ``src``.
Disclosed: before this rule was committed the code was smoke-run on two dense crowds of seed 7
(``dense_crowds.dev_sets([7])``, not among the 93) to check that it runs::

    OMP_NUM_THREADS=1 python benchmarks/dev_weak_stacking.py [--families clique dense pair lookalike]
    OMP_NUM_THREADS=1 python benchmarks/dev_weak_stacking.py --folds 2   # exploratory, see below

Run once under the rule, 21:30:50-21:32:20 UTC 2026-12-03 (commit 47cd0c2, 2 cores shared):
**fails (1), (2) and (3)**, (4) passes. Over the 93 sets mean accuracy 86.578 -> 82.953; sets >=
peer 70 -> 63; worst vs MV -3.81 -> -40.60 (lfs_unipolar1_s101, all weight on ML, which collapses
there); 12 up / 62 down; CPU 9.54 -> 18.59 s (1.95x). Dense crowds 93.342 -> 93.368 (4 up / 3
down), LF -6.886, crowds -1.209, pair -7.528, look-alike -0.529. Not adopted; ``src`` unchanged.
Exploratory afterwards (cannot adopt anything): ``--folds 2``, the weights from refits on two
folds of the votes instead of case deletion (no leakage, 4.68x CPU): 85.709, sets >= peer 62,
worst -10.95 (pair6_s1). Under both scores the weight on ML is *anti*-correlated with ML's
accuracy gain over MAP across the 93 sets (Spearman -0.32 and -0.31): predicting held-out votes
and recovering the labels rank the fits in opposite orders. Numbers and a diagnosis in
benchmarks/RESULTS.md ("session 24 (weak24)").
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
from scipy.optimize import minimize

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from dev_weak_labeler_strength import dev_set, report, score  # noqa: E402
from dev_weak_pair_check import sets  # noqa: E402

from labelwise.aggregate import DawidSkene  # noqa: E402
from labelwise.weak import LabelModel  # noqa: E402
from labelwise.weak._posterior import FLOOR  # noqa: E402

FITS = ("map", "ml", "moments")


def fit_all(votes, matrix: np.ndarray, k: int) -> tuple[dict, dict, dict, dict, dict]:
    """Each fit's posterior (n, K), confusion (m, K, K), pseudo-votes per row, labels (codes) and CPU."""
    post, conf, strength, labels, cpu = {}, {}, {}, {}, {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, params in (("map", {}), ("moments", {"n_em_iter": 0})):
            start = time.process_time()
            model = LabelModel(labels=list(range(k)), **params).fit(matrix)
            cpu[name] = time.process_time() - start
            order = pd.Index(model.classes_).get_indexer(range(k))
            post[name] = model.probas_.to_numpy()[:, order]
            conf[name] = model.confusion_[:, order][:, :, order]
            missing = name == "map" and model.abstains_ == "missing"  # the prior is used only there
            strength[name] = float(model.prior_strength) if missing else 0.0
            labels[name] = pd.Index(model.classes_).get_indexer(model.labels_.to_numpy())
        start = time.process_time()
        ds = DawidSkene(smoothing=0).fit(votes.to_annotations())
        cpu["ml"] = time.process_time() - start
    classes = pd.Index(votes.classes)
    order = pd.Index(ds.classes_).get_indexer(classes)
    probas = ds.probas_.reindex(votes.items).to_numpy()[:, order]
    post["ml"] = np.where(np.isnan(probas), 1.0 / k, probas)
    conf["ml"] = ds.annotator_confusion_[pd.Index(ds.annotators_).get_indexer(votes.labelers)][:, order][:, :, order]
    strength["ml"] = 0.0
    labels["ml"] = classes.get_indexer(ds.labels_.reindex(votes.items).to_numpy())
    return post, conf, strength, labels, cpu


def held_out_densities(matrix: np.ndarray, q: np.ndarray, theta: np.ndarray, s: float) -> np.ndarray:
    """``p(λ_ij | all other votes)`` for every vote (row-major over the voted cells), by case deletion."""
    k = q.shape[1]
    rows, cols = np.nonzero(matrix >= 0)
    vals = matrix[rows, cols]
    m = matrix.shape[1]
    t = q[rows]
    t_jy = np.stack([np.bincount(cols, weights=t[:, y], minlength=m) for y in range(k)], axis=1) + s
    th = np.maximum(theta[cols, :, vals], FLOOR)
    rest = np.log(np.maximum(t, 1e-300)) - np.log(th)
    rest = np.exp(rest - rest.max(axis=1, keepdims=True))
    rest /= rest.sum(axis=1, keepdims=True)
    total = t_jy[cols]
    held = np.maximum(th * total - t, 0.0) / np.maximum(total - t, FLOOR)
    return np.maximum((rest * np.maximum(held, FLOOR)).sum(axis=1), 1e-300)


def stacking_weights(dens: np.ndarray) -> np.ndarray:
    """``argmax_w Σ_n log(dens_n · w)`` on the simplex (``w = softmax(z)``, L-BFGS on ``z``).

    The objective is concave in ``w``, so the softmax parametrisation has no other local optimum;
    ``z = 0`` (equal weights) is the start, so the answer does not depend on the fits' order.
    """
    scale = dens.max(axis=1, keepdims=True)
    rel = dens / scale

    def loss(z: np.ndarray) -> tuple[float, np.ndarray]:
        w = np.exp(z - z.max())
        w /= w.sum()
        mix = rel @ w
        grad_w = -(rel / mix[:, None]).sum(axis=0)
        return -float(np.log(mix).sum()), w * (grad_w - grad_w @ w)

    z = minimize(loss, np.zeros(dens.shape[1]), jac=True, method="L-BFGS-B", options={"gtol": 1e-9}).x
    w = np.exp(z - z.max())
    return w / w.sum()


def stack(votes, matrix: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, dict, float, float]:
    """Stacked codes, weights, the members' labels (codes), CPU of the stack and CPU of the map fit alone."""
    start = time.process_time()
    post, conf, strength, labels, cpu = fit_all(votes, matrix, k)
    dens = np.stack([held_out_densities(matrix, post[f], conf[f], strength[f]) for f in FITS], axis=1)
    w = stacking_weights(dens)
    mixed = sum(w[i] * post[f] for i, f in enumerate(FITS))
    codes = np.argmax(mixed, axis=1)
    cpu_stack = time.process_time() - start
    return codes, w, labels, cpu_stack, cpu["map"]


def fold_fits(matrix: np.ndarray, k: int) -> tuple[dict, dict]:
    """Each fit's posterior (n, K) and confusion (m, K, K) on ``matrix`` (class codes, -1 abstain)."""
    post, conf = {}, {}
    n, m = matrix.shape
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, params in (("map", {}), ("moments", {"n_em_iter": 0})):
            model = LabelModel(labels=list(range(k)), **params).fit(matrix)
            order = pd.Index(model.classes_).get_indexer(range(k))
            post[name] = model.probas_.to_numpy()[:, order]
            conf[name] = model.confusion_[:, order][:, :, order]
        rows, cols = np.nonzero(matrix >= 0)
        long = pd.DataFrame({"item": rows, "annotator": cols, "label": matrix[rows, cols]})
        ds = DawidSkene(smoothing=0).fit(long)
    order = pd.Index(ds.classes_).get_indexer(range(k))
    prior = np.where(order >= 0, ds.priors_.to_numpy()[np.maximum(order, 0)], 0.0)
    probas = np.tile(prior / prior.sum(), (n, 1))
    got = np.asarray(ds.probas_.index)
    probas[got] = np.where(order >= 0, ds.probas_.to_numpy()[:, np.maximum(order, 0)], 0.0)
    post["ml"] = probas
    c = np.full((m, k, k), 1.0 / k)
    who = np.asarray(ds.annotators_)
    full = ds.annotator_confusion_[:, np.maximum(order, 0)][:, :, np.maximum(order, 0)]
    c[who] = np.where((order >= 0)[None, :, None] & (order >= 0)[None, None, :], full, 1.0 / k)
    conf["ml"] = c
    return post, conf


def fold_weights(matrix: np.ndarray, k: int, folds: int, seed: int = 0) -> np.ndarray:
    """Exploratory: stacking weights from refits on ``folds`` folds of the votes (no leakage, ~folds x cost).

    Each vote is held out once; the fits see the other folds' votes only, and the held-out vote's
    density is ``Σ_y q_k(y | i; training votes) θ_k[j, y, v]`` (both from the training fit).
    """
    rows, cols = np.nonzero(matrix >= 0)
    which = np.random.default_rng(seed).permutation(len(rows)) % folds
    dens = np.zeros((len(rows), len(FITS)))
    for f in range(folds):
        out = which == f
        train = matrix.copy()
        train[rows[out], cols[out]] = -1
        post, conf = fold_fits(train, k)
        r, c = rows[out], cols[out]
        v = matrix[r, c]
        for i, name in enumerate(FITS):
            dens[out, i] = (post[name][r] * np.maximum(conf[name][c, :, v], FLOOR)).sum(axis=1)
    return stacking_weights(np.maximum(dens, 1e-300))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--families", nargs="*", default=["clique", "dense", "pair", "lookalike"])
    ap.add_argument("--smoke", action="store_true", help="two dense crowds of seed 7 (not dev sets of the rule)")
    ap.add_argument(
        "--folds", type=int, default=0, help="exploratory only (after the rule run): weights from refits on folds"
    )
    args = ap.parse_args()
    pd.set_option("display.width", 240)
    if args.smoke:
        from dev_weak_dense_crowds import dev_sets as dense_sets

        chosen = [("dense", name, v, t) for name, v, t in dense_sets([7], quick=True)[:2]]
    else:
        chosen = sets(args.families)
    rows = []
    for family, name, votes, truth in chosen:
        matrix, k, g, scored, _, row = dev_set(family, name, votes, truth)
        codes, w, members, row["cpu_after"], row["cpu_before"] = stack(votes, matrix, k)
        if args.folds:
            start = time.process_time()
            w = fold_weights(matrix, k, args.folds)
            post, *_ = fit_all(votes, matrix, k)
            codes = np.argmax(sum(w[i] * post[f] for i, f in enumerate(FITS)), axis=1)
            row["cpu_after"] = time.process_time() - start
        row["before"] = score(members["map"], g, scored)
        row["ds_ml"] = score(members["ml"], g, scored)
        row["moments"] = score(members["moments"], g, scored)
        row["peer"] = max(row["ds_ml"], row["moments"])
        row["after"] = score(codes, g, scored)
        row["gain"] = row["after"] - row["before"]
        for i, f in enumerate(FITS):
            row[f"w_{f}"] = w[i]
        rows.append(row)
        print(pd.DataFrame([row]).round(3).to_string(index=False, header=len(rows) == 1), flush=True)
    acc = pd.DataFrame(rows)
    report(acc)
    print("\nmean stacking weights per family:")
    print(acc.groupby("family", sort=False)[[f"w_{f}" for f in FITS]].mean().round(3).to_string())


if __name__ == "__main__":
    main()
