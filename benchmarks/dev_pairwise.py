"""Dev check of the pairwise models' defaults (prior, tol) on dev seeds 100-104, never the benchmark's.

For sparse and dense simulated crowds (``labelwise.aggregate._pairwise_sim``: 20 % spammers, two
position-biased annotators) it prints, per prior weight, the mean Kendall tau of the scores with the
true strengths for BradleyTerry and NoisyBradleyTerry, and for BradleyTerry the MM steps needed and
whether it converged at tol=1e-7 within max_iter=1000.

Usage::

    python benchmarks/dev_pairwise.py
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import kendalltau

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from labelwise.aggregate import BradleyTerry, NoisyBradleyTerry  # noqa: E402
from labelwise.aggregate._pairwise_sim import simulate_comparisons  # noqa: E402

SEEDS = range(100, 105)
#: (items, comparisons): ~4 comparisons per item (sparse: some items never win or lose) to ~60.
SETTINGS = [(200, 800), (200, 4000), (300, 10000)]
PRIORS = [0.1, 0.5, 1.0, 2.0, 5.0]


def main() -> None:
    rows = []
    for n_items, n_cmp in SETTINGS:
        for seed in SEEDS:
            sim = simulate_comparisons(n_items, n_cmp, n_annotators=30, biased=2, random_state=seed)
            truth = sim.strength
            for prior in PRIORS:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    bt = BradleyTerry(prior=prior).fit(sim.pairs)
                    nb = NoisyBradleyTerry(prior=prior).fit(sim.pairs)
                rows.append(
                    {
                        "setting": f"{n_items} items / {n_cmp}",
                        "prior": prior,
                        "bt_tau": kendalltau(bt.scores_, truth.reindex(bt.scores_.index))[0],
                        "noisy_tau": kendalltau(nb.scores_, truth.reindex(nb.scores_.index))[0],
                        "bt_iter": bt.n_iter_,
                        "bt_converged": bt.converged_,
                        "noisy_iter": nb.n_iter_,
                        "noisy_converged": nb.converged_,
                    }
                )
    frame = pd.DataFrame(rows)
    with pd.option_context("display.width", 250, "display.max_columns", 20):
        print(
            frame.groupby(["setting", "prior"])
            .agg(
                bt_tau=("bt_tau", "mean"),
                noisy_tau=("noisy_tau", "mean"),
                bt_iter=("bt_iter", "max"),
                bt_conv=("bt_converged", "mean"),
                noisy_iter=("noisy_iter", "max"),
                noisy_conv=("noisy_converged", "mean"),
            )
            .round(4)
        )
    print("seeds", list(SEEDS), "mean over seeds; iterations: the most over seeds", np.__version__)


if __name__ == "__main__":
    main()
