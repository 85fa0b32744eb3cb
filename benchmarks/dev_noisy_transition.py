"""Dev seeds only: which estimator of the noise transition matrix should ImportanceReweighting and
ForwardCorrection use by default? (Session 34; the benchmark's own seeds 0-2 are never used here.)

Same tables, noise and base estimator as ``bench_noisy_training.py`` (make_classification at 5,000
rows instead of 50,000), dev seeds 7, 8, 9. Prints the test accuracy of plain LogisticRegression and
of both estimators with ``transition="anchor"`` and ``"confident_joint"``, then the means.

Usage: python benchmarks/dev_noisy_transition.py
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
from bench_noisy_training import base, datasets, split

import labelwise as lw
from labelwise.robust import ForwardCorrection, ImportanceReweighting

DEV_SEEDS = (7, 8, 9)


def main() -> int:
    warnings.filterwarnings("ignore")
    data = {k: v for k, v in datasets(quick=True).items() if k in ("digits", "make_classification_5k")}
    scores: dict[str, list[float]] = {}
    for name, (X, y) in data.items():
        K = len(np.unique(y))
        for kind in ("symmetric", "pair"):
            for rate in (0.2, 0.4):
                for seed in DEV_SEEDS:
                    X_tr, X_te, y_tr, y_te = split(X, y, seed)
                    y_n = lw.noise.flip_labels(
                        y_tr, lw.noise.noise_matrix(K, rate, kind=kind), random_state=seed
                    ).labels
                    fits = {"plain": lambda: base().fit(X_tr, y_n)}
                    for t in ("anchor", "confident_joint"):
                        fits[f"importance_{t}"] = lambda t=t: ImportanceReweighting(
                            base(), transition=t, random_state=seed
                        ).fit(X_tr, y_n)
                        fits[f"forward_{t}"] = lambda t=t: ForwardCorrection(
                            transition=t, tol=1e-3, random_state=seed
                        ).fit(X_tr, y_n)
                    row = {m: float(fit().score(X_te, y_te)) for m, fit in fits.items()}
                    for m, a in row.items():
                        scores.setdefault(m, []).append(a)
                    print(f"{name} {kind} {rate} seed {seed}: " + " ".join(f"{m}={a:.3f}" for m, a in row.items()))
    print("\nmean over dev runs: " + ", ".join(f"{m} {np.mean(v):.4f}" for m, v in scores.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
