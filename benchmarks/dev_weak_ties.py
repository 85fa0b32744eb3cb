"""Dev runs: how ``weak.LabelModel`` breaks exact ties between classes (issue 15, part 2, session 11).

When two classes have the same posterior (within ``1e-12``), ``labels_`` takes one at random,
seeded by ``random_state``. Main (before this change) drew once per *item*: an item's label then
depended on its position among the items, two items with the same votes could get different
labels, and ``fit(L[perm])`` did not give ``fit(L)``'s labels permuted. The change (``after``):
one seeded draw per *distinct vote row* (the rows :func:`labelwise.weak._compress.compress_rows`
sorts, so their order does not depend on the items'), and the same in ``predict``: the posterior is
a function of the vote row, and so is the label. Crowd-kit's Dawid-Skene and Snorkel's
``LabelModel`` take the first class of a tie; the model itself has no preference, so a seeded draw
stays, only its unit changes.

Sets, simulated and dev seeds only (never the benchmark's 19): session 6's 54 (the 40 of
``dev_weak_clique_prior.py``, the 14 dense crowds of ``dev_weak_dense_crowds.py``), the 27 pair
crowds of ``dev_aggregate_pair_crowds.py`` and the 12 look-alike crowds of
``dev_aggregate_eb_prior.py``; ``before`` is main's rule applied to the same fitted posterior
(``random_argmax`` over the items with ``random_state=0``), so both columns come from one fit.
Also per set: the items with an exact tie, and whether a random permutation of the items gives
the same labels item by item under each rule.

Rule, fixed (committed) before the first run: ``after`` replaces ``before`` only if, over all 93
accuracy sets, (1) the mean accuracy is not lower, (2) the worst accuracy minus majority vote is
not lower, (3) no LF set (the sets of ``dev_weak_clique_prior.py`` that are not crowds) loses more
than 0.5 point, and (4) the twins are not slower: ``dev_weak_speed.py --save`` with main's ``src``
and ``--compare`` with this branch's give the same labels and posteriors (to 1e-12) on its 52 sets
and a summed CPU time of the 12 twins at most 1.05x main's. Otherwise nothing changes::

    python benchmarks/dev_weak_ties.py [--families clique dense pair lookalike]
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from dev_weak_pair_check import sets  # noqa: E402

from labelwise.aggregate import MajorityVote  # noqa: E402
from labelwise.weak import LabelModel  # noqa: E402

VARIANTS = ("before", "after")


def random_argmax(post: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Session 11's ``before`` rule (a draw per item position), kept here since session 49 replaced the
    package's ``weak._posterior.random_argmax`` with ``item_argmax`` (a draw per tied item, sorted names)."""
    is_max = post >= post.max(axis=1, keepdims=True) - 1e-12
    return np.argmax(is_max * (1.0 + rng.random(post.shape)), axis=1)


def labels(matrix: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, LabelModel]:
    """Codes of ``labels_`` under main's rule (a draw per item) and this branch's, from one fit of
    the label matrix (classes ``0 .. k-1``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LabelModel(labels=list(range(k))).fit(matrix)
    before = random_argmax(model.probas_.to_numpy(), np.random.default_rng(0))
    after = pd.Index(model.classes_).get_indexer(model.labels_.to_numpy())
    return before, after, model


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--families", nargs="*", default=["clique", "dense", "pair", "lookalike"])
    args = ap.parse_args()
    pd.set_option("display.width", 220)
    rows = []
    for family, name, votes, truth in sets(args.families):
        matrix = votes.matrix()
        g = pd.Index(votes.classes).get_indexer(truth.reindex(votes.items).to_numpy())
        scored = (matrix >= 0).any(axis=1) & (g >= 0)
        mv = MajorityVote().fit(votes.to_annotations()).labels_.reindex(votes.items).to_numpy()
        k = len(votes.classes)
        before, after, model = labels(matrix, k)
        codes = {"before": before, "after": after}
        post = model.probas_.to_numpy()
        top = np.sort(post, axis=1)
        perm = np.random.default_rng(7).permutation(matrix.shape[0])
        permuted = dict(zip(VARIANTS, labels(matrix[perm], k)[:2], strict=True))
        row: dict = {"family": family, "set": name, "ties": int(((top[:, -1] - top[:, -2]) <= 1e-12).sum())}
        row["mv"] = 100 * float(np.mean(pd.Index(votes.classes).get_indexer(mv)[scored] == g[scored]))
        for v in VARIANTS:
            row[v] = 100 * float(np.mean(codes[v][scored] == g[scored]))
            row[f"perm_{v}"] = bool((permuted[v] == codes[v][perm]).all())
        rows.append(row)
        print(pd.DataFrame([row]).round(3).to_string(index=False, header=len(rows) == 1), flush=True)
    acc = pd.DataFrame(rows)
    print("\naccuracy minus majority vote (points): worst / mean; mean accuracy")
    for fam, part in [*acc.groupby("family", sort=False), ("all", acc)]:
        cells = [
            f"{v}: {(part[v] - part.mv).min():+.2f} / {(part[v] - part.mv).mean():+.3f}; {part[v].mean():.3f}"
            for v in VARIANTS
        ]
        print(f"{fam:10s} ({len(part):2d})  " + "   ".join(cells))
    print(f"\nitems with an exact tie: {int(acc.ties.sum())} (on {int((acc.ties > 0).sum())} sets)")
    print(
        f"labels the same under a permutation of the items: before {int(acc.perm_before.sum())} of {len(acc)} sets, after {int(acc.perm_after.sum())}"
    )
    lf = acc[acc.family == "lf"]
    rules = {
        "(1) mean not lower": acc.after.mean() >= acc.before.mean() - 1e-12,
        "(2) worst vs MV not lower": (acc.after - acc.mv).min() >= (acc.before - acc.mv).min() - 1e-12,
        "(3) no LF set loses > 0.5": bool(((lf.before - lf.after) <= 0.5).all()),
    }
    ok = True
    for what, passed in rules.items():
        print(f"{what}: {'passes' if passed else 'fails'}")
        ok &= passed
    print("(4) twins: see dev_weak_speed.py --compare (main's src saved)")
    print("rule (1)-(3):", "passes" if ok else "fails")


if __name__ == "__main__":
    main()
