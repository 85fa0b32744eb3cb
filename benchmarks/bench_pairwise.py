"""Benchmark: labelwise's BradleyTerry / NoisyBradleyTerry vs crowd-kit 1.4.2's on simulated crowds.

Items have known log-strengths; comparisons come from annotators of varied reliability (uniform in
[0.6, 1]), 20 % spammers and two position-biased annotators who pick the left item 95 % of the time
(``labelwise.aggregate._pairwise_sim``). 10 % of the comparisons are held out. For each size every
method fits the other 90 % in the same run and reports Kendall tau and Spearman rho of its scores
with the true strengths, held-out accuracy (the higher-scored item of a held-out pair is the one the
annotator chose; and the one truly stronger), and fit time. crowd-kit's BradleyTerry is run as a user
calls it (``tol=1e-5``: its stopping test compares the strength vector with itself, so it stops after
two MM steps) and with ``tol=0`` (all ``n_iter`` steps, its maximum-likelihood answer), the latter
and its NoisyBradleyTerry (a Python loop over the comparisons per gradient) only up to
``--peer-max`` comparisons.

The defaults of labelwise's models (prior=1, tol=1e-7, max_iter=1000) were chosen on dev seeds 100-104
(``benchmarks/dev_pairwise.py``), never on this script's seed (2026).

Usage::

    python benchmarks/bench_pairwise.py                     # 1k, 10k, 100k, 1M comparisons
    python benchmarks/bench_pairwise.py --sizes 1000 10000 --peer-max 10000
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from _machine import machine_line
from scipy.stats import kendalltau, spearmanr

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from labelwise.aggregate import BradleyTerry, NoisyBradleyTerry  # noqa: E402
from labelwise.aggregate._pairwise_sim import simulate_comparisons  # noqa: E402

SEED = 2026
#: Items per size: dense enough that every item is compared ~20+ times (crowd-kit's BT holds an
#: items x items matrix, so the item count is also what it can afford).
ITEMS = {1_000: 50, 10_000: 300, 100_000: 1000, 1_000_000: 3000}


def _score(scores: pd.Series, truth: pd.Series, test: pd.DataFrame) -> dict[str, float]:
    s = scores.reindex(truth.index).fillna(scores.min()).to_numpy()
    t = truth.to_numpy()
    pos = pd.Series(np.arange(len(truth)), index=truth.index)
    li, ri = pos[test.left].to_numpy(), pos[test.right].to_numpy()
    pick_left = s[li] > s[ri]
    chose_left = (test.winner == test.left).to_numpy()
    return {
        "kendall_tau": float(kendalltau(s, t)[0]),
        "spearman": float(spearmanr(s, t)[0]),
        "heldout_acc": float(np.mean(pick_left == chose_left)),
        "heldout_true_acc": float(np.mean(pick_left == (t[li] > t[ri]))),
    }


def _timed(fit):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        scores = fit()
        return scores, time.perf_counter() - start


def run(size: int, peer_max: int) -> list[dict]:
    from crowdkit.aggregation import BradleyTerry as CKBT
    from crowdkit.aggregation import NoisyBradleyTerry as CKNBT

    sim = simulate_comparisons(ITEMS[size], size, n_annotators=50, spammers=0.2, biased=2, random_state=SEED)
    rng = np.random.default_rng(SEED)
    test_mask = rng.random(size) < 0.1
    train, test = sim.pairs[~test_mask].reset_index(drop=True), sim.pairs[test_mask]
    ck = train.rename(columns={"winner": "label", "annotator": "worker"})
    fits = {
        "labelwise BT": lambda: BradleyTerry().fit(train).scores_,
        "labelwise NoisyBT": lambda: NoisyBradleyTerry().fit(train).scores_,
        "crowd-kit BT (tol=1e-5)": lambda: CKBT(n_iter=1000, tol=1e-5).fit(ck).scores_,
    }
    if size <= peer_max:
        fits["crowd-kit BT (tol=0, 1000 steps)"] = lambda: CKBT(n_iter=1000, tol=0).fit(ck).scores_
        fits["crowd-kit NoisyBT"] = lambda: CKNBT(n_iter=100).fit(ck).scores_
    rows = []
    for name, fit in fits.items():
        scores, seconds = _timed(fit)
        if name.startswith("crowd-kit BT"):
            scores = np.log(scores)  # strengths normalised to sum 1: log for the same scale (ranks unchanged)
        rows.append(
            {
                "size": size,
                "items": ITEMS[size],
                "method": name,
                **_score(scores, sim.strength, test),
                "seconds": seconds,
            }
        )
        print(
            f"  {name:34s} tau={rows[-1]['kendall_tau']:.4f} rho={rows[-1]['spearman']:.4f} "
            f"held-out={rows[-1]['heldout_acc']:.4f} true-order={rows[-1]['heldout_true_acc']:.4f} "
            f"{seconds:8.2f}s",
            flush=True,
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(ITEMS))
    parser.add_argument("--peer-max", type=int, default=100_000)
    parser.add_argument("--csv", type=Path, default=None)
    args = parser.parse_args()
    print(machine_line("scipy", "crowd-kit"), flush=True)
    rows = []
    for size in args.sizes:
        print(f"{size} comparisons, {ITEMS[size]} items, seed {SEED}:", flush=True)
        rows += run(size, args.peer_max)
    frame = pd.DataFrame(rows)
    pairs = [
        ("labelwise BT", "crowd-kit BT (tol=1e-5)"),
        ("labelwise BT", "crowd-kit BT (tol=0, 1000 steps)"),
        ("labelwise NoisyBT", "crowd-kit NoisyBT"),
    ]
    print("\nspeed ratio (crowd-kit seconds / labelwise seconds):")
    for size, group in frame.groupby("size"):
        t = group.set_index("method")["seconds"]
        ratios = [f"{ck} / {lw}: {t[ck] / t[lw]:.1f}x" for lw, ck in pairs if ck in t]
        print(f"  {size}: " + "; ".join(ratios))
    if args.csv:
        frame.to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
