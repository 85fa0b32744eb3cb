"""Dev runs: GLAD (item difficulty) as a candidate of ``AutoAggregator`` (issue 15, part 1), simulated only.

The diagnosis of the real crowd set where the default and ``method="auto"`` fall below majority
vote: a common class, a rarer one answered with lower sensitivity, and items of the common class
that look like the rare one. Dawid-Skene's full confusion matrices predict the held-out *answers*
best there, by fitting class-dependent sensitivities to the look-alike items, yet their labels are
worse. GLAD (Whitehill et al. 2009) explains split answers on an item by the item's difficulty
``1 / β_i`` instead, with one ability per annotator and no class-dependent confusion. This script
asks whether adding it to auto's candidates (``"glad"``, scored like the others by the held-out
likelihood of the answers) is safe and useful on simulated crowds of every structure the earlier
choices were made on:

* ``auto``: the crowds of ``dev_aggregate_auto.py`` (sparse crowds with spammers and adversaries,
  1-4 answers per item, K = 2-100; dense crowds with uniform or class-dependent mistakes);
* ``lookalike``: the look-alike crowds of ``dev_aggregate_eb_prior.py``;
* ``dense``: the dense crowds of ``dev_weak_dense_crowds.py`` (tens of workers answering a large
  share of the items, spammers, a share of hard items that lure many workers to a look-alike
  class), as answer tables;
* ``pair``: the crowds of ``dev_aggregate_pair_crowds.py`` (a pair of heavy workers who make the
  same mistakes on the same items, heavy near-spammers).

Rule, fixed before the first run: ``glad`` joins auto's default candidates only if, over all these
crowds and dev seeds, auto with it has (1) a mean accuracy not lower than auto without it and (2) a
worst accuracy minus majority vote not lower. Added after a first smoke run on 11 crowds (look-alike
and dense, seed 0), where auto never picked GLAD, and before the full run: as for ``n_folds``
(``dev_aggregate_auto.py``), when the means are within 0.1 point the cheaper setting (without GLAD,
one candidate fewer to fit ``n_folds + 1`` times) is kept. Prints accuracy minus majority vote (points) per
crowd for majority vote, the Dawid-Skene default, one-coin, GLAD, auto without and with GLAD, and
auto's choices; then worst and mean per family and overall. Usage::

    python benchmarks/dev_aggregate_auto_glad.py [--seeds 0 1 2] [--families auto lookalike dense pair]
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

from dev_aggregate_auto import _crowds as auto_crowds
from dev_aggregate_eb_prior import LOOK_ALIKE, accuracy, look_alike_crowd
from dev_aggregate_pair_crowds import PAIR, pair_crowd
from dev_weak_dense_crowds import DENSE, dense_crowd

from labelwise.aggregate import GLAD, AutoAggregator, DawidSkene, MajorityVote, OneCoinDawidSkene

WITHOUT = ("majority-vote", "one-coin", "dawid-skene")
WITH = (*WITHOUT, "glad")


def crowds(family: str, seed: int):
    if family == "auto":
        for name, answers, truth in auto_crowds(seed):
            yield f"auto {name}", answers, truth
    elif family == "lookalike":
        for cfg in LOOK_ALIKE:
            yield f"lookalike K{cfg[1]} hard{cfg[4]} skew{cfg[6]}", *look_alike_crowd(*cfg, seed=seed)
    elif family == "pair":
        for cfg in PAIR:
            yield f"pair K{cfg[1]} lure{cfg[7]} biased{cfg[4]}", *pair_crowd(*cfg, seed=seed)
    else:
        for i, (n, k, m, share, conf, hard) in enumerate(DENSE):
            votes, truth = dense_crowd(n, k, m, share, conf, hard, 1000 * seed + i)
            answers = votes.answers.rename(columns={"labeler": "annotator"})[["item", "annotator", "label"]]
            yield f"dense{i} n{n} K{k} m{m}", answers, truth


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    ap.add_argument("--families", nargs="*", default=["auto", "lookalike", "dense", "pair"])
    args = ap.parse_args()
    rows = []
    for family in args.families:
        for seed in args.seeds:
            for name, answers, truth in crowds(family, seed):
                mv = accuracy(MajorityVote(), answers, truth)
                row: dict = {"family": family, "crowd": name, "seed": seed, "mv": mv}
                row["ds"] = accuracy(DawidSkene(), answers, truth) - mv
                row["one_coin"] = accuracy(OneCoinDawidSkene(), answers, truth) - mv
                row["glad"] = accuracy(GLAD(verbose=False), answers, truth) - mv
                for label, cands in (("auto", WITHOUT), ("auto_glad", WITH)):
                    est = AutoAggregator(candidates=cands)
                    t0 = time.perf_counter()
                    row[label] = accuracy(est, answers, truth) - mv
                    row[f"t_{label}"] = time.perf_counter() - t0
                    row[f"pick_{label}"] = est.chosen_
                rows.append(row)
                print(pd.DataFrame([row]).round(2).to_string(index=False, header=len(rows) == 1), flush=True)
    frame = pd.DataFrame(rows)
    cols = ["ds", "one_coin", "glad", "auto", "auto_glad"]
    print("\naccuracy minus majority vote (points): worst / mean")
    parts = [(f, frame[frame.family == f]) for f in args.families] + [("all", frame)]
    table = {
        f"{f} ({len(p)})": {c: f"{p[c].min():+.2f} / {p[c].mean():+.2f}" for c in cols} for f, p in parts if len(p)
    }
    print(pd.DataFrame(table).T.to_string())
    print("auto_glad picks glad on", int((frame.pick_auto_glad == "glad").sum()), "of", len(frame))
    print("mean s per fit: auto", round(frame.t_auto.mean(), 2), "auto_glad", round(frame.t_auto_glad.mean(), 2))
    gain = frame.auto_glad.mean() - frame.auto.mean()
    ok = gain >= 0 and frame.auto_glad.min() >= frame.auto.min()
    print(
        f"rule (mean not lower and worst not lower, all crowds): {'passes' if ok else 'fails'}; mean gain {gain:+.3f}"
    )
    print("verdict:", "add glad to the default candidates" if ok and gain > 0.1 else "keep the candidates as they are")


if __name__ == "__main__":
    main()
