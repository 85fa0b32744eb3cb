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

Convergence: STAPLE's EM steps to ``tol=1e-6`` with SQUAREM (labelwise's default) and with plain EM
(the same E- and M-steps, one after the other), on each setting.

Label maps (``LABEL_SETTINGS``): K classes drawn as overlapping ellipses; careful annotators shift
each class's boundary by 0-2 pixels, relabel a whole region as another class now and then, and flip
2% of pixels to a random class; one spammer draws random blobs of random classes. labelwise's vote
and multi-class STAPLE vs SimpleITK's ``MultiLabelSTAPLEImageFilter`` per image (crowd-kit's
segmentation aggregators are binary only); scored by pixel accuracy and the mean Dice over the
non-background classes. No option was chosen on these data: STAPLE runs with its binary defaults.

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
#: (image side, annotators incl. one spammer, items, classes incl. the background)
LABEL_SETTINGS = ((64, 4, 20, 4), (128, 5, 10, 5), (256, 7, 4, 6))


def plain_em_steps(masks: dict, tol: float = 1e-6, max_iter: int = 5000) -> int:
    """EM steps of STAPLE's default model without SQUAREM, to the same parameter rule."""
    from labelwise.aggregate._masks_input import as_mask_set
    from labelwise.aggregate._masks_patterns import PatternTable, count_patterns, foreground_priors, m_step

    data = as_mask_set(masks)
    patterns = count_patterns(data, 1 << 20)
    gamma = foreground_priors(data, patterns, None, per_item=False)
    n = len(data.annotators)
    table = PatternTable(patterns, data.codes, gamma, n)
    p, q = np.full(n, 0.99), np.full(n, 0.99)
    for it in range(max_iter):
        new_p, new_q = m_step(table.em_step(p, q)[0], p, q)
        moved = max(np.abs(new_p - p).max(), np.abs(new_q - q).max())
        p, q = new_p, new_q
        if moved <= tol:
            return it + 1
    return max_iter


def simulate_label_maps(n_items: int, size: int, n_ann: int, k: int, seed: int) -> tuple[dict, dict]:
    from scipy import ndimage

    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size]
    maps, truth = {}, {}
    for i in range(n_items):
        true = np.zeros((size, size), dtype=np.uint8)
        for c in range(1, k):
            cy, cx = rng.uniform(0.2, 0.8, 2) * size
            ry, rx = rng.uniform(0.1, 0.25, 2) * size
            true[((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1] = c
        truth[i] = true
        drawn = {}
        for j in range(n_ann):
            if j == n_ann - 1:  # the spammer
                blobs = ndimage.gaussian_filter(rng.random((size, size)), sigma=size / 16)
                cuts = np.quantile(blobs, np.linspace(0, 1, k + 1)[1:-1])
                drawn[j] = rng.permutation(k)[np.searchsorted(cuts, blobs)].astype(np.uint8)
                continue
            mine = np.zeros_like(true)
            for c in range(1, k):
                region = true == c
                if j % 3:
                    grow = ndimage.binary_dilation if j % 2 else ndimage.binary_erosion
                    region = grow(region, iterations=j % 3)
                label = c if rng.random() >= 0.05 * (j % 4) else int(rng.integers(1, k))
                mine[region] = label
            flip = rng.random((size, size)) < 0.02
            mine[flip] = rng.integers(0, k, int(flip.sum()))
            drawn[j] = mine
        maps[i] = drawn
    return maps, truth


def label_scores(pred: dict, truth: dict, k: int) -> dict[str, float]:
    acc, dice = [], []
    for item, true in truth.items():
        p = np.asarray(pred[item])
        acc.append(float((p == true).mean()))
        per = []
        for c in range(1, k):
            total = (p == c).sum() + (true == c).sum()
            if total:
                per.append(2 * ((p == c) & (true == c)).sum() / total)
        dice.append(float(np.mean(per)) if per else 1.0)
    return {"accuracy": float(np.mean(acc)), "dice": float(np.mean(dice))}


def run_label_setting(size: int, n_ann: int, n_items: int, k: int, seed: int, repeat: int) -> list[dict]:
    maps, truth = simulate_label_maps(n_items, size, n_ann, k, seed)
    rows = []
    for name, make in {"lw-MV": MaskMajorityVote, "lw-STAPLE": STAPLE}.items():
        model, secs = best_time(lambda make=make: make().fit(maps), repeat)
        extra = {"n_iter": model.n_iter_, "converged": model.converged_} if name == "lw-STAPLE" else {}
        rows.append({"method": name, "seconds": secs, **label_scores(model.masks_, truth, k), **extra})
    try:
        import SimpleITK as sitk
    except ImportError:
        sitk = None
    if sitk is not None:

        def per_image():
            out = {}
            for item, drawn in maps.items():
                f = sitk.MultiLabelSTAPLEImageFilter()
                out[item] = sitk.GetArrayFromImage(f.Execute([sitk.GetImageFromArray(m) for m in drawn.values()]))
            return out

        out, secs = best_time(per_image, repeat)
        rows.append({"method": "sitk-MultiLabelSTAPLE", "seconds": secs, **label_scores(out, truth, k)})
    for row in rows:
        row.update(size=size, annotators=n_ann, items=n_items, classes=k)
    return rows


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
        extra = {"n_iter": model.n_iter_, "converged": model.converged_} if name != "lw-MV" else {}
        rows.append({"method": name, "seconds": secs, **scores(model.masks_, truth), **extra})
    rows.append({"method": "plain-EM", "n_iter": plain_em_steps(masks)})
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
    print()
    steps = frame[frame["method"].isin(["lw-STAPLE", "lw-STAPLE/item", "plain-EM"])]
    print("EM steps to tol=1e-6 (lw-STAPLE: SQUAREM; plain-EM: the default model without it)")
    print(steps.pivot_table(index=["size", "annotators", "items"], columns="method", values="n_iter").to_string())
    print("all labelwise STAPLE fits converged:", bool(steps["converged"].dropna().all()))
    print()
    labels = pd.DataFrame(
        [r for k, setting in enumerate(LABEL_SETTINGS) for r in run_label_setting(*setting, seed=k, repeat=args.repeat)]
    )
    index = ["size", "annotators", "items", "classes"]
    for value in ("accuracy", "dice"):
        print(f"label maps: {value}")
        print(labels.pivot_table(index=index, columns="method", values=value).round(4).to_string())
        print()
    lsecs = labels.pivot_table(index=index, columns="method", values="seconds")
    print("label maps: milliseconds")
    print((lsecs * 1000).round(1).to_string())
    if "sitk-MultiLabelSTAPLE" in lsecs:
        print("speed ratio sitk / lw-STAPLE:")
        print((lsecs["sitk-MultiLabelSTAPLE"] / lsecs["lw-STAPLE"]).round(2).to_string())
    print("label maps: lw-STAPLE EM steps")
    print(labels.dropna(subset=["n_iter"])[[*index, "n_iter", "converged"]].to_string(index=False))


if __name__ == "__main__":
    main()
