"""Crowd segmentation masks: labelwise's MaskMajorityVote and STAPLE vs crowd-kit's SegmentationMajorityVote,
SegmentationRASA and SegmentationEM, and SimpleITK's STAPLEImageFilter (run on each image; when
installed), on the same simulated masks, in one run. ``lw-STAPLE/item`` is labelwise's STAPLE run
on each image (``pool="item", prior="item"``), SimpleITK's model.

Masks are simulated by ``labelwise.aggregate._masks_simulate.simulate_masks``: random ellipses, careful
annotators who shift the boundary by 0-2 pixels, miss a shape now and then and flip 1% of pixels, and
one spammer drawing random blobs. Each setting (image size, annotators) is scored by the mean Dice
and IoU of the consensus to the truth over its items, and timed (best of ``--repeat``). ``--dev``
first compares STAPLE's options on the dev seeds (100+), which chose the defaults; the benchmark
seeds (0+) are not used for that.

    python benchmarks/bench_masks.py [--repeat 3] [--dev]
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

from labelwise.aggregate import STAPLE, MaskMajorityVote
from labelwise.aggregate._masks_simulate import simulate_masks

#: (image side, annotators incl. one spammer, items)
SETTINGS = ((64, 3, 40), (64, 5, 40), (256, 5, 10), (256, 9, 10), (512, 5, 4))


def scores(pred: dict, truth: dict) -> dict[str, float]:
    dice, iou = [], []
    for item, true in truth.items():
        p = np.asarray(pred[item], dtype=bool)
        inter, union, total = (p & true).sum(), (p | true).sum(), p.sum() + true.sum()
        dice.append(2 * inter / total if total else 1.0)
        iou.append(inter / union if union else 1.0)
    return {"dice": float(np.mean(dice)), "iou": float(np.mean(iou))}


def best_time(fit, repeat: int):
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fit()
        best = min(best, time.perf_counter() - t)
    return out, best


def crowdkit_methods():
    from crowdkit.aggregation import SegmentationEM, SegmentationMajorityVote, SegmentationRASA

    return {"ck-MV": SegmentationMajorityVote, "ck-RASA": SegmentationRASA, "ck-EM": SegmentationEM}


def run_setting(size: int, n_ann: int, n_items: int, seed: int, repeat: int) -> list[dict]:
    masks, truth = simulate_masks(n_items, size, n_ann, n_spammers=1, missing=0.1, random_state=seed)
    long = pd.DataFrame(
        [(i, a, m.astype(bool)) for i, d in masks.items() for a, m in d.items()],
        columns=["task", "worker", "segmentation"],
    )
    rows = []
    makers = {
        "lw-MV": MaskMajorityVote,
        "lw-STAPLE": STAPLE,
        "lw-STAPLE/item": lambda: STAPLE(pool="item", prior="item"),
    }
    for name, make in makers.items():
        model, secs = best_time(lambda make=make: make().fit(masks), repeat)
        rows.append({"method": name, "seconds": secs, **scores(model.masks_, truth)})
    for name, cls in crowdkit_methods().items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out, secs = best_time(lambda cls=cls: cls().fit_predict(long), repeat)
        rows.append({"method": name, "seconds": secs, **scores(out.to_dict(), truth)})
    try:
        import SimpleITK as sitk
    except ImportError:
        sitk = None
    if sitk is not None:

        def per_image():
            out = {}
            for item, drawn in masks.items():
                f = sitk.STAPLEImageFilter()
                f.SetForegroundValue(1)
                w = f.Execute([sitk.GetImageFromArray(m.astype(np.uint8)) for m in drawn.values()])
                out[item] = sitk.GetArrayFromImage(w) >= 0.5
            return out

        out, secs = best_time(per_image, repeat)
        rows.append({"method": "sitk-STAPLE", "seconds": secs, **scores(out, truth)})
    for row in rows:
        row.update(size=size, annotators=n_ann, items=n_items)
    return rows


def dev(repeat: int) -> None:
    """STAPLE's options on the dev seeds (the defaults were chosen here)."""
    options = {
        "pool=annotator prior=all init=0.99 (default)": {"pool": "annotator", "prior": "all", "init": 0.99},
        "pool=annotator prior=item": {"pool": "annotator", "prior": "item"},
        "pool=item prior=item": {"pool": "item", "prior": "item"},
        "pool=item prior=all": {"pool": "item", "prior": "all"},
        "init=0.9": {"init": 0.9},
    }
    rows = []
    for seed in range(100, 105):
        for size, n_ann, n_items in ((64, 3, 30), (64, 5, 30), (128, 9, 10)):
            masks, truth = simulate_masks(n_items, size, n_ann, n_spammers=1, missing=0.1, random_state=seed)
            for name, params in options.items():
                model = STAPLE(**params).fit(masks)
                rows.append(
                    {"option": name, "setting": f"{size}px x{n_ann}", "dice": scores(model.masks_, truth)["dice"]}
                )
    table = pd.DataFrame(rows).pivot_table(index="option", columns="setting", values="dice", aggfunc="mean")
    print("STAPLE options on dev seeds 100-104 (mean Dice to the truth):")
    print(table.round(4).to_string())
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dev", action="store_true")
    args = parser.parse_args()
    print(
        f"{cpu_model()}, Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"scikit-learn {sklearn.__version__}"
    )
    if args.dev:
        dev(args.repeat)
    rows = []
    for k, (size, n_ann, n_items) in enumerate(SETTINGS):
        rows += run_setting(size, n_ann, n_items, seed=k, repeat=args.repeat)
    frame = pd.DataFrame(rows)
    print(
        frame.pivot_table(index=["size", "annotators", "items"], columns="method", values="dice").round(4).to_string()
    )
    print()
    print(frame.pivot_table(index=["size", "annotators", "items"], columns="method", values="iou").round(4).to_string())
    print()
    secs = frame.pivot_table(index=["size", "annotators", "items"], columns="method", values="seconds")
    print((secs * 1000).round(1).to_string())
    print()
    ratio = pd.DataFrame(
        {
            "MV: ck / lw": secs["ck-MV"] / secs["lw-MV"],
            "EM: ck-EM / lw-STAPLE": secs["ck-EM"] / secs["lw-STAPLE"],
            "RASA: ck-RASA / lw-STAPLE": secs["ck-RASA"] / secs["lw-STAPLE"],
        }
    )
    if "sitk-STAPLE" in secs:
        ratio["STAPLE/item: sitk / lw"] = secs["sitk-STAPLE"] / secs["lw-STAPLE/item"]
    print("speed ratio (peer seconds / labelwise seconds; > 1: labelwise faster)")
    print(ratio.round(2).to_string())


if __name__ == "__main__":
    main()
