"""Per-partition work of :mod:`labelwise.aggregate.distributed`: encoding, E-steps and sufficient statistics.

Each function runs on one partition of answers that were shuffled by item (so every item's answers
are in one partition) and returns small arrays that the client sums with a tree reduction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._base import log_normalize
from ._observed import _FLOOR


@dataclass(frozen=True, eq=False)
class Part:
    """One partition after the shuffle: its items (global codes, sorted) and answers (local items)."""

    items: np.ndarray
    item: np.ndarray
    annotator: np.ndarray
    label: np.ndarray
    n_duplicates: int
    #: Weight of each answer (None: 1), as the in-memory ``_Observed`` entries (dependent groups).
    w: np.ndarray | None = None

    def shares(self, k: int) -> np.ndarray:
        """(Weighted) vote shares per item (the initial posterior of every method); uniform where
        every answer weighs 0."""
        counts = np.bincount(self.item * k + self.label, weights=self.w, minlength=self.items.size * k).reshape(-1, k)
        total = counts.sum(axis=1, keepdims=True)
        if self.w is None:
            return counts / total
        empty = total[:, 0] <= 0
        counts[empty], total[empty] = 1.0, float(k)
        return counts / total

    def block(self, k: int) -> Block:
        """The partition's count rows: a CSR matrix of its items x the (annotator, label) columns
        its answers use, one entry per answer in the partition's answer order (``prepare`` sorted
        them by item and column, the order of the in-memory ``_Observed``)."""
        columns, code = np.unique(self.annotator * k + self.label, return_inverse=True)
        indptr = np.zeros(self.items.size + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.item, minlength=self.items.size), out=indptr[1:])
        data = np.ones(self.item.size) if self.w is None else self.w
        m = sp.csr_matrix((data, code.astype(np.int64), indptr), shape=(self.items.size, len(columns)))
        return Block(m, np.ones(self.items.size), columns // k, columns % k)


@dataclass(frozen=True, eq=False)
class Block:
    """A :class:`~labelwise.aggregate._pair_check.CountRows` of one partition (one row per item)."""

    m: sp.csr_matrix
    weights: np.ndarray
    annotator_of: np.ndarray
    label_of: np.ndarray


def encode_partition(frame: pd.DataFrame, cols: tuple[str, str, str], cats: tuple) -> pd.DataFrame:
    """Integer codes of one partition (categoricals with the global categories)."""
    out = {}
    for name, col, index in zip("ial", cols, cats, strict=False):
        out[name] = pd.Categorical(frame[col], categories=index).codes.astype(np.int64)
    return pd.DataFrame(out)


def prepare(frame: pd.DataFrame, k: int) -> Part:
    """One partition's answers, sorted by item and (annotator, label) column."""
    item = frame["i"].to_numpy()
    items, local = np.unique(item, return_inverse=True)
    ann, lab = frame["a"].to_numpy(), frame["l"].to_numpy()
    n_cols = (int(ann.max(initial=0)) + 1) * k
    if items.size * n_cols < 2**62:
        order = np.argsort(local.astype(np.int64) * n_cols + ann * k + lab, kind="stable")
    else:
        order = np.lexsort((ann * k + lab, local))
    local, ann, lab = local[order], ann[order], lab[order]
    pairs = np.unique(local * (int(ann.max(initial=0)) + 1) + ann).size if item.size else 0
    return Part(items, local.astype(np.int64), ann, lab, int(item.size - pairs))


# -- per-partition work, one function per method ---------------------------------------------------
def _posterior(part: Part, k: int, params: tuple | None, posterior: Callable[..., tuple]) -> tuple[np.ndarray, float]:
    """The E-step's posterior of the partition's items, ``posterior(part, k, params)``, and its
    log-likelihood; without ``params`` (the first pass) the vote shares and 0."""
    if params is None:
        return part.shares(k), 0.0
    post, z = posterior(part, k, params)
    return post, float(z.sum())


def ds_stats(part: Part, k: int, n_ann: int, params: tuple | None, every_answer: bool = False) -> tuple:
    """The E-step's posterior (vote shares without ``params``), its M-step statistics and
    log-likelihood; ``every_answer``: the M-step counts every answer once (the E-step still
    weighs them)."""
    post, log_z = _posterior(part, k, params, ds_posterior)
    counts, totals = ds_counts(part, k, n_ann, post, None if every_answer else part.w)
    return counts, totals, log_z


def ds_counts(part: Part, k: int, n_ann: int, post: np.ndarray, w: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Dawid-Skene's M-step statistics of the item posteriors ``post``: ``[j, l, k]`` the expected
    counts (answers weighted by ``w``) and the class totals."""
    column = part.annotator * k + part.label
    counts = np.empty((n_ann * k, k))
    for c in range(k):
        weights = post[part.item, c] if w is None else post[part.item, c] * w
        counts[:, c] = np.bincount(column, weights=weights, minlength=n_ann * k)
    return counts.reshape(n_ann, k, k), post.sum(axis=0)


def ds_posterior(part: Part, k: int, params: tuple) -> tuple[np.ndarray, np.ndarray]:
    prior, given = params
    log_given = np.log(given).reshape(-1, k)[part.annotator * k + part.label]
    if part.w is not None:
        log_given *= part.w[:, None]
    log_joint = np.empty((part.items.size, k))
    for c in range(k):
        log_joint[:, c] = np.bincount(part.item, weights=log_given[:, c], minlength=part.items.size)
    log_joint += np.log(prior)
    return log_normalize(log_joint)


def onecoin_stats(part: Part, k: int, n_ann: int, params: tuple | None) -> tuple:
    post, log_z = _posterior(part, k, params, onecoin_posterior)
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


def setup_stats(part: Part, n_ann: int, k: int) -> tuple:
    """Answers per annotator, answers, duplicates, and the pair counts of ``agreement_accuracy``."""
    counts = np.bincount(part.item * k + part.label, minlength=part.items.size * k).reshape(-1, k).astype(np.float64)
    n = counts.sum(axis=1)
    pairs, agree = float((n * (n - 1)).sum()), float((counts * (counts - 1)).sum())
    return np.bincount(part.annotator, minlength=n_ann), part.item.size, part.n_duplicates, pairs, agree


def answer_agreement(part: Part, codes: np.ndarray, n_items: int, n_ann: int) -> tuple:
    """Per item: answers and answers equal to its label ``codes``; per annotator: the same (every answer
    counted once, as :func:`labelwise.aggregate.item_agreement` and ``annotator_agreement`` count)."""
    agree = (part.label == codes[part.items][part.item]).astype(np.float64)
    per_item, item_agree = np.zeros(n_items, dtype=np.int64), np.zeros(n_items)
    per_item[part.items] = np.bincount(part.item, minlength=part.items.size)
    item_agree[part.items] = np.bincount(part.item, weights=agree, minlength=part.items.size)
    by_annotator = np.bincount(part.annotator, weights=agree, minlength=n_ann)
    return per_item, item_agree, by_annotator, np.bincount(part.annotator, minlength=n_ann)


def dawid_skene_m_step(
    counts: np.ndarray, class_totals: np.ndarray, pseudo_counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Dawid-Skene M-step from summed sufficient statistics, with a pseudo-count array (MAP).

    Parameters
    ----------
    counts : ndarray of shape (n_annotators, K, K)
        ``[j, l, k] = sum over j's answers l of T[i, k]`` (expected counts; ``l`` given, ``k`` true).
    class_totals : ndarray of shape (K,)
        ``sum_i T[i, k]``.
    pseudo_counts : ndarray broadcastable to (K, K)
        ``[l, k]`` added to every annotator's counts (a Dirichlet prior's ``alpha - 1``); a scalar
        ``smoothing`` is the array full of it. Cells whose pseudo-count is below 1e-10 are floored there.

    Returns
    -------
    prior : ndarray of shape (K,)
    given : ndarray of shape (n_annotators, K, K), ``[j, l, k] = P(j answers l | true k)``.
    """
    prior = np.maximum(class_totals, _FLOOR)
    prior = prior / prior.sum()
    k = counts.shape[1]
    pseudo = np.broadcast_to(np.asarray(pseudo_counts, dtype=np.float64), (k, k))
    cells = counts + pseudo
    low = pseudo < _FLOOR
    if low.any():
        cells = np.where(low, np.maximum(cells, _FLOOR), cells)
    return prior, cells / cells.sum(axis=1, keepdims=True)


def ds_loss(log_z: float, given: np.ndarray, pseudo: np.ndarray, n_answers: float) -> float:
    """Dawid-Skene's objective per answer, as the in-memory E-step's: ``-(Σ_i log Z_i + Σ_j Σ_{k,l}
    A[k, l] log π_j[k, l]) / n_answers`` (``pseudo``: ``A[true k, given l]``; ``given``: ``[j, l, k]``)."""
    nll = -log_z
    if pseudo.any():
        nll -= float((pseudo.T[None, :, :] * np.log(given)).sum())
    return float(nll / n_answers)
