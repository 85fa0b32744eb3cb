"""Session 49 (ties49): the cost of the per-item tie rule on a large vote table, side by side with main's rules.

One ``simulate_lfs`` table of 1,000,000 items (10 functions, 2 classes), fitted once by ``LabelModel``, a third
of its distinct vote rows' posteriors then set to an exact tie; on that posterior, the time to pick the labels by
  * main's ``LabelModel`` rule: ``random_argmax`` (one draw per cell of each distinct vote row) and a gather;
  * this branch's ``item_argmax`` (``argmax_random_ties`` over the items in sorted order), with the items named
    0..n-1 (sorted: no sort) and named by shuffled strings (an argsort of a million strings);
  * main's ``DawidSkeneLabelModel`` rule (``compress_rows`` of the votes, one draw per distinct row) against
    ``item_argmax`` on the per-item posterior;
  * main's ``MajorityLabelVoter`` rule (``np.unique(counts, axis=0)``) against ``item_argmax``.
Best of ``--repeat`` runs each, interleaved. Timings go to ``RESULTS.md``, never to a test::

    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/dev_weak_tie_speed.py [--items 1000000]
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from labelwise import weak
from labelwise.weak._compress import compress_rows
from labelwise.weak._posterior import item_argmax


def main_random_argmax(post: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Main's ``weak._posterior.random_argmax`` (before session 49)."""
    is_max = post >= post.max(axis=1, keepdims=True) - 1e-12
    return np.argmax(is_max * (1.0 + rng.random(post.shape)), axis=1)


def main_ds_rule(matrix: np.ndarray, k: int, post: np.ndarray) -> np.ndarray:
    """Main's ``dawid_skene._tie_broken_labels`` (labelers already in sorted order here)."""
    rows = compress_rows(matrix, k)
    draws = np.random.default_rng(0).random((len(rows.weights), post.shape[1]))[rows.inverse]
    is_max = post >= post.max(axis=1, keepdims=True) - 1e-12
    return np.argmax(is_max * (1.0 + draws), axis=1)


def main_mlv_rule(counts: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Main's ``baselines._draw_per_distinct_row``."""
    _, first, inverse = np.unique(counts, axis=0, return_index=True, return_inverse=True)
    return main_random_argmax(probs[first], np.random.default_rng(0))[inverse.ravel()]


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    sim = weak.simulate_lfs(args.items, 10, 2, coverage=(0.05, 0.4), random_state=0)
    matrix = sim.votes.matrix()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = weak.LabelModel().fit(matrix)
    print(f"LabelModel().fit: {time.perf_counter() - start:.2f} s (for scale)")
    rows = compress_rows(matrix, 2)
    untied_rows = model.probas_.to_numpy()[np.unique(rows.inverse, return_index=True)[1]]
    post_rows = untied_rows.copy()
    post_rows[::3] = 0.5  # a third of the distinct rows tied (simulated functions give no exact tie)
    post = post_rows[rows.inverse]
    items = pd.RangeIndex(args.items)
    names = pd.Index(np.random.default_rng(1).permutation(args.items).astype(str).astype(object))
    counts = np.stack([(matrix == c).sum(axis=1) for c in range(2)], axis=1)
    probs = (counts == counts.max(axis=1, keepdims=True)).astype(float)
    probs /= probs.sum(axis=1, keepdims=True)
    top = np.sort(post, axis=1)
    print(
        f"{args.items} items, {len(rows.weights)} distinct vote rows, tied items {(top[:, -1] - top[:, -2] <= 1e-9).sum()}"
    )
    cases = {
        "LabelModel rule, main (per distinct row)": lambda: main_random_argmax(post_rows, np.random.default_rng(0))[
            rows.inverse
        ],
        "LabelModel rule, main, no tie": lambda: main_random_argmax(untied_rows, np.random.default_rng(0))[
            rows.inverse
        ],
        "LabelModel rule, new, no tie (shuffled str ids)": lambda: item_argmax(untied_rows, 0, names, rows.inverse),
        "LabelModel rule, new (per item, sorted ids)": lambda: item_argmax(post_rows, 0, items, rows.inverse),
        "LabelModel rule, new (per item, shuffled str ids)": lambda: item_argmax(post_rows, 0, names, rows.inverse),
        "DawidSkene rule, main (compress_rows + draws)": lambda: main_ds_rule(matrix, 2, post),
        "DawidSkene rule, new (per item, sorted ids)": lambda: item_argmax(post, 0, items),
        "MajorityLabelVoter rule, main (np.unique rows)": lambda: main_mlv_rule(counts, probs),
        "MajorityLabelVoter rule, new (per item, sorted ids)": lambda: item_argmax(probs, 0, items),
    }
    results = {name: [] for name in cases}
    for _ in range(args.repeat):  # interleaved, so that a load spike hits every case alike
        for name, fn in cases.items():
            results[name].append(best(fn, 1))
    for name, times in results.items():
        print(f"{name:50s} best {min(times) * 1000:8.1f} ms  median {np.median(times) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
