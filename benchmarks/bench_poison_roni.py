"""RONI (reject on negative impact): labelwise's ``poison.roni`` vs ART 1.20.1's ``RONIDefense`` on
the same label-flip attacks, in one run.

Data: scikit-learn's breast-cancer table (569 rows, 30 features, standardised on all rows). In each
seed the rows are shuffled: 120 are the trusted set, 240 the suspect training set (the rest unused).
A label-flip attack flips 10% of the suspect labels: ``poison.random_flips`` and ``poison.alfa``
(the attacker's SVM objective, Xiao et al. 2012). The model is a logistic regression
(``max_iter=1000``, deterministic).

- labelwise: ``poison.roni`` with its defaults (base, calibration and quiz each a third of the
  trusted rows, ``k=3``, mean centre), seeded; nothing is tuned on this data. Run twice: with one
  draw of base and quiz (``n_draws=1``) and with impacts averaged over five (``n_draws=5``, Nelson
  et al.'s five; the default chosen on simulated dev data, not on this table).
- ART: ``RONIDefense`` with its defaults (``pp_cal=0.2``, ``pp_quiz=0.2``, calibrated, median
  - 3 std), the trusted rows as ``x_val``, one-hot labels, ``np.random.seed(seed)``. ART's
  ``"accuracy"`` performance function refuses the probabilities its ``SklearnClassifier`` predicts,
  so it gets accuracy on the argmax as ``perf_func``. Its quiz and calibration rows come from the
  suspect set, its verdicts from a sequential pass (see ``labelwise.poison.roni``, Notes).

Scored against the flipped rows: precision, recall, F1; time of each library's call, and the ratio.
BLAS runs on one thread in both (many tiny fits; threads only oversubscribe).

    python benchmarks/bench_poison_roni.py [--seeds 3] [--skip-art]
"""

from __future__ import annotations

import argparse
import logging
import platform
import time
import warnings

import numpy as np
import pandas as pd
import sklearn
from _machine import cpu_model
from bench_poison_detect import scores
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

import labelwise as lw

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # ART warns that PyTorch is absent
    import art
    from art.defences.detector.poison import RONIDefense
    from art.estimators.classification import SklearnClassifier

logging.getLogger("art").setLevel(logging.ERROR)

N_TRUSTED, N_SUSPECT, BUDGET = 120, 240, 0.1
DRAWS = (1, 5)


def _accuracy(one_hot: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.mean(one_hot.argmax(axis=1) == predicted.argmax(axis=1)))


def run(seeds: int, skip_art: bool = False) -> pd.DataFrame:
    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    records = []
    for seed in range(seeds):
        order = np.random.default_rng(seed).permutation(len(y))
        trusted, suspect = order[:N_TRUSTED], order[N_TRUSTED : N_TRUSTED + N_SUSPECT]
        Xv, yv, Xs, ys = X[trusted], y[trusted], X[suspect], y[suspect]
        attacks = {
            "random": lw.poison.random_flips(Xs, ys, BUDGET, random_state=seed),
            "alfa": lw.poison.alfa(Xs, ys, BUDGET, random_state=seed),
        }
        for attack, poisoned in attacks.items():
            runs = []
            for draws in DRAWS:
                start = time.perf_counter()
                ours = lw.poison.roni(
                    Xs,
                    poisoned.labels,
                    estimator=LogisticRegression(max_iter=1000),
                    X_valid=Xv,
                    y_valid=yv,
                    n_draws=draws,
                    random_state=seed,
                )
                runs.append((f"labelwise n_draws={draws}", ours.is_flagged, time.perf_counter() - start))
            art = [] if skip_art else [("ART", *_art(Xs, poisoned.labels, Xv, yv, seed))]
            for library, flagged, t in [*runs, *art]:
                p, r, f = scores(flagged, poisoned.is_flipped)
                records.append(
                    {
                        "attack": attack,
                        "library": library,
                        "seed": seed,
                        "flagged": int(flagged.sum()),
                        "precision": p,
                        "recall": r,
                        "f1": f,
                        "seconds": t,
                    }
                )
                print(f"  seed {seed} {attack:6s} {library:20s} F1 {f:.3f}, {t:.2f} s", flush=True)
    frame = pd.DataFrame.from_records(records)
    table = frame.groupby(["attack", "library"], sort=False).mean(numeric_only=True).drop(columns="seed")
    if not skip_art:
        art_time = table.xs("ART", level="library")["seconds"]
        table["ART time / this"] = [art_time[a] / s for (a, _), s in table["seconds"].items()]
    return table.reset_index()


def _art(Xs: np.ndarray, labels: np.ndarray, Xv: np.ndarray, yv: np.ndarray, seed: int) -> tuple[np.ndarray, float]:
    """ART's ``RONIDefense`` with its defaults: the flagged rows and the seconds of ``detect_poison``."""
    one_hot = np.eye(2)
    np.random.seed(seed)  # noqa: NPY002 (ART draws with the legacy global generator)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        defence = RONIDefense(
            SklearnClassifier(LogisticRegression(max_iter=1000)),
            Xs,
            one_hot[labels],
            Xv,
            one_hot[yv],
            perf_func=_accuracy,
        )
        start = time.perf_counter()
        _, is_clean = defence.detect_poison()
        return np.asarray(is_clean) == 0, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument(
        "--skip-art", action="store_true", help="labelwise only (ART's flags are seeded: rerun it apart)"
    )
    args = parser.parse_args()
    threadpool_limits(1)
    print(
        f"{cpu_model()}, Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"scikit-learn {sklearn.__version__}, ART {art.__version__}"
    )
    print(
        f"\nbreast cancer, {N_SUSPECT} suspect rows ({BUDGET:.0%} flipped), {N_TRUSTED} trusted; mean over {args.seeds} seeds"
    )
    with pd.option_context("display.width", 160, "display.precision", 3):
        print(run(args.seeds, args.skip_art).to_string(index=False))


if __name__ == "__main__":
    main()
