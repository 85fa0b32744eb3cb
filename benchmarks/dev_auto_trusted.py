"""Dev-seed study for ``auto`` (issue 16, session 9): the chooser's fits on trusted rows, one map for all rows.

Sessions 7 and 8 (``dev_auto_collapse.py``, ``dev_auto_repeat.py``) traced ``auto``'s shortfalls
against cleanlab to the small tables, where confident learning's per-class thresholds ``t_j``
(the mean of ``p_j`` over the rows *given* ``j``; Northcutt et al. 2021, Section 3.1) end up just
above the flipped rows' ``p_j``, and found the 3-seed tail to move from 4.9% to 8.9% with the
random split into folds alone. Everything the chooser fits after the candidates (each candidate's
temperature, the pick, the blend's weights, blend or not) is fitted by log loss against the
*noisy* labels, on which the flipped rows carry the largest losses; and every fitted map is
*cross-fitted*, so the rows of different folds get different temperatures and weights while the
audit compares all rows with one threshold per class. This script replays the chooser on the
cached candidates of sessions 7-8 with two changes, alone and together:

- ``trusted``: every fit and every comparison of the chooser uses only the rows that are not
  *majority-misclassified*: a row is left out when more than half of the finished candidates'
  out-of-fold predictions (argmax of the raw probabilities) differ from its given label — the
  majority filter of Brodley & Friedl (1999), whose ensemble of out-of-sample classifiers
  identifies mislabelled rows; here the rows it drops are only kept out of the fits, never out of
  the audit. Every candidate is scored on the same rows (a per-candidate trim would let a
  candidate drop its own worst rows). The temperature for fold ``j`` is fitted on the trusted rows
  of the other folds, the blend's weights likewise; the pick and the blend-or-not by the
  cross-fitted log loss over the trusted rows. This is the noise-robust selection criterion in
  the form of a trimmed likelihood whose trimmed set is fixed before any candidate is scored
  (Hadi & Luceño 1997, maximum trimmed likelihood).
- ``one_map``: the choice is made as shipped (cross-fitted log loss), but the audit's
  probabilities are the chosen candidate under **one** temperature fitted on all rows (and, for
  the blend, one set of weights fitted on all rows), so every row is put on the same scale
  before confident learning compares it with per-class means (stacking's level-1 fit on all the
  level-0 out-of-fold predictions: Breiman 1996). The cross-fitted log loss stays the chooser's
  honest score.
- ``trusted_one_map``: both.
- ``trusted_temperature`` (added after the first run, before its own; the same rule): only each
  candidate's temperature is fitted on the trusted rows (for fold ``j``, those of the other folds),
  so that the flipped rows do not push it up; the pick, the blend's weights and blend-or-not are
  the shipped ones, by cross-fitted log loss over all rows. (The first run's ``trusted`` failed on
  iris, cars and seattle-weather; this separates its temperature from its selection.)

Replayed on *dev seeds only* (100-131; never the reported seeds 0-2) and on **three splits into
folds**: split 0 (the chooser's own folds; candidates and cleanlab's F1 from session 7's
``dev_auto_collapse.py`` caches, ``--base``) and splits 1 and 2 (the fold-wise ``logistic`` and
``knn`` of session 8's ``dev_auto_repeat.py --repeats 3`` caches, ``--splits``; ``extra_trees`` is
scored out of bag and is the same on every split; cleanlab's F1 stays split 0's). A *collapse* is
a run whose F1 is more than 10 points below cleanlab's; the *3-seed tail* is the share of the
3-seed subsets of the dev seeds on which some table's mean gain over cleanlab is below 0
(``dev_auto_collapse.three_seed_tail``'s shares; :func:`three_seed_tail` computes them faster). The log-loss gap is the plain log loss of the audited
probabilities over the best single candidate's raw log loss, minus 1 (as
``bench_default_model.py``'s goal: within 2%).

**The rule, fixed before the first run** (session 8's, made robust to the split): a variant
passes if (a) its 3-seed tail is lower than ``present``'s **on each of the three splits**,
(b) its mean F1 gain over cleanlab (mean over the three splits) is not lower than ``present``'s
by more than 0.1 point, (c) every table's mean gain (over the three splits) is at least the lower
of ``present``'s on that table and 0, (d) its collapses (summed over the splits) are not more than
``present``'s, and (e) its worst log-loss gap on every table is at most 2%. Of the passing
variants the one with the lowest mean tail over the splits is kept (ties: the higher mean gain,
then the simpler: ``one_map``, ``trusted``, ``trusted_one_map``, ``trusted_temperature``). If none passes, nothing changes.
The kept variant must then keep ``auto`` within 3.6x the logistic default's time on every table
(the 4x goal with a margin), timed with the real chooser; if it does not, nothing changes.

(What happened, in ``benchmarks/RESULTS.md``, issue 16 session 9: no variant passed. On the
trusted rows the candidates' argmax equals the given label on 97-99% of the rows, so every fit
there sharpens the probabilities several-fold (``--temperatures``), and confident learning then
flags nearly where the argmax differs from the label; one map for all rows lowered penguins' gain.)

    OMP_NUM_THREADS=1 python benchmarks/dev_auto_trusted.py --base c_a.pkl --splits r3_a.pkl --save t_a.csv
    python benchmarks/dev_auto_trusted.py --runs-csv t_a.csv t_b.csv          # analyse saved runs
    OMP_NUM_THREADS=1 python benchmarks/dev_auto_trusted.py --base c_a.pkl --splits r3_a.pkl \
        --variants trusted_temperature --save tt_a.csv                        # one variant alone
    python benchmarks/dev_auto_trusted.py --runs-csv t_a.csv t_b.csv --join tt_a.csv tt_b.csv
    python benchmarks/dev_auto_trusted.py --base c_a.pkl --temperatures      # where the temperatures land

References
----------
Brodley & Friedl, "Identifying Mislabeled Training Data", JAIR 11, 1999 (majority filter).
Hadi & Luceño, "Maximum trimmed likelihood estimators: a unified approach, examples, and
algorithms", Computational Statistics & Data Analysis 25(3), 1997.
Breiman, "Stacked regressions", Machine Learning 24, 1996.
Zhang & Sabuncu, "Generalized Cross Entropy Loss for Training Deep Neural Networks with Noisy
Labels", NeurIPS 2018 (``--temperatures``).
Northcutt, Jiang & Chuang, "Confident Learning: Estimating Uncertainty in Dataset Labels", JAIR
70, 2021.
"""

from __future__ import annotations

import argparse
import pickle
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from bench_default_model import f1
from dev_auto_collapse import COLLAPSE

warnings.filterwarnings("ignore")

VARIANTS = ("one_map", "trusted", "trusted_one_map", "trusted_temperature")
SPLITS = (0, 1, 2)


def majority_trusted(cands: dict, noisy: np.ndarray) -> np.ndarray:
    """Rows not misclassified by more than half of the candidates (Brodley & Friedl's majority filter)."""
    wrong = np.sum([p.argmax(axis=1) != noisy for p in cands.values()], axis=0)
    return wrong * 2 <= len(cands)


def decide(
    cands: dict,
    noisy: np.ndarray,
    tests: list,
    trusted: np.ndarray | None,
    one_map: bool,
    only_temperature: bool = False,
):
    """The chooser on cached candidates: (chosen, audited probs, cross-fitted log loss over the fitted rows).

    With ``trusted=None`` and ``one_map=False`` this is ``dev_auto_cost.replay`` (the shipped chooser).
    With ``only_temperature`` the trusted rows are used for the temperatures alone.
    """
    from labelwise.models._auto import BLEND_MIN_GAIN
    from labelwise.models._calibrate import apply_temperature, fit_blend_weights_on_subsets, fit_temperature, log_loss

    n = noisy.size
    keep = np.ones(n, dtype=bool) if trusted is None else trusted
    subsets = np.ones((len(tests) + 1, n), dtype=bool)
    for j, test in enumerate(tests):
        subsets[j, test] = False
    fit_t = subsets & keep
    if not only_temperature:
        subsets = fit_t
    else:
        keep = np.ones(n, dtype=bool)
    scored = {}
    for name, p in cands.items():
        p = p / p.sum(axis=1, keepdims=True)
        cal = np.empty_like(p)
        for j, test in enumerate(tests):
            cal[test] = apply_temperature(p[test], fit_temperature(p[fit_t[j]], noisy[fit_t[j]]))
        everywhere = apply_temperature(p, fit_temperature(p[fit_t[-1]], noisy[fit_t[-1]]))
        raw_ll, cal_ll = log_loss(p[keep], noisy[keep]), log_loss(cal[keep], noisy[keep])
        used = (everywhere if one_map else cal) if cal_ll < raw_ll else p
        scored[name] = (min(raw_ll, cal_ll), used, cal, everywhere)
    best = min(scored, key=lambda name: scored[name][0])
    if len(scored) > 1:
        rows = np.arange(n)
        picked = np.column_stack([s[2][rows, noisy] for s in scored.values()])
        weights = fit_blend_weights_on_subsets(picked, subsets)
        blended = np.zeros_like(scored[best][2])
        for w, test in zip(weights, tests, strict=False):
            for weight, s in zip(w, scored.values(), strict=False):
                blended[test] += weight * s[2][test]
        blend_ll = log_loss(blended[keep], noisy[keep])
        if blend_ll < scored[best][0] * (1 - BLEND_MIN_GAIN):
            if one_map:
                blended = sum(weight * s[3] for weight, s in zip(weights[-1], scored.values(), strict=False))
            return "blend", blended, blend_ll
    return best, scored[best][1], scored[best][0]


def variants(cands: dict, noisy: np.ndarray, tests: list, names=("present", *VARIANTS)) -> tuple[dict, float]:
    """The variants ``names`` (``present`` among them): each one's (chosen, probabilities, log loss) on one run and split."""
    trusted = majority_trusted(cands, noisy)
    settings = {
        "present": (None, False, False),
        "one_map": (None, True, False),
        "trusted": (trusted, False, False),
        "trusted_one_map": (trusted, True, False),
        "trusted_temperature": (trusted, False, True),
    }
    out = {name: decide(cands, noisy, tests, *settings[name]) for name in names}
    return out, float(trusted.mean())


def three_seed_tail(runs: pd.DataFrame, names: list[str]) -> pd.Series:
    """``dev_auto_collapse.three_seed_tail`` as array operations (the same shares, in a fraction of the time)."""
    from itertools import combinations

    out = {}
    for name in names:
        gain = runs.assign(g=runs[name] - runs["cleanlab"]).groupby(["table", "seed"])["g"].mean().unstack()
        subsets = np.array(list(combinations(range(gain.shape[1]), 3)))
        means = gain.to_numpy()[:, subsets].mean(axis=2)  # (tables, subsets)
        out[name] = float(np.mean(means.min(axis=0) < 0))
    return pd.Series(out)


def _load(paths) -> dict:
    out: dict = {}
    for path in paths:
        out.update(pickle.loads(Path(path).read_bytes()))
    return out


def replay_runs(bases, splits_paths, names=("present", *VARIANTS)) -> pd.DataFrame:
    """One row per (run, split): cleanlab's F1 and each variant's F1, flags, chosen and log-loss gap."""
    import labelwise as lw
    from labelwise.models._calibrate import log_loss

    base = _load(bases)
    others = _load(splits_paths)
    rows = []
    for i, (key, (cands0, tests0, f1_cl, noisy, truth)) in enumerate(base.items()):
        table, seed, kind, rate = key
        for split in SPLITS:
            if split == 0:
                cands, tests = cands0, tests0
            else:
                cands, tests = dict(cands0) | others[key][split][0], others[key][split][1]
            best_raw = min(log_loss(p / p.sum(axis=1, keepdims=True), noisy) for p in cands.values())
            row = {"table": table, "seed": seed, "kind": kind, "rate": rate, "split": split, "cleanlab": f1_cl}
            row["flipped"] = int(truth.sum())
            out, row["trusted share"] = variants(cands, noisy, tests, names)
            for name, (chosen, probs, _) in out.items():
                flagged = lw.find_label_issues(noisy, probs).is_issue
                row[name] = f1(flagged, truth)
                row[f"chosen {name}"] = chosen
                row[f"flags {name}"] = int(flagged.sum())
                row[f"gap {name}"] = log_loss(probs, noisy) / best_raw - 1
            rows.append(row)
        if i % 50 == 0:
            print(i, key, time.strftime("%H:%M:%S"), flush=True)
    return pd.DataFrame(rows)


def temperatures(bases, every: int = 12, q: float = 0.7) -> None:
    """Where the temperature lands when fitted on the trusted rows, or by a bounded loss (a diagnostic).

    For every ``every``-th cached run of split 0, each candidate's temperature fitted on all rows
    by log loss (as shipped), on the majority-trusted rows by log loss, and on all rows by the
    generalised cross-entropy ``(1 - p_y^q) / q`` (Zhang & Sabuncu 2018; ``q = 0.7``, the paper's
    choice), the last on a grid of 121 temperatures spaced evenly in log between the bounds of
    ``fit_temperature``.
    """
    from labelwise.models._calibrate import INVERSE_T_BOUNDS, apply_temperature, fit_temperature

    base = _load(bases)
    grid = np.exp(np.linspace(-np.log(INVERSE_T_BOUNDS[1]), -np.log(INVERSE_T_BOUNDS[0]), 121))
    out: dict = {}
    for key in list(base)[::every]:
        cands, _, _, noisy, _ = base[key]
        keep = majority_trusted(cands, noisy)
        rows = np.arange(noisy.size)
        for name, p in cands.items():
            p = p / p.sum(axis=1, keepdims=True)
            gce = [np.mean((1 - apply_temperature(p, t)[rows, noisy] ** q) / q) for t in grid]
            out.setdefault(name, []).append(
                (
                    fit_temperature(p, noisy),
                    fit_temperature(p[keep], noisy[keep]),
                    grid[int(np.argmin(gce))],
                    float((p[keep].argmax(axis=1) == noisy[keep]).mean()),
                )
            )
    sharp = 1.01 / INVERSE_T_BOUNDS[1]
    for name, values in out.items():
        v = np.array(values)
        print(
            f"{name}: {len(v)} runs; median T by log loss, all rows {np.median(v[:, 0]):.3f}; trusted rows "
            f"{np.median(v[:, 1]):.3f} (at the sharp bound: {np.mean(v[:, 1] <= sharp):.2f}); by GCE q={q}, all rows "
            f"{np.median(v[:, 2]):.3f} (at the sharp bound: {np.mean(v[:, 2] <= sharp):.2f}); argmax = given label on "
            f"the trusted rows {v[:, 3].mean():.3f}"
        )


def analyse(runs: pd.DataFrame, variants: tuple[str, ...] = VARIANTS) -> None:
    """Per split: the variants' gains, collapses, tails; then the rule's verdict (ties in the order of ``variants``)."""
    names = ["present", *(name for name in variants if name in runs)]
    pd.set_option("display.width", 250)
    pd.set_option("display.max_columns", 40)
    tables = sorted(runs.table.unique())
    per_split = {}
    for split, part in runs.groupby("split"):
        gain = part.groupby("table")[names].mean().sub(part.groupby("table")["cleanlab"].mean(), axis=0) * 100
        summary = gain.T
        summary["mean"] = (part[names].mean() - part["cleanlab"].mean()) * 100
        summary["collapses"] = [int((part[n] < part["cleanlab"] - COLLAPSE).sum()) for n in names]
        summary["3-seed tail"] = three_seed_tail(part, names)
        summary["changed F1"] = [int((part[n] != part["present"]).sum()) for n in names]
        per_split[split] = summary
        print(f"\nsplit {split}: {len(part)} runs, seeds {part.seed.min()}-{part.seed.max()}; F1 - cleanlab, points:")
        print(summary.round(3).to_string())
        per_table = {t: three_seed_tail(part[part.table == t], names) for t in tables}
        print("3-seed tail per table:")
        print(pd.DataFrame(per_table).round(4).to_string())
    mean = sum(per_split.values()) / len(per_split)
    mean["collapses"] = sum(s["collapses"] for s in per_split.values())
    print("\nmean over the splits (collapses summed):")
    print(mean.round(3).to_string())
    gaps = runs.groupby("table")[[f"gap {n}" for n in names]].max() * 100
    print("\nworst log-loss gap per table, % (plain log loss of the audited probabilities / best raw candidate - 1):")
    print(gaps.round(2).to_string())
    print("\nmean log-loss gap per table, %:")
    print((runs.groupby("table")[[f"gap {n}" for n in names]].mean() * 100).round(2).to_string())
    print("\nflags / flipped rows, mean per table:")
    print(
        runs.groupby("table")[[f"flags {n}" for n in names]]
        .sum()
        .div(runs.groupby("table")["flipped"].sum(), axis=0)
        .round(3)
        .to_string()
    )
    print("\ntrusted share of rows, mean per table:", runs.groupby("table")["trusted share"].mean().round(3).to_dict())
    present = mean.loc["present"]
    passing = []
    for name in names[1:]:
        s = mean.loc[name]
        checks = {
            "a tail lower on every split": all(
                per_split[k].loc[name, "3-seed tail"] < per_split[k].loc["present", "3-seed tail"] for k in per_split
            ),
            "b mean gain": s["mean"] >= present["mean"] - 0.1,
            "c tables": all(s[t] >= min(present[t], 0.0) for t in tables),
            "d collapses": s["collapses"] <= present["collapses"],
            "e log loss 2%": bool((gaps[f"gap {name}"] <= 2.0).all()),
        }
        ok = all(checks.values())
        print(f"rule: {name}: {'passes' if ok else 'fails'} {checks}")
        if ok:
            passing.append(name)
    if passing:
        kept = min(passing, key=lambda n: (mean.loc[n, "3-seed tail"], -mean.loc[n, "mean"], variants.index(n)))
        print(f"kept by the rule: {kept} (then the time check)")
    else:
        print("kept by the rule: none (present stays)")
    for name in names:
        print(f"chosen by {name}:", runs[f"chosen {name}"].value_counts().to_dict())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", nargs="+", default=[], help="dev_auto_collapse.py caches (split 0)")
    parser.add_argument("--splits", nargs="+", default=[], help="dev_auto_repeat.py --repeats 3 caches (splits 1, 2)")
    parser.add_argument("--save", default=None, help="write the per-run F1s to this CSV")
    parser.add_argument("--runs-csv", nargs="+", default=None, help="analyse the per-run F1s saved by --save")
    parser.add_argument("--join", nargs="+", default=None, help="with --runs-csv: add these saved variants' columns")
    parser.add_argument(
        "--variants", nargs="+", default=["present", *VARIANTS], choices=["present", *VARIANTS], help="replay these"
    )
    parser.add_argument("--temperatures", action="store_true", help="only the temperature diagnostic on --base")
    args = parser.parse_args()
    if args.temperatures:
        temperatures(args.base)
        return
    if args.runs_csv:
        runs = pd.concat([pd.read_csv(path) for path in args.runs_csv], ignore_index=True)
        if args.join:  # columns of other variants, replayed on the same runs and splits
            keys = ["table", "seed", "kind", "rate", "split"]
            more = pd.concat([pd.read_csv(path) for path in args.join], ignore_index=True)
            runs = runs.merge(more[keys + [c for c in more if c not in runs]], on=keys, validate="one_to_one")
    else:
        runs = replay_runs(args.base, args.splits, args.variants)
        if args.save:
            runs.to_csv(args.save, index=False)
    if runs.seed.isin([0, 1, 2]).any():
        raise SystemExit("seeds 0-2 are the reported seeds; choose on other seeds")
    analyse(runs)


if __name__ == "__main__":
    main()
