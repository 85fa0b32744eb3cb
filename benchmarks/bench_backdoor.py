"""Backdoor poisoning: labelwise's ``poison.backdoor`` against ART 1.20.1's ``PoisoningAttackBackdoor``,
then what the detectors do about it, in one run.

Part 1 (``ATTACK``): scikit-learn's digits (1,797 images of 8x8, scaled to [0, 1]). In each seed,
half the images train. ``lw.poison.backdoor`` stamps ART's checkerboard pattern (``"pattern"``,
``distance=1``, ``pixel_value=1``: the bottom-right corner) on a budget of training rows of other
classes and labels them 0. An MLPClassifier (one hidden layer of 64 ReLU units) is fitted on the
poisoned set: clean test accuracy and attack success rate (``lw.poison.attack_success_rate``: test
images not of class 0, triggered, predicted 0). Then each detector reads the MLP's hidden layer
(the penultimate layer, as both papers) and the poisoned labels, the rows it flags are removed,
the MLP is refitted, and success and accuracy are measured again. The detectors run with their
defaults (spectral ``eps=0.1``, the paper's; activation clustering ICA to 10 dims and relative
size < 0.35, the paper's): nothing is tuned on these data. The same rows poisoned by ART (handed
labelwise's rows) are checked equal, pixel for pixel.

Part 2 (``SPEED``): 100,000 MNIST-sized images (28x28 float32) and 100,000 CIFAR-sized ones
(32x32x3 uint8), 10% poisoned with the pattern: labelwise's ``backdoor`` (row draw, copy, stamp,
labels) against ART's ``PoisoningAttackBackdoor(add_pattern_bd).poison`` on the same rows plus
putting them back into a copy of the set (the same work); best of ``--repeat``; outputs checked equal.

    python benchmarks/bench_backdoor.py [--seeds 3] [--repeat 3] [--part all|attack|speed]
"""

from __future__ import annotations

import argparse
import logging
import platform
import time
import warnings

warnings.filterwarnings("ignore", message="Stochastic Optimizer")  # the MLP's last iterations

import numpy as np
import pandas as pd
import sklearn
from _machine import cpu_model
from sklearn.datasets import load_digits
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

import labelwise as lw

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # ART warns that PyTorch is absent
    import art
    from art.attacks.poisoning import PoisoningAttackBackdoor
    from art.attacks.poisoning.perturbations import add_pattern_bd

logging.getLogger("art").setLevel(logging.ERROR)

TARGET = 0
BUDGETS = (0.01, 0.02, 0.05)  # shares of the training rows
TRIGGER = dict(trigger="pattern", image_shape=(8, 8), distance=1, pixel_value=1.0)


def art_poison(X: np.ndarray, rows: np.ndarray, perturbation) -> np.ndarray:
    """ART's attack on ``rows``, put back into a copy of ``X``."""
    stamped, _ = PoisoningAttackBackdoor(perturbation).poison(X[rows], y=np.full(len(rows), TARGET))
    out = X.copy()
    out[rows] = stamped
    return out


def fit(X: np.ndarray, y: np.ndarray, seed: int) -> MLPClassifier:
    return MLPClassifier((64,), max_iter=400, random_state=seed).fit(X, y)


def score(model, Xte, yte) -> tuple[float, float]:
    s = lw.poison.attack_success_rate(model, Xte, yte, TARGET, **TRIGGER)
    return s.attack_success_rate, s.clean_accuracy


def attack(seeds: int) -> pd.DataFrame:
    digits = load_digits()
    X, y = digits.data / 16.0, digits.target
    records = []
    for seed in range(seeds):
        order = np.random.default_rng(seed).permutation(len(y))
        train, test = order[: len(y) // 2], order[len(y) // 2 :]
        for budget in BUDGETS:
            out = lw.poison.backdoor(X[train], y[train], budget, target=TARGET, random_state=seed, **TRIGGER)
            rows = out.flipped_indices
            images = X[train].reshape(-1, 8, 8)
            same = np.array_equal(
                out.X, art_poison(images, rows, lambda x: add_pattern_bd(x, distance=1)).reshape(len(train), 64)
            )
            model = fit(out.X, out.labels, seed)
            success, clean = score(model, X[test], y[test])
            rec = dict(seed=seed, budget=budget, poisoned=len(rows), same_as_art=same, detector="none")
            records.append(rec | dict(removed=0, found=0, success=success, clean_accuracy=clean))
            hidden = np.maximum(out.X @ model.coefs_[0] + model.intercepts_[0], 0.0)
            found = {
                "spectral": lw.poison.spectral_signatures(hidden, out.labels),
                "clustering": lw.poison.activation_clustering(hidden, out.labels),
            }
            for name, det in found.items():
                keep = ~det.is_flagged
                again = fit(out.X[keep], out.labels[keep], seed)
                success, clean = score(again, X[test], y[test])
                hits = int((det.is_flagged & out.is_flipped).sum())
                records.append(
                    rec | dict(detector=name, removed=det.n_flagged, found=hits, success=success, clean_accuracy=clean)
                )
            print(f"seed {seed} budget {budget}: {len(rows)} rows poisoned, success {records[-3]['success']:.2f}")
    frame = pd.DataFrame(records)
    return (
        frame.groupby(["budget", "detector"], sort=False)
        .agg(
            poisoned=("poisoned", "mean"),
            same_as_art=("same_as_art", "all"),
            removed=("removed", "mean"),
            found=("found", "mean"),
            success=("success", "mean"),
            clean_accuracy=("clean_accuracy", "mean"),
        )
        .reset_index()
    )


def timed(fn, repeat: int):
    best, out = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return out, best


def speed(repeat: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    records = []
    sets = {
        "100,000 x 28x28 float32": rng.random((100_000, 28, 28), dtype=np.float32),
        "100,000 x 32x32x3 uint8": rng.integers(0, 256, size=(100_000, 32, 32, 3), dtype=np.uint8),
    }
    for name, X in sets.items():
        y = np.arange(len(X)) % 10
        value = 255 if X.dtype == np.uint8 else 1
        out, t_lw = timed(
            lambda: lw.poison.backdoor(X, y, 0.1, target=TARGET, pixel_value=value, random_state=0), repeat
        )
        rows = out.flipped_indices
        theirs, t_art = timed(lambda: art_poison(X, rows, lambda x: add_pattern_bd(x, pixel_value=value)), repeat)
        same = np.array_equal(out.X, theirs)
        records.append(
            dict(images=name, rows=len(rows), labelwise_s=t_lw, art_s=t_art, art_over_labelwise=t_art / t_lw)
            | dict(same=same)
        )
        print(f"  {name}: labelwise {t_lw:.3f} s, ART {t_art:.3f} s, equal {same}")
        del out, theirs
    return pd.DataFrame(records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--part", choices=["all", "attack", "speed"], default="all")
    args = parser.parse_args()
    print(
        f"{cpu_model()}, Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"scikit-learn {sklearn.__version__}, ART {art.__version__}"
    )
    with threadpool_limits(1), pd.option_context("display.width", 160, "display.max_columns", 20):
        if args.part in ("all", "attack"):
            print(attack(args.seeds).round(3).to_string(index=False))
        if args.part in ("all", "speed"):
            print(speed(args.repeat).round(3).to_string(index=False))


if __name__ == "__main__":
    main()
