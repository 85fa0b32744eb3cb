"""labelwise's ``auto`` model vs its single candidates and vs cleanlab's documented default model.

On tables that ship inside installed packages (scikit-learn's wine, breast cancer, digits and
iris; palmerpenguins; vega_datasets' seattle-weather and cars, read from the package files, no
network) labels are flipped at --rates, uniformly (to any other class) and class-conditionally
(class k to class k+1), for every seed in --seeds. For each run:

- auto: :func:`labelwise.models.choose_model` (default time budget), then
  :func:`labelwise.find_label_issues` on its probabilities; its log loss is compared with every
  candidate it ran (raw and calibrated);
- cleanlab: ``cleanlab.filter.find_label_issues`` on out-of-fold probabilities of
  ``LogisticRegression()`` (cleanlab's documented default model) on the same folds; cleanlab's
  model gets the same table made numeric (median-imputed, one-hot categoricals, dates as day
  numbers) and standardised;
- logistic: labelwise's logistic default alone, for the time ratio.

F1 is of the flagged set against the injected flips. Then a 300,000-row table is audited once.

    python benchmarks/bench_default_model.py --seeds 100 101 102 103 104   # dev seeds (choose settings)
    python benchmarks/bench_default_model.py --seeds 0 1 2                 # reported seeds (RESULTS.md)
    python benchmarks/bench_default_model.py --no-blend                    # auto without the blend
    python benchmarks/bench_default_model.py --seeds 0 1 2 --timing --audit-cli   # + the time ratios
    python benchmarks/bench_default_model.py --tables none                 # the 300,000-row table alone

``--timing`` times the model step alone per table (logistic and auto, each on one core and with
``n_jobs=2``, median of 3); ``--audit-cli`` times ``labelwise audit`` end to end, a fresh
interpreter per call, with ``--model auto`` and ``--model logistic``.
The large table's line gives the wall and the CPU time (``time.process_time``) and the load average
before and after.

Set OMP_NUM_THREADS=1 on a shared or small machine: scikit-learn's histogram gradient boosting
spins OpenMP threads, which on an oversubscribed machine made it up to 50x slower.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings

import numpy as np
import pandas as pd
from _machine import cpu_model

warnings.filterwarnings("ignore")


def load_tables() -> dict[str, tuple[pd.DataFrame, pd.Series]]:
    """Feature frame and label per table, all from installed package files."""
    from palmerpenguins import load_penguins
    from sklearn import datasets
    from vega_datasets import local_data

    tables = {}
    for name, loader in [
        ("wine", datasets.load_wine),
        ("breast_cancer", datasets.load_breast_cancer),
        ("digits", datasets.load_digits),
        ("iris", datasets.load_iris),
    ]:
        bunch = loader(as_frame=True)
        tables[name] = (bunch.data, bunch.target)
    penguins = load_penguins()
    tables["penguins"] = (penguins.drop(columns="species"), penguins["species"])
    weather = local_data.seattle_weather()
    tables["seattle_weather"] = (weather.drop(columns="weather"), weather["weather"])
    cars = local_data.cars()
    tables["cars"] = (cars.drop(columns="Origin"), cars["Origin"])
    return tables


def flip(codes: np.ndarray, k: int, rate: float, kind: str, seed: int) -> np.ndarray:
    """Flip ``rate`` of the labels: to a random other class (uniform) or to the next class."""
    rng = np.random.default_rng(seed)
    chosen = rng.random(codes.size) < rate
    if kind == "uniform":
        other = (codes + rng.integers(1, k, codes.size)) % k
    else:
        other = (codes + 1) % k
    return np.where(chosen, other, codes)


def numeric_matrix(features: pd.DataFrame) -> np.ndarray:
    """The table as numbers for cleanlab's LogisticRegression (one-hot, dates as days, imputed, scaled)."""
    frame = features.copy()
    for col in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            frame[col] = (frame[col] - frame[col].min()).dt.days
    frame = pd.get_dummies(frame, dummy_na=False).astype(float)
    frame = frame.fillna(frame.median())
    values = frame.to_numpy()
    std = values.std(axis=0)
    return (values - values.mean(axis=0)) / np.where(std > 0, std, 1.0)


def f1(flagged: np.ndarray, truth: np.ndarray) -> float:
    hits = float((flagged & truth).sum())
    return 2 * hits / max(float(flagged.sum() + truth.sum()), 1.0)


def one_run(features, codes, k, rate, kind, seed, budget, blend=True, n_jobs=None):
    import cleanlab.filter
    from sklearn.linear_model import LogisticRegression

    import labelwise as lw
    from labelwise.models import choose_model, default_model

    noisy = flip(codes, k, rate, kind, seed)
    truth = noisy != codes
    t0 = time.perf_counter()
    choice = choose_model(features, noisy, random_state=seed, time_budget=budget, blend=blend, n_jobs=n_jobs)
    auto_issues = lw.find_label_issues(noisy, choice.probs).is_issue
    t_auto = time.perf_counter() - t0
    t0 = time.perf_counter()
    logistic = lw.out_of_fold_probs(
        default_model(features, model="logistic", random_state=seed), features, noisy, random_state=seed, verbose=False
    )
    logistic_issues = lw.find_label_issues(noisy, logistic).is_issue
    t_logistic = time.perf_counter() - t0
    t0 = time.perf_counter()
    cl_probs = lw.out_of_fold_probs(
        LogisticRegression(), numeric_matrix(features), noisy, random_state=seed, verbose=False
    )
    cl_issues = cleanlab.filter.find_label_issues(noisy, cl_probs)
    t_cleanlab = time.perf_counter() - t0
    ran = [c for c in choice.candidates if c.skipped is None]
    best_raw = min(c.log_loss for c in ran)
    best_cal = min(c.best_log_loss for c in ran)
    return {
        "rate": rate,
        "kind": kind,
        "seed": seed,
        "chosen": choice.chosen + ("+T" if choice.calibrated else ""),
        "skipped": ",".join(
            c.name
            for c in choice.candidates
            if c.skipped and not any(policy in c.skipped for policy in ("kNN", "dense", "rows on"))
        ),
        "auto_ll": choice.log_loss,
        "best_raw_ll": best_raw,
        "best_cal_ll": best_cal,
        "f1_auto": f1(auto_issues, truth),
        "f1_logistic": f1(logistic_issues, truth),
        "f1_cleanlab": f1(cl_issues, truth),
        "t_auto": t_auto,
        "t_logistic": t_logistic,
        "t_cleanlab": t_cleanlab,
    }


def large_table(n: int, seed: int = 0):
    """A 300,000-row table: 20 numeric features, a category, a date; 5 classes; 10% uniform flips."""
    from sklearn.datasets import make_classification

    X, y = make_classification(n, 20, n_informative=10, n_classes=5, random_state=seed)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(20)])
    rng = np.random.default_rng(seed)
    frame["shop"] = rng.choice([f"s{i}" for i in range(30)], n)
    frame["day"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1000, n), unit="D")
    return frame, y


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--rates", type=float, nargs="+", default=[0.05, 0.1, 0.2])
    parser.add_argument("--kinds", nargs="+", default=["uniform", "class_conditional"])
    parser.add_argument("--tables", nargs="+", default=None)
    parser.add_argument("--time-budget", type=float, default=None, help="auto's budget (default: the library's)")
    parser.add_argument("--no-blend", dest="blend", action="store_false", help="auto without the cross-fitted blend")
    parser.add_argument("--large", type=int, default=300_000, help="rows of the large table (0: skip it)")
    parser.add_argument("--n-jobs", type=int, default=None, help="auto's n_jobs (the logistic baseline: one at a time)")
    parser.add_argument("--audit-cli", action="store_true", help="also time `labelwise audit` end to end per table")
    parser.add_argument(
        "--timing", action="store_true", help="model step per table: logistic vs auto on 1 and on 2 cores (median of 3)"
    )
    args = parser.parse_args()

    from labelwise.models import DEFAULT_TIME_BUDGET

    budget = DEFAULT_TIME_BUDGET if args.time_budget is None else args.time_budget
    print(
        f"machine: {cpu_model()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}; auto time budget {budget:g} s, blend {args.blend}"
    )
    pd.set_option("display.width", 250)
    pd.set_option("display.max_columns", 30)
    rows = []
    for name, (features, labels) in load_tables().items():
        if args.tables and name not in args.tables:
            continue
        classes, codes = np.unique(labels.astype(str), return_inverse=True)
        for seed in args.seeds:
            for kind in args.kinds:
                for rate in args.rates:
                    row = {"table": name} | one_run(
                        features, codes, len(classes), rate, kind, seed, budget, args.blend, args.n_jobs
                    )
                    rows.append(row)
                    print(
                        " ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()),
                        flush=True,
                    )
    if rows:
        summarise(pd.DataFrame(rows))
    if args.timing:
        model_step_times(load_tables(), args.tables, budget)
    if args.audit_cli:
        audit_cli_times(load_tables(), args.tables, args.n_jobs)
    if args.large:
        large_run(args.large, budget)


def summarise(runs: pd.DataFrame) -> None:
    """Per-table means and the goals, printed."""
    runs["ll_gap_raw"] = runs["auto_ll"] / runs["best_raw_ll"] - 1
    runs["ll_gap_cal"] = runs["auto_ll"] / runs["best_cal_ll"] - 1
    per_table = runs.groupby("table").agg(
        ll_gap_raw_max=("ll_gap_raw", "max"),
        ll_gap_cal_max=("ll_gap_cal", "max"),
        f1_auto=("f1_auto", "mean"),
        f1_cleanlab=("f1_cleanlab", "mean"),
        f1_logistic=("f1_logistic", "mean"),
        t_auto=("t_auto", "mean"),
        t_logistic=("t_logistic", "mean"),
        t_cleanlab=("t_cleanlab", "mean"),
    )
    per_table["f1_gain_pts"] = 100 * (per_table["f1_auto"] - per_table["f1_cleanlab"])
    per_table["time_ratio"] = per_table["t_auto"] / per_table["t_logistic"]
    print("\nchosen models per table:")
    print(runs.groupby("table")["chosen"].value_counts().unstack(fill_value=0))
    print("\nper table (means over seeds, rates and kinds; gaps are the worst run):")
    print(per_table.round(4).to_string())
    mean_gain = 100 * (runs["f1_auto"].mean() - runs["f1_cleanlab"].mean())
    print(
        f"\nF1 auto {runs['f1_auto'].mean():.4f}, cleanlab {runs['f1_cleanlab'].mean():.4f}, "
        f"labelwise logistic {runs['f1_logistic'].mean():.4f}: auto - cleanlab = {mean_gain:+.2f} points"
    )
    print(
        f"goal log loss within 2% of best raw candidate on every table: {bool((per_table['ll_gap_raw_max'] <= 0.02).all())}"
    )
    print(
        f"goal F1 >= cleanlab on every table: {bool((per_table['f1_gain_pts'] >= 0).all())}; mean gain >= 5: {mean_gain >= 5}"
    )
    print(f"goal time <= 4x logistic on every table: {bool((per_table['time_ratio'] <= 4).all())}")


def model_step_times(tables, only, budget: float, repeats: int = 3) -> None:
    """The model step alone, side by side: out-of-fold probabilities of labelwise's logistic model
    and of auto, each on one core (``n_jobs=None``) and with ``n_jobs=2``.

    Each table once (10% uniform flips, seed 0), each timing the median of ``repeats``; the logistic
    baseline's pipeline encodes the columns itself, as ``--model logistic`` does.
    """
    import labelwise as lw
    from labelwise.models import choose_model, default_model

    print(
        "\nmodel step alone (median of 3, seconds): logistic (1 core) | auto (1 core) | "
        "logistic (n_jobs=2) | auto (n_jobs=2)"
    )
    for name, (features, labels) in tables.items():
        if only and name not in only:
            continue
        classes, codes = np.unique(labels.astype(str), return_inverse=True)
        noisy = flip(codes, len(classes), 0.1, "uniform", 0)
        runs = {
            "logistic": lambda: lw.out_of_fold_probs(
                default_model(features, model="logistic", random_state=0),
                features,
                noisy,
                random_state=0,
                verbose=False,
            ),
            "logistic2": lambda: lw.out_of_fold_probs(
                default_model(features, model="logistic", random_state=0), features, noisy, random_state=0, n_jobs=2
            ),
            "auto": lambda: choose_model(features, noisy, random_state=0, time_budget=budget),
            "auto2": lambda: choose_model(features, noisy, random_state=0, time_budget=budget, n_jobs=2),
        }
        seconds = {}
        for key, run in runs.items():
            times = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                run()
                times.append(time.perf_counter() - t0)
            seconds[key] = float(np.median(times))
        print(
            f"{name:16s} {seconds['logistic']:.3f} | {seconds['auto']:.3f} ({seconds['auto'] / seconds['logistic']:.1f}x)"
            f" | {seconds['logistic2']:.3f} | {seconds['auto2']:.3f} ({seconds['auto2'] / seconds['logistic2']:.1f}x"
            f" of logistic on 2 cores, {seconds['auto2'] / seconds['logistic']:.1f}x of logistic on 1)",
            flush=True,
        )


def audit_cli_times(tables, only, n_jobs) -> None:
    """`labelwise audit` end to end (a fresh interpreter each time: imports, reading, report on screen).

    Each table once, 10% uniform flips (seed 0), with ``--model auto`` and ``--model logistic``.
    """
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    print("\nlabelwise audit end to end (seconds, fresh interpreter each):")
    code = "from labelwise.cli import main; main()"
    for name, (features, labels) in tables.items():
        if only and name not in only:
            continue
        classes, codes = np.unique(labels.astype(str), return_inverse=True)
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / f"{name}.csv"
            features.assign(label_=classes[flip(codes, len(classes), 0.1, "uniform", 0)]).to_csv(data, index=False)
            seconds = {}
            for model in ("logistic", "auto"):
                extra = ["--n-jobs", str(n_jobs)] if n_jobs and model == "auto" else []
                args = ["audit", str(data), "--label", "label_", "--model", model, "--out", f"{tmp}/{model}", *extra]
                t0 = time.perf_counter()
                subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True)
                seconds[model] = time.perf_counter() - t0
        print(
            f"{name:16s} logistic {seconds['logistic']:.2f} s, auto {seconds['auto']:.2f} s, "
            f"ratio {seconds['auto'] / seconds['logistic']:.2f}x",
            flush=True,
        )


def large_run(n: int, budget: float) -> None:
    """auto + find_label_issues on one large synthetic table, timed."""
    import labelwise as lw
    from labelwise.models import choose_model

    frame, y = large_table(n)
    noisy = flip(y, 5, 0.1, "uniform", 0)
    load = os.getloadavg()[0]
    t0, cpu0 = time.perf_counter(), time.process_time()
    choice = choose_model(frame, noisy, random_state=0, time_budget=budget)
    issues = lw.find_label_issues(noisy, choice.probs)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    print(
        f"\nlarge table {n:,} rows: auto + find_label_issues {elapsed:.1f} s (goal < 60 s), CPU {cpu:.1f} s, "
        f"load {load:.1f} -> {os.getloadavg()[0]:.1f}; chosen {choice.chosen}, F1 {f1(issues.is_issue, noisy != y):.4f}"
    )
    print(choice.to_frame().to_string())


if __name__ == "__main__":
    main()
