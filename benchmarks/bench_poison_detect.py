"""Poisoned-data detectors: labelwise's ``spectral_signatures`` and ``activation_clustering`` vs
ART 1.20.1's ``SpectralSignatureDefense`` and ``ActivationDefence`` on the same representations,
in one run.

Part 1 (``ACCURACY``): a backdoor on scikit-learn's digits (1,797 images of 8x8 pixels). In each
seed, half the images train; a 2x2 trigger of full-intensity pixels is stamped in the bottom-right
corner of ``POISON_SHARE`` x (target class size) training images of other classes, relabelled as
the target class 0 (so about 15% of the target class is poisoned). An MLPClassifier (one hidden
layer of 64 ReLU units) is fitted on the poisoned training set; the representation of every
training row is its hidden layer (the penultimate layer, as in both papers), and, second, the raw
64 pixels. Detection is scored against the poisoned rows: precision, recall, F1 over all rows, and
F1 within the target class (the papers' view: which of the poisoned class's rows are removed).
Both libraries get the true poisoned share of the target class as ``eps`` (the spectral rule
flags 1.5 eps of every class). Activation clustering runs with the papers' defaults (labelwise:
ICA to 10 dims, relative size < 0.35) and ART's default (PCA, "smaller"); ART's "relative-size"
analysis raises under numpy 2 whenever some class has no small cluster, so it cannot be run.
No threshold is chosen here: every value is a paper's default or the true share. The attack success
rate (test images of other classes with the trigger, predicted as 0) shows the backdoor works.

Part 2 (``SPEED``): 200,000 rows x 256 float32 dims, 10 Gaussian classes, 3% of the target class
shifted; time of each library's detector on the same array (ART gets it through a wrapper that
returns the array as its classifier's last-layer activations), best of ``--repeat``.

BLAS runs on ``--blas-threads`` threads (default 1, both libraries): on a shared, oversubscribed
machine OpenBLAS's spinning threads made a 256 x 256 ``eigh`` 25 times slower with 2 threads than with 1.

    python benchmarks/bench_poison_detect.py [--seeds 5] [--repeat 1] [--part all|accuracy|speed] [--blas-threads 1]
        [--only "spectral,clustering pca/smaller"]
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
    warnings.simplefilter("ignore")
    import art
    from art.defences.detector.poison import ActivationDefence, SpectralSignatureDefense

logging.getLogger("art").setLevel(logging.ERROR)

TARGET = 0
POISON_SHARE = 0.18  # poisoned rows per clean target row: ~15% of the target class after poisoning


class FixedActivations:
    """What ART's poison detectors call on a classifier: the given rows' representations."""

    def __init__(self, features: np.ndarray, n_classes: int) -> None:
        self.features = features
        self.layer_names = ["features"]
        self.nb_classes = n_classes

    def get_activations(self, x, layer, batch_size=128):
        return self.features[np.asarray(x)]


def stamp(images: np.ndarray) -> np.ndarray:
    out = images.reshape(-1, 8, 8).copy()
    out[:, 6:8, 6:8] = 16.0
    return out.reshape(len(images), 64)


def backdoor(seed: int):
    digits = load_digits()
    X, y = digits.data.astype(float), digits.target
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    train, test = order[: len(y) // 2], order[len(y) // 2 :]
    Xtr, ytr = X[train].copy(), y[train].copy()
    n_poison = round(POISON_SHARE * np.sum(ytr == TARGET))
    victims = rng.choice(np.flatnonzero(ytr != TARGET), n_poison, replace=False)
    Xtr[victims] = stamp(Xtr[victims])
    ytr[victims] = TARGET
    poisoned = np.zeros(len(ytr), dtype=bool)
    poisoned[victims] = True
    model = MLPClassifier((64,), max_iter=400, random_state=seed).fit(Xtr / 16.0, ytr)
    hidden = np.maximum(Xtr / 16.0 @ model.coefs_[0] + model.intercepts_[0], 0.0)
    others = test[y[test] != TARGET]
    success = float(np.mean(model.predict(stamp(X[others]) / 16.0) == TARGET))
    eps = n_poison / np.sum(ytr == TARGET)
    return {"hidden layer": hidden, "pixels": Xtr}, ytr, poisoned, eps, success


def scores(flagged: np.ndarray, poisoned: np.ndarray) -> tuple[float, float, float]:
    tp = np.sum(flagged & poisoned)
    precision = tp / max(1, flagged.sum())
    recall = tp / poisoned.sum()
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return precision, recall, f1


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def art_flags(detector, **params) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, is_clean = detector.detect_poison(**params)
    return np.asarray(is_clean) == 0


def detectors(features: np.ndarray, labels: np.ndarray, eps: float) -> dict:
    """Each detector's flags and time on one representation."""
    n_classes = int(labels.max()) + 1
    rows = np.arange(len(labels))
    out = {}
    res, t = timed(lambda: lw.poison.spectral_signatures(features, labels, eps=eps))
    out["spectral", "labelwise"] = (res.is_flagged, t)
    wrap = FixedActivations(features, n_classes)
    det = SpectralSignatureDefense(wrap, rows, labels, expected_pp_poison=eps)
    out["spectral", "ART"] = timed(lambda: art_flags(det))
    res, t = timed(lambda: lw.poison.activation_clustering(features, labels))
    out["clustering ica/relative-size", "labelwise"] = (res.is_flagged, t)
    res, t = timed(lambda: lw.poison.activation_clustering(features, labels, reduce="pca", analysis="smaller"))
    out["clustering pca/smaller", "labelwise"] = (res.is_flagged, t)
    out["clustering pca/smaller", "ART"] = timed(lambda: art_flags(ActivationDefence(wrap, rows, labels)))
    return out


def accuracy(seeds: int) -> pd.DataFrame:
    records = []
    for seed in range(seeds):
        reps, labels, poisoned, eps, success = backdoor(seed)
        print(f"seed {seed}: {poisoned.sum()} poisoned rows, eps {eps:.3f}, attack success {success:.2f}")
        for rep, features in reps.items():
            for (method, library), (flagged, t) in detectors(features, labels, eps).items():
                p, r, f = scores(flagged, poisoned)
                in_target = labels == TARGET
                f_target = scores(flagged[in_target], poisoned[in_target])[2]
                records.append(
                    dict(representation=rep, method=method, library=library, precision=p, recall=r, f1=f)
                    | {"f1 in class 0": f_target, "seconds": t}
                )
    frame = pd.DataFrame(records)
    return frame.groupby(["representation", "method", "library"], sort=False).mean().reset_index()


def speed(repeat: int, only: list[str] | None = None) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n, d, k = 200_000, 256, 10
    labels = np.arange(n) % k
    features = (rng.normal(size=(n, d)) + 2.0 * rng.normal(size=(k, d))[labels]).astype(np.float32)
    target = np.flatnonzero(labels == TARGET)
    poisoned = np.zeros(n, dtype=bool)
    poisoned[target[: round(0.03 * len(target))]] = True
    features[poisoned] += 1.5 * rng.normal(size=d).astype(np.float32)
    rows = np.arange(n)
    wrap = FixedActivations(features, k)
    runs = {
        ("spectral", "labelwise"): lambda: lw.poison.spectral_signatures(features, labels, eps=0.03).is_flagged,
        ("spectral", "ART"): lambda: art_flags(SpectralSignatureDefense(wrap, rows, labels, expected_pp_poison=0.03)),
        ("clustering pca/smaller", "labelwise"): lambda: (
            lw.poison.activation_clustering(features, labels, reduce="pca", analysis="smaller").is_flagged
        ),
        ("clustering pca/smaller", "ART"): lambda: art_flags(ActivationDefence(wrap, rows, labels)),
        ("clustering ica/relative-size", "labelwise"): lambda: (
            lw.poison.activation_clustering(features, labels).is_flagged
        ),
        ("clustering FastICA/smaller", "ART"): lambda: art_flags(
            ActivationDefence(wrap, rows, labels), reduce="FastICA"
        ),
    }
    records = []
    for (method, library), run in runs.items():
        if only and method not in only:
            continue
        best, flagged = np.inf, None
        for _ in range(repeat):
            flagged, t = timed(run)
            best = min(best, t)
        p, r, f = scores(flagged, poisoned)
        records.append(dict(method=method, library=library, seconds=best, precision=p, recall=r, f1=f))
        print(f"  {method} {library}: {best:.2f} s")
    frame = pd.DataFrame(records)
    ref = frame[frame.library == "labelwise"].set_index("method")["seconds"]
    frame["ART / labelwise"] = [
        row.seconds / ref.get(row.method.replace("FastICA/smaller", "ica/relative-size"), np.nan)
        if row.library == "ART"
        else np.nan
        for row in frame.itertuples()
    ]
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--part", choices=["all", "accuracy", "speed"], default="all")
    parser.add_argument("--blas-threads", type=int, default=1)
    parser.add_argument("--only", default="", help="speed part: comma-separated methods, e.g. 'spectral'")
    args = parser.parse_args()
    threadpool_limits(args.blas_threads)
    print(
        f"{cpu_model()}, Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"scikit-learn {sklearn.__version__}, ART {art.__version__}, BLAS threads {args.blas_threads}"
    )
    with pd.option_context("display.width", 160, "display.precision", 3):
        if args.part in ("all", "accuracy"):
            print(f"\nACCURACY: digits backdoor, mean over {args.seeds} seeds")
            print(accuracy(args.seeds).to_string(index=False))
        if args.part in ("all", "speed"):
            print("\nSPEED: 200,000 x 256 float32, 10 classes, 3% of class 0 shifted")
            print(speed(args.repeat, [m for m in args.only.split(",") if m]).to_string(index=False))


if __name__ == "__main__":
    main()
