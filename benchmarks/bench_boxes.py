"""Boxes from several annotators: labelwise's WeightedBoxesFusion vs ensemble-boxes 1.0.9's
``weighted_boxes_fusion`` (same output, time ratio), and BoxConsensus vs WBF vs one annotator
against the truth, on the same simulated boxes in one run.

Boxes are simulated by ``labelwise.aggregate.simulate_boxes``: images of 640x480 pixels holding
1 + Poisson(2) objects of 3 classes; annotators who move each corner by normal noise of 5% of
the box's side, miss 10% of the objects and add Poisson(0.2) false boxes per image, and (in the
accuracy part) one spammer who draws only random boxes. Coordinates are divided by the image size
and clipped to [0, 1] for both libraries (ensemble-boxes wants them so).

Part 1 (``SPEED``): 1k to 100k boxes, 3 to 7 models; both libraries fuse every image
(ensemble-boxes one image per call, as it is used, its per-image lists built before the timing;
labelwise's time includes checking and encoding the table); "max diff" is the largest difference of
fused coordinates and scores after sorting each image's boxes, "same" says whether every image
has the same number of boxes. Times are the best of ``--repeat``; "BoxConsensus s" times the
consensus on the same boxes (another job: for scale only).

Part 2 (``ACCURACY``): 3, 5 and 7 annotators (one a spammer), 300 images; each method's boxes
matched to the truth one to one at IoU >= 0.5 (``compare_boxes``): precision, recall, F1 and mean
IoU of the matched boxes. WBF keeps every cluster, so it is scored on the fused boxes with score >=
``WBF_MIN_SCORE``, a threshold chosen by ``--dev`` on the dev seeds (100+), never on the benchmark
seeds (0+). "one annotator" is annotator a0 (an honest one) alone. BoxConsensus runs with its
defaults (IoU 0.5, strict majority of the image's annotators, median), chosen before any run.

Part 3 (``CROWDED``, session 33): one image of 1920x1080 pixels with 4,000 or 12,000 small objects
(8-24 px), 5 models that each find 90 % of them (corners moved by 5 % of the side), scores uniform
in [0.3, 1]: WBF with every group compared with every open cluster (main's path before session 33,
``LARGE_GROUP`` raised out of reach) against the grid of nearby clusters (the default), in one run;
"same" says whether the two give equal boxes_ bit for bit; ensemble-boxes on the same boxes
(normalised by the image size; one call) for scale and agreement ("max diff": the largest distance
from a fused box (score and corners) to the nearest of the other library's, both ways). Also the time of reading the
boxes from 5 COCO results files (``read_coco_boxes``).

Part 4 (``SKILL``, session 33): BoxConsensus's skill table in-sample vs leave-one-out on simulated
crowds of 3 and 5 annotators, 300 images, jitter 3 %: (a) one spammer: its rank and f1 under each
table; (b) no spammer, one sloppy annotator (a0, corners moved by a further 12 % of the side): each
table's mean IoU of honest and sloppy annotators against the truth's (``compare_boxes``), and the
gap between the two. The default (in-sample) was kept on the dev seeds 100-104 (``--part skill
--dev``) before the benchmark seeds 0-2 were run.

    python benchmarks/bench_boxes.py [--repeat 3] [--dev] [--part all|speed|accuracy|crowded|skill]
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

from labelwise.aggregate import _boxes_wbf
from labelwise.aggregate.boxes import BoxConsensus, WeightedBoxesFusion, compare_boxes, simulate_boxes
from labelwise.io.box_answers import read_coco_boxes

COORDS = ["x_min", "y_min", "x_max", "y_max"]
#: (images, models) of the speed part: about 1k, 10k and 100k boxes.
SPEED = ((100, 3), (1000, 3), (600, 5), (5000, 7))
#: Annotators (the last one a spammer) of the accuracy part.
ACCURACY = (3, 5, 7)
#: WBF's fused boxes kept for the accuracy part: chosen by --dev on seeds 100+.
WBF_MIN_SCORE = 0.2


def normalised(sim_boxes: pd.DataFrame) -> pd.DataFrame:
    boxes = sim_boxes.copy()
    boxes[["x_min", "x_max"]] /= 640.0
    boxes[["y_min", "y_max"]] /= 480.0
    boxes[COORDS] = boxes[COORDS].clip(0.0, 1.0)
    return boxes[(boxes.x_max > boxes.x_min) & (boxes.y_max > boxes.y_min)].reset_index(drop=True)


def per_image_lists(boxes: pd.DataFrame, models: list[str]) -> dict:
    """ensemble-boxes' input, built before its timing: per image, per model, boxes, scores and class codes."""
    label_codes = {c: k for k, c in enumerate(sorted(boxes.label.unique()))}
    lists = {}
    for image, drawn in boxes.groupby("image", sort=False):
        per = [drawn[drawn.annotator == m] for m in models]
        lists[image] = (
            [d[COORDS].to_numpy() for d in per],
            [d.score.to_numpy() for d in per],
            [d.label.map(label_codes).to_numpy() for d in per],
        )
    return lists


def ensemble_boxes_wbf(lists: dict) -> dict:
    from ensemble_boxes import weighted_boxes_fusion

    out = {}
    for image, (coords, scores, labels) in lists.items():
        fused, fused_scores, fused_labels = weighted_boxes_fusion(coords, scores, labels, iou_thr=0.55)
        out[image] = np.column_stack([fused_labels, fused_scores, fused])
    return out


def best_time(fn, repeat: int) -> tuple[float, object]:
    best, result = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def speed(repeat: int) -> None:
    print("\n## WBF: labelwise vs ensemble-boxes (same boxes, iou_thr 0.55, conf_type avg)\n")
    print(
        "| boxes | images | models | fused boxes | same | max diff | labelwise s | ensemble-boxes s | ratio "
        "| BoxConsensus s |"
    )
    print("|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|")
    for n_images, n_models in SPEED:
        boxes = normalised(simulate_boxes(n_images, n_models, random_state=0).boxes)
        models = [f"a{k}" for k in range(n_models)]
        est = WeightedBoxesFusion(score_col="score")
        ours_s, _ = best_time(lambda est=est, boxes=boxes: est.fit(boxes), repeat)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lists = per_image_lists(boxes, models)
            theirs_s, theirs = best_time(
                lambda lists=lists: ensemble_boxes_wbf(lists), 1 if len(boxes) > 50_000 else repeat
            )
        fused = est.boxes_
        consensus_s, _ = best_time(lambda boxes=boxes: BoxConsensus().fit(boxes), repeat)
        codes = {c: k for k, c in enumerate(sorted(boxes.label.unique()))}
        same, diff = True, 0.0
        for image, group in fused.groupby("image", sort=False):
            mine = np.column_stack([group.label.map(codes), group.score, group[COORDS]]).astype(float)
            other = theirs[image]
            if mine.shape != other.shape:
                same = False
                continue
            order_a = np.lexsort((mine[:, 2], mine[:, 1], mine[:, 0]))
            order_b = np.lexsort((other[:, 2], other[:, 1], other[:, 0]))
            diff = max(diff, float(np.abs(mine[order_a] - other[order_b]).max()))
        print(
            f"| {len(boxes)} | {n_images} | {n_models} | {len(fused)} | {same} | {diff:.1e} | {ours_s:.3f} | "
            f"{theirs_s:.3f} | {theirs_s / ours_s:.0f}x | {consensus_s:.3f} |"
        )


def scored(boxes: pd.DataFrame, truth: pd.DataFrame, name: str) -> dict:
    if boxes.empty:  # nothing kept: no precision, nothing found
        return {"method": name, "n_boxes": 0, "precision": np.nan, "recall": 0.0, "f1": 0.0, "mean_iou": np.nan}
    row = compare_boxes(boxes.assign(annotator=name), truth).iloc[0]
    return {"method": name, **{k: row[k] for k in ("n_boxes", "precision", "recall", "f1", "mean_iou")}}


def methods(sim) -> list[dict]:
    rows = []
    start = time.perf_counter()
    consensus = BoxConsensus().fit(sim.boxes, labeled=sim.labeled)
    rows.append(scored(consensus.boxes_, sim.truth, "consensus (median)") | {"s": time.perf_counter() - start})
    mean = BoxConsensus(fuse="mean").fit(sim.boxes, labeled=sim.labeled)
    rows.append(scored(mean.boxes_, sim.truth, "consensus (mean)"))
    start = time.perf_counter()
    fused = WeightedBoxesFusion(score_col="score").fit(sim.boxes).boxes_
    seconds = time.perf_counter() - start
    rows.append(
        scored(fused[fused.score >= WBF_MIN_SCORE], sim.truth, f"WBF score >= {WBF_MIN_SCORE}") | {"s": seconds}
    )
    rows.append(scored(fused, sim.truth, "WBF, every box"))
    unscored = WeightedBoxesFusion().fit(sim.boxes).boxes_  # human annotators have no scores
    majority = sim.boxes.annotator.nunique() // 2 + 1
    rows.append(scored(unscored[unscored.votes >= majority], sim.truth, "WBF unscored, majority votes"))
    rows.append(scored(sim.boxes[sim.boxes.annotator == "a0"], sim.truth, "one annotator (a0)"))
    return rows


def accuracy(seeds: range) -> None:
    print("\n## Against the truth (IoU >= 0.5; 300 images; the last annotator a spammer; mean over seeds)\n")
    for n in ACCURACY:
        rows = []
        for seed in seeds:
            sim = simulate_boxes(300, n, n_spammers=1, random_state=seed)
            rows += methods(sim)
        table = pd.DataFrame(rows).groupby("method", sort=False).mean()
        print(f"\n{n} annotators ({len(seeds)} seeds, {len(sim.boxes)} boxes in the last):\n")
        print(markdown(table))


def markdown(table: pd.DataFrame) -> str:
    """A markdown table (pandas' to_markdown needs tabulate, not installed)."""
    head = "| method | " + " | ".join(table.columns) + " |"
    rule = "|---|" + "---:|" * len(table.columns)
    cells = [
        "| " + name + " | " + " | ".join(f"{v:.0f}" if c == "n_boxes" else f"{v:.3f}" for c, v in row.items()) + " |"
        for name, row in table.iterrows()
    ]
    return "\n".join([head, rule, *cells])


def dev() -> None:
    print("\n## --dev: WBF's score threshold on seeds 100-104 (F1 against the truth)\n")
    grid = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5)
    for n in ACCURACY:
        f1: dict[float, list[float]] = {t: [] for t in grid}
        for seed in range(100, 105):
            sim = simulate_boxes(300, n, n_spammers=1, random_state=seed)
            fused = WeightedBoxesFusion(score_col="score").fit(sim.boxes).boxes_
            for t in grid:
                f1[t].append(scored(fused[fused.score >= t], sim.truth, "wbf")["f1"])
        print(f"{n} annotators: " + ", ".join(f"{t}: {np.mean(v):.3f}" for t, v in f1.items()))
    print("\n## --dev: BoxConsensus's fusion on seeds 100-104 (mean IoU of the matched boxes with the truth)\n")
    for n in ACCURACY:
        iou: dict[str, list[float]] = {"median": [], "mean": []}
        for seed in range(100, 105):
            sim = simulate_boxes(300, n, n_spammers=1, random_state=seed)
            for fuse in iou:
                found = BoxConsensus(fuse=fuse).fit(sim.boxes, labeled=sim.labeled).boxes_
                iou[fuse].append(scored(found, sim.truth, fuse)["mean_iou"])
        print(f"{n} annotators: " + ", ".join(f"{k}: {np.mean(v):.4f}" for k, v in iou.items()))


def crowded_image(n_objects: int, n_models: int = 5, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    wh = rng.uniform(8, 24, (n_objects, 2))
    low = rng.uniform(0, 1, (n_objects, 2)) * (np.array([1920.0, 1080.0]) - wh)
    truth = np.column_stack([low, low + wh])
    frames = []
    for m in range(n_models):
        found = rng.random(n_objects) > 0.1
        box = truth[found] + rng.normal(0, 0.05, (found.sum(), 4)) * np.tile(wh[found], 2)
        box[:, 2:] = np.maximum(box[:, 2:], box[:, :2] + 1)
        frames.append(
            pd.DataFrame(dict(zip(COORDS, box.T, strict=True))).assign(
                image=1, annotator=f"m{m}", label=1, score=rng.uniform(0.3, 1, found.sum())
            )
        )
    return pd.concat(frames, ignore_index=True)


def crowded(repeat: int, folder: str = "/tmp/bench_boxes_coco") -> None:
    import json
    import os

    from ensemble_boxes import weighted_boxes_fusion
    from scipy.spatial import cKDTree

    print("\n## WBF on one crowded image: every open cluster (before) vs the grid of nearby clusters (after)\n")
    print(
        "| boxes | fused | before s | after s | speed-up | same | ensemble-boxes s | max diff | read 5 COCO files s |"
    )
    print("|---:|---:|---:|---:|---:|---|---:|---:|---:|")
    for n_objects in (4000, 12000):
        boxes = crowded_image(n_objects)
        default = _boxes_wbf.LARGE_GROUP
        _boxes_wbf.LARGE_GROUP = 10**12
        before_s, before = best_time(lambda boxes=boxes: WeightedBoxesFusion(score_col="score").fit(boxes), repeat)
        _boxes_wbf.LARGE_GROUP = default
        after_s, after = best_time(lambda boxes=boxes: WeightedBoxesFusion(score_col="score").fit(boxes), repeat)
        same = after.boxes_.equals(before.boxes_) and np.array_equal(after.box_index_, before.box_index_)
        norm = boxes.assign(x_min=boxes.x_min / 1920, x_max=boxes.x_max / 1920)
        norm = norm.assign(y_min=norm.y_min / 1080, y_max=norm.y_max / 1080)
        norm[COORDS] = norm[COORDS].clip(0.0, 1.0)
        ours = WeightedBoxesFusion(score_col="score").fit(norm).boxes_
        per = [norm[norm.annotator == f"m{m}"] for m in range(5)]
        args = (
            [d[COORDS].to_numpy() for d in per],
            [d.score.to_numpy() for d in per],
            [d.label.to_numpy() for d in per],
        )
        start = time.perf_counter()
        fused, scores, labels = weighted_boxes_fusion(*args, iou_thr=0.55)
        theirs_s = time.perf_counter() - start
        theirs = np.column_stack([scores, fused])
        mine = ours[["score", *COORDS]].to_numpy()
        diff = np.nan
        if mine.shape == theirs.shape:  # each fused box's nearest one of the other side (sorting by a float32
            # score can swap near-equal rows), both ways
            diff = max(float(cKDTree(theirs).query(mine)[0].max()), float(cKDTree(mine).query(theirs)[0].max()))
        os.makedirs(folder, exist_ok=True)
        paths = []
        for m, drawn in boxes.groupby("annotator"):
            xy = drawn[COORDS].to_numpy()
            records = [
                {"image_id": 1, "category_id": 1, "bbox": [x0, y0, x1 - x0, y1 - y0], "score": s}
                for (x0, y0, x1, y1), s in zip(xy.tolist(), drawn.score.tolist(), strict=True)
            ]
            paths.append(os.path.join(folder, f"{m}.json"))
            with open(paths[-1], "w") as fh:
                json.dump(records, fh)
        read_s, _ = best_time(lambda paths=paths: read_coco_boxes(paths), repeat)
        print(
            f"| {len(boxes)} | {len(after.boxes_)} | {before_s:.2f} | {after_s:.2f} | {before_s / after_s:.1f}x | "
            f"{same} | {theirs_s:.2f} | {diff:.1e} | {read_s:.2f} |"
        )


def _sloppy(boxes: pd.DataFrame, seed: int) -> pd.DataFrame:
    """a0's corners moved by a further 12 % of the side (a careless annotator)."""
    rng = np.random.default_rng(seed)
    out = boxes.copy()
    rows = out.annotator == "a0"
    xy = out.loc[rows, COORDS].to_numpy()
    wh = np.tile(xy[:, 2:] - xy[:, :2], 2)
    xy = xy + rng.normal(0, 0.12, xy.shape) * wh
    xy[:, 2:] = np.maximum(xy[:, 2:], xy[:, :2] + 1)
    out.loc[rows, COORDS] = xy
    return out


def skill(seeds: range) -> None:
    print(f"\n## BoxConsensus's skill table: in-sample vs leave-one-out (seeds {seeds.start}-{seeds.stop - 1})\n")
    print("| annotators | table | spammer ranked last | spammer f1 | honest f1 (mean) |")
    print("|---:|---|---|---:|---:|")
    for n in (3, 5):
        rows: dict[str, list] = {"in-sample": [], "leave-one-out": []}
        for seed in seeds:
            sim = simulate_boxes(300, n, jitter=0.03, n_spammers=1, random_state=seed)
            for kind in rows:
                table = BoxConsensus(skill=kind).fit(sim.boxes, labeled=sim.labeled).annotators_
                spam = f"a{n - 1}"
                rows[kind].append((table.f1.idxmin() == spam, table.f1[spam], table.f1.drop(spam).mean()))
        for kind, r in rows.items():
            last, spam_f1, honest = (np.mean(c) for c in zip(*r, strict=True))
            print(f"| {n} | {kind} | {last:.0%} | {spam_f1:.3f} | {honest:.3f} |")
    print("\nOne sloppy annotator (a0), no spammer: mean IoU of matched boxes, each table vs the truth\n")
    print("| annotators | table | honest | sloppy | gap | truth: honest | truth: sloppy | truth gap |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for n in (3, 5):
        got: dict[str, list] = {"in-sample": [], "leave-one-out": [], "truth": []}
        for seed in seeds:
            sim = simulate_boxes(300, n, jitter=0.03, random_state=seed)
            boxes = _sloppy(sim.boxes, seed)
            truth = compare_boxes(boxes, sim.truth)
            got["truth"].append((truth.mean_iou.drop("a0").mean(), truth.mean_iou["a0"]))
            for kind in ("in-sample", "leave-one-out"):
                table = BoxConsensus(skill=kind).fit(boxes, labeled=sim.labeled).annotators_
                got[kind].append((table.mean_iou.drop("a0").mean(), table.mean_iou["a0"]))
        t_honest, t_sloppy = np.mean(got["truth"], axis=0)
        for kind in ("in-sample", "leave-one-out"):
            honest, sloppy = np.mean(got[kind], axis=0)
            print(
                f"| {n} | {kind} | {honest:.3f} | {sloppy:.3f} | {honest - sloppy:.3f} | {t_honest:.3f} | "
                f"{t_sloppy:.3f} | {t_honest - t_sloppy:.3f} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dev", action="store_true", help="choose WBF's score threshold on the dev seeds")
    parser.add_argument("--part", choices=("all", "speed", "accuracy", "crowded", "skill"), default="all")
    args = parser.parse_args()
    import ensemble_boxes

    print(
        f"{cpu_model()}, Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"scikit-learn {sklearn.__version__}, ensemble-boxes {getattr(ensemble_boxes, '__version__', '1.0.9')}"
    )
    if args.dev and args.part == "skill":
        skill(range(100, 105))
        return
    if args.dev:
        dev()
        return
    if args.part in ("all", "speed"):
        speed(args.repeat)
    if args.part in ("all", "accuracy"):
        accuracy(range(3))
    if args.part in ("all", "crowded"):
        crowded(args.repeat)
    if args.part in ("all", "skill"):
        skill(range(3))


if __name__ == "__main__":
    main()
