"""Dev rule (session 39, regress39): does ``audit --task regression`` gain from reading every column?

Two arms, each ``regression.find_label_issues(y_noisy, X=..., model=...)`` with the default rule:

- ``numeric``: main before session 39: DATA's numeric columns only, raw, into the default regressor
  (``HistGradientBoostingRegressor``, absolute error).
- ``roles``: the columns by the classification audit's roles (``labelwise.columns.infer_column_roles``:
  categories one-hot, high-cardinality ones target-encoded on KFold folds, dates as five numbers,
  identifiers and constants dropped, text TF-IDF on its 256 most frequent terms), then the same regressor
  (``labelwise.audit._regression_columns.column_regressor``, what the command now runs).

Tables (shipped with installed packages, read offline; rows with a missing target dropped):
palmerpenguins ``penguins.csv`` (body_mass_g; flipper_length_mm), palmerpenguins ``penguins-raw.csv``
(Body Mass (g)), vega_datasets ``cars.json`` (Miles_per_Gallon; Horsepower), vega_datasets
``seattle-weather.csv`` (temp_max; precipitation), scikit-learn's diabetes (target; numbers only: the
control). California housing is not on this machine offline.

Noise: ``labelwise.noise.corrupt_targets(y, rate=0.05, kind="mixed", magnitude=4.0, random_state=seed)``,
what ``labelwise corrupt --task regression`` does with its defaults. Dev seeds 0, 1, 2, 3, 4 (noise and
folds: ``random_state=seed``).

Measured per table and seed: out-of-fold error = mean absolute error of the out-of-fold prediction
against the TRUE (uncorrupted) target, and the F1 of the flagged rows against the corrupted ones.

Rule, written before the runs: adopt ``roles`` if (a) on every table its out-of-fold error, averaged
over the seeds, is at most 1.05 times ``numeric``'s (not worse by more than 5%), and (b) its flagged-set
F1 averaged over all tables and seeds is not lower than ``numeric``'s (compared at 3 decimals).
Run once; the lines printed go to benchmarks/RESULTS.md.

Usage: python benchmarks/dev_regression_columns.py
"""

from __future__ import annotations

import json
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # two shared cores: threads of each fit only oversubscribe them

import time
from pathlib import Path

import numpy as np
import palmerpenguins
import pandas as pd
import vega_datasets
from _machine import machine_line
from sklearn.datasets import load_diabetes

from labelwise.audit import regression
from labelwise.audit._regression_columns import column_regressor
from labelwise.columns import infer_column_roles
from labelwise.noise import corrupt_targets

SEEDS = (0, 1, 2, 3, 4)
MAX_WORSE = 1.05
PENGUINS = Path(palmerpenguins.__file__).parent / "data"
VEGA = Path(vega_datasets.__file__).parent / "_data"


def tables() -> dict[str, tuple[pd.DataFrame, str]]:
    """name -> (table, target column)."""
    penguins = pd.read_csv(PENGUINS / "penguins.csv")
    raw = pd.read_csv(PENGUINS / "penguins-raw.csv")
    cars = pd.DataFrame(json.loads((VEGA / "cars.json").read_text()))
    weather = pd.read_csv(VEGA / "seattle-weather.csv")
    diabetes = load_diabetes(as_frame=True).frame
    return {
        "penguins body_mass_g": (penguins, "body_mass_g"),
        "penguins flipper_length_mm": (penguins, "flipper_length_mm"),
        "penguins-raw Body Mass (g)": (raw, "Body Mass (g)"),
        "cars Miles_per_Gallon": (cars, "Miles_per_Gallon"),
        "cars Horsepower": (cars, "Horsepower"),
        "seattle-weather temp_max": (weather, "temp_max"),
        "seattle-weather precipitation": (weather, "precipitation"),
        "diabetes target": (diabetes, "target"),
    }


def f1(flags: np.ndarray, truth: np.ndarray) -> float:
    return 2 * int((flags & truth).sum()) / max(int(flags.sum()) + int(truth.sum()), 1)


def arms(features: pd.DataFrame, seed: int) -> dict[str, tuple[object, object]]:
    """arm -> (X, model)."""
    roles = infer_column_roles(features)
    return {
        "numeric": (features.select_dtypes("number"), None),
        "roles": (features, column_regressor(roles, regression.default_regressor(seed), seed)),
    }


def main() -> None:
    print(machine_line("scikit-learn", "pandas"), flush=True)
    t0 = time.perf_counter()
    errors: dict[str, dict[str, list[float]]] = {}
    scores: dict[str, list[float]] = {"numeric": [], "roles": []}
    for name, (table, target) in tables().items():
        table = table.dropna(subset=[target]).reset_index(drop=True)
        features, clean = table.drop(columns=[target]), table[target].to_numpy(dtype=float)
        roles = infer_column_roles(features)
        print(f"{name}: {len(table)} rows; roles {roles.roles}; notices {roles.notices}", flush=True)
        errors[name] = {"numeric": [], "roles": []}
        for seed in SEEDS:
            noisy = corrupt_targets(clean, rate=0.05, kind="mixed", magnitude=4.0, random_state=seed)
            for arm, (X, model) in arms(features, seed).items():
                res = regression.find_label_issues(noisy.labels, X=X, model=model, random_state=seed)
                errors[name][arm].append(float(np.mean(np.abs(res.predicted - clean))))
                scores[arm].append(f1(res.is_issue, noisy.is_corrupted))
                print(
                    f"  seed {seed} {arm:7s} oof MAE {errors[name][arm][-1]:.4g} F1 {scores[arm][-1]:.3f} "
                    f"flagged {res.n_issues} of {noisy.n_corrupted} corrupted",
                    flush=True,
                )
    ok = True
    print("\ntable | oof MAE numeric | oof MAE roles | ratio | within 5%")
    for name, by_arm in errors.items():
        ratio = np.mean(by_arm["roles"]) / np.mean(by_arm["numeric"])
        ok &= bool(ratio <= MAX_WORSE)
        print(
            f"{name} | {np.mean(by_arm['numeric']):.4g} | {np.mean(by_arm['roles']):.4g} | {ratio:.3f} | {ratio <= MAX_WORSE}"
        )
    mean_f1 = {arm: round(float(np.mean(v)), 3) for arm, v in scores.items()}
    ok &= mean_f1["roles"] >= mean_f1["numeric"]
    print(f"mean F1 over {len(scores['roles'])} runs: numeric {mean_f1['numeric']:.3f}, roles {mean_f1['roles']:.3f}")
    print(f"rule: {'ADOPT roles' if ok else 'KEEP numeric'}; {time.perf_counter() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
