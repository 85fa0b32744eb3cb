"""Dev-seed study for ``auto`` (issue 16): cheaper candidates and the menu, replayed on cached probabilities.

For the tables of ``bench_default_model.py`` and *dev seeds only* (default 100-105; never the
reported seeds 0-2), labels are flipped as there, and every candidate setting's out-of-sample
probabilities are computed once per run and cached (``--cache``):

- ``logistic`` (C=0.1) and ``logistic_c1`` (C=1), ``knn`` (15 neighbours), ``forest_cv`` (50 trees,
  one forest per fold): on the shared stratified folds, as :func:`labelwise.models.choose_model`
  runs them;
- ``forest_oob50`` / ``forest_oob100`` (``extra_oob50`` / ``extra_oob100``: extremely randomised
  trees, bootstrapped): one forest on all rows, its out-of-bag probabilities (Breiman 2001), as
  ``auto`` now computes the forest's: each row is scored by the trees that did not see it.

Then the chooser (cross-fitted temperature, the pick by log loss, the cross-fitted blend) is
replayed for each menu on the cached probabilities and the F1 of the flagged set compared with
cleanlab's (``LogisticRegression()`` out of fold). Seconds per candidate are recorded as well
(rough: one run each, on whatever load the machine has).

    OMP_NUM_THREADS=1 python benchmarks/dev_auto_cost.py --seeds 100 101 102 103 104 105
"""

from __future__ import annotations

import argparse
import pickle
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import product
from pathlib import Path

import numpy as np
import pandas as pd
from bench_default_model import f1, flip, load_tables, numeric_matrix

warnings.filterwarnings("ignore")


@dataclass(frozen=True)
class DevRun:
    """One dev run of the issue-16 studies: a table with its labels flipped at one seed, kind and rate."""

    table: str
    features: pd.DataFrame
    codes: np.ndarray
    k: int
    seed: int
    kind: str
    rate: float
    noisy: np.ndarray
    #: The last kind and rate of this table and seed (where the studies save their caches).
    last_of_seed: bool

    @property
    def key(self) -> tuple[str, int, str, float]:
        """``(table, seed, kind, rate)``: the studies' cache key."""
        return (self.table, self.seed, self.kind, self.rate)

    @property
    def truth(self) -> np.ndarray:
        """The flipped rows."""
        return self.noisy != self.codes


def dev_runs(seeds: Sequence[int], kinds: Sequence[str], rates: Sequence[float]) -> Iterator[DevRun]:
    """Every run of the studies: each table of ``bench_default_model.load_tables``, then seed, kind, rate.

    The labels are flipped by ``bench_default_model.flip``, as in the benchmark (the loop the four
    issue-16 dev scripts share).
    """
    combos = list(product(kinds, rates))
    for table, (features, labels) in load_tables().items():
        classes, codes = np.unique(labels.astype(str), return_inverse=True)
        k = len(classes)
        for seed in seeds:
            for i, (kind, rate) in enumerate(combos):
                noisy = flip(codes, k, rate, kind, seed)
                yield DevRun(table, features, codes, k, seed, kind, rate, noisy, i == len(combos) - 1)


#: Bagged settings scored out of bag: name -> (forest class name, trees).
OOB_SETTINGS = {
    "forest_oob50": ("RandomForestClassifier", 50),
    "forest_oob100": ("RandomForestClassifier", 100),
    "extra_oob50": ("ExtraTreesClassifier", 50),
    "extra_oob100": ("ExtraTreesClassifier", 100),
}


def out_of_fold(features, noisy, k, seed, families):
    """Each family's out-of-fold probabilities and seconds on the chooser's folds, and the test folds.

    ``families``: name -> ``Family``; those that cannot run on the table are left out. Families whose
    encoding is the same kind share one encoding per fold, as in ``choose_model``.
    """
    from sklearn.model_selection import StratifiedKFold

    from labelwise.columns import infer_column_roles
    from labelwise.models._runner import FoldEncoder, _fit_predict

    frame = features.reset_index(drop=True)
    roles = infer_column_roles(frame)
    folds = list(StratifiedKFold(n_splits=5, shuffle=True, random_state=seed).split(noisy, noisy))
    encoder = FoldEncoder(roles, frame, noisy, seed)
    families = {name: fam for name, fam in families.items() if fam.skip_reason(roles) is None}
    out = {name: np.zeros((noisy.size, k)) for name in families}
    seconds = dict.fromkeys(families, 0.0)
    for train, test in folds:
        cache = {}
        for name, fam in families.items():
            kind = encoder.kind(fam)
            t0 = time.perf_counter()
            if kind not in cache:
                cache[kind] = tuple(encoder.as_kind(x, kind) for x in encoder.encode(train, test))
            x_train, x_test = cache[kind]
            out[name][test] = _fit_predict(fam, seed, x_train, noisy[train], x_test, k)
            seconds[name] += time.perf_counter() - t0
    return out, seconds, [test for _, test in folds]


def fold_probs(features, noisy, k, seed):
    """The fold-wise candidates' out-of-fold probabilities and seconds, and the test folds."""
    from sklearn.linear_model import LogisticRegression

    from labelwise.models import FAMILIES, Family

    c1 = Family("logistic_c1", "C=1", lambda rs: LogisticRegression(max_iter=2000, C=1.0, random_state=rs))
    forest = FAMILIES["forest"]
    families = {
        "logistic": FAMILIES["logistic"],
        "logistic_c1": c1,
        "knn": FAMILIES["knn"],
        "forest_cv": Family("forest_cv", "", forest.classifier, dense=forest.dense),
    }
    return out_of_fold(features, noisy, k, seed, families)


def oob_probs(name, features, noisy, k, seed):
    """One bagged setting's out-of-bag probabilities (as ``auto`` computes the forest's) and seconds."""
    import sklearn.ensemble

    from labelwise.columns import infer_column_roles
    from labelwise.models import Family
    from labelwise.models._runner import FoldEncoder, _fit_out_of_bag

    cls_name, trees = OOB_SETTINGS[name]
    cls = getattr(sklearn.ensemble, cls_name)
    bootstrap = {"bootstrap": True} if cls_name == "ExtraTreesClassifier" else {}
    family = Family(name, "", lambda rs: cls(trees, min_samples_leaf=2, random_state=rs, **bootstrap), out_of_bag=True)
    frame = features.reset_index(drop=True)
    t0 = time.perf_counter()
    encoder = FoldEncoder(infer_column_roles(frame), frame, noisy, seed)
    probs = _fit_out_of_bag(family, seed, encoder.encode_all(encoder.kind(family)), noisy, k)
    return probs, time.perf_counter() - t0


def candidate_probs(features, noisy, k, seed, entry=None):
    """Every candidate's out-of-sample probabilities and seconds for one run (only the missing ones if cached)."""
    if entry is None:
        entry = fold_probs(features, noisy, k, seed)
    out, seconds, tests = entry
    for name in OOB_SETTINGS:
        if name not in out:
            out[name], seconds[name] = oob_probs(name, features, noisy, k, seed)
    return out, seconds, tests


def replay(cands: dict, noisy: np.ndarray, tests: list, blend: bool = True) -> tuple[np.ndarray, str]:
    """The chooser's pick (as ``labelwise.models._auto``) on cached probabilities, without the screen."""
    from labelwise.models._auto import BLEND_MIN_GAIN
    from labelwise.models._calibrate import cross_fit_blend, cross_fit_temperature, log_loss

    scored = {}
    for name, p in cands.items():
        p = p / p.sum(axis=1, keepdims=True)
        cal, _ = cross_fit_temperature(p, noisy, tests)
        raw_ll, cal_ll = log_loss(p, noisy), log_loss(cal, noisy)
        scored[name] = (min(raw_ll, cal_ll), cal if cal_ll < raw_ll else p, cal)
    best = min(scored, key=lambda n: scored[n][0])
    final_ll, probs = scored[best][0], scored[best][1]
    if blend and len(scored) > 1:
        blended, _ = cross_fit_blend([s[2] for s in scored.values()], noisy, tests)
        if log_loss(blended, noisy) < final_ll * (1 - BLEND_MIN_GAIN):
            return blended, "blend"
    return probs, best


MENUS = {
    "current (logistic, knn, forest_cv)": ("logistic", "knn", "forest_cv"),
    "logistic, knn, forest_oob50": ("logistic", "knn", "forest_oob50"),
    "logistic, knn, forest_oob100": ("logistic", "knn", "forest_oob100"),
    "logistic, knn": ("logistic", "knn"),
    "logistic, logistic_c1, knn, forest_cv": ("logistic", "logistic_c1", "knn", "forest_cv"),
    "logistic, logistic_c1, knn, forest_oob50": ("logistic", "logistic_c1", "knn", "forest_oob50"),
    "logistic, logistic_c1, knn, forest_oob100": ("logistic", "logistic_c1", "knn", "forest_oob100"),
    "logistic_c1, knn, forest_oob50": ("logistic_c1", "knn", "forest_oob50"),
    "logistic, knn, extra_oob50": ("logistic", "knn", "extra_oob50"),
    "logistic, knn, extra_oob100": ("logistic", "knn", "extra_oob100"),
    "logistic, logistic_c1, knn, extra_oob50": ("logistic", "logistic_c1", "knn", "extra_oob50"),
    "logistic, knn, forest_oob50, extra_oob50": ("logistic", "knn", "forest_oob50", "extra_oob50"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[100, 101, 102, 103, 104, 105])
    parser.add_argument("--rates", type=float, nargs="+", default=[0.05, 0.1, 0.2])
    parser.add_argument("--kinds", nargs="+", default=["uniform", "class_conditional"])
    parser.add_argument("--cache", default="/tmp/dev_auto_cost.pkl")
    args = parser.parse_args()
    if any(seed in (0, 1, 2) for seed in args.seeds):
        parser.error("seeds 0-2 are the reported seeds; choose on other seeds")
    import cleanlab.filter
    from sklearn.linear_model import LogisticRegression

    import labelwise as lw

    cache_path = Path(args.cache)
    cache = pickle.loads(cache_path.read_bytes()) if cache_path.exists() else {}
    rows = []
    for run in dev_runs(args.seeds, args.kinds, args.rates):
        key, features, noisy, k, seed = run.key, run.features, run.noisy, run.k, run.seed
        if key not in cache or any(name not in cache[key][0] for name in OOB_SETTINGS):
            cache[key] = candidate_probs(features, noisy, k, seed, cache.get(key))
            cache_path.write_bytes(pickle.dumps(cache))
        cands, seconds, tests = cache[key]
        truth = run.truth
        x = numeric_matrix(features)
        cl = lw.out_of_fold_probs(LogisticRegression(), x, noisy, random_state=seed, verbose=False)
        row = {"table": run.table, "seed": seed, "kind": run.kind, "rate": run.rate}
        row["f1_cleanlab"] = f1(cleanlab.filter.find_label_issues(noisy, cl), truth)
        for name, p in cands.items():
            row[f"f1 {name} alone"] = f1(lw.find_label_issues(noisy, p).is_issue, truth)
        for menu, members in MENUS.items():
            probs, chosen = replay({m: cands[m] for m in members if m in cands}, noisy, tests)
            row[f"f1 {menu}"] = f1(lw.find_label_issues(noisy, probs).is_issue, truth)
        row |= {f"s {name}": s for name, s in seconds.items()}
        rows.append(row)
    runs = pd.DataFrame(rows)
    f1_cols = [c for c in runs if c.startswith("f1 ")]
    gain = runs.groupby("table")[f1_cols].mean().sub(runs.groupby("table")["f1_cleanlab"].mean(), axis=0) * 100
    pd.set_option("display.width", 250)
    pd.set_option("display.max_columns", 40)
    print(f"{len(runs)} runs; F1 minus cleanlab's, points, per table (mean over seeds, rates, kinds):")
    print(gain.T.round(2).assign(mean=(runs[f1_cols].mean() - runs["f1_cleanlab"].mean()) * 100).to_string())
    print("\nseconds per candidate (mean per table):")
    print(runs.groupby("table")[[c for c in runs if c.startswith("s ")]].mean().round(3).to_string())


if __name__ == "__main__":
    main()
