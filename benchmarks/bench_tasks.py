"""labelwise vs cleanlab 2.9 on every label shape: multi-label, token, segmentation, regression.

Each task: one synthetic input with simulated noise of known location (labelwise.noise), both
libraries timed on it in this process (one run each, wall clock), and the F1 of each flagged set
against the truth. Ratio = cleanlab time / labelwise time.

    python benchmarks/bench_tasks.py                        # all tasks, the sizes of issue 13
    python benchmarks/bench_tasks.py --tasks multilabel token --scale 0.1

Regression at 1e5 rows: cleanlab's default score ('outre') asks for n/2 neighbours of every row
(about 80 GB of distances and indices at 1e5 rows), so it runs in a child process under a wall
limit (--outre-limit-s) and an address-space limit (--outre-limit-gb, so that it fails with a
MemoryError instead of swapping a shared machine); the table says how it ended.
With --with-x the regression rows also compare each library's own flagged set from X and y,
neither told the number of errors: labelwise's default against cleanlab's
`regression.learn.CleanLearning` with its default model.

The memory-mapped segmentation run writes a (1000, 10, 256, 256) float32 file (2.6 GB) to
--tmp, audits it in a child process for N=250 and N=1000 images (peak RSS of each child, to show
that memory does not grow with N), then deletes it.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np
from _machine import cpu_model

ROWS: list[tuple] = []


def f1(flags: np.ndarray, truth: np.ndarray) -> float:
    hits = int((flags & truth).sum())
    return 2 * hits / max(int(flags.sum()) + int(truth.sum()), 1)


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def report(task: str, size: str, lw_t: float, cl_t: float | None, lw_f1: float, cl_f1: float | None, note: str = ""):
    ratio = f"{cl_t / lw_t:.1f}x" if cl_t else "-"
    cl_ts = f"{cl_t:.2f}" if cl_t else "-"
    cl_fs = f"{cl_f1:.3f}" if cl_f1 is not None else "-"
    ROWS.append((task, size, f"{lw_t:.2f}", cl_ts, ratio, f"{lw_f1:.3f}", cl_fs, note))
    print(
        f"{task:14s} {size:26s} labelwise {lw_t:7.2f}s cleanlab {cl_ts:>7s}s ratio {ratio:>6s}  "
        f"F1 labelwise {lw_f1:.3f} cleanlab {cl_fs} {note}",
        flush=True,
    )


def bench_multilabel(scale: float) -> None:
    from cleanlab.multilabel_classification.filter import find_label_issues as cl_find

    from labelwise.audit import multilabel
    from labelwise.noise import flip_tags

    n, k = int(1e5 * scale), 50
    rng = np.random.default_rng(0)
    truth = rng.random((n, k)) < rng.uniform(0.02, 0.2, k)
    noisy = flip_tags(truth, drop_rate=0.1, add_rate=0.005, random_state=1)
    logits = np.where(truth, 2.5, -2.5) + rng.normal(0, 1.2, (n, k))
    probs = 1 / (1 + np.exp(-logits))
    tags = [np.flatnonzero(r).tolist() for r in noisy.labels]
    ours, t_lw = timed(lambda: multilabel.find_label_issues(noisy.labels, probs))
    theirs, t_cl = timed(lambda: cl_find(labels=tags, pred_probs=probs))
    truth_rows = noisy.is_flipped.any(axis=1)
    report(
        "multilabel",
        f"{n:,} x {k}",
        t_lw,
        t_cl,
        f1(ours.is_example_issue, truth_rows),
        f1(theirs, truth_rows),
        "F1 over examples",
    )


def bench_token(scale: float) -> None:
    from cleanlab.token_classification.filter import find_label_issues as cl_find

    from labelwise.audit import token

    n_sent, k = int(50_000 * scale), 10
    rng = np.random.default_rng(0)
    lens = rng.integers(10, 30, n_sent)
    total = int(lens.sum())
    true = rng.integers(0, k, total)
    true[rng.random(total) < 0.6] = 0  # mostly "O"
    given = true.copy()
    flip = rng.random(total) < 0.05
    given[flip] = (true[flip] + rng.integers(1, k, flip.sum())) % k
    logits = rng.normal(0, 1, (total, k))
    logits[np.arange(total), true] += 3.0
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    bounds = np.cumsum(lens)[:-1]
    labels_s = [s.tolist() for s in np.split(given, bounds)]
    probs_s = np.split(probs, bounds)
    ours, t_lw = timed(lambda: token.find_label_issues(labels_s, probs_s))
    theirs, t_cl = timed(lambda: cl_find(labels_s, probs_s))
    starts = np.r_[0, np.cumsum(lens)[:-1]]
    cl_mask = np.zeros(total, bool)
    if theirs:
        s, t = np.array(theirs).T
        cl_mask[starts[s] + t] = True
    report(
        "token",
        f"{total:,} tokens x {k}",
        t_lw,
        t_cl,
        f1(ours.is_issue, flip),
        f1(cl_mask, flip),
        "input: per-sentence lists",
    )


def _seg_case(n: int, k: int, size: int, seed: int = 0, dtype=np.float64):
    from labelwise.noise import corrupt_masks

    rng = np.random.default_rng(seed)
    masks = np.zeros((n, size, size), dtype=np.int64)
    for i in range(n):
        for cls in range(1, k):
            top, left = rng.integers(0, size // 2, 2)
            h, w = rng.integers(size // 6, size // 2, 2)
            masks[i, top : top + h, left : left + w] = cls
    noisy = corrupt_masks(masks, rate=0.05, rho=0.95, n_classes=k, random_state=seed + 1)
    logits = rng.normal(0, 1.0, (n, k, size, size)).astype(dtype)
    np.put_along_axis(logits, masks[:, None], np.take_along_axis(logits, masks[:, None], 1) + 3.0, axis=1)
    np.exp(logits, out=logits)
    logits /= logits.sum(axis=1, keepdims=True)
    return noisy, logits


def bench_segmentation(scale: float) -> None:
    from cleanlab.segmentation.filter import find_label_issues as cl_find

    from labelwise.audit import segmentation

    n = max(2, int(100 * scale))
    noisy, probs = _seg_case(n, 5, 128)
    ours, t_lw = timed(lambda: segmentation.find_label_issues(noisy.labels, probs))
    theirs, t_cl = timed(lambda: cl_find(noisy.labels, probs, verbose=False))
    report(
        "segmentation",
        f"{n} x 5 x 128 x 128",
        t_lw,
        t_cl,
        f1(ours.is_issue, noisy.is_corrupted),
        f1(theirs, noisy.is_corrupted),
        "KMS-correlated noise, rho 0.95",
    )


def _memmap_child(path: str, labels_path: str, n: int, mask_path: str) -> None:
    import tracemalloc

    from labelwise.audit import segmentation

    probs = np.load(path, mmap_mode="r")[:n]
    labels = np.load(labels_path, mmap_mode="r")[:n]
    tracemalloc.start()
    t = time.perf_counter()
    res = segmentation.find_label_issues(labels, probs, mask_path=mask_path)
    wall = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    # ru_maxrss survives exec (it would report the parent's peak); VmHWM is this process's own.
    with open("/proc/self/status", encoding="ascii") as fh:
        hwm = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM")) / 1024
    table = res.regions.memory_usage(index=False).sum() / 2**20
    print(f"CHILD {n} {wall:.2f} {peak:.0f} {res.n_issues} {hwm:.0f} {table:.1f} {len(res.regions)}")


def bench_memmap(scale: float, tmp: str) -> None:
    n_all, k, size = max(4, int(1000 * scale)), 10, 256
    with tempfile.TemporaryDirectory(dir=tmp) as d:
        path, lpath = os.path.join(d, "probs.npy"), os.path.join(d, "labels.npy")
        probs = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(n_all, k, size, size))
        labels = np.lib.format.open_memmap(lpath, mode="w+", dtype=np.int16, shape=(n_all, size, size))
        for start in range(0, n_all, 20):
            stop = min(start + 20, n_all)
            noisy, p = _seg_case(stop - start, k, size, seed=start, dtype=np.float32)
            probs[start:stop] = p
            labels[start:stop] = noisy.labels
        probs.flush()
        labels.flush()
        del probs, labels
        results = {}
        for n in (n_all // 4, n_all):
            out = subprocess.run(
                [sys.executable, __file__, "--child", path, lpath, str(n), os.path.join(d, f"mask{n}.npy")],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            line = next(x for x in out.splitlines() if x.startswith("CHILD")).split()
            results[n] = (float(line[2]), float(line[3]), float(line[5]), float(line[6]))
            print(
                f"memmap segmentation N={n}: {results[n][0]:.1f} s, peak allocated {results[n][1]:.0f} MB, "
                f"of which the returned regions table {results[n][3]:.1f} MB ({int(line[7]):,} regions); "
                f"VmHWM {results[n][2]:.0f} MB (includes mapped file pages)",
                flush=True,
            )
        (_, m_small, h_small, r_small), (t_big, m_big, h_big, r_big) = results[n_all // 4], results[n_all]
        ROWS.append(
            (
                "segmentation (memmap)",
                f"{n_all} x {k} x {size} x {size} float32",
                f"{t_big:.1f}",
                "-",
                "-",
                "-",
                "-",
                (
                    f"peak allocated {m_small:.0f} MB at N={n_all // 4}, {m_big:.0f} MB at N={n_all} "
                    f"(the returned regions table: {r_small:.1f} / {r_big:.1f} MB); "
                    f"VmHWM {h_small:.0f} / {h_big:.0f} MB"
                ),
            )
        )


def _regression_case(n: int, seed: int = 0):
    from labelwise.noise import corrupt_targets

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    sd = 0.2 + 0.8 * np.abs(X[:, 0])
    y = X @ np.array([1.0, -2.0, 0.5, 0.0, 1.5]) + np.sin(3 * X[:, 1]) + rng.normal(0, 1, n) * sd
    noisy = corrupt_targets(y, rate=0.05, random_state=seed + 1)
    pred = y + rng.normal(0, 1, n) * sd * 0.5  # out-of-fold predictions of a good model
    return X, noisy, pred


def _top_count(scores: np.ndarray, m: int) -> np.ndarray:
    """The ``m`` lowest scores (cleanlab: low quality = likely wrong)."""
    mask = np.zeros(scores.size, bool)
    mask[np.argsort(scores, kind="stable")[:m]] = True
    return mask


def _outre_child(n: int, seed: int, limit_gb: float) -> None:
    """cleanlab's default regression score in this process, under an address-space limit."""
    import resource

    limit = int(limit_gb * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from cleanlab.regression.rank import get_label_quality_scores

    _, noisy, pred = _regression_case(n, seed)
    t = time.perf_counter()
    try:
        scores = get_label_quality_scores(noisy.labels, pred)
    except MemoryError:
        print(f"OUTRE memory {time.perf_counter() - t:.2f}")
        return
    wall = time.perf_counter() - t
    print(f"OUTRE done {wall:.2f} {f1(_top_count(scores, noisy.n_corrupted), noisy.is_corrupted):.4f}")


def _outre_limited(n: int, seed: int, limit_s: float, limit_gb: float) -> tuple[float | None, str]:
    """Run cleanlab 'outre' on the n-row case in a child process; (seconds or None, what happened)."""
    cmd = [sys.executable, __file__, "--child-outre", str(n), str(seed), str(limit_gb)]
    t = time.perf_counter()
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=limit_s).stdout
    except subprocess.TimeoutExpired:
        return None, f"cleanlab 'outre' did not finish in {limit_s:.0f} s (killed)"
    line = next((x for x in out.splitlines() if x.startswith("OUTRE")), "OUTRE failed")
    if line.startswith("OUTRE done"):
        return float(line.split()[2]), f"cleanlab 'outre' finished, F1 at the true count {line.split()[3]}"
    wall = time.perf_counter() - t
    return None, (
        f"cleanlab 'outre' ran out of memory after {wall:.0f} s under a {limit_gb:g} GB limit "
        f"(its n/2 neighbours need about {n * (n // 2) * 16 / 2**30:.1f} GB of distances and indices)"
    )


def bench_regression(
    scale: float, with_x: bool = False, limit_s: float = 240, limit_gb: float = 4, x_rows: int | None = None
) -> None:
    from cleanlab.regression.rank import get_label_quality_scores

    from labelwise.audit import regression

    n_small = int(5e3 * min(scale * 10, 1))
    X, noisy, pred = _regression_case(n_small)
    ours, t_lw = timed(lambda: regression.find_label_issues(noisy.labels, pred))
    theirs, t_cl = timed(lambda: get_label_quality_scores(noisy.labels, pred))
    at_count = f1(_top_count(ours.label_quality, noisy.n_corrupted), noisy.is_corrupted)
    report(
        "regression",
        f"{n_small:,} rows, predictions",
        t_lw,
        t_cl,
        f1(ours.is_issue, noisy.is_corrupted),
        f1(_top_count(theirs, noisy.n_corrupted), noisy.is_corrupted),
        f"labelwise rule 'mixture' (not told the count; its ranking at the true count: F1 {at_count:.3f}); "
        "cleanlab 'outre' (default, n/2 neighbours) told the true number of errors",
    )
    # cleanlab's time at half the rows, for a power-law extrapolation n^p to 1e5 rows.
    _, half, half_pred = _regression_case(n_small // 2)
    _, t_half = timed(lambda: get_label_quality_scores(half.labels, half_pred))
    power = np.log(t_cl / t_half) / np.log(2.0)
    n = int(1e5 * scale)
    X, noisy, pred = _regression_case(n, seed=2)
    ours, t_lw = timed(lambda: regression.find_label_issues(noisy.labels, pred))
    at_count = f1(_top_count(ours.label_quality, noisy.n_corrupted), noisy.is_corrupted)
    resid = get_label_quality_scores(noisy.labels, pred, method="residual")
    t_outre, what = _outre_limited(n, 2, limit_s, limit_gb)
    if t_outre is None:
        guess = t_cl * (n / n_small) ** power
        what += (
            f"; its time extrapolated from {n_small // 2:,} and {n_small:,} rows ({t_half:.2f} s, {t_cl:.2f} s; "
            f"n^{power:.2f}): {guess:,.0f} s, i.e. {guess / t_lw:,.0f}x labelwise"
        )
    report(
        "regression",
        f"{n:,} rows, predictions",
        t_lw,
        t_outre,
        f1(ours.is_issue, noisy.is_corrupted),
        f1(_top_count(resid, noisy.n_corrupted), noisy.is_corrupted),
        f"{what}; F1 cleanlab is its 'residual' score told the true count; "
        f"labelwise's ranking at the true count: F1 {at_count:.3f}",
    )
    if with_x:
        n_x = n if x_rows is None else min(n, x_rows)
        ours_x, t_x = timed(lambda: regression.find_label_issues(noisy.labels[:n_x], pred[:n_x], X=X[:n_x]))
        report(
            "regression",
            f"{n_x:,} rows, + X scale model",
            t_x,
            None,
            f1(ours_x.is_issue, noisy.is_corrupted[:n_x]),
            None,
            "out-of-fold HistGradientBoosting model of |residual|",
        )
        bench_regression_flagged_sets(X[:n_x], noisy.labels[:n_x], noisy.is_corrupted[:n_x])


def bench_regression_flagged_sets(X: np.ndarray, y: np.ndarray, truth: np.ndarray) -> None:
    """Each library's own flagged set from X and y, nobody told the number of errors: labelwise's
    `find_label_issues(y, X=X)` (its default model, out of fold) against cleanlab's
    `regression.learn.CleanLearning().find_label_issues(X, y)` (its default model,
    `LinearRegression`; the share of errors chosen by its R^2 search, the scores its
    residuals over bootstrapped epistemic + aleatoric uncertainty)."""
    from cleanlab.regression.learn import CleanLearning
    from sklearn.linear_model import LinearRegression

    from labelwise.audit import regression

    learner = CleanLearning(seed=0)
    theirs, t_cl = timed(lambda: learner.find_label_issues(X, y))
    cl_flags = theirs["is_label_issue"].to_numpy()
    counts = f"cleanlab flags {int(cl_flags.sum()):,} (k = {learner.k:.3f}); true {int(truth.sum()):,}"
    for name, model in (("its default model", None), ("cleanlab's model, LinearRegression", LinearRegression())):
        ours, t_lw = timed(lambda model=model: regression.find_label_issues(y, X=X, model=model))
        same = model is not None
        report(
            "regression",
            f"{y.size:,} rows, X, own flags",
            t_lw,
            t_cl if same else None,
            f1(ours.is_issue, truth),
            f1(cl_flags, truth),
            f"neither told the count; labelwise with {name} (flags {ours.n_issues:,}"
            + ("" if same else f", {t_lw:.2f} s vs cleanlab's {t_cl:.2f} s with another model")
            + f"), cleanlab CleanLearning() with its default; {counts}",
        )


def bench_detection(scale: float) -> None:
    from cleanlab.object_detection.filter import find_label_issues as cl_find

    from labelwise.audit import detection
    from labelwise.noise import corrupt_boxes

    n, k = max(10, int(5000 * scale)), 5
    rng = np.random.default_rng(0)
    truth, preds = [], []
    for _ in range(n):
        m = int(rng.integers(1, 6))
        xy = rng.uniform(0, 400, (m, 2))
        boxes = np.hstack([xy, xy + rng.uniform(20, 80, (m, 2))])
        cls = rng.integers(0, k, m)
        truth.append({"boxes": boxes, "labels": cls})
        pb = boxes + rng.normal(0, 2, boxes.shape)
        pb[:, 2:] = np.maximum(pb[:, 2:], pb[:, :2] + 1)
        extra = rng.uniform(0, 400, (2, 2))
        preds.append(
            {
                "boxes": np.vstack([pb, np.hstack([extra, extra + 40])]),
                "labels": np.append(cls, rng.integers(0, k, 2)),
                "scores": np.append(rng.uniform(0.7, 0.99, m), rng.uniform(0.05, 0.4, 2)),
            }
        )
    noisy = corrupt_boxes(truth, drop_rate=0.03, swap_rate=0.03, jitter_rate=0.03, n_classes=k, random_state=1)
    bad = np.array(
        [bool(len(d["labels"])) or (kd != "").any() for d, kd in zip(noisy.dropped, noisy.kind, strict=False)]
    )
    cl_labels = [{"bboxes": e["boxes"].astype(np.float32), "labels": e["labels"]} for e in noisy.labels]
    cl_preds = []
    for p in preds:
        per_class = [
            np.hstack([p["boxes"][p["labels"] == c], p["scores"][p["labels"] == c][:, None]]).astype(np.float32)
            for c in range(k)
        ]
        cl_preds.append(np.array(per_class + [None], dtype=object)[:-1])
    ours, t_lw = timed(lambda: detection.find_label_issues(noisy.labels, preds))
    theirs, t_cl = timed(lambda: cl_find(cl_labels, cl_preds))
    report(
        "detection",
        f"{n:,} images, {k} classes",
        t_lw,
        t_cl,
        f1(ours.is_image_issue, bad),
        f1(np.asarray(theirs), bad),
        "F1 over images; jitter/drop/swap 3% each",
    )


TASKS = {
    "multilabel": bench_multilabel,
    "token": bench_token,
    "segmentation": bench_segmentation,
    "regression": bench_regression,
    "detection": bench_detection,
}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _memmap_child(*sys.argv[2:4], int(sys.argv[4]), sys.argv[5])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--child-outre":
        _outre_child(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", default=[*TASKS, "memmap"], choices=[*TASKS, "memmap"])
    parser.add_argument("--scale", type=float, default=1.0, help="Multiply every size (1 = the issue's sizes).")
    parser.add_argument("--with-x", action="store_true", help="Also time the residual-scale model from X (slow).")
    parser.add_argument("--x-rows", type=int, default=None, help="Rows for --with-x (default: all of the 1e5).")
    parser.add_argument("--tmp", default=tempfile.gettempdir(), help="Folder for the memory-mapped file.")
    parser.add_argument("--outre-limit-s", type=float, default=240, help="Wall limit of cleanlab 'outre' at 1e5 rows.")
    parser.add_argument("--outre-limit-gb", type=float, default=4, help="Address-space limit of that child (GB).")
    args = parser.parse_args()
    import cleanlab

    print(
        f"machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {np.__version__}, cleanlab {cleanlab.__version__}",
        flush=True,
    )
    for task in args.tasks:
        if task == "memmap":
            bench_memmap(args.scale, args.tmp)
        elif task == "regression":
            bench_regression(args.scale, args.with_x, args.outre_limit_s, args.outre_limit_gb, args.x_rows)
        else:
            TASKS[task](args.scale)
    print("\n| task | size | labelwise s | cleanlab s | ratio | F1 labelwise | F1 cleanlab | note |")
    print("|---|---|---|---|---|---|---|---|")
    for row in ROWS:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
