"""Multi-label answer aggregation: labelwise's MultiLabelAggregator vs crowd-kit's BinaryRelevance,
with majority vote and Dawid-Skene per tag, on the same simulated crowds in one run.

No real multi-label crowd set exists in ../shared/data (every set there is single-label), so the
crowds are simulated (``labelwise.aggregate.simulate_multilabel_crowd``): per annotator and tag a
sensitivity from U(0.55, 0.95) and a specificity from U(0.8, 0.99), a share of spammers that choose
each tag at a fixed rate whatever the truth, and a few answers per item (sparse when there are many
annotators). Printed per crowd and method: per-tag accuracy (mean over tags, and the worst tag),
exact-set match, Hamming loss (the share of wrong item-tag decisions), and each library's time and
their ratio (best of ``--repeat``). labelwise runs with its defaults (Dawid-Skene with its diagonal
prior, threshold 0.5), crowd-kit with its own (DawidSkene ``n_iter=100``, ``tol=1e-5``).

    python benchmarks/bench_multilabel.py [--repeat 1] [--quick]
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings

import numpy as np
import pandas as pd
import sklearn
from _machine import cpu_model

from labelwise.aggregate import MultiLabelAggregator, simulate_multilabel_crowd

#: (name, simulate_multilabel_crowd arguments).
CROWDS = [
    (
        "dense: 2000 items, 10 tags, 20 annotators, 5/item, 10% spam",
        dict(n_items=2000, n_tags=10, n_annotators=20, per_item=5, spammers=0.1),
    ),
    (
        "spammy: 2000 items, 10 tags, 20 annotators, 5/item, 35% spam",
        dict(n_items=2000, n_tags=10, n_annotators=20, per_item=5, spammers=0.35),
    ),
    (
        "sparse: 10000 items, 20 tags, 300 annotators, 3/item, 15% spam",
        dict(n_items=10000, n_tags=20, n_annotators=300, per_item=3, spammers=0.15),
    ),
]
QUICK = [
    (
        name.replace("2000", "300").replace("10000", "1000"),
        {**kw, "n_items": kw["n_items"] // (7 if kw["n_items"] == 2000 else 10)},
    )
    for name, kw in CROWDS
]


def scores(chosen: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """Per-tag accuracy (mean, worst), exact-set match and Hamming loss of boolean item x tag decisions."""
    per_tag = (chosen == truth).mean(axis=0)
    return {
        "tag_acc": float(per_tag.mean()),
        "worst_tag": float(per_tag.min()),
        "exact": float((chosen == truth).all(axis=1).mean()),
        "hamming": float((chosen != truth).mean()),
    }


def run_labelwise(answers: pd.DataFrame, method: str, tags: pd.Index, items: pd.Index) -> np.ndarray:
    est = MultiLabelAggregator(method).fit(answers)
    return est.probas_.reindex(index=items, columns=tags).to_numpy() > 0.5


def run_crowdkit(answers: pd.DataFrame, method: str, tags: pd.Index, items: pd.Index) -> np.ndarray:
    from crowdkit.aggregation import BinaryRelevance, DawidSkene, MajorityVote

    base = MajorityVote() if method == "majority-vote" else DawidSkene(n_iter=100, tol=1e-5)
    table = answers.rename(columns={"item": "task", "annotator": "worker", "tags": "label"})
    table = table.assign(label=table["label"].map(list))
    labels = BinaryRelevance(base_aggregator=base).fit(table).labels_.reindex(items)
    index = {t: j for j, t in enumerate(tags)}
    chosen = np.zeros((len(items), len(tags)), dtype=bool)
    for i, got in enumerate(labels):
        for tag in got if isinstance(got, list) else []:
            chosen[i, index[tag]] = True
    return chosen


def timed(fn, repeat: int, *args) -> tuple[np.ndarray, float]:
    best, out = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn(*args)
        best = min(best, time.perf_counter() - start)
    return out, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="Smaller crowds (a check that the script runs).")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    print(
        f"{cpu_model()}; Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"scikit-learn {sklearn.__version__}"
    )
    rows = []
    for name, kw in QUICK if args.quick else CROWDS:
        crowd = simulate_multilabel_crowd(**kw, random_state=0)
        truth, tags, items = crowd.truth.to_numpy(), crowd.truth.columns, crowd.truth.index
        print(f"\n{name}: {len(crowd.answers)} answers, true tags per item {truth.sum(axis=1).mean():.2f}")
        for method in ("majority-vote", "dawid-skene"):
            ours, t_ours = timed(run_labelwise, args.repeat, crowd.answers, method, tags, items)
            theirs, t_theirs = timed(run_crowdkit, args.repeat, crowd.answers, method, tags, items)
            for lib, chosen, seconds in (("labelwise", ours, t_ours), ("crowd-kit", theirs, t_theirs)):
                s = scores(chosen, truth)
                rows.append({"crowd": name.split(":")[0], "method": method, "library": lib, **s, "seconds": seconds})
                print(
                    f"  {method:13s} {lib:9s} tag acc {s['tag_acc']:.4f} (worst tag {s['worst_tag']:.4f})  "
                    f"exact sets {s['exact']:.4f}  Hamming loss {s['hamming']:.4f}  {seconds:8.3f} s"
                )
            same_set, same_tag = (ours == theirs).all(axis=1).mean(), (ours == theirs).mean()
            print(
                f"  {method:13s} same decision in both: {same_tag:.4f} of item-tag pairs, {same_set:.4f} of sets; "
                f"crowd-kit / labelwise time {t_theirs / t_ours:.1f}x"
            )
    print("\n" + pd.DataFrame(rows).round(4).to_string(index=False))


if __name__ == "__main__":
    main()
