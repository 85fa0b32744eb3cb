"""Dev runs: aggregate's dependent-pair check wired into ``weak.LabelModel`` (issue 15, part 2, session 9).

When the label model keeps missing abstains (Dawid-Skene's model), ``LabelModel(pair_check=True)``
runs :class:`labelwise.aggregate.DawidSkene`'s dependent-pair check on its vote rows and refits
with the pairs found joined first into cliques (a joint table per pair, the model weak already has
for dependent functions). This script compares it with the model before (``pair_check=False``) on
simulated dev data only, dev seeds only:

* session 6's 54 sets: the 40 of ``dev_weak_clique_prior.py`` (LF sets and crowds) and the 14
  dense crowds of ``dev_weak_dense_crowds.py`` (seeds 0, 1);
* the 27 pair crowds of ``dev_aggregate_pair_crowds.py`` (9 crowds, seeds 0-2);
* the 12 look-alike crowds of ``dev_aggregate_eb_prior.py`` (4 crowds, seeds 0-2);
* for speed, the 12 twins of ``dev_weak_speed.py`` (the benchmark's slowest configurations with
  dev seeds): CPU seconds of one fit (BLAS on one thread), median of ``--repeat``.

Rule, fixed before the first run: the check is kept (``pair_check=True`` the default) only if,
over all 93 accuracy sets, (1) the mean accuracy is not lower, (2) the worst accuracy minus
majority vote is not lower, (3) no LF set (the sets of ``dev_weak_clique_prior.py`` that are not
crowds) loses more than 0.5 point, and (4) the summed CPU time over the 12 twins is at most 1.3x
the model's before.

``--composite`` (the second model of a flagged pair, measured after the rule above had passed
for the joint table): the pairs' votes weighted instead, ``1 / m`` each for the ``m`` members of
a dependent group that voted on an item (the composite likelihood that
``aggregate.DawidSkene`` uses; Williamson, Datta and Satten 2003; Varin, Reid and Firth 2011),
the groups left as the clique search made them, EM started from the weighted vote shares. Rule,
fixed before its first run: it replaces the joint table only if it passes rules (1)-(4) against
the model before *and* its mean accuracy over the 93 sets is higher than the joint table's and
its worst accuracy minus majority vote not lower. Prints per set accuracy (points) minus majority vote, the pairs found, then
worst / mean per family and the verdict::

    python benchmarks/dev_weak_pair_check.py [--repeat 3] [--families clique dense pair lookalike twins]
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

import scipy.sparse as sp  # noqa: E402
from scipy.sparse.csgraph import connected_components  # noqa: E402

from labelwise.aggregate import MajorityVote  # noqa: E402
from labelwise.weak import LabelModel, as_votes  # noqa: E402
from labelwise.weak._posterior import group_indicator  # noqa: E402


class CompositeLabelModel(LabelModel):
    """``LabelModel`` whose dependent pairs are modelled by weights (``--composite``), not cliques."""

    def _model_pairs(self, matrix, k, groups, pairs):
        if not len(pairs):
            return None
        n, m = matrix.shape
        a, b = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
        _, comp = connected_components(sp.csr_matrix((np.ones(len(a)), (a, b)), shape=(m, m)), directed=False)
        single = {g[0]: t for t, g in enumerate(groups) if len(g) == 1}  # a clique member keeps its clique
        lam_g, n_outcomes = group_indicator(matrix, k, groups)
        data = lam_g.data.reshape(n, len(groups)).copy()  # one entry per row and group, in group order
        weight = np.ones((n, m))
        for c in np.flatnonzero(np.bincount(comp) > 1):
            members = [j for j in np.flatnonzero(comp == c).tolist() if j in single]
            if len(members) < 2:
                continue
            voted = matrix[:, members] >= 0
            wgt = np.where(voted, 1.0 / np.maximum(voted.sum(axis=1), 1)[:, None], 1.0)
            data[:, [single[j] for j in members]] = wgt
            weight[:, members] = wgt
        if (data == 1.0).all():
            return None
        lam_w = sp.csr_matrix((data.ravel(), lam_g.indices, lam_g.indptr), shape=lam_g.shape)
        counts = np.stack([((matrix == c) * weight).sum(axis=1) for c in range(k)], axis=1)
        total = counts.sum(axis=1, keepdims=True)
        start = np.where(total > 0, counts / np.maximum(total, 1e-300), 1.0 / k)
        return groups, lam_w, n_outcomes, start


VARIANTS = {"before": (LabelModel, {"pair_check": False}), "check": (LabelModel, {"pair_check": True})}
CROWDS = ("crowd_", "sparse_", "batches_", "slots_")


def sets(families: list[str]):
    """(family, name, votes, truth); truth ``None`` for the twins (speed only)."""
    if "clique" in families:
        from dev_weak_clique_prior import dev_sets

        for name, votes, truth in dev_sets():
            yield ("crowd" if name.startswith(CROWDS) else "lf"), name, votes, truth
    if "dense" in families:
        from dev_weak_dense_crowds import dev_sets as dense_sets

        for name, votes, truth in dense_sets([0, 1], quick=True):
            yield "dense", name, votes, truth
    if "pair" in families:
        from dev_aggregate_pair_crowds import PAIR, pair_crowd

        for seed in (0, 1, 2):
            for i, cfg in enumerate(PAIR):
                answers, truth = pair_crowd(*cfg, seed=seed)
                yield "pair", f"pair{i}_s{seed}", as_votes(answers.rename(columns={"annotator": "labeler"})), truth
    if "lookalike" in families:
        from dev_aggregate_eb_prior import LOOK_ALIKE, look_alike_crowd

        for seed in (0, 1, 2):
            for i, cfg in enumerate(LOOK_ALIKE):
                answers, truth = look_alike_crowd(*cfg, seed=seed)
                yield "lookalike", f"look{i}_s{seed}", as_votes(answers.rename(columns={"annotator": "labeler"})), truth
    if "twins" in families:
        from dev_weak_speed import dev_sets as speed_sets

        for name, votes in speed_sets():
            if name.startswith("twin"):
                yield "twin", name, votes, None


def fit(votes, variant: tuple, repeat: int) -> tuple[LabelModel, float]:
    cls, params = variant
    times = []
    for _ in range(repeat):
        start = time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = cls(**params).fit(votes)
        times.append(time.process_time() - start)
    return model, float(np.median(times))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="fits per twin (timing)")
    ap.add_argument("--families", nargs="*", default=["clique", "dense", "pair", "lookalike", "twins"])
    ap.add_argument("--composite", action="store_true", help="also the pairs' votes weighted instead of cliques")
    args = ap.parse_args()
    if args.composite:
        VARIANTS["composite"] = (CompositeLabelModel, {})
    pd.set_option("display.width", 220)
    rows = []
    for family, name, votes, truth in sets(args.families):
        row: dict = {"family": family, "set": name}
        if truth is not None:
            matrix = votes.matrix()
            g = truth.reindex(votes.items).to_numpy()
            scored = (matrix >= 0).any(axis=1) & pd.notna(g)
            answers = votes.to_annotations()
            mv = MajorityVote().fit(answers).labels_.reindex(votes.items).to_numpy()
            row["mv"] = 100 * float(np.mean(mv[scored] == g[scored]))
        for variant, spec in VARIANTS.items():
            model, seconds = fit(votes, spec, args.repeat if truth is None else 1)
            row[f"t_{variant}"] = seconds
            if truth is not None:
                lab = model.labels_.to_numpy()
                row[variant] = 100 * float(np.mean(lab[scored] == g[scored]))
            if variant == "check":
                row["abstains"] = model.abstains_
                row["pairs"] = len(model.dependent_pairs_)
                row["cliques"] = sum(len(c) > 1 for c in model.groups_)
        rows.append(row)
        print(pd.DataFrame([row]).round(3).to_string(index=False, header=len(rows) == 1), flush=True)
    frame = pd.DataFrame(rows)
    acc = frame[frame.family != "twin"].copy()
    ok = True
    if len(acc):
        print("\naccuracy minus majority vote (points): worst / mean; mean accuracy")
        for fam, part in [*acc.groupby("family", sort=False), ("all", acc)]:
            cells = [
                f"{v}: {(part[v] - part.mv).min():+.2f} / {(part[v] - part.mv).mean():+.3f}; {part[v].mean():.3f}"
                for v in VARIANTS
            ]
            print(f"{fam:10s} ({len(part):2d})  " + "   ".join(cells))
        changed = acc[(acc[list(VARIANTS)[1:]].sub(acc.before, axis=0)).abs().max(axis=1) > 1e-9]
        print(f"\nsets changed: {len(changed)}; with a pair found: {int((acc.pairs > 0).sum())}")
        if len(changed):
            print((changed[["family", "set", "mv", *VARIANTS, "pairs"]]).round(3).to_string(index=False))
        lf = acc[acc.family == "lf"]
        rules = {
            "mean not lower": acc.check.mean() >= acc.before.mean() - 1e-12,
            "worst vs MV not lower": (acc.check - acc.mv).min() >= (acc.before - acc.mv).min() - 1e-12,
            "no LF set loses > 0.5": bool(((lf.before - lf.check) <= 0.5).all()),
        }
        for what, passed in rules.items():
            print(f"{what}: {'passes' if passed else 'fails'}")
            ok &= passed
    twins = frame[frame.family == "twin"]
    if len(twins):
        ratio = twins.t_check.sum() / twins.t_before.sum()
        print(f"\ntwins: CPU s summed {twins.t_before.sum():.3f} -> {twins.t_check.sum():.3f} ({ratio:.2f}x)")
        print(
            f"twins: {int((twins.abstains == 'missing').sum())} of {len(twins)} keep missing abstains (the check runs)"
        )
        ok &= ratio <= 1.3
        print(f"speed (<= 1.3x): {'passes' if ratio <= 1.3 else 'fails'}")
    print("rule:", "passes" if ok else "fails")
    if args.composite and len(acc):
        lf = acc[acc.family == "lf"]
        worst = {v: (acc[v] - acc.mv).min() for v in VARIANTS}
        own = (
            acc.composite.mean() >= acc.before.mean() - 1e-12
            and worst["composite"] >= worst["before"] - 1e-12
            and bool(((lf.before - lf.composite) <= 0.5).all())
        )
        if len(twins):
            own &= twins.t_composite.sum() <= 1.3 * twins.t_before.sum()
        better = acc.composite.mean() > acc.check.mean() and worst["composite"] >= worst["check"] - 1e-12
        print(f"composite: rules (1)-(4) {'pass' if own else 'fail'}; better than the joint table: {better}")
        print("composite replaces the joint table:", "yes" if own and better else "no")


if __name__ == "__main__":
    main()
