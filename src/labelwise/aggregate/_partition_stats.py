"""Per-partition work of :mod:`labelwise.aggregate.distributed`: encoding, E-steps and sufficient statistics.

Each function runs on one partition of answers that were shuffled by item (so every item's answers
are in one partition) and returns small arrays that the client sums with a tree reduction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._base import log_normalize


@dataclass(frozen=True, eq=False)
class Part:
    """One partition after the shuffle: its items (global codes, sorted) and answers (local items)."""

    items: np.ndarray
    item: np.ndarray
    annotator: np.ndarray
    label: np.ndarray
    n_duplicates: int

    def shares(self, k: int) -> np.ndarray:
        """Vote shares per item (the initial posterior of every method)."""
        counts = np.bincount(self.item * k + self.label, minlength=self.items.size * k).reshape(-1, k)
        return counts / counts.sum(axis=1, keepdims=True)


def encode_partition(frame: pd.DataFrame, cols: tuple[str, str, str], cats: tuple) -> pd.DataFrame:
    """Integer codes of one partition (categoricals with the global categories)."""
    out = {}
    for name, col, index in zip("ial", cols, cats, strict=False):
        out[name] = pd.Categorical(frame[col], categories=index).codes.astype(np.int64)
    return pd.DataFrame(out)


def prepare(frame: pd.DataFrame, k: int) -> Part:
    item = frame["i"].to_numpy()
    items, local = np.unique(item, return_inverse=True)
    ann, lab = frame["a"].to_numpy(), frame["l"].to_numpy()
    pairs = np.unique(local * (int(ann.max(initial=0)) + 1) + ann).size if item.size else 0
    return Part(items, local.astype(np.int64), ann, lab, int(item.size - pairs))


# -- per-partition work, one function per method ---------------------------------------------------
def ds_stats(part: Part, k: int, n_ann: int, params: tuple | None) -> tuple:
    if params is None:
        post, log_z = part.shares(k), 0.0
    else:
        post, z = ds_posterior(part, k, params)
        log_z = float(z.sum())
    column = part.annotator * k + part.label
    counts = np.empty((n_ann * k, k))
    for c in range(k):
        counts[:, c] = np.bincount(column, weights=post[part.item, c], minlength=n_ann * k)
    return counts.reshape(n_ann, k, k), post.sum(axis=0), log_z


def ds_posterior(part: Part, k: int, params: tuple) -> tuple[np.ndarray, np.ndarray]:
    prior, given = params
    log_given = np.log(given).reshape(-1, k)[part.annotator * k + part.label]
    log_joint = np.empty((part.items.size, k))
    for c in range(k):
        log_joint[:, c] = np.bincount(part.item, weights=log_given[:, c], minlength=part.items.size)
    log_joint += np.log(prior)
    return log_normalize(log_joint)


def onecoin_stats(part: Part, k: int, n_ann: int, params: tuple | None) -> tuple:
    if params is None:
        post, log_z = part.shares(k), 0.0
    else:
        post, z = onecoin_posterior(part, k, params)
        log_z = float(z.sum())
    hits = np.bincount(part.annotator, weights=post[part.item, part.label], minlength=n_ann)
    return hits, post.sum(axis=0), log_z


def onecoin_posterior(part: Part, k: int, params: tuple) -> tuple[np.ndarray, np.ndarray]:
    prior, skill = params
    log_right = np.log(skill)[part.annotator]
    log_wrong = (np.log1p(-skill) - np.log(k - 1))[part.annotator]
    per_item = np.bincount(part.item, weights=log_wrong, minlength=part.items.size)
    cell = np.bincount(part.item * k + part.label, weights=log_right - log_wrong, minlength=part.items.size * k)
    log_joint = per_item[:, None] + cell.reshape(-1, k) + np.log(prior)
    return log_normalize(log_joint)


def sum_stats(parts: list[tuple]) -> tuple:
    return tuple(sum(p[i] for p in parts) for i in range(len(parts[0])))


def final(
    part: Part, k: int, posterior: Callable | None, params: tuple | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    shares = part.shares(k)
    post = shares if posterior is None else posterior(part, k, params)[0]
    return part.items, post, shares


def agreement(part: Part, codes: np.ndarray, n_ann: int) -> tuple[np.ndarray, np.ndarray]:
    agree = (part.label == codes[part.items][part.item]).astype(np.float64)
    return np.bincount(part.annotator, weights=agree, minlength=n_ann), np.bincount(part.annotator, minlength=n_ann)


def setup_stats(part: Part, n_ann: int, k: int) -> tuple:
    """Answers per annotator, answers, duplicates, and the pair counts of ``agreement_accuracy``."""
    counts = np.bincount(part.item * k + part.label, minlength=part.items.size * k).reshape(-1, k).astype(np.float64)
    n = counts.sum(axis=1)
    pairs, agree = float((n * (n - 1)).sum()), float((counts * (counts - 1)).sum())
    return np.bincount(part.annotator, minlength=n_ann), part.item.size, part.n_duplicates, pairs, agree


def items_answered(part: Part, n_items: int) -> tuple[np.ndarray]:
    out = np.zeros(n_items, dtype=np.int64)
    out[part.items] = np.bincount(part.item, minlength=part.items.size)
    return (out,)
