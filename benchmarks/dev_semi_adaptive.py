"""Development grid for SelfTrainer(selection="adaptive") on DEV seeds only (not the reporting seeds 0-2).

Same protocol as ``bench_noisy_training.py --part semi`` (LogisticRegression(max_iter=1000, tol=1e-3)
on standardised features, 70/30 stratified split, 5% and 10% of the training labels kept with at
least two per class, ``max_iter=5``), but on seeds 10-29 and with make_classification subsampled
to 8,000 rows so that a grid runs in about two minutes on 2 cores. Settings of the adaptive rule
are chosen here, then the real benchmark is run once on seeds 0-2.

Also prints two upper bounds that no selection rule can beat: ``*_oracle`` keeps only the correct
pseudo-labels of a rule's selection (the hidden training labels are used, so these are not
methods, only a measure of how much better selection precision could gain).

Usage: python benchmarks/dev_semi_adaptive.py [--seeds 10-29] [--jobs 2]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.datasets import load_breast_cancer, load_digits, load_wine, make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.semi_supervised import SelfTrainingClassifier

from labelwise.semi import SelfTrainer, flexmatch_thresholds, softmatch_weights

MAX_ITER = 5


def base():
    return LogisticRegression(max_iter=1000, tol=1e-3)


def datasets():
    data = {
        "digits": load_digits(return_X_y=True),
        "wine": load_wine(return_X_y=True),
        "breast_cancer": load_breast_cancer(return_X_y=True),
    }
    X, y = make_classification(
        n_samples=50_000,
        n_features=20,
        n_informative=10,
        n_redundant=4,
        n_classes=4,
        n_clusters_per_class=1,
        class_sep=1.5,
        random_state=0,
    )
    rows = np.random.default_rng(123).permutation(y.size)[:8000]
    data["make_classification_8k"] = (X[rows], y[rows])
    return data


def split(X, y, seed):
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=seed, stratify=y)
    scaler = StandardScaler().fit(X_tr)
    return scaler.transform(X_tr), scaler.transform(X_te), y_tr, y_te


def keep_labels(y, frac, rng):
    keep = rng.random(y.size) < frac
    for c in np.unique(y):
        keep[rng.permutation(np.flatnonzero(y == c))[:2]] = True
    out = y.copy()
    out[~keep] = -1
    return out, keep


def oracle(X, y_semi, y_true, rule):
    """FlexMatch or SoftMatch self-training (lambda = 1) keeping only the correct pseudo-labels."""
    lab, pool = np.flatnonzero(y_semi >= 0), np.flatnonzero(y_semi < 0)
    k = int(y_semi[lab].max()) + 1
    unit = lab.size / pool.size
    model = base().fit(X[lab], y_semi[lab])
    for _ in range(MAX_ITER):
        proba = model.predict_proba(X[pool])
        conf, pred = proba.max(axis=1), proba.argmax(axis=1)
        if rule == "flexmatch":
            w = (conf > flexmatch_thresholds(conf, pred, k)[pred]).astype(float)
        else:
            w = softmatch_weights(proba).weights
        w = w * (pred == y_true[pool])
        rows = np.concatenate([lab, pool[w > 0]])
        labels = np.concatenate([y_semi[lab], pred[w > 0]])
        weights = np.concatenate([np.ones(lab.size), unit * w[w > 0]])
        model = base().fit(X[rows], labels, sample_weight=weights)
    return model


def methods(seed):
    st = lambda **kw: SelfTrainer(base(), selection="adaptive", max_iter=MAX_ITER, **kw)  # noqa: E731
    return {
        "sklearn_threshold_0.75": lambda X, y, _: SelfTrainingClassifier(base(), threshold=0.75, max_iter=MAX_ITER).fit(
            X, y
        ),
        "adaptive_flexmatch": lambda X, y, _: st().fit(X, y),
        "adaptive_freematch": lambda X, y, _: st(adaptive_thresholds="freematch").fit(X, y),
        "adaptive_softmatch": lambda X, y, _: st(adaptive_thresholds="softmatch").fit(X, y),
        "adaptive_softmatch_prior": lambda X, y, _: st(adaptive_thresholds="softmatch", prior_correction=True).fit(
            X, y
        ),
        "flexmatch_oracle": lambda X, y, t: oracle(X, y, t, "flexmatch"),
        "softmatch_oracle": lambda X, y, t: oracle(X, y, t, "softmatch"),
    }


def run_one(name, X, y, frac, seed):
    warnings.filterwarnings("ignore")
    X_tr, X_te, y_tr, y_te = split(X, y, seed)
    y_semi, keep = keep_labels(y_tr, frac, np.random.default_rng(seed))
    rows = [
        dict(
            data=name,
            frac=frac,
            seed=seed,
            method="labeled_only",
            accuracy=base().fit(X_tr[keep], y_tr[keep]).score(X_te, y_te),
        )
    ]
    for method, fit in methods(seed).items():
        rows.append(
            dict(data=name, frac=frac, seed=seed, method=method, accuracy=fit(X_tr, y_semi, y_tr).score(X_te, y_te))
        )
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="10-29", help="dev seeds, 'a-b' (never 0-2, the reporting seeds)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    lo, hi = (int(v) for v in args.seeds.split("-"))
    if lo <= 2:
        parser.error("seeds 0-2 are the reporting seeds of bench_noisy_training.py; develop on others")
    start = time.perf_counter()
    jobs = [(n, X, y, f, s) for n, (X, y) in datasets().items() for f in (0.05, 0.10) for s in range(lo, hi + 1)]
    results = Parallel(n_jobs=args.jobs)(delayed(run_one)(*job) for job in jobs)
    df = pd.DataFrame([r for rows in results for r in rows])
    wide = df.pivot_table(index=["data", "frac", "seed"], columns="method", values="accuracy")
    per = wide.groupby(level=[0, 1]).mean().T
    per.columns = [f"{d} {f:.0%}" for d, f in per.columns]
    pd.set_option("display.width", 250)
    pd.set_option("display.max_columns", 20)
    print(per.round(4).to_string())
    vs = wide.sub(wide["labeled_only"], axis=0)
    summary = pd.DataFrame(
        {
            "mean": wide.mean(),
            "vs_sklearn_pts": 100 * (wide.mean() - wide["sklearn_threshold_0.75"].mean()),
            "vs_labeled_only_pts": 100 * vs.mean(),
            "worst_vs_labeled_only_pts": 100 * vs.min(),
            "runs_below_-1pt": (vs < -0.01).sum(),
        }
    ).sort_values("mean")
    print(f"\n{len(wide)} runs (seeds {lo}-{hi})\n")
    print(summary.round(4).to_string())
    print(f"\nwall time {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
