"""The meta-estimators' default model: plain ``LogisticRegression(max_iter=1000)`` vs standardised.

For ``CleanClassifier``, ``ImportanceReweighting``, ``SelfTrainer`` and ``CleanMultilabelClassifier``
(``CrowdClassifier`` was measured in session 44, fix44a), on scikit-learn's wine, breast cancer,
digits and iris (shipped with it, no network), each both as shipped ("unscaled") and standardised
with a scaler fitted on the training rows ("standardised"):

- a stratified 70/30 split per seed; 20% uniform label noise on the training rows
  (:func:`labelwise.noise.flip_labels` with rate 0.2: a wrong label is any other class);
- ``SelfTrainer`` sees half of the training rows unlabeled (-1); ``CleanMultilabelClassifier``
  gets the noisy class as a one-hot tag matrix and predicts the tag of highest probability;
- each estimator is fitted with the plain default (main's ``LogisticRegression(max_iter=1000)``,
  given explicitly) and with ``make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))``
  (given explicitly, so the script measures the same thing on any branch); fit time, accuracy on
  the clean held-out labels, and lbfgs ``ConvergenceWarning``\\ s raised during the fit.

Decision rule, written before the run (session 45, scale45): adopt the standardised default when,
for every dataset and scaling, the mean accuracy over the four estimators and the seeds does not
fall by more than 0.5 point, the summed fit time falls on every unscaled dataset, and it does not
rise by more than 1.5x on any standardised one.

    OMP_NUM_THREADS=1 python benchmarks/bench_meta_default.py --seeds 0 1 2 3 4   # the run reported in RESULTS.md
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections import defaultdict
from typing import Any

import numpy as np
from _machine import machine_line
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from labelwise.noise import flip_labels
from labelwise.robust import CleanClassifier, CleanMultilabelClassifier, ImportanceReweighting
from labelwise.semi import SelfTrainer

DATASETS = {"wine": load_wine, "breast_cancer": load_breast_cancer, "digits": load_digits, "iris": load_iris}
MODELS = {
    "plain": lambda: LogisticRegression(max_iter=1000),
    "standardised": lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
}


def _fit_predict(name: str, model: Any, X: np.ndarray, noisy: np.ndarray, X_test: np.ndarray, seed: int):
    """Fit the meta-estimator ``name`` around ``model`` on the noisy labels; its test predictions."""
    if name == "CleanClassifier":
        return CleanClassifier(model, random_state=seed).fit(X, noisy).predict(X_test)
    if name == "ImportanceReweighting":
        return ImportanceReweighting(model, random_state=seed).fit(X, noisy).predict(X_test)
    if name == "SelfTrainer":
        hidden = np.random.default_rng(seed).random(noisy.size) < 0.5
        return SelfTrainer(model, random_state=seed).fit(X, np.where(hidden, -1, noisy)).predict(X_test)
    k = int(noisy.max()) + 1
    tags = np.eye(k, dtype=np.int64)[noisy]
    fitted = CleanMultilabelClassifier(model, random_state=seed).fit(X, tags)
    return np.asarray(fitted.predict_proba(X_test)).argmax(axis=1)


NAMES = ("CleanClassifier", "ImportanceReweighting", "SelfTrainer", "CleanMultilabelClassifier")


def run_one(name: str, model_key: str, data: tuple, seed: int) -> tuple[float, float, int]:
    """Fit time (s), clean test accuracy and ConvergenceWarnings of one fit."""
    X, noisy, X_test, y_test = data
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        pred = _fit_predict(name, MODELS[model_key](), X, noisy, X_test, seed)
        seconds = time.perf_counter() - start
    n_warn = sum(issubclass(w.category, ConvergenceWarning) for w in caught)
    return seconds, float(np.mean(pred == y_test)), n_warn


def split(load: Any, scaled: bool, seed: int) -> tuple:
    """Training rows with 20% uniform label noise, the test rows and their clean labels."""
    X, y = load(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=seed)
    if scaled:
        scaler = StandardScaler().fit(X_tr)
        X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)
    noisy = flip_labels(y_tr, 0.2, random_state=seed).labels
    return X_tr, noisy, X_te, y_te


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=list(DATASETS))
    parser.add_argument(
        "--scalings", nargs="+", default=["unscaled", "standardised"], choices=["unscaled", "standardised"]
    )
    args = parser.parse_args()
    print(machine_line("scikit-learn"))
    with open("/proc/loadavg", encoding="utf-8") as fh:
        print("load before:", fh.read().strip())
    totals: dict[tuple, list] = defaultdict(list)
    print(
        "| estimator | data | scaling | acc plain | acc standardised | s plain | s standardised | warnings plain / std |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for ds in args.datasets:
        for scaling in args.scalings:
            scaled = scaling == "standardised"
            splits = {seed: split(DATASETS[ds], scaled, seed) for seed in args.seeds}
            for name in NAMES:
                res = {key: [run_one(name, key, splits[s], s) for s in args.seeds] for key in MODELS}
                for key, rows in res.items():
                    totals[(ds, scaling, key)].extend(rows)
                t = {key: sum(r[0] for r in rows) for key, rows in res.items()}
                a = {key: np.mean([r[1] for r in rows]) for key, rows in res.items()}
                w = {key: sum(r[2] for r in rows) for key, rows in res.items()}
                print(
                    f"| {name} | {ds} | {scaling} | {a['plain']:.3f} | {a['standardised']:.3f} | "
                    f"{t['plain']:.2f} | {t['standardised']:.2f} | {w['plain']} / {w['standardised']} |",
                    flush=True,
                )
    print("\nPer dataset (all four estimators, all seeds): accuracy change in points, time ratio std/plain, verdict")
    verdict = True
    for (ds, scaling, key), rows in totals.items():
        if key != "plain":
            continue
        std = totals[(ds, scaling, "standardised")]
        d_acc = 100 * (np.mean([r[1] for r in std]) - np.mean([r[1] for r in rows]))
        ratio = sum(r[0] for r in std) / sum(r[0] for r in rows)
        ok = d_acc >= -0.5 and (ratio < 1.0 if scaling == "unscaled" else ratio <= 1.5)
        verdict &= ok
        print(f"{ds:14s} {scaling:13s} {d_acc:+6.2f} pt  time x{ratio:5.2f}  {'pass' if ok else 'FAIL'}")
    if set(args.datasets) != set(DATASETS) or len(args.scalings) < 2:
        print("rule: not judged (a partial run: every dataset and both scalings are needed)")
    else:
        print("rule:", "PASSES, adopt" if verdict else "fails, keep the plain default")
    with open("/proc/loadavg", encoding="utf-8") as fh:
        print("load after:", fh.read().strip())


if __name__ == "__main__":
    main()
