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
the model's before. Prints per set accuracy (points) minus majority vote, the pairs found, then
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

from labelwise.aggregate import MajorityVote  # noqa: E402
from labelwise.weak import LabelModel, as_votes  # noqa: E402

VARIANTS = {"before": {"pair_check": False}, "check": {"pair_check": True}}
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


def fit(votes, params: dict, repeat: int) -> tuple[LabelModel, float]:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = LabelModel(**params).fit(votes)
        times.append(time.process_time() - start)
    return model, float(np.median(times))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="fits per twin (timing)")
    ap.add_argument("--families", nargs="*", default=["clique", "dense", "pair", "lookalike", "twins"])
    args = ap.parse_args()
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
        for variant, params in VARIANTS.items():
            model, seconds = fit(votes, params, args.repeat if truth is None else 1)
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
        changed = acc[(acc.check - acc.before).abs() > 1e-9]
        print(f"\nsets changed: {len(changed)}; with a pair found: {int((acc.pairs > 0).sum())}")
        if len(changed):
            print((changed[["family", "set", "mv", "before", "check", "pairs"]]).round(3).to_string(index=False))
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


if __name__ == "__main__":
    main()
