"""Helpers for comparing labelwise's aggregators with crowd-kit 1.4.2 on the same answers."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

#: The real crowd sets the peer comparisons run on (CIFAR-10N is left out: crowd-kit's pandas
#: loops take minutes there).
REAL_SETS = (
    "d_Duck_Identification",
    "s4_Dog_data",
    "s4_Face_Sentiment_Identification",
    "smem_rte",
    "CF",
    "MS",
    "SP_amt",
    "ZenCrowd_us",
)


def to_crowdkit(answers: pd.DataFrame) -> pd.DataFrame:
    """crowd-kit's column names (task, worker, label) for labelwise's (item, annotator, label)."""
    return answers.rename(columns={"item": "task", "annotator": "worker"})


def quiet_fit(estimator, answers: pd.DataFrame, *args):
    """``estimator.fit`` on the crowd-kit table, its pandas/scipy warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return estimator.fit(to_crowdkit(answers), *args)


def aligned(frame: pd.DataFrame, like: pd.DataFrame) -> np.ndarray:
    """crowd-kit's ``probas_`` in the rows and columns of labelwise's (classes it never saw: 0)."""
    return frame.reindex(index=like.index, columns=like.columns).fillna(0.0).to_numpy(dtype=float)


def tied_rows(probas: np.ndarray, rtol: float = 1e-9) -> np.ndarray:
    """Rows whose largest entry is shared by another class (up to ``rtol``)."""
    top = probas.max(axis=1, keepdims=True)
    return (probas >= top - rtol * np.maximum(np.abs(top), 1.0)).sum(axis=1) > 1


def without_vote_ties(answers: pd.DataFrame) -> pd.DataFrame:
    """The answers of the items whose plain vote has a single winner.

    On tied items crowd-kit takes the first label in sorted order (``idxmax``) and labelwise draws
    one at random (seeded); every method that starts from the vote follows the winner it picked.
    """
    counts = answers.groupby(["item", "label"]).size().unstack(fill_value=0)
    keep = counts.index[~tied_rows(counts.to_numpy(dtype=float))]
    return answers[answers["item"].isin(keep)].reset_index(drop=True)


def names_in_first_seen_order(answers: pd.DataFrame) -> pd.DataFrame:
    """Annotators and labels renamed to their rank of first appearance (0, 1, ...).

    crowd-kit 1.4.2's MACE numbers annotators and labels in order of first appearance
    (``pd.factorize``) but reads its strategy counts from a ``groupby`` in sorted order; the two
    orders agree only when first appearance is sorted, as it is after this renaming.
    """
    out = answers.copy()
    for col in ("annotator", "label"):
        out[col] = pd.factorize(out[col])[0]
    return out


def binary_crowd(n_items: int, accuracies, *, seed: int) -> pd.DataFrame:
    """Binary answers from every annotator on every item (an odd number of annotators: no vote ties)."""
    if len(accuracies) % 2 == 0:
        raise ValueError("an odd number of annotators keeps the binary vote free of ties")
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 2, n_items)
    rows = []
    for j, acc in enumerate(accuracies):
        right = rng.random(n_items) < acc
        rows.append(
            pd.DataFrame({"item": np.arange(n_items), "annotator": f"w{j}", "label": np.where(right, truth, 1 - truth)})
        )
    return pd.concat(rows, ignore_index=True)
