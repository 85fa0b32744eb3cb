"""labelwise vs cleanlab 2.9 on the dataset-level view of confident learning: overlapping classes and
label health (``labelwise.audit.class_overlap`` against ``cleanlab.dataset.health_summary`` and
``find_overlapping_classes``).

Inputs, each run through both libraries in this process:

- ``simulated``: n rows, K classes, Dirichlet probabilities peaked on the true class, 5% of the
  labels flipped uniformly, and half of the true class 3 labelled 5 (two classes made to overlap);
- ``mnist``, ``cifar10``: the published cross-validated probabilities of
  ``../shared/data/label_errors`` (README there; CIFAR-10's known confusable pairs: cat / dog,
  automobile / truck, ...).

Per input: the top pairs of each library, whether every pair (count and joint) is equal, the
health scores, and the time of each (best of --repeat, wall clock); ratio = cleanlab / labelwise.
labelwise runs with ``confident_class_rule="argmax"`` (cleanlab's rule), so the numbers must match.

``--floor``: the largest pair's joint over the mean pair's (``noise_rate / (K (K-1) / 2)``) under
diffuse noise only (labels flipped uniformly at random, 2 to 20% among 3 to 20 classes, 20,000
rows, --seeds seeds): the evidence for the reporting floor of three times the mean pair
(``labelwise.audit.overlap.OVERLAP_RATIO``), chosen on these simulated data, not on the real sets.

    python benchmarks/bench_class_overlap.py                  # n = 200,000 simulated, MNIST, CIFAR-10
    python benchmarks/bench_class_overlap.py --n 20000 --floor
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import numpy as np
from _machine import cpu_model

import labelwise as lw

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "label_errors"
CIFAR = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def simulated(n: int, k: int, *, seed: int, noise: float, swap: tuple[int, int] | None) -> tuple:
    """Labels and probabilities: a model that mostly knows the true class; noise and one swapped pair."""
    rng = np.random.default_rng(seed)
    true = rng.integers(0, k, n)
    alpha = np.ones((n, k))
    alpha[np.arange(n), true] += 4.0 * rng.uniform(0.3, 2.0, n)
    probs = rng.gamma(alpha)
    probs /= probs.sum(axis=1, keepdims=True)
    labels = true.copy()
    flip = rng.random(n) < noise
    labels[flip] = (true[flip] + rng.integers(1, k, flip.sum())) % k
    if swap is not None:
        a, b = swap
        labels[(true == a) & (rng.random(n) < 0.5)] = b
    return labels, probs


def best_time(fn, repeat: int) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def compare(name: str, labels: np.ndarray, probs: np.ndarray, names: list | None, repeat: int) -> None:
    from cleanlab import dataset

    t_lw, ours = best_time(lambda: lw.audit.class_overlap(labels, probs, confident_class_rule="argmax"), repeat)
    t_lw_pairs, _ = best_time(lambda: ours.pairs(), repeat)  # the views alone, once the audit is done
    t_cl, theirs = best_time(lambda: dataset.health_summary(labels, probs, verbose=False), repeat)
    t_cl_pairs, _ = best_time(lambda: dataset.find_overlapping_classes(labels, probs), repeat)
    pairs = ours.pairs()
    their_pairs = theirs["overlapping_classes"]
    their_pairs = their_pairs[their_pairs["Joint Probability"] > 0]
    left = pairs.set_index(["class_a", "class_b"]).sort_index()
    right = their_pairs.set_index(["Class Index A", "Class Index B"]).sort_index()
    same = (
        left.index.tolist() == right.index.tolist()
        and np.array_equal(left["n_overlapping"], right["Num Overlapping Examples"])
        and np.allclose(left["joint_probability"], right["Joint Probability"], rtol=0, atol=1e-15)
    )
    show = (lambda i: names[i]) if names else (lambda i: i)
    print(f"\n## {name}: n={len(labels):,}, K={probs.shape[1]}")
    print("top pairs  labelwise                         | cleanlab")
    mine = pairs.head(5).itertuples(index=False)
    other = their_pairs.head(5).itertuples(index=False)
    for i, (a, b) in enumerate(zip(mine, other, strict=False)):
        print(
            f"  {i + 1}. {show(a[0])!s:>10} / {show(a[1])!s:<10} {a[2]:>5} {a[3]:.4f} | "
            f"{show(b[0])!s:>10} / {show(b[1])!s:<10} {b[2]:>5} {b[3]:.4f}"
        )
    right.index.names = left.index.names
    merged = left.join(right, how="outer").fillna(0)
    off = (merged["n_overlapping"] - merged["Num Overlapping Examples"]).abs()
    print(
        f"every pair equal: {same} ({len(pairs)} pairs of non-zero joint; {int((off > 0).sum())} differ, "
        f"by at most {int(off.max())} example(s)); shown on screen (joint >= {ours.overlap_floor:.4f}): "
        f"{len(ours.summary()['overlapping_pairs'])}"
    )
    print(f"health score: labelwise {ours.health_score:.6f}, cleanlab {theirs['overall_label_health_score']:.6f}")
    print(
        f"time: labelwise class_overlap {t_lw:.3f}s (pairs from it {t_lw_pairs * 1e3:.2f} ms); cleanlab health_summary "
        f"{t_cl:.3f}s (ratio {t_cl / t_lw:.2f}), find_overlapping_classes {t_cl_pairs:.3f}s (ratio {t_cl_pairs / t_lw:.2f})"
    )


def floor_evidence(n: int, seeds: int) -> None:
    """The largest pair's joint over the mean pair's, under diffuse noise only (uniform flips)."""
    print(f"\n## floor: largest pair / mean pair under uniform noise, n={n:,}, {seeds} seeds (max, median)")
    for k in (3, 5, 10, 20):
        cells = []
        for noise in (0.02, 0.1, 0.2):
            ratios = []
            for seed in range(seeds):
                labels, probs = simulated(n, k, seed=100 + seed, noise=noise, swap=None)
                overlap = lw.audit.class_overlap(labels, probs)
                mean = overlap.noise_rate / (k * (k - 1) / 2)
                ratios.append(float(overlap.pairs()["joint_probability"].iloc[0]) / mean)
            cells.append(f"noise {noise:.2f}: {max(ratios):.2f}, {np.median(ratios):.2f}")
        print(f"  K={k:>2}  " + "; ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200_000, help="simulated rows")
    parser.add_argument("--k", type=int, default=10, help="simulated classes")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--floor", action="store_true", help="also the floor's evidence (diffuse noise only)")
    parser.add_argument("--seeds", type=int, default=5, help="seeds of --floor")
    args = parser.parse_args()
    import cleanlab
    import pandas as pd
    import sklearn

    print(
        f"# {cpu_model()}, Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"scikit-learn {sklearn.__version__}, cleanlab {cleanlab.__version__}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
    labels, probs = simulated(args.n, args.k, seed=0, noise=0.05, swap=(3, 5))
    compare("simulated (half of class 3 labelled 5)", labels, probs, None, args.repeat)
    for name, names in (("mnist", None), ("cifar10", CIFAR)):
        folder = DATA / name
        if folder.is_dir():
            compare(name, np.load(folder / "labels.npy"), np.load(folder / "pred_probs.npy"), names, args.repeat)
        else:
            print(f"\n## {name}: not found under {DATA}")
    if args.floor:
        floor_evidence(20_000, args.seeds)


if __name__ == "__main__":
    main()
