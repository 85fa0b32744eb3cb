"""Crowd masks with given annotator weights: labelwise's ``MaskMajorityVote(weights=...)`` vs crowd-kit's
``SegmentationMajorityVote().fit(data, skills)`` on the same simulated masks, in one run.

Masks come from ``labelwise.aggregate._masks_simulate.simulate_masks`` (careful annotators who shift
the boundary, miss a shape now and then and flip 1% of pixels; spammers drawing random blobs; each
(item, annotator) missing with probability 0.1). The weights are what a user would have: each
annotator's mean Dice to the truth on 10 *gold* items of another seed (dev seeds 100+, never the
scored items). Printed per setting: the pixels where labelwise and crowd-kit disagree (0 expected),
the mean Dice to the truth of the plain and the weighted vote, and the best time of ``--repeat`` runs
of each library with the speed ratio.

    python benchmarks/bench_masks_weights.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings

import numpy as np
import pandas as pd
from _machine import cpu_model

from labelwise.aggregate import MaskMajorityVote
from labelwise.aggregate._masks_simulate import simulate_masks

#: (image side, annotators, spammers, items)
SETTINGS = ((64, 5, 1, 40), (64, 7, 3, 40), (256, 9, 4, 20))


def _dice(a: np.ndarray, b: np.ndarray) -> float:
    total = a.sum() + b.sum()
    return 1.0 if total == 0 else float(2 * (a & b).sum() / total)


def _gold_weights(side: int, n_annotators: int, n_spammers: int, seed: int) -> pd.Series:
    """Each annotator's mean Dice to the truth on 10 gold items (another seed than the scored items)."""
    masks, truth = simulate_masks(10, side, n_annotators, n_spammers=n_spammers, random_state=seed)
    scores = {j: [] for j in range(n_annotators)}
    for item, drawn in masks.items():
        for j, m in drawn.items():
            scores[j].append(_dice(m.astype(bool), truth[item].astype(bool)))
    return pd.Series({j: max(float(np.mean(s)), 1e-3) for j, s in scores.items()})


def _best(fn, repeat: int) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from crowdkit.aggregation import SegmentationMajorityVote

    print(f"# {cpu_model()}, Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}")
    print("side annot spam items | px differ | Dice plain  Dice weighted | lw s    ck s    ck/lw")
    for k, (side, n_ann, n_spam, n_items) in enumerate(SETTINGS):
        weights = _gold_weights(side, n_ann, n_spam, seed=100 + k)
        masks, truth = simulate_masks(n_items, side, n_ann, n_spammers=n_spam, missing=0.1, random_state=k)
        long = pd.DataFrame(
            [(i, j, m.astype(bool)) for i, drawn in masks.items() for j, m in drawn.items()],
            columns=["task", "worker", "segmentation"],
        )
        lw_s, ours = _best(lambda: MaskMajorityVote(weights=weights).fit(masks).masks_, args.repeat)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ck_s, theirs = _best(
                lambda: SegmentationMajorityVote().fit(long, skills=weights).segmentations_, args.repeat
            )
        plain = MaskMajorityVote().fit(masks).masks_
        differ = sum(int((ours[i] != np.asarray(theirs.loc[i], dtype=bool)).sum()) for i in masks)
        d_plain = np.mean([_dice(plain[i], truth[i].astype(bool)) for i in masks])
        d_weighted = np.mean([_dice(ours[i], truth[i].astype(bool)) for i in masks])
        print(
            f"{side:4d} {n_ann:5d} {n_spam:4d} {n_items:5d} | {differ:9d} | {d_plain:10.4f}  {d_weighted:13.4f} | "
            f"{lw_s:6.3f}  {ck_s:6.3f}  {ck_s / lw_s:5.2f}"
        )


if __name__ == "__main__":
    main()
