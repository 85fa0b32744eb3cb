"""Why ``auto`` collapses on one penguins run (issue 16), session 37: every step of the chooser, each option's F1.

The reported benchmark (``bench_default_model.py --seeds 0 1 2``) still has one run where
``auto``'s flagged set collapses: penguins, seed 2, class-conditional flips at 5% (F1 0.60
against cleanlab's 0.92). This script re-runs :func:`labelwise.models.choose_model`'s steps one
by one on a run (the same internal calls, so the pick is checked equal to the real chooser's)
and audits *every* option it could return, so the step that turns a good audit bad can be read
off: each family's raw and temperature-scaled log loss and flagged F1, the blend's weights and
F1, the log-loss pick, the finalists of the agreement step, their Dice with the majority filter,
the final pick; next to cleanlab's and labelwise's logistic default on the same folds.

``diagnose`` prints one run in full (default: the reported collapse, which is *looked at*,
never used to choose anything); ``--drop year`` re-runs it without some feature columns. ``scan`` runs the same on fresh dev seeds and counts the
collapses (``auto``'s F1 more than ``--gap`` below cleanlab's) and which option would have avoided
each::

    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/dev_auto_collapse16.py diagnose
    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/dev_auto_collapse16.py scan \\
        --tables penguins iris wine --seeds 700 701 ... --save runs.csv
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
from bench_default_model import f1, flip, load_tables, numeric_matrix

warnings.filterwarnings("ignore")


def chooser_steps(features, noisy, seed):
    """``choose_model``'s steps with every option kept: options, log-loss pick, finalists, agreement, pick."""
    from sklearn.model_selection import StratifiedKFold

    from labelwise.columns import infer_column_roles
    from labelwise.models import _agree, _auto
    from labelwise.models._agree import agreeing_pick, finalists
    from labelwise.models._calibrate import cross_fit_blend, log_loss

    frame, codes, classes, cv, _ = _auto._check_inputs(features, noisy, 5, _auto.DEFAULT_TIME_BUDGET)
    folds = list(StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed).split(codes, codes))
    roles = infer_column_roles(frame)
    names = _auto._family_names(None)
    deadline = time.perf_counter() + _auto.DEFAULT_TIME_BUDGET
    results, finished, calibrated, _ = _auto._compare(
        names, roles, frame, codes, folds, len(classes), seed, deadline, True, None, True
    )
    best = _auto._best_finished(results, finished)
    tests = [t for _, t in folds]
    options = _auto._options(results, finished, calibrated)
    present = best.name
    if len(finished) > 1:
        stack = [calibrated[n][0] if n in calibrated else p for n, p in finished.items()]
        blended, w = cross_fit_blend(stack, codes, tests)
        options["blend"] = _agree.Option(
            log_loss(blended, codes), blended, weights={n: float(x) for n, x in zip(finished, w, strict=False)}
        )
        if options["blend"].log_loss < options[best.name].log_loss * (1 - _auto.BLEND_MIN_GAIN):
            present = "blend"
    chosen, agreement = agreeing_pick(options, list(finished), present, codes)
    return {
        "codes": codes,
        "results": results,
        "finished": finished,
        "calibrated": calibrated,
        "options": options,
        "present": present,
        "finalists": finalists(options, present),
        "agreement": agreement,
        "chosen": chosen,
        "roles": roles,
        "folds": folds,
    }


def audit_all(steps, truth):
    """Flagged count and F1 of every option and of every single family raw."""
    import labelwise as lw
    from labelwise.models._agree import dice

    codes = steps["codes"]
    rows, flags = {}, {}
    for name, option in steps["options"].items():
        flags[name] = lw.find_label_issues(codes, option.probs).is_issue
        rows[name] = (option.log_loss, int(flags[name].sum()), f1(flags[name], truth), option.temperature)
    for name, probs in steps["finished"].items():
        raw = lw.find_label_issues(codes, probs).is_issue
        rows[name + " raw"] = (_ll(probs, codes), int(raw.sum()), f1(raw, truth), None)
    singles = list(steps["finished"])
    majority = np.sum([flags[n] for n in singles], axis=0) * 2 > len(singles)
    rows["majority"] = (float("nan"), int(majority.sum()), f1(majority, truth), None)
    steps["dice"] = {n: dice(flags[n], majority) for n in steps["options"]}
    # each option's log loss on the clean rows and on the flipped ones (its sum over both is the chooser's)
    steps["split_ll"] = {
        n: (
            _ll(o.probs[~truth], codes[~truth]),
            _ll(o.probs[truth], codes[truth]),
            _ll(o.probs[~majority], codes[~majority]),
        )
        for n, o in steps["options"].items()
    }
    return rows


def _ll(probs, codes):
    from labelwise.models._calibrate import log_loss

    return log_loss(probs, codes)


def references(features, noisy, truth, seed):
    """cleanlab (LogisticRegression() out of fold, its filter) and labelwise's logistic default."""
    import cleanlab.filter
    from sklearn.linear_model import LogisticRegression

    import labelwise as lw
    from labelwise.models import default_model

    cl = lw.out_of_fold_probs(LogisticRegression(), numeric_matrix(features), noisy, random_state=seed, verbose=False)
    logistic = lw.out_of_fold_probs(
        default_model(features, model="logistic", random_state=seed), features, noisy, random_state=seed, verbose=False
    )
    return {
        "cleanlab": f1(cleanlab.filter.find_label_issues(noisy, cl), truth),
        "logistic_default": f1(lw.find_label_issues(noisy, logistic).is_issue, truth),
    }


def one(features, labels, rate, kind, seed):
    """One run: flips, chooser steps, every option audited, the references."""
    classes, codes = np.unique(np.asarray(labels), return_inverse=True)
    noisy = flip(codes, classes.size, rate, kind, seed)
    truth = noisy != codes
    steps = chooser_steps(features, noisy, seed)
    return steps, audit_all(steps, truth), references(features, noisy, truth, seed), truth


def diagnose(args) -> None:
    tables = load_tables()
    features, labels = tables[args.table]
    features = features.drop(columns=args.drop)
    steps, rows, refs, truth = one(features, labels, args.rate, args.kind, args.seed)
    print(f"{args.table} seed {args.seed} {args.kind} {args.rate} without {args.drop}: {int(truth.sum())} flipped rows")
    print(f"roles: {steps['roles']}")
    frame = pd.DataFrame(rows, index=["log_loss", "flagged", "F1", "temperature"]).T
    print(frame.to_string(float_format=lambda v: f"{v:.4f}"))
    blend = steps["options"].get("blend")
    print("log loss on clean / flipped rows:", {n: tuple(round(v, 4) for v in x) for n, x in steps["split_ll"].items()})
    print("blend weights:", blend.weights if blend else None)
    print("log-loss pick:", steps["present"], "finalists:", steps["finalists"])
    print("agreement (Dice with the majority filter):", steps["agreement"])
    print("chosen:", steps["chosen"], "F1", rows[steps["chosen"]][2], "| references:", refs)


def scan_row(table, features, labels, rate, kind, seed):
    steps, rows, refs, truth = one(features, labels, rate, kind, seed)
    out = {"table": table, "kind": kind, "rate": rate, "seed": seed, "flipped": int(truth.sum())}
    out.update(refs)
    out["present"] = steps["present"]
    out["chosen"] = steps["chosen"]
    out["finalists"] = "|".join(steps["finalists"])
    out["f1_auto"] = rows[steps["chosen"]][2]
    out["flags_auto"] = rows[steps["chosen"]][1]
    for name, (ll, flagged, score, _) in rows.items():
        key = name.replace(" ", "_")
        out[f"ll_{key}"], out[f"n_{key}"], out[f"f1_{key}"] = ll, flagged, score
    for name, value in steps["dice"].items():
        out[f"dice_{name}"] = value
        out[f"llclean_{name}"], out[f"llflip_{name}"], out[f"lltrim_{name}"] = steps["split_ll"][name]
    blend = steps["options"].get("blend")
    for fam, weight in (blend.weights if blend else {}).items():
        out[f"w_{fam}"] = weight
    return out


def scan(args) -> None:
    tables = load_tables()
    runs = []
    for table in args.tables:
        features, labels = tables[table]
        for seed in args.seeds:
            for kind in args.kinds:
                for rate in args.rates:
                    runs.append(scan_row(table, features, labels, rate, kind, seed))
                    r = runs[-1]
                    print(
                        f"{table} {seed} {kind} {rate}: auto {r['f1_auto']:.3f} ({r['chosen']}) "
                        f"cleanlab {r['cleanlab']:.3f} logistic {r['logistic_default']:.3f}",
                        flush=True,
                    )
                    if args.save:
                        pd.DataFrame(runs).to_csv(args.save, index=False)
    summarise(pd.DataFrame(runs), args.gap)


def _pick_by(runs: pd.DataFrame, prefix: str) -> pd.Series:
    """Each run's F1 of the option (single families as taken alone, the blend) lowest in ``prefix`` columns."""
    options = [c[len(prefix) :] for c in runs.columns if c.startswith(prefix)]
    values = runs[[prefix + o for o in options]].to_numpy(dtype=float)
    best = np.nanargmin(np.where(np.isnan(values), np.inf, values), axis=1)
    return pd.Series([runs[f"f1_{options[b]}"].iloc[i] for i, b in enumerate(best)], index=runs.index)


def summarise(runs: pd.DataFrame, gap: float) -> None:
    """Collapses, the step that made each one, and what other picks from the same options would give.

    Variants (replays on the same options, exploratory: none is adopted here):
    ``logistic_alone`` the forward-corrected logistic as the chooser takes it alone;
    ``majority`` the majority filter of the single families; ``trimmed`` the option with the lowest
    log loss on the rows the majority filter does not flag; ``oracle_clean`` the option with the
    lowest log loss on the truly clean rows (needs the truth: only shows the mechanism).
    """
    runs = runs.assign(
        collapse=runs["f1_auto"] < runs["cleanlab"] - gap,
        logistic_alone=runs["f1_logistic"],
        majority=runs["f1_majority"],
        trimmed=_pick_by(runs, "lltrim_"),
        oracle_clean=_pick_by(runs, "llclean_"),
    )
    chosen_clean = np.array([runs.at[i, f"llclean_{c}"] for i, c in zip(runs.index, runs["chosen"], strict=True)])
    chosen_flip = np.array([runs.at[i, f"llflip_{c}"] for i, c in zip(runs.index, runs["chosen"], strict=True)])
    # the pick won on the flipped rows: it is not the best on the clean rows, and better than logistic on the flipped
    runs["won_on_flips"] = (chosen_clean > runs["llclean_logistic"]) & (chosen_flip < runs["llflip_logistic"])
    variants = ["f1_auto", "logistic_alone", "majority", "trimmed", "oracle_clean", "cleanlab", "logistic_default"]
    print(runs.groupby("table")[variants + ["collapse"]].mean().to_string(float_format=lambda v: f"{v:.4f}"))
    print("all:", runs[variants].mean().round(4).to_dict())
    for v in variants[:5]:
        print(f"  {v}: collapses {int((runs[v] < runs['cleanlab'] - gap).sum())} of {len(runs)}")
    print(f"collapses (auto F1 more than {gap} below cleanlab's): {int(runs['collapse'].sum())} of {len(runs)}")
    print(
        "picks in collapses:",
        runs.loc[runs["collapse"], "chosen"].value_counts().to_dict(),
        "all picks:",
        runs["chosen"].value_counts().to_dict(),
    )
    print(
        "chosen option won on the flipped rows (worse than logistic on the clean ones): collapses",
        int(runs.loc[runs["collapse"], "won_on_flips"].sum()),
        "others",
        int(runs.loc[~runs["collapse"], "won_on_flips"].sum()),
        "of",
        int((~runs["collapse"]).sum()),
    )
    cols = [
        "table",
        "seed",
        "kind",
        "flipped",
        "chosen",
        "finalists",
        "f1_auto",
        "cleanlab",
        "f1_logistic",
        "f1_majority",
    ]
    extra = [c for c in ("w_knn", "llclean_logistic", "llflip_logistic") if c in runs]
    with pd.option_context("display.width", 250):
        print(runs.loc[runs["collapse"], cols + extra + ["won_on_flips"]].to_string(float_format=lambda v: f"{v:.3f}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("diagnose")
    d.add_argument("--table", default="penguins")
    d.add_argument("--seed", type=int, default=2)
    d.add_argument("--kind", default="class_conditional")
    d.add_argument("--rate", type=float, default=0.05)
    d.add_argument("--drop", nargs="*", default=[], help="feature columns left out (a what-if on the columns)")
    s = sub.add_parser("scan")
    s.add_argument("--tables", nargs="+", default=["penguins", "iris", "wine", "breast_cancer"])
    s.add_argument("--seeds", nargs="+", type=int, default=list(range(700, 740)))
    s.add_argument("--kinds", nargs="+", default=["class_conditional", "uniform"])
    s.add_argument("--rates", nargs="+", type=float, default=[0.05])
    s.add_argument("--gap", type=float, default=0.2)
    s.add_argument("--save")
    s.add_argument("--summary", help="only summarise a saved CSV")
    args = parser.parse_args()
    if args.command == "diagnose":
        diagnose(args)
    elif args.summary:
        summarise(pd.read_csv(args.summary), args.gap)
    else:
        scan(args)


if __name__ == "__main__":
    main()
