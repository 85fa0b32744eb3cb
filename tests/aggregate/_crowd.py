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


def pair_crowd(n_items=1500, seed=0):
    """A common class 0 (78%); eight workers answering about 40% of the items, right with
    probability 0.75-0.95 on class 0 and 0.45-0.85 on class 1; two heavy near-spammers answering 0
    80% of the time; and a pair ``p0``, ``p1`` answering 90% of the items that on 30% of the
    class-0 items both answer 1 (one draw for the two): a dependent pair that the model of
    independent answers counts twice, and which its latent class 1 follows."""
    rng = np.random.default_rng(seed)
    truth = (rng.random(n_items) < 0.22).astype(int)
    fooled = (truth == 0) & (rng.random(n_items) < 0.3)
    rows = []
    for j in range(12):
        name, share = ("p", 0.9) if j < 2 else ("s", 0.8) if j < 4 else ("w", 0.4)
        items = np.flatnonzero(rng.random(n_items) < share)
        acc = np.where(truth[items] == 0, rng.uniform(0.75, 0.95), rng.uniform(0.45, 0.85))
        label = np.where(rng.random(len(items)) < acc, truth[items], 1 - truth[items])
        if name == "p":
            label = np.where(fooled[items], 1, label)
        if name == "s":
            label = (rng.random(len(items)) >= 0.8).astype(int)
        rows.append(pd.DataFrame({"item": items, "annotator": f"{name}{j}", "label": label}))
    return pd.concat(rows, ignore_index=True), pd.Series(truth)


def skill_crowd(seed: int, n_items: int, n_annotators: int, k: int, size: int) -> pd.DataFrame:
    """``size`` answers (int64 columns) from annotators each right with a probability drawn in
    [0.2, 1] and otherwise answering a uniform class; repeated answers of a pair kept (the
    property tests' crowds)."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_items)
    item = rng.integers(0, n_items, size)
    skill = rng.uniform(0.2, 1.0, n_annotators)
    ann = rng.integers(0, n_annotators, size)
    right = rng.random(size) < skill[ann]
    label = np.where(right, truth[item], rng.integers(0, k, size))
    return pd.DataFrame({"item": item, "annotator": ann, "label": label})
