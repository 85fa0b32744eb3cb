"""The held-out gate of the lured-item fit, as ``dev_weak_lure_gate.py`` patches it into the label model.

Kept apart from the dev script so that the code judged by the rule is one function, which ``src``
would take over unchanged if the rule passes (``weak/_lure_gate.py``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from labelwise.aggregate._answers import EncodedAnswers
from labelwise.aggregate.auto import answer_folds
from labelwise.weak._lure import LureFit, refit_lured
from labelwise.weak._posterior import FLOOR, VotedOutcomes, outcome_patterns

N_FOLDS = 5
FOLD_SEED = 0


def _answers(voted: VotedOutcomes, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Item, labeler and vote of every answer, each distinct row repeated for its ``weights`` items."""
    lam, starts = voted.lam, voted.starts
    w = np.rint(np.asarray(voted.weights, dtype=np.float64)).astype(np.int64)
    per_row = np.diff(lam.indptr)
    row = np.repeat(np.arange(lam.shape[0]), per_row)
    labeler = np.searchsorted(starts, lam.indices, side="right") - 1
    vote = lam.indices - starts[labeler] - 1
    first_item = np.cumsum(w) - w
    copies = w[row]  # each entry once per item of its row
    entry = np.repeat(np.arange(len(row)), copies)
    rank = np.arange(len(entry)) - np.repeat(np.cumsum(copies) - copies, copies)
    item = first_item[row[entry]] + rank
    return item, labeler[entry], vote[entry]


def _item_outcomes(voted: VotedOutcomes, item: np.ndarray, labeler: np.ndarray, vote: np.ndarray, n: int):
    """The single labelers' vote indicator of ``n`` items (each its own row, weight 1)."""
    cols = voted.starts[labeler] + 1 + vote
    lam = sp.csr_matrix((np.ones(len(item)), (item, cols)), shape=(n, voted.lam.shape[1]))
    return VotedOutcomes(lam, voted.baseline, voted.starts).weighted(np.ones(n))


def _vote_conditionals(mu: np.ndarray, starts: np.ndarray, k: int) -> np.ndarray:
    """``[j, z, a] = P(labeler j votes a | z, j votes)`` from a single-labeler group ``μ``."""
    cols = starts[:, None] + 1 + np.arange(k)[None, :]
    cond = mu[cols]  # (m, a, z)
    cond = cond / np.maximum(cond.sum(axis=1, keepdims=True), FLOOR)
    return np.transpose(cond, (0, 2, 1))


def heldout_gain(voted: VotedOutcomes, run: Any, k: int, prior: np.ndarray, *, free: bool, fit_map, **em: Any):
    """Per held-out answer, ``log P(answer | the item's other answers)`` under the lured fit minus under
    the plain MAP Dawid-Skene fit, both fitted on the other answers (K-fold over the answers of items
    with >= 2 answers, ``aggregate.auto.answer_folds``); answers of a labeler with no training answer
    are not scored. ``fit_map(voted, start, p)`` is the MAP EM run from a start posterior."""
    item, labeler, vote = _answers(voted, k)
    n, m = int(item.max()) + 1, len(voted.starts)
    enc = EncodedAnswers(
        item_idx=item,
        annotator_idx=labeler,
        label_idx=vote,
        item_values=pd.RangeIndex(n),
        annotator_values=pd.RangeIndex(m),
        classes=np.arange(k),
    )
    folds = answer_folds(enc, N_FOLDS, np.random.default_rng(FOLD_SEED))
    groups = [[j] for j in range(m)]
    out = []
    for f in range(N_FOLDS):
        held = folds == f
        train = ~held
        seen = np.bincount(labeler[train], minlength=m) > 0
        idx = np.flatnonzero(held & seen[labeler])
        if not len(idx):
            continue
        tv = _item_outcomes(voted, item[train], labeler[train], vote[train], n)
        counts = np.zeros((n, k))
        np.add.at(counts, (item[train], vote[train]), 1.0)
        shares = counts / counts.sum(axis=1, keepdims=True)
        p0 = shares.mean(axis=0) if free else run.p
        plain = fit_map(tv, shares, np.maximum(p0, FLOOR) / np.maximum(p0, FLOOR).sum())
        lured = refit_lured(tv, plain, groups, k, prior, free=free, **em)
        i, j, a = item[idx], labeler[idx], vote[idx]
        cond = _vote_conditionals(plain.mu, voted.starts, k)
        p_plain = np.einsum("nz,nz->n", plain.post[i], cond[j, :, a])
        model = LureFit(tv, k, prior, free=free)
        t0, t1, _, _ = model.e_step(lured.lure)
        log_pi, s = model.unpack(lured.lure)[:2]
        pi = np.exp(log_pi)
        ordinary = t0[i] + (1.0 - s[j])[:, None] * t1[i].sum(axis=2)
        p_lured = np.einsum("nz,nz->n", ordinary, pi[j, :, a]) + s[j] * t1[i, :, a].sum(axis=1)
        out.append(np.log(np.maximum(p_lured, FLOOR)) - np.log(np.maximum(p_plain, FLOOR)))
    return np.concatenate(out) if out else np.zeros(0)


def keeps_lured(gain: np.ndarray, variant: str) -> bool:
    """(A) the lured fit predicts the held-out answers better in total; (B) by more than one standard
    error of the mean per-answer difference."""
    if len(gain) < 2:
        return False
    mean = float(gain.mean())
    if variant == "A":
        return mean > 0.0
    return mean > float(gain.std(ddof=1)) / np.sqrt(len(gain))


__all__ = ["N_FOLDS", "heldout_gain", "keeps_lured", "outcome_patterns"]
