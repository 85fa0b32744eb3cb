"""Dev runs for the label model's prior on crowds (issue 15, session 6): simulated crowds only.

With missing abstains (crowd workers), :class:`labelwise.weak.LabelModel` returns the MAP fit of
Dawid-Skene's model under a diagonal-favouring Dirichlet prior of ``prior_strength`` pseudo-votes
per confusion row (8, chosen on sparse crowds). The diagnosis of the real crowd sets where the
model trails crowd-kit's maximum-likelihood Dawid-Skene (structure only: a hundred to a thousand
items, tens to a hundred workers, each answering a large share of the items, a weak crowd whose
majority vote is often wrong) suggests two suspects: a prior that still weighs on workers with
tens of answers, and cliques of workers who look dependent only because the vote shares that
stand for the class are often wrong. This script writes *dense crowds* of that structure
(workers independent given the class except on a share of hard items that lure many of them to
the same wrong class) and fits, on them and on every
crowd of ``dev_weak_clique_prior.py``, the variants fixed before the run:

* ``s8`` (the default), ``s4``, ``s2``, ``s0``: ``prior_strength``;
* ``indep``: the default without the clique search (``dependency_threshold=None``), a diagnosis.

``--variational`` replaces the MAP refit's M-step by the mean-field variational one of Bayesian
Dawid-Skene (Kim and Ghahramani 2012; Liu, Peng and Ihler 2012): the E-step uses
``exp(E[log π]) = exp(ψ(n + A) − ψ(Σ (n + A)))`` instead of the MAP ``(n + A) / Σ (n + A)``, so a
row with few answers is discounted by its uncertainty, not only pulled to the prior's mean (the
strengths then run 8, 4, 2, 1).

``--pair-specific`` compares, on these crowds *and* the LF sets of ``dev_weak_clique_prior.py``
(54 sets), the clique search with a pair's agreement z taken beyond the median pair's (``pair``,
dropped). ``--covote`` compares ``LabelModel`` as it is (a clique must also vote together more
than independent coverages given the class explain, kept after these runs) with the search as it
was (``bic_only``) and without cliques (``indep``).

Rule fixed before the run: a strength replaces the default only if its mean accuracy over all
these crowds is higher *and* its largest shortfall below majority vote is no larger (or within
0.5 points). Prints accuracy per set, then the mean, worst points below majority vote, and the
sets at least as accurate as aggregate's Dawid-Skene and as crowd-kit-like maximum likelihood::

    python benchmarks/dev_weak_dense_crowds.py [--seeds 0 1] [--quick]

``--pair-specific`` patches ``agreement_excess`` at ``weak._dependencies`` since session 55 (the clique search moved
there and ``label_model`` no longer imports it: the option raised AttributeError), passing on the ``sums`` argument
the search now gives.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

DENSE = [  # (n_items, K, n_workers, share of items each worker answers (range), confusable errors, hard share)
    (100, 2, 40, (0.9, 1.0), 0.0, 0.3),
    (150, 2, 25, (0.6, 1.0), 0.0, 0.2),
    (300, 2, 60, (0.05, 0.5), 0.0, 0.2),
    (800, 4, 100, (0.02, 0.3), 0.6, 0.2),
    (600, 4, 30, (0.05, 1.0), 0.6, 0.3),
    (500, 2, 140, (0.02, 0.3), 0.0, 0.1),
    (400, 3, 50, (0.1, 0.8), 0.5, 0.3),
]

_PAIR: dict = {}
CROWDS = ("crowd_", "sparse_", "batches_", "slots_")

VARIANTS = {
    "s8": {},
    "s4": {"prior_strength": 4.0},
    "s2": {"prior_strength": 2.0},
    "s0": {"prior_strength": 0.0},
    "indep": {"dependency_threshold": None},
}


def dense_crowd(n_items: int, k: int, m: int, share: tuple, confusable: float, hard: float, seed: int) -> tuple:
    """60% ordinary workers (accuracy 0.5-0.75), 25% good (0.75-0.95), 15% spammers (uniform
    answers); each answers a share of the items drawn from ``share``; a wrong answer goes to the
    class's look-alike ``(y + 1) % K`` with probability ``confusable``. On a ``hard`` share of the
    items every non-spammer answers the look-alike with probability 0.5 (ordinary) or 0.25 (good):
    the workers are dependent given the class there, as on real items that fool many workers."""
    from labelwise.weak import as_votes

    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n_items)
    is_hard = rng.random(n_items) < hard
    kind = rng.choice(3, size=m, p=[0.6, 0.25, 0.15])
    acc = np.where(kind == 0, rng.uniform(0.5, 0.75, m), rng.uniform(0.75, 0.95, m))
    answered = rng.random((n_items, m)) < rng.uniform(*share, m)[None, :]
    answered[np.arange(n_items), rng.integers(0, m, n_items)] = True  # every item has an answer
    item, worker = np.nonzero(answered)
    t = y[item]
    look = (t + 1) % k
    right = rng.random(len(item)) < acc[worker]
    other = (t + rng.integers(1, k, len(item))) % k
    label = np.where(right, t, np.where(rng.random(len(item)) < confusable, look, other))
    lure = np.where(kind[worker] == 0, 0.5, 0.25)
    label = np.where(is_hard[item] & (rng.random(len(item)) < lure), look, label)
    label = np.where(kind[worker] == 2, rng.integers(0, k, len(item)), label)
    answers = pd.DataFrame({"item": item, "labeler": [f"w{j}" for j in worker], "label": label})
    return as_votes(answers), pd.Series(y, index=pd.RangeIndex(n_items))


def dev_sets(seeds: list[int], quick: bool, lf_sets: bool = False) -> list[tuple[str, object, pd.Series]]:
    out = []
    for seed in seeds:
        for i, (n, k, m, share, conf, hard) in enumerate(DENSE):
            votes, y = dense_crowd(n, k, m, share, conf, hard, 1000 * seed + i)
            out.append((f"dense{i}_n{n}_K{k}_m{m}_s{seed}", votes, y))
    if not quick:
        from dev_weak_clique_prior import dev_sets as clique_sets

        out += [s for s in clique_sets() if lf_sets or s[0].startswith(CROWDS)]
    return out


def variational_m_step(lam_t, post, smoothing, patterns, pattern_group, prior=None):
    """:func:`labelwise.weak._posterior.em_m_step_missing` with the variational update where a prior is given."""
    from scipy.special import digamma

    from labelwise.weak import _posterior

    if prior is None:
        return _posterior.em_m_step_missing(lam_t, post, smoothing, patterns, pattern_group)
    mass = _posterior.column_sums(post)
    data = _posterior._outcome_counts(lam_t, post, mass)
    counts, votes = data + smoothing, data + prior
    n_pat = len(pattern_group)

    def per_pattern(c: np.ndarray) -> np.ndarray:
        return np.stack([np.bincount(patterns, weights=c[:, y], minlength=n_pat) for y in range(c.shape[1])], axis=1)

    cond = np.exp(digamma(votes) - digamma(per_pattern(votes)[patterns]))
    pattern_total = per_pattern(counts).sum(axis=1)
    group_total = np.bincount(pattern_group, weights=pattern_total)
    share = pattern_total / np.maximum(group_total[pattern_group], _posterior.FLOOR)
    return cond * share[patterns][:, None], mass / mass.sum()


def pair_specific_excess(lam, post, confusion, weights=None, gram=None, sums=None):
    """:func:`labelwise.weak._dependencies.agreement_excess` minus the median z of the pairs that share
    at least 20 items: a pair is dependent only beyond the excess every pair shows (a lure shared by
    the whole crowd on hard items raises them all; a copy raises one pair). ``sums``: passed on (the clique search
    gives the shared counts it computed once; the same z)."""
    z, shared = _PAIR["original"](lam, post, confusion, weights, gram, sums)
    iu = np.triu_indices(z.shape[0], 1)
    enough = shared[iu] >= 20
    if enough.any():
        z = z - float(np.median(z[iu][enough]))
        np.fill_diagonal(z, 0.0)
    return z, shared


def _no_covote_gate(tables, a, b):
    """Every pair passes the co-vote test: the clique search as it was before session 6."""
    return np.inf


def evaluate(name: str, votes, truth: pd.Series) -> dict:
    from labelwise.aggregate import DawidSkene, MajorityVote
    from labelwise.weak import LabelModel

    matrix = votes.matrix()
    g = truth.reindex(votes.items).to_numpy()
    scored = (matrix >= 0).any(axis=1) & pd.notna(g)

    def acc(labels) -> float:
        return float(np.mean(np.asarray(labels)[scored] == g[scored]))

    row: dict = {"set": name, "n": int(votes.n_items), "m": votes.n_labelers}
    for variant, params in VARIANTS.items():
        params = dict(params)
        if params.pop("_pair", False):
            _PAIR["module"].agreement_excess = pair_specific_excess
        if params.pop("_no_covote", False):
            from labelwise.weak._dependencies import PairTables

            PairTables.covote_z = _no_covote_gate
        try:
            model = LabelModel(**params).fit(votes)
        finally:
            if "module" in _PAIR:
                _PAIR["module"].agreement_excess = _PAIR["original"]
            if "covote_z" in _PAIR:
                from labelwise.weak._dependencies import PairTables

                PairTables.covote_z = _PAIR["covote_z"]
        row[variant] = acc(model.labels_.to_numpy())
        if variant in ("s8", "default"):
            row["cliques"] = sum(len(c) > 1 for c in model.groups_)
            row["abstains"] = model.abstains_
    answers = votes.to_annotations()
    row["majority"] = acc(MajorityVote().fit(answers).labels_.reindex(votes.items).to_numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        row["ds_ml"] = acc(DawidSkene(smoothing=0.0, prior_strength=0.0).fit(answers).labels_.reindex(votes.items))
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--quick", action="store_true", help="the dense crowds only")
    ap.add_argument("--variational", action="store_true", help="variational M-step for the prior's refit")
    ap.add_argument(
        "--pair-specific", action="store_true", help="compare the default with cliques tested beyond the median pair"
    )
    ap.add_argument("--covote", action="store_true", help="compare the default with cliques that must also co-vote")
    args = ap.parse_args()
    if args.covote:
        from labelwise.weak._dependencies import PairTables

        _PAIR["covote_z"] = PairTables.covote_z
        VARIANTS.clear()
        VARIANTS.update({"default": {}, "bic_only": {"_no_covote": True}, "indep": {"dependency_threshold": None}})
    if args.pair_specific:
        from labelwise.weak import _dependencies  # the clique search calls agreement_excess there (session 55)

        original = _dependencies.agreement_excess

        VARIANTS.clear()
        VARIANTS.update({"default": {}, "pair": {"_pair": True}, "indep": {"dependency_threshold": None}})
        _PAIR["original"], _PAIR["module"] = original, _dependencies
    if args.variational:
        from labelwise.weak import _em

        _em.em_m_step_missing = variational_m_step
        VARIANTS.pop("s0")
        VARIANTS["s1"] = {"prior_strength": 1.0}
        VARIANTS["indep"] = VARIANTS.pop("indep")
    pd.set_option("display.width", 220)
    rows = []
    for name, votes, truth in dev_sets(args.seeds, args.quick, lf_sets=args.pair_specific or args.covote):
        rows.append(evaluate(name, votes, truth))
        print(pd.DataFrame([rows[-1]]).round(4).to_string(index=False, header=len(rows) == 1), flush=True)
    frame = pd.DataFrame(rows)
    dense = frame[frame["set"].str.startswith("dense")]
    crowds = frame[frame["set"].str.startswith(CROWDS)]
    lfs = frame.drop(dense.index).drop(crowds.index)
    parts = (("all sets", frame), ("dense crowds", dense), ("other crowds", crowds), ("LF sets", lfs))
    for label, part in parts:
        if not len(part):
            continue
        print(f"\n{label} ({len(part)}): mean accuracy, worst points below majority vote, sets >= ML Dawid-Skene")
        for col in VARIANTS:
            worst = float(((part["majority"] - part[col]) * 100).max())
            ge = int((part[col] >= part["ds_ml"] - 1e-12).sum())
            print(f"{col:6s} mean {part[col].mean():.4f}  worst below MV {worst:+.2f}  >= ML DS {ge} of {len(part)}")


if __name__ == "__main__":
    main()
