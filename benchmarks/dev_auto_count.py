"""Dev-seed study for ``auto`` (issue 16, session 12): can the flagged count tell a collapse without the flips?

Sessions 10-11 (``dev_auto_consensus.py``, ``dev_auto_finalists.py``): the chooser picks among
*finalists* (options within 2% of the lowest out-of-fold log loss) by the agreement of their
flagged sets with the majority filter of the single families (Brodley & Friedl 1999). When the
cross-fitted blend is more than 2% below every single option it is the only finalist, no flagged
set is looked at, and its flagged set may collapse: sharp clean rows raise confident learning's
per-class thresholds ``t_j`` above the flipped rows' ``p_j`` (Northcutt, Jiang & Chuang 2021,
Section 3.1), so too few rows are flagged. Session 11 showed the blend's lead in log loss is
honest (nesting its post-processing moves it by -0.3% to +0.2%) and that widening the finalists
(one standard error, or every option within the goal) costs elsewhere.

This pass asks whether something a user can see *without the flips* tells a collapse: **the
flagged count against the number of disagreeing labels the calibrated probabilities themselves
imply**. For probabilities ``p`` calibrated on the given labels (the chooser temperature-scales
each family, Guo, Pleiss, Sun & Weinberger 2017), ``E = sum_i (1 - p_i[y_i])`` is the expected
number of rows whose given label a draw from ``p_i`` would not reproduce; confident learning's
flagged count ``F`` (the calibrated confident joint's off-diagonal mass, which
``prune_by_noise_rate`` flags) is the share of that disagreement it attributes to label errors.
Two options of near-equal log loss describe the given labels about equally well, so their ``E``
are near-equal; a much lower ``F`` for one of them is its thresholds cutting, not its
probabilities seeing fewer errors: the collapse mechanism. Before this script a scratch look at
split 0 (``/tmp``, not kept; RESULTS.md issue 16 session 12 gives its numbers) put the chosen
pick's ``F / E`` at 0.31 on the 15 collapses against 0.41 on the other 1,329 runs.

Options (as ``dev_auto_finalists.options``): each single family as the chooser takes it alone
(raw or cross-fitted-temperature-scaled, the lower log loss) and the cross-fitted blend. The
*allowed* options are those whose log loss is within 2% of the best raw single candidate's (the
benchmark's log-loss goal; so criterion (e) below holds by construction) and always the present
pick. The *gate*: the present pick's ``F / E`` is strictly below that of some other allowed option.

Variants (``present`` is session 10's ``agree_majority``, the chooser as shipped):

- ``count_ratio``: when the gate opens, the allowed option with the highest ``F / E`` (the
  flagged set whose count agrees best with its own calibrated expectation); ties: the present
  pick, then the lower log loss.
- ``count_agree``: when the gate opens, session 10's agreement step (Dice with the majority
  filter; ties: the present pick, then the lower log loss) among the allowed options.
- ``count_single``: ``count_agree`` only on runs where the present pick is the single finalist
  (the issue's case); other runs keep the present pick.

Replayed as session 11's script on *dev seeds only* (100-131; never the reported seeds 0-2) and
on **three splits into folds** (split 0: ``--base``, session 7's ``dev_auto_collapse.py`` caches;
splits 1 and 2: ``--splits``, session 8's ``dev_auto_repeat.py --repeats 3`` caches of
``logistic`` and ``knn``; ``extra_trees`` out of bag on every split; cleanlab's F1 from split 0).

**The rule, fixed before the first run** (session 11's, which is session 10's): a variant passes
if (a) its 3-seed tail (share of the 3-seed subsets of the dev seeds on which some table's mean
gain over cleanlab is below 0) is lower than ``present``'s **on each of the three splits**, (b)
its mean F1 gain over cleanlab (mean over the splits) is not lower than ``present``'s by more
than 0.1 point, (c) every table's mean gain is at least min(``present``'s on that table, 0), (d)
its collapses (F1 more than 10 points below cleanlab's, summed over the splits) are not more than
``present``'s, and (e) its worst log-loss gap (log loss of the audited probabilities over the
best raw candidate's, minus 1) is at most 2% on every table. Of the passing variants the one with
the lowest mean tail is kept (ties: the higher mean gain, then the order ``count_single``,
``count_agree``, ``count_ratio``). If none passes, nothing changes in the library and the
benchmark is not run. The kept variant must then keep ``auto`` within 3.6x the logistic default's
time on every table, timed with the real chooser.

(What happened, in ``benchmarks/RESULTS.md``, issue 16 session 12: **none passed**; nothing
changes. Within a table x kind x rate x split stratum the collapses' ``F / E`` sits at the 47th
percentile (AUC 0.55): no signal. ``count_single`` and ``count_agree`` lowered the tail on every
split but cost 0.13 point of mean gain (cars, seattle-weather), failing (b).)

    OMP_NUM_THREADS=1 python benchmarks/dev_auto_count.py --base c_a.pkl --splits r3_a.pkl --save n_a.csv
    python benchmarks/dev_auto_count.py --runs-csv n_a.csv n_b.csv          # analyse saved runs

References
----------
Northcutt, Jiang & Chuang, "Confident Learning: Estimating Uncertainty in Dataset Labels", JAIR
70, 2021 (Section 3.1, the thresholds; Section 3.2, the calibrated confident joint).
Guo, Pleiss, Sun & Weinberger, "On Calibration of Modern Neural Networks", ICML 2017.
Brodley & Friedl, "Identifying Mislabeled Training Data", JAIR 11, 1999 (majority filter).
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
from bench_default_model import f1
from dev_auto_consensus import dice
from dev_auto_finalists import SHARE, agreeing, finalists, options
from dev_auto_trusted import SPLITS, _load, analyse

warnings.filterwarnings("ignore")

VARIANTS = ("count_single", "count_agree", "count_ratio")


def expected_disagreement(probs: np.ndarray, noisy: np.ndarray) -> float:
    """``sum_i (1 - p_i[y_i])``: the expected number of given labels a draw from ``probs`` would not reproduce."""
    return float(np.sum(1.0 - probs[np.arange(noisy.size), noisy]))


def picks(opts: dict, flags: dict, present_ll: str, noisy: np.ndarray, best_raw: float, singles: list) -> dict:
    """Each variant's pick (and ``present``), with the gate and the ratios for the diagnostics."""
    names = finalists(opts, present_ll, noisy, best_raw, "present")
    present = agreeing(opts, flags, present_ll, names, singles)
    ratio = {n: int(flags[n].sum()) / max(expected_disagreement(p, noisy), 1e-12) for n, (_, p) in opts.items()}
    allowed = [n for n, (ll, _) in opts.items() if ll <= best_raw * (1 + SHARE) or n == present]
    gate = any(ratio[n] > ratio[present] for n in allowed if n != present)
    majority = np.sum([flags[n] for n in singles], axis=0) * 2 > len(singles)
    by_ratio = max(allowed, key=lambda n: (ratio[n], n == present, -opts[n][0]))
    by_agree = max(allowed, key=lambda n: (dice(flags[n], majority), n == present, -opts[n][0]))
    out = {
        "present": present,
        "count_ratio": by_ratio if gate else present,
        "count_agree": by_agree if gate else present,
        "count_single": by_agree if gate and len(names) == 1 else present,
    }
    return {"picks": out, "gate": gate, "single": len(names) == 1, "ratio": ratio}


def replay_runs(bases, splits_paths) -> pd.DataFrame:
    """One row per (run, split): cleanlab's F1 and each variant's F1, flags, chosen and log-loss gap."""
    import labelwise as lw
    from labelwise.models._calibrate import log_loss

    base = _load(bases)
    others = _load(splits_paths)
    rows = []
    for i, (key, (cands0, tests0, f1_cl, noisy, truth)) in enumerate(base.items()):
        table, seed, kind, rate = key
        if seed in (0, 1, 2):
            raise SystemExit("seeds 0-2 are the reported seeds; choose on other seeds")
        for split in SPLITS:
            if split == 0:
                cands, tests = cands0, tests0
            else:
                cands, tests = dict(cands0) | others[key][split][0], others[key][split][1]
            best_raw = min(log_loss(p / p.sum(axis=1, keepdims=True), noisy) for p in cands.values())
            opts, present_ll = options(cands, noisy, tests)
            flags = {n: lw.find_label_issues(noisy, p).is_issue for n, (_, p) in opts.items()}
            got = picks(opts, flags, present_ll, noisy, best_raw, list(cands))
            row = {"table": table, "seed": seed, "kind": kind, "rate": rate, "split": split, "cleanlab": f1_cl}
            row["flipped"] = int(truth.sum())
            row["gate"], row["single finalist"] = got["gate"], got["single"]
            for variant, chosen in got["picks"].items():
                row[variant] = f1(flags[chosen], truth)
                row[f"chosen {variant}"] = chosen
                row[f"flags {variant}"] = int(flags[chosen].sum())
                row[f"gap {variant}"] = opts[chosen][0] / best_raw - 1
                row[f"ratio {variant}"] = got["ratio"][chosen]
            for n in opts:
                row[f"alone {n}"] = f1(flags[n], truth)
                row[f"ratio {n}"] = got["ratio"][n]
            row["trusted share"] = np.nan
            rows.append(row)
        if i % 50 == 0:
            print(i, key, time.strftime("%H:%M:%S"), flush=True)
    return pd.DataFrame(rows)


def signal(runs: pd.DataFrame) -> None:
    """Does ``F / E`` of the present pick tell its collapses? (a diagnostic; flips used only to score)."""
    collapse = runs["present"] < runs["cleanlab"] - 0.10
    print(
        f"\npresent: {int(collapse.sum())} collapses, {int((collapse & runs['single finalist']).sum())} single-finalist"
    )
    print("F / E of the present pick, collapses vs the rest:")
    print(runs.groupby(collapse)["ratio present"].describe().round(3).to_string())
    print(f"gate open: all runs {runs['gate'].mean():.3f}, collapses {runs.loc[collapse, 'gate'].mean():.3f}")
    rank = runs["ratio present"].rank(pct=True)
    print(f"mean percentile of the collapses' F / E among all runs: {rank[collapse].mean():.3f}")
    for name in VARIANTS:
        changed = runs[f"chosen {name}"] != runs["chosen present"]
        d = (runs[name] - runs["present"])[changed] * 100
        print(
            f"{name}: pick changed in {int(changed.sum())}, F1 up {int((d > 0).sum())}, down {int((d < 0).sum())}, "
            f"per table (mean points where changed): {d.groupby(runs.table[changed]).mean().round(2).to_dict()}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", nargs="+", default=[], help="dev_auto_collapse.py caches (split 0)")
    parser.add_argument("--splits", nargs="+", default=[], help="dev_auto_repeat.py --repeats 3 caches (splits 1, 2)")
    parser.add_argument("--save", default=None, help="write the per-run F1s to this CSV")
    parser.add_argument("--runs-csv", nargs="+", default=None, help="analyse the per-run F1s saved by --save")
    args = parser.parse_args()
    if args.runs_csv:
        runs = pd.concat([pd.read_csv(path) for path in args.runs_csv], ignore_index=True)
    else:
        runs = replay_runs(args.base, args.splits)
        if args.save:
            runs.to_csv(args.save, index=False)
    if runs.seed.isin([0, 1, 2]).any():
        raise SystemExit("seeds 0-2 are the reported seeds; choose on other seeds")
    analyse(runs, VARIANTS)
    signal(runs)


if __name__ == "__main__":
    main()
