"""Crowd segmentation masks: labelwise's SegmentationEM and SegmentationRASA vs crowd-kit's classes of
the same names (and both majority votes), on the same simulated masks, in one run.

Masks are simulated by ``labelwise.aggregate._masks_simulate.simulate_masks`` (careful annotators who
shift the boundary by 0-2 pixels, miss a shape now and then and flip 1% of pixels; one spammer drawing
random blobs; each (item, annotator) missing with probability 0.1). Each setting is scored by the mean
Dice and IoU of the consensus to the truth, by the pixels where labelwise's crowd-kit mode
(``SegmentationEM(pool="item", prior="posterior")``, ``SegmentationRASA(pool="item")``) and crowd-kit
disagree, and timed (best of ``--repeat``; the large case once). The last setting is the large case:
100 images of 512x512 with 5 annotators.

``--dev`` compares the options (EM's prior, RASA's pool) on the dev seeds (100+), which chose the
defaults; the benchmark seeds (0+) are not used for that. ``lw-EM/pooled`` is today's
``SegmentationEM()`` default, one accuracy per annotator over all its images (session 40's
``benchmarks/dev_masks_em_pool.py`` chose it on seeds 900-909).

    python benchmarks/bench_masks_crowdkit.py [--repeat 3] [--dev] [--no-large]
"""

from __future__ import annotations

import argparse
import platform
import warnings

import numpy as np
import pandas as pd
import sklearn
from _machine import cpu_model
from bench_masks import best_time, scores

from labelwise.aggregate import MaskMajorityVote, SegmentationEM, SegmentationRASA
from labelwise.aggregate._masks_simulate import simulate_masks

#: (image side, annotators incl. one spammer, items)
SETTINGS = ((64, 3, 40), (64, 5, 40), (256, 5, 10), (256, 9, 10))
LARGE = (512, 5, 100)

OURS = {
    "lw-MV": MaskMajorityVote,
    "lw-EM": lambda: SegmentationEM(pool="item"),
    "lw-EM/item": lambda: SegmentationEM(pool="item", prior="item"),
    "lw-EM/pooled": SegmentationEM,
    "lw-RASA": SegmentationRASA,
    "lw-RASA/annotator": lambda: SegmentationRASA(pool="annotator"),
}
#: labelwise's crowd-kit mode -> the crowd-kit class it reproduces
PEERS = {"lw-MV": "ck-MV", "lw-EM": "ck-EM", "lw-RASA": "ck-RASA"}


def crowdkit_methods() -> dict:
    from crowdkit.aggregation import SegmentationEM as CkEM
    from crowdkit.aggregation import SegmentationMajorityVote
    from crowdkit.aggregation import SegmentationRASA as CkRASA

    return {"ck-MV": SegmentationMajorityVote, "ck-EM": CkEM, "ck-RASA": CkRASA}


def run_setting(size: int, n_ann: int, n_items: int, seed: int, repeat: int) -> list[dict]:
    masks, truth = simulate_masks(n_items, size, n_ann, n_spammers=1, missing=0.1, random_state=seed)
    long = pd.DataFrame(
        [(i, a, m.astype(bool)) for i, d in masks.items() for a, m in d.items()],
        columns=["task", "worker", "segmentation"],
    )
    rows, ours = [], {}
    for name, make in OURS.items():
        model, secs = best_time(lambda make=make: make().fit(masks), repeat)
        ours[name] = model.masks_
        rows.append({"method": name, "seconds": secs, **scores(model.masks_, truth)})
    for name, cls in crowdkit_methods().items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out, secs = best_time(lambda cls=cls: cls().fit_predict(long), repeat)
        theirs = {item: np.asarray(out.loc[item], dtype=bool) for item in masks}
        mine = next(k for k, v in PEERS.items() if v == name)
        differ = sum(int((ours[mine][item] != theirs[item]).sum()) for item in masks)
        rows.append({"method": name, "seconds": secs, "pixels_differing": differ, **scores(theirs, truth)})
    for row in rows:
        row.update(size=size, annotators=n_ann, items=n_items)
    return rows


def dev() -> None:
    """EM's prior and RASA's pool on the dev seeds (the defaults were chosen here)."""
    rows = []
    for seed in range(100, 105):
        for size, n_ann, n_items in ((64, 3, 30), (64, 5, 30), (128, 9, 10)):
            masks, truth = simulate_masks(n_items, size, n_ann, n_spammers=1, missing=0.1, random_state=seed)
            for name, make in OURS.items():
                dice = scores(make().fit(masks).masks_, truth)["dice"]
                rows.append({"option": name, "setting": f"{size}px x{n_ann}", "dice": dice})
    table = pd.DataFrame(rows).pivot_table(index="option", columns="setting", values="dice", aggfunc="mean")
    print("options on dev seeds 100-104 (mean Dice to the truth):")
    print(table.round(4).to_string())
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dev", action="store_true")
    parser.add_argument("--no-large", action="store_true", help="leave out the 100 x 512x512 case")
    args = parser.parse_args()
    print(
        f"{cpu_model()}, Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"scikit-learn {sklearn.__version__}"
    )
    if args.dev:
        dev()
    rows = []
    for k, (size, n_ann, n_items) in enumerate(SETTINGS):
        rows += run_setting(size, n_ann, n_items, seed=k, repeat=args.repeat)
    if not args.no_large:
        rows += run_setting(*LARGE, seed=len(SETTINGS), repeat=1)
    frame = pd.DataFrame(rows)
    index = ["size", "annotators", "items"]
    for value in ("dice", "iou"):
        print(f"mean {value} to the truth")
        print(frame.pivot_table(index=index, columns="method", values=value).round(4).to_string())
        print()
    print("pixels where labelwise's crowd-kit mode and crowd-kit differ")
    print(frame.pivot_table(index=index, columns="method", values="pixels_differing").to_string())
    print()
    secs = frame.pivot_table(index=index, columns="method", values="seconds")
    print("milliseconds")
    print((secs * 1000).round(1).to_string())
    print()
    ratio = pd.DataFrame({f"{peer} / {ours}": secs[peer] / secs[ours] for ours, peer in PEERS.items()})
    print("speed ratio (crowd-kit seconds / labelwise seconds; > 1: labelwise faster)")
    print(ratio.round(2).to_string())


if __name__ == "__main__":
    main()
