"""Train on noisy labels and pseudo-label: labelwise vs cleanlab and scikit-learn, side by side.

Part 1 (``noisy``): test accuracy on a clean test split of models trained on noisy labels.
  plain LogisticRegression, labelwise CleanClassifier (drop; reweight; drop with n_rounds=2),
  cleanlab 2.9 CleanLearning, all with the same base estimator and the same 5 folds' seed; and
  loss correction with an estimated noise transition matrix (session 34): labelwise
  ImportanceReweighting (Liu & Tao 2016) and ForwardCorrection (Patrini et al. 2017; its own
  logistic regression with the base's C=1 and tol), each with the default confident-joint T and with
  Patrini et al.'s anchor points (defaults chosen on dev seeds 7-9 with
  ``benchmarks/dev_noisy_transition.py``, never on seeds 0-2).
  Data: digits, wine, breast cancer, make_classification (n=50,000); symmetric and pair noise
  (labelwise.noise) at 20% and 40%; 3 seeds.
Part 2 (``semi``): 5% and 10% of the training labels kept; labelwise SelfTrainer's rules vs
  scikit-learn's SelfTrainingClassifier (threshold 0.75, k_best) and LabelSpreading, and the
  estimator trained on the labeled part alone. ``labelwise_adaptive_safe`` adds SelfTrainer's
  ``safeguard="cv"`` (3-fold cross-validation on the labeled part only decides whether to keep
  the pseudo-labels); ``labelwise_adaptive_freematch`` uses FreeMatch's self-adaptive thresholds;
  ``labelwise_adaptive_softmatch`` uses SoftMatch's truncated-Gaussian pseudo-label weights
  (settings chosen on dev seeds with ``benchmarks/dev_semi_adaptive.py``, never on seeds 0-2).

Base estimator everywhere: LogisticRegression(max_iter=1000, tol=1e-3) on standardised
features (fast on 2 shared cores; cleanlab's CleanLearning gets its automatic class weights
because LogisticRegression.fit takes sample_weight). Peer runs have a time limit (SIGALRM) and
are reported as "timeout" when they exceed it.

Usage: python benchmarks/bench_noisy_training.py [--part noisy|semi|all] [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import signal
import sys
import time
import warnings

import numpy as np
import pandas as pd
import sklearn
from _machine import cpu_model  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_digits, load_wine, make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.semi_supervised import LabelSpreading, SelfTrainingClassifier

import labelwise as lw
from labelwise.robust import CleanClassifier, ForwardCorrection, ImportanceReweighting
from labelwise.semi import SelfTrainer

PEER_TIME_LIMIT_S = 300
CV = 5
SEEDS = (0, 1, 2)


def base():
    return LogisticRegression(max_iter=1000, tol=1e-3)


@contextlib.contextmanager
def time_limit(seconds: int):
    """Raise TimeoutError in the main thread after ``seconds`` (POSIX only)."""

    def handler(signum, frame):
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, handler)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def datasets(quick: bool):
    data = {
        "digits": load_digits(return_X_y=True),
        "wine": load_wine(return_X_y=True),
        "breast_cancer": load_breast_cancer(return_X_y=True),
    }
    n = 5_000 if quick else 50_000
    data[f"make_classification_{n // 1000}k"] = make_classification(
        n_samples=n,
        n_features=20,
        n_informative=10,
        n_redundant=4,
        n_classes=4,
        n_clusters_per_class=1,
        class_sep=1.5,
        random_state=0,
    )
    return data


def split(X, y, seed):
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=seed, stratify=y)
    scaler = StandardScaler().fit(X_tr)
    return scaler.transform(X_tr), scaler.transform(X_te), y_tr, y_te


def timed(fn):
    start = time.perf_counter()
    try:
        value = fn()
    except TimeoutError:
        return "timeout", time.perf_counter() - start
    return value, time.perf_counter() - start


def correction_methods(X_tr, y_n, seed) -> dict:
    """Loss correction: importance reweighting and forward correction, T by confident joint or anchors."""
    forward = dict(C=1.0, tol=1e-3, max_iter=1000, cv=CV, random_state=seed)
    return {
        "labelwise_importance": lambda: ImportanceReweighting(base(), cv=CV, random_state=seed).fit(X_tr, y_n),
        "labelwise_importance_anchor": lambda: ImportanceReweighting(
            base(), transition="anchor", cv=CV, random_state=seed
        ).fit(X_tr, y_n),
        "labelwise_forward": lambda: ForwardCorrection(**forward).fit(X_tr, y_n),
        "labelwise_forward_anchor": lambda: ForwardCorrection(transition="anchor", **forward).fit(X_tr, y_n),
    }


def run_noisy(quick: bool) -> pd.DataFrame:
    from cleanlab.classification import CleanLearning

    rows = []
    for name, (X, y) in datasets(quick).items():
        K = len(np.unique(y))
        for kind in ("symmetric", "pair"):
            for rate in (0.2, 0.4):
                for seed in SEEDS[:1] if quick else SEEDS:
                    X_tr, X_te, y_tr, y_te = split(X, y, seed)
                    noisy = lw.noise.flip_labels(y_tr, lw.noise.noise_matrix(K, rate, kind=kind), random_state=seed)
                    y_n = noisy.labels
                    methods = {
                        "plain": lambda: base().fit(X_tr, y_n),
                        "labelwise_drop": lambda: CleanClassifier(base(), cv=CV, random_state=seed).fit(X_tr, y_n),
                        "labelwise_reweight": lambda: CleanClassifier(
                            base(), cv=CV, action="reweight", random_state=seed
                        ).fit(X_tr, y_n),
                        "labelwise_drop_2rounds": lambda: CleanClassifier(
                            base(), cv=CV, n_rounds=2, random_state=seed
                        ).fit(X_tr, y_n),
                    }
                    methods.update(correction_methods(X_tr, y_n, seed))

                    def peer():
                        with time_limit(PEER_TIME_LIMIT_S):
                            return CleanLearning(base(), cv_n_folds=CV, seed=seed, verbose=False).fit(X_tr, y_n)

                    methods["cleanlab"] = peer
                    for method, fit in methods.items():
                        model, seconds = timed(fit)
                        acc = np.nan if isinstance(model, str) else float(model.score(X_te, y_te))
                        rows.append(
                            dict(
                                data=name,
                                noise=kind,
                                rate=rate,
                                seed=seed,
                                method=method,
                                accuracy=acc,
                                seconds=seconds,
                                status="ok" if not isinstance(model, str) else model,
                            )
                        )
                    last = {r["method"]: r["accuracy"] for r in rows[-len(methods) :]}
                    print(
                        f"{name:24s} {kind:9s} {rate:.1f} seed {seed}: "
                        + "  ".join(f"{m}={a:.3f}" for m, a in last.items()),
                        flush=True,
                    )
    return pd.DataFrame(rows)


def keep_labels(y, frac, rng):
    keep = rng.random(y.size) < frac
    for c in np.unique(y):  # at least two labeled examples per class
        keep[rng.permutation(np.flatnonzero(y == c))[:2]] = True
    out = y.copy()
    out[~keep] = -1
    return out, keep


def run_semi(quick: bool) -> pd.DataFrame:
    rows = []
    max_iter = 5 if not quick else 3
    for name, (X, y) in datasets(quick).items():
        for frac in (0.05, 0.10):
            for seed in SEEDS[:1] if quick else SEEDS:
                X_tr, X_te, y_tr, y_te = split(X, y, seed)
                y_semi, keep = keep_labels(y_tr, frac, np.random.default_rng(seed))
                forest = RandomForestClassifier(200, min_samples_leaf=2, random_state=seed, n_jobs=1)
                methods = {
                    "labeled_only": lambda: base().fit(X_tr[keep], y_tr[keep]),
                    "sklearn_threshold_0.75": lambda: SelfTrainingClassifier(
                        base(), threshold=0.75, max_iter=max_iter
                    ).fit(X_tr, y_semi),
                    "sklearn_k_best": lambda: SelfTrainingClassifier(
                        base(), criterion="k_best", k_best=10, max_iter=max_iter
                    ).fit(X_tr, y_semi),
                    "sklearn_label_spreading": lambda: LabelSpreading(kernel="knn", n_neighbors=7, max_iter=100).fit(
                        X_tr, y_semi
                    ),
                }
                for rule in ("threshold", "k_best", "class_balanced", "curriculum", "adaptive"):
                    methods[f"labelwise_{rule}"] = lambda rule=rule: SelfTrainer(
                        base(), selection=rule, k_best=10, max_iter=max_iter
                    ).fit(X_tr, y_semi)
                methods["labelwise_adaptive_safe"] = lambda: SelfTrainer(
                    base(), selection="adaptive", safeguard="cv", random_state=seed, max_iter=max_iter
                ).fit(X_tr, y_semi)
                methods["labelwise_adaptive_freematch"] = lambda: SelfTrainer(
                    base(), selection="adaptive", adaptive_thresholds="freematch", max_iter=max_iter
                ).fit(X_tr, y_semi)
                methods["labelwise_adaptive_softmatch"] = lambda: SelfTrainer(
                    base(), selection="adaptive", adaptive_thresholds="softmatch", max_iter=max_iter
                ).fit(X_tr, y_semi)
                methods["labelwise_adaptive_prior"] = lambda: SelfTrainer(
                    base(), selection="adaptive", prior_correction=True, max_iter=max_iter
                ).fit(X_tr, y_semi)
                methods["labelwise_llkd_forest_teacher"] = lambda: SelfTrainer(
                    base(), selection="llkd", teacher=forest, max_iter=max_iter
                ).fit(X_tr, y_semi)

                def limited(fit):
                    def run():
                        with time_limit(PEER_TIME_LIMIT_S):
                            return fit()

                    return run

                for method, fit in methods.items():
                    fit = limited(fit) if method.startswith("sklearn") else fit
                    model, seconds = timed(fit)
                    acc = np.nan if isinstance(model, str) else float(model.score(X_te, y_te))
                    guard = getattr(model, "safeguard_", None)
                    rows.append(
                        dict(
                            data=name,
                            frac=frac,
                            seed=seed,
                            method=method,
                            accuracy=acc,
                            seconds=seconds,
                            status="ok" if not isinstance(model, str) else model,
                            decision=None if guard is None else guard.decision,
                        )
                    )
                last = {r["method"]: r["accuracy"] for r in rows[-len(methods) :]}
                print(
                    f"{name:24s} {frac:.2f} seed {seed}: " + "  ".join(f"{m}={a:.3f}" for m, a in last.items()),
                    flush=True,
                )
    return pd.DataFrame(rows)


def machine() -> str:
    cpu = cpu_model()
    return (
        f"{os.cpu_count()} CPUs ({cpu}); Python {platform.python_version()}, numpy {np.__version__}, "
        f"scikit-learn {sklearn.__version__}, labelwise {lw.__version__}"
    )


def to_markdown(frame: pd.DataFrame) -> str:
    """A pipe table (no tabulate dependency); index levels become the first columns."""
    flat = frame.reset_index()
    header = [str(c) for c in flat.columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in flat.itertuples(index=False):
        cells = [f"{v:.4f}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summarise_noisy(df: pd.DataFrame) -> None:
    acc = df.pivot_table(index=["data", "noise", "rate"], columns="method", values="accuracy", aggfunc="mean")
    print("\nNoisy labels: mean test accuracy over seeds\n")
    print(to_markdown(acc))
    mean = df.groupby("method")["accuracy"].mean()
    secs = df.groupby("method")["seconds"].sum()
    pair40 = df[(df.noise == "pair") & (df.rate == 0.4)].groupby("method")["accuracy"].mean()
    print("\n| method | mean accuracy (all settings) | mean at 40% pair | total seconds | time / cleanlab |")
    print("|---|---|---|---|---|")
    for m in mean.index:
        print(f"| {m} | {mean[m]:.4f} | {pair40[m]:.4f} | {secs[m]:.1f} | {secs[m] / secs['cleanlab']:.2f} |")
    timeouts = (df.status == "timeout").sum()
    print(f"\ncleanlab timeouts: {timeouts}")
    d, c, p = mean["labelwise_drop"], mean["cleanlab"], pair40["labelwise_drop"] - pair40["plain"]
    print(f"Goal 1 (drop mean >= cleanlab): {d:.4f} vs {c:.4f} -> {'MET' if d >= c else 'NOT MET'}")
    print(
        f"Goal 2 (drop >= plain + 3 points at 40% pair): +{100 * p:.1f} points -> {'MET' if p >= 0.03 else 'NOT MET'}"
    )
    ratio = secs["labelwise_drop"] / secs["cleanlab"]
    print(f"Goal 3 (time within 1.2x cleanlab): {ratio:.2f}x -> {'MET' if ratio <= 1.2 else 'NOT MET'}")
    wide = df.pivot_table(index=["data", "noise", "rate", "seed"], columns="method", values="accuracy")
    print("\nLoss correction against cleanlab and CleanClassifier (drop), per run (data x noise x rate x seed):")
    print("| method | mean accuracy | vs cleanlab (mean) | runs above cleanlab | vs drop (mean) | time / cleanlab |")
    print("|---|---|---|---|---|---|")
    for m in [c for c in wide.columns if c.startswith(("labelwise_importance", "labelwise_forward"))]:
        d_peer, d_drop = wide[m] - wide["cleanlab"], wide[m] - wide["labelwise_drop"]
        print(
            f"| {m} | {wide[m].mean():.4f} | {100 * d_peer.mean():+.2f} pts | {int((d_peer > 0).sum())}/{len(wide)} | "
            f"{100 * d_drop.mean():+.2f} pts | {secs[m] / secs['cleanlab']:.2f} |"
        )


def summarise_semi(df: pd.DataFrame) -> None:
    acc = df.pivot_table(index=["data", "frac"], columns="method", values="accuracy", aggfunc="mean")
    print("\nSemi-supervised: mean test accuracy over seeds\n")
    table = acc.T
    table.columns = [f"{d} {f:.0%}" for d, f in table.columns]
    print(to_markdown(table))
    wide = df.pivot_table(index=["data", "frac", "seed"], columns="method", values="accuracy")
    mean = wide.mean()
    vs_base = wide.sub(wide["labeled_only"], axis=0)
    print("\n| method | mean accuracy | vs labeled-only (mean) | worst setting vs labeled-only | total seconds |")
    print("|---|---|---|---|---|")
    secs = df.groupby("method")["seconds"].sum()
    for m in mean.index:
        print(
            f"| {m} | {mean[m]:.4f} | {100 * vs_base[m].mean():+.1f} pts | {100 * vs_base[m].min():+.1f} pts | {secs[m]:.1f} |"
        )
    for rule in (
        "labelwise_adaptive",
        "labelwise_adaptive_safe",
        "labelwise_adaptive_freematch",
        "labelwise_adaptive_softmatch",
    ):
        gain = mean[rule] - mean["sklearn_threshold_0.75"]
        worst = vs_base[rule].min()
        print(
            f"\n{rule}: Goal 4 (>= SelfTrainingClassifier + 1 point): {100 * gain:+.2f} points -> "
            f"{'MET' if gain >= 0.01 else 'NOT MET'}"
        )
        print(
            f"{rule}: Goal 5 (never > 1 point below labeled-only): worst {100 * worst:+.1f} points -> "
            f"{'MET' if worst >= -0.01 else 'NOT MET'}"
        )
    decisions = df[df.method == "labelwise_adaptive_safe"].groupby("data")["decision"].value_counts()
    print("\nadaptive_safe safeguard decisions (runs):\n" + decisions.to_string())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["noisy", "semi", "all"], default="all")
    parser.add_argument("--quick", action="store_true", help="one seed, a 5k synthetic set (smoke run)")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    print(machine(), flush=True)
    start = time.perf_counter()
    if args.part in ("noisy", "all"):
        summarise_noisy(run_noisy(args.quick))
    if args.part in ("semi", "all"):
        summarise_semi(run_semi(args.quick))
    print(f"\nwall time {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
