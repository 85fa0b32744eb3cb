"""Small simulated crowds for the CrowdClassifier tests: features, true labels and long answers."""

from __future__ import annotations

import numpy as np
import pandas as pd


def simulated_crowd(
    n: int = 120, k: int = 3, *, seed: int = 0, accuracies=(0.9, 0.8, 0.6, 0.4, 0.34), per_row: int = 2
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """``X`` (classes shifted apart), the true labels and ``per_row`` answers per row from annotators
    of the given accuracies (a wrong answer uniform over the other classes)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % k
    X = rng.normal(size=(n, 3)) + 1.5 * y[:, None]
    acc = np.asarray(accuracies)
    rows = np.repeat(np.arange(n), per_row)
    annotator = np.concatenate([rng.choice(acc.size, per_row, replace=False) for _ in range(n)])
    right = rng.random(rows.size) < acc[annotator]
    wrong = (y[rows] + rng.integers(1, k, rows.size)) % k
    answers = pd.DataFrame(
        {"item": rows, "annotator": np.array([f"ann{j}" for j in range(acc.size)])[annotator],
         "label": np.where(right, y[rows], wrong)}
    )  # fmt: skip
    return X, y, answers
