"""MMSR's sign step, checked: the paper's eigenvector signs or the signs of agreement with the vote,
whichever fits the signs of the observed covariances better, in each connected part of the crowd.

Ma & Olshevsky's sign step (:func:`~labelwise.aggregate._mmsr_pairs.pair_signs`) looks for the
split of the annotators into two sides such that pairs of positive covariance sit on one side and
pairs of negative covariance across; its eigenvector (of the smallest eigenvalue of the random walk
on the sign graph) is a relaxation of that split. On a large crowd joined only locally (a ring of
annotators, or groups joined by one-item guests) the smallest eigenvalues crowd together near -1
and the eigenvector's signs stop following the split: most signs can then be wrong while the
covariances are right. This module keeps the relaxation's answer unless a second candidate, the
sign of each annotator's chance-corrected agreement with the leave-one-out majority vote, satisfies
more of the observed covariance signs (the objective the relaxation approximates), per connected
component of the sign graph.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from ._answers import EncodedAnswers
from ._mmsr_pairs import AnnotatorPairs, pair_signs

__all__ = [
    "SIGN_CHANGE_ITEMS",
    "SIGN_STEPS",
    "CheckedSigns",
    "checked_signs",
    "one_coin_orientation",
    "sign_fit",
    "sign_parts",
    "vote_agreement_signs",
]

#: MMSR's ``sign_step`` choices: the paper's eigenvector alone, or checked against the vote's signs.
SIGN_STEPS = ("eigenvector", "checked")

#: With ``sign_step="eigenvector"``, MMSR warns when the checked signs would change the label of at
#: least this share of the items. Set in session 38 (mmsr38) after the dev run of
#: ``benchmarks/dev_mmsr_signs.py`` (numbers in benchmarks/RESULTS.md): the existing MMSR crowds
#: changed 0-2.2% of their labels, the large locally joined crowds 10.8-63%.
SIGN_CHANGE_ITEMS = 0.05


@dataclass(frozen=True)
class CheckedSigns:
    """The signs taken and the sign step's own.

    Attributes
    ----------
    signs : ndarray of float64, shape (n_annotators,)
        The signs taken: the sign step's in each component where they fit the covariances at least
        as well as the vote's, the vote's elsewhere; 0 for annotators without a pair.
    eigen : ndarray of float64, shape (n_annotators,)
        The sign step's signs (:func:`~labelwise.aggregate._mmsr_pairs.pair_signs`).
    replaced : int
        Annotators whose sign differs between ``signs`` and ``eigen``.
    """

    signs: np.ndarray
    eigen: np.ndarray
    replaced: int


def vote_agreement_signs(enc: EncodedAnswers) -> np.ndarray:
    r"""The sign of each annotator's chance-corrected agreement with the leave-one-out vote.

    For each answer, the majority vote of the other answers on its item (ties shared: the answer
    scores ``1/t`` when its label is one of ``t`` tied leaders, else 0; answers alone on their item
    are skipped); :math:`a_j` is annotator ``j``'s mean score and the sign is that of
    :math:`\frac{K a_j - 1}{K - 1}`, the one-coin skill's sign when the vote beats chance (an
    annotator answering at random scores :math:`1/K` in expectation). 0 becomes +1; an annotator
    with no scored answer gets +1.
    """
    counts = enc.item_label_counts
    item, label = np.asarray(enc.item_idx), np.asarray(enc.label_idx)
    k = enc.n_classes
    top = counts.max(axis=1)
    n_top = (counts == top[:, None]).sum(axis=1)
    second = np.where(counts < top[:, None], counts, -1.0).max(axis=1)  # -1: no second value
    n_second = (counts == second[:, None]).sum(axis=1)
    own, lead, lead_count = counts[item, label], top[item], n_top[item]
    after = lead - 1.0  # the answer's own count once it is left out, when it led alone
    runner, n_runner = second[item], n_second[item]
    alone_at_top = (own == lead) & (lead_count == 1)
    score = np.where(alone_at_top & (after > runner), 1.0, 0.0)
    score = np.where(alone_at_top & (after == runner), 1.0 / (1.0 + n_runner), score)
    counted = counts.sum(axis=1)[item] > 1
    n = enc.n_annotators
    total = np.bincount(enc.annotator_idx[counted], weights=score[counted], minlength=n)
    seen = np.bincount(enc.annotator_idx[counted], minlength=n)
    centred = np.divide(k * total - seen, (k - 1) * seen, out=np.zeros(n), where=seen > 0)
    return np.where(centred < 0, -1.0, 1.0)


def sign_fit(pairs: AnnotatorPairs, signs: np.ndarray, part: np.ndarray, n_parts: int) -> np.ndarray:
    r"""Per component, :math:`\sum \operatorname{sign}(C_{jl}) \sigma_j \sigma_l` over the observed
    unordered pairs: consistent pairs minus inconsistent ones (an integer, exact in float64)."""
    upper = pairs.upper
    i, j = pairs.rows[upper], pairs.cols[upper]
    agree = np.sign(pairs.cov[upper]) * signs[i] * signs[j]
    return np.bincount(part[i], weights=agree, minlength=n_parts)


def sign_parts(pairs: AnnotatorPairs) -> tuple[int, np.ndarray]:
    """The connected components of the sign graph (annotators joined by pairs of non-zero
    covariance): their number and each annotator's component, as scipy's ``connected_components``."""
    nonzero = pairs.cov != 0
    n = pairs.n_annotators
    graph = sp.csr_matrix((np.ones(int(nonzero.sum())), (pairs.rows[nonzero], pairs.cols[nonzero])), shape=(n, n))
    n_parts, part = connected_components(graph, directed=False)
    return int(n_parts), part


def one_coin_orientation(
    signs: np.ndarray, magnitude: np.ndarray, k: int, n_parts: int, part: np.ndarray
) -> tuple[np.ndarray, int]:
    r"""``signs`` with each component's overall sign chosen by the one-coin model's floor, and how
    many components were turned.

    The sign step fixes the skills' signs up to one flip per component of the sign graph, and takes
    the flip that makes most annotators positive (adversaries the minority). Under the one-coin model
    a skill :math:`s = \frac{K p - 1}{K - 1}` is never below :math:`-\frac{1}{K-1}` (an annotator
    never right), so for ``K >= 3`` an orientation that puts annotators of magnitude
    :math:`|s| > \frac{1}{K-1}` on the negative side is impossible. Per component, the flip is
    taken when the negative side it leaves holds strictly less magnitude beyond
    :math:`\frac{1}{K-1}` (:math:`\sum_{\sigma_j < 0} \max(|s_j| - \frac{1}{K-1}, 0)`) than the
    given signs' does; otherwise (and always for ``K = 2``, whose floor -1 excludes nothing) the
    given signs stand. This is what lets honest annotators outnumbered by adversaries keep the
    positive side.
    """
    if k <= 2 or not signs.size:
        return signs, 0
    beyond = np.maximum(np.abs(magnitude) - 1.0 / (k - 1), 0.0)
    now = np.bincount(part, weights=beyond * (signs < 0), minlength=n_parts)
    flipped = np.bincount(part, weights=beyond * (signs > 0), minlength=n_parts)
    turn = flipped < now
    return np.where(turn[part], -signs, signs), int(turn.sum())


def checked_signs(pairs: AnnotatorPairs, enc: EncodedAnswers) -> CheckedSigns:
    """The sign step's signs, replaced by :func:`vote_agreement_signs` in each connected component
    of the sign graph (annotators joined by pairs of non-zero covariance) where those satisfy
    strictly more covariance signs (:func:`sign_fit`); ties keep the sign step's."""
    eigen = pair_signs(pairs)
    n = pairs.n_annotators
    n_parts, part = sign_parts(pairs)
    has_pair = np.bincount(pairs.rows, minlength=n) > 0
    vote = vote_agreement_signs(enc) * has_pair  # no sign for an annotator without a pair
    better = sign_fit(pairs, vote, part, n_parts) > sign_fit(pairs, eigen, part, n_parts)
    take = better[part]
    signs = np.where(take, vote, eigen)
    return CheckedSigns(signs, eigen, int((signs != eigen).sum()))
