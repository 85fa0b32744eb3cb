"""Dev-seed study for ``auto`` (issue 16, session 6): the trees' out-of-bag noise and their cost.

With bootstrap samples a row is out of bag in about 37% of the trees (~18 of 50), so its
out-of-bag probabilities average few trees. This script compares, on *dev seeds only* (default
100-107; never the reported seeds 0-2), tree settings that leave each row out of more trees:

- ``extra_oob50`` / ``extra_oob100``: scikit-learn's ``ExtraTreesClassifier`` on bootstrap
  samples (the shipped family and its 100-tree version);
- ``extra_ms05_50``: the same with ``max_samples=0.5`` (bootstrap draws of half the rows: out of
  bag in ~61% of the trees);
- ``sub{50,75,100}``: :class:`labelwise.models._subbag.SubsampledExtraTrees`, trees on half the
  rows drawn without replacement (out of bag in 50% of the trees), 50, 75 or 100 trees;
- ``sub100_s30``: 100 such trees on 30% of the rows.

Each is replayed in the menu ``logistic, knn, <trees>`` with the chooser as
``labelwise.models._auto`` runs it (cross-fitted temperature, pick by log loss, cross-fitted
blend; ``dev_auto_cost.replay``), and the F1 of the flagged set compared with cleanlab's
(``LogisticRegression()`` out of fold). Probabilities are cached per run (``--cache``; the
fold-wise candidates of ``dev_auto_cost.py`` are reused when that cache is given).

**The rule, fixed before the first run:** the shipped setting is the one with the highest mean F1
gain over cleanlab on these dev runs among those with (a) every table's mean gain at least +1
point and (b) the model step at most 3.6x the logistic default's time on every table (``--timing``:
seed 100, 10% uniform flips, one core). If none passes both, the shipped setting stays. (The timing
was first written as a median of 5; a first pass under a load of 3-4 ordered the settings
inconsistently, so before the choice it became ``--repeats 9`` with the runs interleaved.)

    OMP_NUM_THREADS=1 python benchmarks/dev_auto_subbag.py --seeds 100 101 102 103 104 105 106 107
    OMP_NUM_THREADS=1 python benchmarks/dev_auto_subbag.py --timing   # model step, per tree setting
"""

from __future__ import annotations

import argparse
import pickle
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from bench_default_model import f1, flip, load_tables, numeric_matrix
from dev_auto_cost import dev_runs, out_of_fold, replay

warnings.filterwarnings("ignore")


def _extra(trees: int, max_samples: float | None = None):
    from sklearn.ensemble import ExtraTreesClassifier

    return lambda rs: ExtraTreesClassifier(
        trees, min_samples_leaf=2, bootstrap=True, max_samples=max_samples, random_state=rs
    )


def _sub(trees: int, share: float = 0.5):
    from labelwise.models._subbag import SubsampledExtraTrees

    return lambda rs: SubsampledExtraTrees(trees, share, min_samples_leaf=2, random_state=rs)


#: Tree settings scored out of bag: name -> ``random_state -> classifier``.
TREES = {
    "extra_oob50": _extra(50),
    "extra_oob100": _extra(100),
    "extra_ms05_50": _extra(50, 0.5),
    "sub50": _sub(50),
    "sub75": _sub(75),
    "sub100": _sub(100),
    "sub100_s30": _sub(100, 0.3),
}


def fold_candidates(features, noisy, k, seed):
    """``logistic`` and ``knn`` out of fold on the chooser's folds, and the test folds."""
    from labelwise.models import FAMILIES

    return out_of_fold(features, noisy, k, seed, {name: FAMILIES[name] for name in ("logistic", "knn")})


def tree_probs(name, features, noisy, k, seed):
    """One tree setting's out-of-bag probabilities (as ``auto`` computes them) and seconds."""
    from labelwise.columns import infer_column_roles
    from labelwise.models import Family
    from labelwise.models._runner import FoldEncoder, _fit_out_of_bag

    family = Family(name, "", TREES[name], out_of_bag=True)
    frame = features.reset_index(drop=True)
    t0 = time.perf_counter()
    encoder = FoldEncoder(infer_column_roles(frame), frame, noisy, seed)
    probs = _fit_out_of_bag(family, seed, encoder.encode_all(encoder.kind(family)), noisy, k)
    return probs, time.perf_counter() - t0


def study(args) -> None:
    import cleanlab.filter
    from sklearn.linear_model import LogisticRegression

    import labelwise as lw

    cache_path = Path(args.cache)
    cache = pickle.loads(cache_path.read_bytes()) if cache_path.exists() else {}
    rows = []
    x: dict = {}
    for run in dev_runs(args.seeds, args.kinds, args.rates):
        key, features, noisy, k, seed, truth = run.key, run.features, run.noisy, run.k, run.seed, run.truth
        entry = cache.get(key)
        dirty = False
        if entry is None:
            entry = fold_candidates(features, noisy, k, seed)
            dirty = True
        cands, seconds, tests = entry
        for name in TREES:
            if name not in cands:
                cands[name], seconds[name] = tree_probs(name, features, noisy, k, seed)
                dirty = True
        if "f1_cleanlab" not in seconds:  # cached with the seconds: cleanlab's F1 on this run
            if run.table not in x:
                x[run.table] = numeric_matrix(features)
            cl = lw.out_of_fold_probs(LogisticRegression(), x[run.table], noisy, random_state=seed, verbose=False)
            seconds["f1_cleanlab"] = f1(cleanlab.filter.find_label_issues(noisy, cl), truth)
            dirty = True
        if dirty:
            cache[key] = (cands, seconds, tests)
            cache_path.write_bytes(pickle.dumps(cache))
        row = {"table": run.table, "seed": seed, "kind": run.kind, "rate": run.rate}
        row["f1_cleanlab"] = seconds["f1_cleanlab"]
        base = [m for m in ("logistic", "knn") if m in cands]
        for name in TREES:
            row[f"f1 {name} alone"] = f1(lw.find_label_issues(noisy, cands[name]).is_issue, truth)
            probs, _ = replay({m: cands[m] for m in [*base, name]}, noisy, tests)
            row[f"f1 menu {name}"] = f1(lw.find_label_issues(noisy, probs).is_issue, truth)
        row |= {f"s {name}": seconds[name] for name in TREES}
        rows.append(row)
    runs = pd.DataFrame(rows)
    f1_cols = [c for c in runs if c.startswith("f1 ")]
    gain = runs.groupby("table")[f1_cols].mean().sub(runs.groupby("table")["f1_cleanlab"].mean(), axis=0) * 100
    pd.set_option("display.width", 250)
    pd.set_option("display.max_columns", 40)
    print(f"{len(runs)} runs; F1 minus cleanlab's, points, per table (mean over seeds, rates, kinds):")
    table = gain.T.round(2)
    table["mean"] = ((runs[f1_cols].mean() - runs["f1_cleanlab"].mean()) * 100).round(2)
    table["worst table"] = gain.T.min(axis=1).round(2)
    print(table.to_string())
    by_seed = runs.groupby("seed")[f1_cols].mean().sub(runs.groupby("seed")["f1_cleanlab"].mean(), axis=0) * 100
    print("\nmean gain per seed (points):")
    print(by_seed[[c for c in f1_cols if c.startswith("f1 menu")]].round(2).to_string())
    print("\nseconds per tree setting (mean per table; rough, whatever the load):")
    print(runs.groupby("table")[[c for c in runs if c.startswith("s ")]].mean().round(3).to_string())


def timing(args) -> None:
    """The model step per table: the logistic default vs ``auto`` with each tree setting in the menu.

    The runs are interleaved (one of each in turn, ``--repeats`` times) so that a change in the
    machine's load falls on all of them alike; each is the median of its repeats.
    """
    import labelwise as lw
    from labelwise.models import FAMILIES, Family, choose_model, default_model

    names = args.settings or list(TREES)
    print(
        f"model step, seconds (median of {args.repeats}, interleaved, one core): logistic | auto with each tree setting"
    )
    for table, (features, labels) in load_tables().items():
        classes, codes = np.unique(labels.astype(str), return_inverse=True)
        noisy = flip(codes, len(classes), 0.1, "uniform", 100)
        families = {name: Family("_dev_trees", name, TREES[name], n_log_n=True, out_of_bag=True) for name in names}

        def logistic():
            pipeline = default_model(features, model="logistic", random_state=100)
            lw.out_of_fold_probs(pipeline, features, noisy, random_state=100, verbose=False)

        def auto(name):
            FAMILIES["_dev_trees"] = families[name]
            try:
                choose_model(features, noisy, random_state=100, families=["logistic", "knn", "_dev_trees"])
            finally:
                del FAMILIES["_dev_trees"]

        times: dict[str, list[float]] = {name: [] for name in ["logistic", *names]}
        for _ in range(args.repeats):
            for name in times:
                t0 = time.perf_counter()
                logistic() if name == "logistic" else auto(name)
                times[name].append(time.perf_counter() - t0)
        seconds = {name: float(np.median(values)) for name, values in times.items()}
        cells = [f"{n} {seconds[n]:.3f} ({seconds[n] / seconds['logistic']:.2f}x)" for n in names]
        print(f"{table:16s} {seconds['logistic']:.3f} | " + " | ".join(cells), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[100, 101, 102, 103, 104, 105, 106, 107])
    parser.add_argument("--rates", type=float, nargs="+", default=[0.05, 0.1, 0.2])
    parser.add_argument("--kinds", nargs="+", default=["uniform", "class_conditional"])
    parser.add_argument("--cache", default="/tmp/dev_auto_subbag.pkl")
    parser.add_argument("--timing", action="store_true", help="time the model step per tree setting instead")
    parser.add_argument("--settings", nargs="+", default=None, help="tree settings to time (default: all)")
    parser.add_argument("--repeats", type=int, default=9, help="runs of each for --timing (median)")
    args = parser.parse_args()
    if any(seed in (0, 1, 2) for seed in args.seeds):
        parser.error("seeds 0-2 are the reported seeds; choose on other seeds")
    timing(args) if args.timing else study(args)


if __name__ == "__main__":
    main()
