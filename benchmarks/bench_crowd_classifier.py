"""Learning from crowds: labelwise CrowdClassifier vs two-stage "aggregate, then fit", side by side.

Data: feature tables scikit-learn and palmerpenguins ship (digits, wine, breast cancer,
penguins), split 70/30 (stratified). The training rows get simulated answers: 12 annotators,
3 good (accuracy 0.9, 0.85, 0.8), 5 poor (0.55), 4 spammers (uniformly random answers), each
row answered by 1-3 of them drawn at random (a wrong answer of a good or poor annotator is
uniform over the other classes). Each method then trains the same estimator,
``StandardScaler + LogisticRegression(max_iter=300)``, and is scored on the held-out rows against
their TRUE labels:

- ``majority_vote``: labelwise MajorityVote's labels -> fit;
- ``crowdkit_ds``: crowd-kit 1.4.2 DawidSkene (n_iter=100) labels -> fit;
- ``labelwise_ds``: labelwise DawidSkene (defaults) labels -> fit;
- ``crowd_classifier``: labelwise CrowdClassifier (defaults: cv=5, init majority vote, max_iter 50);
- ``crowd_classifier_paper``: the same with ``cv=None`` (the paper's in-sample E-step).

Times are wall seconds of aggregation + fit, BLAS on one thread for every method (CrowdClassifier
limits it itself; threads only spin between small fits on a loaded machine). Seeds 10-12 are the reported ones; CrowdClassifier's
defaults were chosen on other data (make_classification and the tests' simulated crowds, dev seeds
0-4), never on these.

Usage: python benchmarks/bench_crowd_classifier.py [--seeds 10 11 12] [--datasets digits wine ...]
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings

import numpy as np
import pandas as pd
import sklearn
from _machine import cpu_model  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from labelwise.aggregate import DawidSkene, MajorityVote
from labelwise.robust import CrowdClassifier

ACCURACIES = (0.9, 0.85, 0.8, 0.55, 0.55, 0.55, 0.55, 0.55)  # then 4 spammers
N_SPAMMERS = 4


def load(name: str) -> tuple[np.ndarray, np.ndarray]:
    if name == "penguins":
        from palmerpenguins import load_penguins

        frame = load_penguins().dropna(subset=["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"])
        X = frame[["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]].to_numpy(float)
        return X, pd.factorize(frame["species"], sort=True)[0]
    loader = {"digits": load_digits, "wine": load_wine, "breast_cancer": load_breast_cancer}[name]
    return loader(return_X_y=True)


def simulate_answers(y: np.ndarray, k: int, rng: np.random.Generator) -> pd.DataFrame:
    """1-3 answers per row from the 12 simulated annotators (see the module docstring)."""
    n_annotators = len(ACCURACIES) + N_SPAMMERS
    per_row = rng.integers(1, 4, y.size)
    rows = np.repeat(np.arange(y.size), per_row)
    who = np.concatenate([rng.choice(n_annotators, m, replace=False) for m in per_row])
    acc = np.r_[ACCURACIES, np.full(N_SPAMMERS, np.nan)][who]
    right = rng.random(rows.size) < np.nan_to_num(acc)
    wrong = (y[rows] + rng.integers(1, k, rows.size)) % k
    label = np.where(right, y[rows], wrong)
    spam = np.isnan(acc)
    label[spam] = rng.integers(0, k, spam.sum())
    return pd.DataFrame({"item": rows, "annotator": who, "label": label})


def estimator():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=300))


def two_stage(labels: pd.Series, X: np.ndarray) -> object:
    labels = labels.sort_index()
    rows = labels.index.to_numpy()
    return estimator().fit(X[rows], labels.to_numpy())


def run_one(name: str, seed: int) -> list[dict]:
    X, y = load(name)
    k = int(y.max()) + 1
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=seed)
    answers = simulate_answers(y_tr, k, np.random.default_rng(seed))
    out = []

    def record(method: str, fit) -> None:
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = fit()
        seconds = time.perf_counter() - start
        acc = float((model.predict(X_te) == y_te).mean())
        out.append({"dataset": name, "seed": seed, "method": method, "accuracy": acc, "seconds": seconds})

    record("majority_vote", lambda: two_stage(MajorityVote().fit(answers).labels_, X_tr))
    try:
        from crowdkit.aggregation import DawidSkene as CKDawidSkene

        ck = answers.rename(columns={"item": "task", "annotator": "worker"})
        record("crowdkit_ds", lambda: two_stage(CKDawidSkene(n_iter=100).fit(ck).labels_, X_tr))
    except ImportError:
        pass
    record("labelwise_ds", lambda: two_stage(DawidSkene().fit(answers).labels_, X_tr))
    record("crowd_classifier", lambda: CrowdClassifier(estimator(), random_state=0).fit(X_tr, answers))
    record(
        "crowd_classifier_paper",
        lambda: CrowdClassifier(estimator(), cv=None, random_state=0).fit(X_tr, answers),
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[10, 11, 12])
    parser.add_argument("--datasets", nargs="+", default=["wine", "breast_cancer", "penguins", "digits"])
    args = parser.parse_args()
    print(f"# {cpu_model()}, Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
          f"scikit-learn {sklearn.__version__}")  # fmt: skip
    rows = []
    for name in args.datasets:
        for seed in args.seeds:
            with threadpool_limits(limits=1, user_api="blas"):  # every method's fits alike (CrowdClassifier's own)
                rows += run_one(name, seed)
            print(pd.DataFrame(rows[-5:]).to_string(index=False), flush=True)
    table = pd.DataFrame(rows)
    acc = table.pivot_table(index="dataset", columns="method", values="accuracy", aggfunc="mean")
    sec = table.pivot_table(index="dataset", columns="method", values="seconds", aggfunc="mean")
    print("\nmean held-out accuracy against the true labels over seeds", args.seeds)
    print(acc.round(4).to_string())
    print("\nmean seconds (aggregation + fit)")
    print(sec.round(3).to_string())
    if "crowdkit_ds" in sec:
        print("\nspeed ratio crowd_classifier / crowdkit_ds two-stage:")
        print((sec["crowd_classifier"] / sec["crowdkit_ds"]).round(2).to_string())


if __name__ == "__main__":
    main()
