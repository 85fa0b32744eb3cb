"""Dev run: SegmentationEM with one accuracy per (item, annotator) (``pool="item"``, crowd-kit's and
Lee et al.'s) or one per annotator over all items (``pool="annotator"``), on simulated crowd masks.

The rule, written before the runs (session 40, masks40): on
``simulate_masks(n_items=8, size=48, n_annotators=A, n_spammers=1, missing=0.1)`` with the fresh
seeds 900-909 and A in (3, 5), score each fit by the mean Dice of its consensus to the truth over
the items. ``pool="annotator"`` becomes the default only if, with the default ``prior="posterior"``
and in both settings, its mean over the ten seeds is higher than ``pool="item"``'s by at least 0.005
and it is higher on at least 8 of the 10 seeds; otherwise ``pool="item"`` stays the default.
``prior="item"`` is reported beside it (it chooses nothing).

    python benchmarks/dev_masks_em_pool.py
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from _machine import machine_line

from labelwise.aggregate import SegmentationEM
from labelwise.aggregate._masks_simulate import simulate_masks

SEEDS = range(900, 910)
#: annotators (one a spammer)
SETTINGS = (3, 5)


def mean_dice(pred: dict, truth: dict) -> float:
    """The mean Dice of each item's consensus to its true mask (1 where both are empty)."""
    out = []
    for item, true in truth.items():
        p = np.asarray(pred[item], dtype=bool)
        total = p.sum() + true.sum()
        out.append(2 * (p & true).sum() / total if total else 1.0)
    return float(np.mean(out))


def main() -> None:
    rows = []
    for n_ann in SETTINGS:
        for seed in SEEDS:
            masks, truth = simulate_masks(8, 48, n_ann, n_spammers=1, missing=0.1, random_state=seed)
            for prior in ("posterior", "item"):
                for pool in ("item", "annotator"):
                    fit = SegmentationEM(prior=prior, pool=pool).fit(masks)
                    dice = mean_dice(fit.masks_, truth)
                    rows.append({"annotators": n_ann, "seed": seed, "prior": prior, "pool": pool, "dice": dice})
    frame = pd.DataFrame(rows)
    wide = frame.pivot_table(index=["annotators", "prior", "seed"], columns="pool", values="dice")
    wide["gain"] = wide["annotator"] - wide["item"]
    summary = wide.groupby(level=["annotators", "prior"]).agg(
        item=("item", "mean"),
        annotator=("annotator", "mean"),
        gain=("gain", "mean"),
        wins=("gain", lambda g: (g > 0).sum()),
    )
    print(machine_line())
    print(summary.round(4).to_string())
    chosen = summary.xs("posterior", level="prior")
    switch = bool(((chosen["gain"] >= 0.005) & (chosen["wins"] >= 8)).all())
    print(f"rule: pool='annotator' becomes the default: {switch}")


if __name__ == "__main__":
    main()
