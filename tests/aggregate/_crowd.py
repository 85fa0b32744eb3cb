"""Synthetic crowds with known truth, shared by the aggregation-method tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def confusion_crowd(
    n_items: int = 300,
    k: int = 3,
    accuracies=(0.9, 0.8, 0.7, 0.6, 0.55),
    *,
    per_item: int | None = None,
    spammers: int = 0,
    seed: int = 0,
):
    """Answers from annotators of known accuracy (errors uniform over the other classes).

    Each item is answered by ``per_item`` annotators drawn at random (all when ``None``).
    ``spammers`` extra annotators always answer class 0. Returns ``(answers, truth)`` where
    ``truth`` is a Series indexed by item.
    """
    rng = np.random.default_rng(seed)
    acc = np.asarray(list(accuracies) + [0.0] * spammers, dtype=float)
    n_ann = len(acc)
    truth = rng.integers(0, k, n_items)
    rows_i, rows_j = [], []
    for i in range(n_items):
        who = np.arange(n_ann) if per_item is None else rng.choice(n_ann, per_item, replace=False)
        rows_i.extend([i] * len(who))
        rows_j.extend(who.tolist())
    item = np.asarray(rows_i)
    ann = np.asarray(rows_j)
    right = rng.random(len(item)) < acc[ann]
    wrong = (truth[item] + rng.integers(1, k, len(item))) % k
    label = np.where(right, truth[item], wrong)
    is_spam = ann >= len(accuracies)
    label[is_spam] = 0
    answers = pd.DataFrame({"item": item, "annotator": [f"a{j}" for j in ann], "label": label})
    return answers, pd.Series(truth, index=pd.RangeIndex(n_items, name="item"), name="label")


def load_crowd(shared_data: Path, name: str):
    """Answers and gold of one real data set in ../shared/data/crowd (ids and labels as str)."""
    folder = shared_data / "crowd" / name
    answers = pd.read_csv(folder / "annotations.csv", dtype=str)
    gold = pd.read_csv(folder / "gold.csv", dtype=str).set_index("item")["label"]
    return answers, gold


def accuracy(labels: pd.Series, gold: pd.Series) -> float:
    """Share of gold items whose aggregated label equals the gold label."""
    common = gold.index.intersection(labels.index)
    return float((labels.loc[common].astype(str) == gold.loc[common].astype(str)).mean())
