"""Dev runs: the dependent-pair check of ``DawidSkene`` (issue 15, part 1, session 8), simulated only.

``DawidSkene(dependency_threshold=5)`` checks every pair of annotators sharing 50 items: their
agreements against those predicted by an EM fit of the other answers (a posterior predictive check,
``labelwise.aggregate._pair_check``; pairs screened against majority vote's labels first), and
weighs each dependent group's answers on an item to count as one answer. This script compares it with
the default before it (``dependency_threshold=None``), for ``DawidSkene()`` and for
``AutoAggregator()`` (whose ``"dawid-skene"`` candidate is ``DawidSkene()``), on the crowds of
``dev_aggregate_auto_glad.py``: the crowds of ``dev_aggregate_auto.py``, the look-alike crowds
of ``dev_aggregate_eb_prior.py``, the dense crowds of ``dev_weak_dense_crowds.py`` and the pair
crowds of ``dev_aggregate_pair_crowds.py`` (with session 8's four crowds, where a heavy dependent
pair, a crowd-wide lure and near-spammers make the default fall below majority vote).

Rule, fixed before the first full run: the check becomes the default only if, over all these
crowds and dev seeds 0-2, (1) the mean accuracy is not lower and (2) the worst accuracy minus
majority vote is not lower, for ``DawidSkene()`` and for ``AutoAggregator()`` each. Prints accuracy
minus majority vote (points) per crowd, the pairs flagged, then worst / mean per family. Usage::

    python benchmarks/dev_aggregate_pair_check.py [--seeds 0 1 2] [--families auto lookalike dense pair]
        [--threshold 5] [--no-auto] [--weak-deps]

``--weak-deps`` (a diagnosis for part 2, nothing chosen): also ``weak.LabelModel()`` as it is and
with the pairs ``DawidSkene()`` found given as ``dependencies`` (a joint table for each pair).
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from dev_aggregate_auto_glad import crowds
from dev_aggregate_eb_prior import accuracy

from labelwise.aggregate import AutoAggregator, DawidSkene, MajorityVote


def auto_accuracy(threshold: float | None, answers: pd.DataFrame, truth: pd.Series) -> tuple[float, str]:
    """``AutoAggregator()``'s accuracy and choice, its Dawid-Skene candidate (and refit) using
    ``threshold`` (the constructor's default patched for the call)."""
    defaults = DawidSkene.__init__.__kwdefaults__
    saved = defaults["dependency_threshold"]
    defaults["dependency_threshold"] = threshold
    try:
        auto = AutoAggregator()
        return accuracy(auto, answers, truth), auto.chosen_
    finally:
        defaults["dependency_threshold"] = saved


def weak_deps(est: DawidSkene, answers: pd.DataFrame, truth: pd.Series, mv: float) -> dict:
    """``weak.LabelModel()`` and ``weak.LabelModel(dependencies=<the pairs est found>)``: points vs ``mv``."""
    import warnings

    from labelwise.weak import LabelModel, as_votes

    pairs = [tuple(p) for p in est.dependent_pairs_[["annotator_a", "annotator_b"]].itertuples(index=False)]
    votes = as_votes(answers.rename(columns={"annotator": "labeler"}))
    out = {}
    for name, deps in (("lm", []), ("lm_deps", pairs)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            labels = LabelModel(dependencies=deps).fit(votes).labels_
        out[name] = 100 * float((labels.to_numpy() == truth.reindex(labels.index).to_numpy()).mean()) - mv
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    ap.add_argument("--families", nargs="*", default=["auto", "lookalike", "dense", "pair"])
    ap.add_argument("--threshold", type=float, default=5.0)
    ap.add_argument("--no-auto", action="store_true", help="DawidSkene only")
    ap.add_argument("--weak-deps", action="store_true", help="weak.LabelModel without and with the pairs found")
    args = ap.parse_args()
    rows = []
    for family in args.families:
        for seed in args.seeds:
            for name, answers, truth in crowds(family, seed):
                mv = accuracy(MajorityVote(), answers, truth)
                row: dict = {"family": family, "crowd": name, "seed": seed, "mv": mv}
                row["ds_before"] = accuracy(DawidSkene(dependency_threshold=None), answers, truth) - mv
                est = DawidSkene(dependency_threshold=args.threshold)
                t0 = time.perf_counter()
                row["ds_check"] = accuracy(est, answers, truth) - mv
                row["t_check"] = time.perf_counter() - t0
                row["pairs"] = len(est.dependent_pairs_)
                row["z_max"] = float(est.dependent_pairs_.z.max()) if len(est.dependent_pairs_) else float("nan")
                row["fallback"] = est.fallback_ or ""
                if args.weak_deps:
                    row.update(weak_deps(est, answers, truth, mv))
                if not args.no_auto:
                    row["auto_before"] = auto_accuracy(None, answers, truth)[0] - mv
                    acc, row["pick"] = auto_accuracy(args.threshold, answers, truth)
                    row["auto_check"] = acc - mv
                rows.append(row)
                print(pd.DataFrame([row]).round(2).to_string(index=False, header=len(rows) == 1), flush=True)
    frame = pd.DataFrame(rows)
    cols = ["ds_before", "ds_check"] + ([] if args.no_auto else ["auto_before", "auto_check"])
    cols += ["lm", "lm_deps"] if args.weak_deps else []
    print("\naccuracy minus majority vote (points): worst / mean")
    parts = [(f, frame[frame.family == f]) for f in args.families] + [("all", frame)]
    table = {
        f"{f} ({len(p)})": {c: f"{p[c].min():+.2f} / {p[c].mean():+.3f}" for c in cols} for f, p in parts if len(p)
    }
    print(pd.DataFrame(table).T.to_string())
    print("crowds with a flagged pair:", int((frame.pairs > 0).sum()), "of", len(frame))
    ok = True
    for before, after in (("ds_before", "ds_check"),) + (() if args.no_auto else (("auto_before", "auto_check"),)):
        gain = frame[after].mean() - frame[before].mean()
        passes = gain >= 0 and frame[after].min() >= frame[before].min()
        ok &= passes
        print(
            f"{after}: mean gain {gain:+.3f}, worst {frame[after].min():+.2f} vs {frame[before].min():+.2f}: "
            f"{'passes' if passes else 'fails'}"
        )
    print("rule (mean not lower and worst not lower, all crowds):", "passes" if ok else "fails")


if __name__ == "__main__":
    main()
