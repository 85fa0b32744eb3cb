"""The real crowd sets of ``../shared/data/crowd`` that the aggregation benchmarks read (scripts run from this folder)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

#: Folder names under the crowd data directory, in the order the benchmarks report them.
REAL_CROWD_SETS = [
    "d_Duck_Identification",
    "s4_Dog_data",
    "s4_Face_Sentiment_Identification",
    "smem_rte",
    "CF",
    "MS",
    "SP_amt",
    "ZenCrowd_us",
    "cifar10n_slots",
]


def read_crowd_set(folder: Path) -> tuple[pd.DataFrame, pd.Series]:
    """A crowd set's answers (``annotations.csv``) and gold labels by item (``gold.csv``), as strings."""
    answers = pd.read_csv(folder / "annotations.csv", dtype=str)
    gold = pd.read_csv(folder / "gold.csv", dtype=str).set_index("item")["label"]
    return answers, gold


def accuracy(labels: pd.Series, gold: pd.Series) -> float:
    """Share of the gold items whose label (as a string) equals the gold label."""
    common = gold.index.intersection(labels.index)
    return float((labels.loc[common].astype(str) == gold.loc[common]).mean())
