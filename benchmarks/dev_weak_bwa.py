"""Dev runs: BWA, a Bayesian weighted average for highly redundant crowds (issue 15, part 2, session 25).

The direction (new in session 25). ``weak.LabelModel`` loses to maximum-likelihood Dawid-Skene on
dense crowds (many votes per item), where the crowd prior's one-coin shape costs (sessions 11-12,
23-24); every change on the prior side of the MAP model failed its rule. BWA is a different model,
built for exactly that regime: Yuan Li, Benjamin I. P. Rubinstein and Trevor Cohn, "Truth Inference
at Scale: A Bayesian Model for Adjudicating Highly Redundant Crowd Annotations", The Web Conference
(WWW) 2019, 1028-1038 (arXiv:1902.08918).

The model, per class ``k`` (one-versus-rest, so each labeler has one reliability per class: the
paper's label-specific weighting). ``y_ij = 1[labeler j voted k on item i]`` for the votes that
exist (an abstain is a missing annotation: it enters no sum, as in the paper, where a worker's
term runs over the items it annotated):

* ``y_ij | z_i, v_j ~ N(z_i, 1 / v_j)`` (the binary label relaxed to a regression target);
* ``v_j ~ Gamma(a_v / 2, b_v / 2)`` (shape, rate; conjugate: an inverse-Gamma on the variance);
* ``z_i | μ ~ N(μ, 1 / λ)``.

Inference is the paper's EM: ``v_j`` is integrated (E-step: its posterior mean given ``z``), ``z``
and ``μ`` are point estimates (M-step), in the order

1. ``μ = mean_i z_i`` (over the items with a vote);
2. ``E[v_j] = (a_v + N_j) / (b_v + Σ_{i ∈ I_j} (y_ij − z_i)²)``, ``N_j`` = labeler ``j``'s votes;
3. ``z_i = (λ μ + Σ_{j ∈ J_i} E[v_j] y_ij) / (λ + Σ_{j ∈ J_i} E[v_j])``: a weighted vote, shrunk
   toward ``μ`` by ``λ`` pseudo-votes;

from the majority-vote fractions ``z_i = (votes for k) / W_i`` (``W_i`` the item's votes), until
``z`` moves by less than a relative 1e-3 (``np.allclose(..., rtol=1e-3)``) or after 500 rounds,
each class on its own (a class that has settled stops). Hyper-parameters, the authors' defaults:
``a_v = 15``, ``λ = 1``, and ``b_v`` by its empirical rule, ``b_v = a_v · σ̂² · c`` with ``σ̂² =
Σ_i W_i z_i (1 − z_i) / Σ_i W_i`` (the mean squared residual of a vote around the majority-vote
fraction, so the prior mean precision is ``1 / (c σ̂²)``) and the prior correction ``c = 4 (1 −
1/K)``. The label is ``argmax_k z_ik``; the item posterior reported is ``z_ik / Σ_k z_ik`` (the
classes are fitted separately, so the ``z_ik`` do not sum to one). An item with no vote gets ``z =
μ``. Sources: the paper's text was not available here beyond its abstract and summaries (a
regression relaxation with a normal likelihood and a conjugate inverse-Gamma prior on the variance,
EM, one-versus-rest with label-specific weights, a prior correction); the priors' defaults, the
update order, the initialisation and the stopping rule were read from the authors' public code
(github.com/yuan-li/truth-inference-at-scale, ``code/bwa.py``), not copied. ``b_v`` is floored at
``a_v · 2.2e-16``: it is 0 only when every item's votes are unanimous on the class, where the
formula divides by zero. Written in numpy from that description, all classes at once; checked on a
tiny simulated crowd and against a class-by-class loop (``--check``).

Two variants, each judged by the rule below; at most one is adopted (the gated one if both pass,
since it leaves today's model wherever BWA's premises fail):

* ``bwa``: BWA on every set;
* ``gated``: BWA where the crowd is highly redundant, else today's ``LabelModel()``. The gate,
  fixed now from the paper and first principles, not from any run: (a) the mean number of votes
  per item with a vote is at least 5 (the paper's definition of "highly redundant": ``≥ 5``
  annotations per instance, against ``≤ 3`` for the low-redundancy regime), and (b) today's model
  keeps *missing* abstains (``LabelModel().abstains_ == "missing"``), i.e. the data look like
  BWA's model of an abstain (a missing answer), not like labeling functions whose abstains carry
  information. The gate needs today's fit for (b), so ``gated`` costs that fit plus BWA.

Sets, simulated and dev seeds only (never the benchmark's sets 1000-1009 nor the real crowd
sets): the 93 of session 11's ``dev_weak_losses.py`` through ``dev_weak_pair_check.sets`` (14 LF
sets, 26 crowds, 14 dense crowds, 27 pair crowds, 12 look-alike crowds). Per set: majority vote;
``before`` (today's ``LabelModel()``), ``bwa`` and ``gated``; the peers of the rule,
``aggregate.DawidSkene(smoothing=0)`` and ``LabelModel(n_em_iter=0)``; the better of the two is
``peer``. Accuracy in points on the items with a vote and a truth; CPU seconds of each fit. The
harness (``dev_set``, ``score``, ``report``) is imported from ``dev_weak_labeler_strength.py``.

Adoption rule (weak23's, unchanged), committed before the one run that decides, applied to each
variant as ``after``: ``after`` becomes the default only if, over the 93 sets, (1) the mean
accuracy is not lower than ``before``'s; (2) the count of sets with accuracy >= ``peer`` (to
1e-9) is higher than ``before``'s; (3) no set falls more than 0.5 point below majority vote: for
every set ``after − mv >= min(before − mv, −0.5)``; (4) the summed CPU seconds of the ``after``
fits are at most 2x ``before``'s. Otherwise nothing changes in ``weak.LabelModel``. Disclosed:
before this rule was committed the code was run on a tiny simulated crowd (``--check``) and
smoke-run on two dense crowds of seed 7 (``--smoke``, ``dense_crowds.dev_sets([7])``, not among
the 93) to check that it runs. The smoke run's numbers, disclosed, changed nothing here: BWA
77.0 and 84.67 against ``before`` 81.0 and 92.0 (majority vote 75.0 and 82.67)::

    python benchmarks/dev_weak_bwa.py --check
    OMP_NUM_THREADS=1 python benchmarks/dev_weak_bwa.py [--families clique dense pair lookalike]
    OMP_NUM_THREADS=1 python benchmarks/dev_weak_bwa.py --diagnose   # exploratory, see below

Run once under the rule, 04:16:48-04:18:04 UTC 2026-12-04 (commit 33943e1, 2 cores shared):
**both variants fail (1), (2) and (3)**; (4) passes. ``bwa``: mean accuracy 86.578 -> 81.756
(majority vote 81.642), sets >= peer 70 -> 38, worst vs MV -3.81 -> -9.82 (sim100), 16 up / 76
down, CPU 0.78x; dense crowds 93.342 -> 82.932 (all 14 down, every one still 1.0-4.7 points
above majority vote). ``gated`` (gate open on 52 sets: 14 dense, 24 pair, 12 look-alike, 2
crowds): 84.280, sets >= peer 60, worst -3.81 but look3_s1 falls to -2.05 below MV, 8 up / 43
down, CPU 1.10x. Not adopted; ``weak.LabelModel`` unchanged. Exploratory afterwards
(``--diagnose``, cannot adopt anything): the library's ``aggregate.BWA`` (added as ``--method
bwa``) gives the same labels as ``bwa`` here on all 93 sets; on the dense crowds BWA ranks the
labelers well (Spearman of precision with true accuracy, median 0.86) but 99.8% of the 686 items
ML Dawid-Skene gets right and BWA wrong have a wrong or tied plain majority: a weighted vote
cannot overturn a majority lured to a look-alike class, a confusion matrix can. Numbers in
benchmarks/RESULTS.md ("session 25 (weak25b)").
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

from dev_weak_labeler_strength import dev_set, report, score  # noqa: E402
from dev_weak_pair_check import sets  # noqa: E402

from labelwise.aggregate import DawidSkene  # noqa: E402
from labelwise.weak import LabelModel  # noqa: E402

A_V = 15.0
LAMBDA = 1.0
REDUNDANT = 5.0  # votes per item (the paper's "highly redundant")


def bwa(
    matrix: np.ndarray,
    k: int,
    a_v: float = A_V,
    lam: float = LAMBDA,
    prior_correction: bool = True,
    max_iter: int = 500,
    rtol: float = 1e-3,
) -> np.ndarray:
    """BWA's ``z`` (n, K) of a vote matrix (class codes ``0..K-1``, ``-1`` abstain); see the module docstring."""
    n, m = matrix.shape
    rows, cols = np.nonzero(matrix >= 0)
    vals = matrix[rows, cols]
    w_i = np.bincount(rows, minlength=n).astype(float)
    n_j = np.bincount(cols, minlength=m).astype(float)
    has = w_i > 0
    y = np.zeros((len(rows), k))
    y[np.arange(len(rows)), vals] = 1.0
    z = np.zeros((n, k))
    np.add.at(z, (rows, vals), 1.0)
    z[has] /= w_i[has, None]
    c = 4 * (1 - 1 / k) if prior_correction else 1.0
    b_v = a_v * (w_i[:, None] * z * (1 - z)).sum(axis=0) / max(w_i.sum(), 1.0) * c
    b_v = np.maximum(b_v, a_v * np.finfo(float).eps)  # 0 only when every item is unanimous on the class
    active = np.ones(k, dtype=bool)
    for _ in range(max_iter):
        cls = np.flatnonzero(active)
        if not len(cls):
            break
        zc = z[:, cls]
        mu = zc[has].mean(axis=0)
        resid = (zc[rows] - y[:, cls]) ** 2
        sq = np.stack([np.bincount(cols, weights=resid[:, t], minlength=m) for t in range(len(cls))], axis=1)
        v = (a_v + n_j[:, None]) / (b_v[cls] + sq)
        vote_v = v[cols]
        num = np.stack([np.bincount(rows, weights=vote_v[:, t] * y[:, c_], minlength=n) for t, c_ in enumerate(cls)], 1)
        den = np.stack([np.bincount(rows, weights=vote_v[:, t], minlength=n) for t in range(len(cls))], axis=1)
        new = (lam * mu + num) / (lam + den)
        for t, c_ in enumerate(cls):
            if np.allclose(zc[has, t], new[has, t], rtol=rtol):
                active[c_] = False
        z[:, cls] = new
    z[~has] = z[has].mean(axis=0)
    return z


def bwa_fit(matrix: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, float]:
    """BWA's labels (codes), item posteriors ``z / Σ_k z`` and CPU seconds."""
    start = time.process_time()
    z = bwa(matrix, k)
    post = z / np.maximum(z.sum(axis=1, keepdims=True), 1e-300)
    return np.argmax(z, axis=1), post, time.process_time() - start


def lw_fit(matrix: np.ndarray, k: int, **params: object) -> tuple[np.ndarray, str, float]:
    """``LabelModel`` labels (codes), its abstain mode and CPU seconds."""
    start = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LabelModel(labels=list(range(k)), **params).fit(matrix)
    cpu = time.process_time() - start
    return pd.Index(model.classes_).get_indexer(model.labels_.to_numpy()), model.abstains_, cpu


def redundant(matrix: np.ndarray) -> float:
    """Mean votes per item among the items with a vote."""
    w = (matrix >= 0).sum(axis=1)
    return float(w[w > 0].mean()) if (w > 0).any() else 0.0


def check() -> None:
    """A tiny simulated crowd (300 items, K = 3, 12 labelers: 8 at 80% accuracy, 4 spammers
    answering uniformly, each answering 70% of the items): BWA must recover the truth at least as
    well as majority vote, give the good labelers the larger weights, and be exact on unanimous items."""
    rng = np.random.default_rng(0)
    n, k, m = 300, 3, 12
    truth = rng.integers(0, k, n)
    acc = np.r_[np.full(8, 0.8), np.full(4, 1 / k)]
    right = rng.random((n, m)) < acc
    wrong = (truth[:, None] + rng.integers(1, k, (n, m))) % k
    matrix = np.where(right, truth[:, None], wrong)
    matrix[rng.random((n, m)) > 0.7] = -1
    labels, post, _ = bwa_fit(matrix, k)
    counts = np.stack([(matrix == c).sum(axis=1) for c in range(k)], axis=1)
    mv = np.argmax(counts + 1e-3 * rng.random((n, k)), axis=1)
    print(f"check: BWA accuracy {np.mean(labels == truth):.3f}, majority vote {np.mean(mv == truth):.3f}")
    assert np.mean(labels == truth) >= np.mean(mv == truth) and np.mean(labels == truth) > 0.95
    assert np.allclose(post.sum(axis=1), 1.0)
    one = np.zeros((4, 5), dtype=int)
    one[1] = 1
    one[2] = [2, 2, 2, -1, -1]
    one[3] = -1
    assert (bwa_fit(one, 3)[0][:3] == [0, 1, 2]).all()
    assert np.allclose(bwa(matrix, k), plain_bwa(matrix, k), rtol=0, atol=1e-12)
    print("check passes (and the vectorised fit equals the class-by-class loop)")


def plain_bwa(matrix: np.ndarray, k: int, a_v: float = A_V, lam: float = LAMBDA) -> np.ndarray:
    """The same EM written class by class on dense masks, term by term as the docstring states it."""
    seen = matrix >= 0
    w_i, n_j = seen.sum(axis=1), seen.sum(axis=0)
    out = np.empty((len(matrix), k))
    for c in range(k):
        y = (matrix == c).astype(float)
        z = y.sum(axis=1) / w_i
        b_v = max(a_v * (w_i * z * (1 - z)).sum() / w_i.sum() * 4 * (1 - 1 / k), a_v * np.finfo(float).eps)
        for _ in range(500):
            last = z.copy()
            mu = z.mean()
            v = (a_v + n_j) / (b_v + (seen * (z[:, None] - y) ** 2).sum(axis=0))
            z = (lam * mu + (seen * y) @ v) / (lam + seen @ v)
            if np.allclose(last, z, rtol=1e-3):
                break
        out[:, c] = z
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--families", nargs="*", default=["clique", "dense", "pair", "lookalike"])
    ap.add_argument("--smoke", action="store_true", help="two dense crowds of seed 7 (not dev sets of the rule)")
    ap.add_argument("--check", action="store_true", help="a tiny simulated crowd BWA must recover")
    ap.add_argument("--diagnose", action="store_true", help="exploratory, after the rule run: where BWA loses")
    args = ap.parse_args()
    if args.check:
        check()
        return
    if args.diagnose:
        diagnose(args.families)
        return
    pd.set_option("display.width", 240)
    if args.smoke:
        from dev_weak_dense_crowds import dev_sets as dense_sets

        chosen = [("dense", name, v, t) for name, v, t in dense_sets([7], quick=True)[:2]]
    else:
        chosen = sets(args.families)
    rows = []
    for family, name, votes, truth in chosen:
        matrix, k, g, scored, long, row = dev_set(family, name, votes, truth)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = DawidSkene(smoothing=0).fit(long).labels_.reindex(votes.items).to_numpy()
        row["ds_ml"] = score(pd.Index(votes.classes).get_indexer(ds), g, scored)
        row["moments"] = score(lw_fit(matrix, k, n_em_iter=0)[0], g, scored)
        row["peer"] = max(row["ds_ml"], row["moments"])
        codes, mode, row["cpu_before"] = lw_fit(matrix, k)
        row["before"] = score(codes, g, scored)
        bwa_codes, _, row["cpu_bwa"] = bwa_fit(matrix, k)
        row["bwa"] = score(bwa_codes, g, scored)
        row["votes_per_item"] = redundant(matrix)
        row["gate"] = row["votes_per_item"] >= REDUNDANT and mode == "missing"
        row["gated"] = row["bwa"] if row["gate"] else row["before"]
        row["cpu_gated"] = row["cpu_before"] + (row["cpu_bwa"] if row["votes_per_item"] >= REDUNDANT else 0.0)
        rows.append(row)
        print(pd.DataFrame([row]).round(3).to_string(index=False, header=len(rows) == 1), flush=True)
    acc = pd.DataFrame(rows)
    for variant in ("bwa", "gated"):
        print(f"\n=== variant {variant} as after ===")
        judged = acc.assign(after=acc[variant], cpu_after=acc[f"cpu_{variant}"], gain=acc[variant] - acc.before)
        report(judged)
    print(f"\ngate open on {int(acc.gate.sum())} of {len(acc)} sets:", ", ".join(acc.set[acc.gate]))


def diagnose(families: list[str]) -> None:
    """Exploratory, after the rule run (nothing chosen on it). Per set: whether the library's
    ``aggregate.BWA``, fitted on the matrix's votes, gives the same labels as ``bwa`` here; the items ML Dawid-Skene gets right
    and BWA wrong, and the share of them whose plain majority is wrong too (a weighted vote cannot
    overturn a majority unless it weighs the majority's voters down); Spearman's correlation of a
    labeler's mean precision ``E[v_jk]`` with its true accuracy on the items it answered."""
    from scipy.stats import spearmanr

    from labelwise.aggregate import BWA

    out = []
    for family, name, votes, truth in sets(families):
        matrix, k, g, scored, long, _ = dev_set(family, name, votes, truth)
        codes = bwa_fit(matrix, k)[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r, c = np.nonzero(matrix >= 0)  # the matrix's votes (a long table may repeat a pair)
            lib = BWA().fit(pd.DataFrame({"item": r, "annotator": c, "label": matrix[r, c]}))
            ds = DawidSkene(smoothing=0).fit(long).labels_.reindex(votes.items).to_numpy()
        classes = pd.Index(votes.classes)
        lib_codes = np.full(len(g), -1)
        lib_codes[lib.labels_.index.to_numpy()] = lib.labels_.to_numpy()
        ds_codes = classes.get_indexer(ds)
        counts = np.stack([(matrix == c).sum(axis=1) for c in range(k)], axis=1)
        top = counts.max(axis=1, keepdims=True)
        mv_right = (counts[np.arange(len(g)), np.maximum(g, 0)] == top[:, 0]) & ((counts == top).sum(axis=1) == 1)
        lost = scored & (ds_codes == g) & (codes != g)
        prec = lib.precision_.mean(axis=1).reindex(range(matrix.shape[1])).to_numpy()
        seen = (matrix >= 0) & scored[:, None]
        acc = ((matrix == g[:, None]) & seen).sum(axis=0) / np.maximum(seen.sum(axis=0), 1)
        ok = seen.sum(axis=0) > 0
        rho = spearmanr(prec[ok], acc[ok]).statistic if ok.sum() > 2 else np.nan
        row = {"family": family, "set": name, "same_labels": bool((lib_codes[scored] == codes[scored]).all())}
        row |= {"ds_right_bwa_wrong": int(lost.sum()), "of_them_majority_wrong": float(np.mean(~mv_right[lost]))}
        row |= {"spearman_precision_accuracy": rho}
        out.append(row)
        print(pd.DataFrame([row]).round(3).to_string(index=False, header=len(out) == 1), flush=True)
    d = pd.DataFrame(out)
    print(f"library labels equal the script's on {int(d.same_labels.sum())} of {len(d)} sets")
    agg = {"ds_right_bwa_wrong": "sum", "of_them_majority_wrong": "mean", "spearman_precision_accuracy": "median"}
    print(d.groupby("family", sort=False).agg(agg).round(3).to_string())


if __name__ == "__main__":
    main()
