"""MMSR: annotator skills by robust rank-one completion of their agreement matrix (Ma & Olshevsky)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._caller import warn_at_caller
from .._validate.arguments import check_choice, check_positive_int
from ..errors import LabelwiseWarning
from ._answers import EncodedAnswers
from ._base import BaseAggregator, check_tol, log_normalize
from ._mmsr_msr import GroupedTrimmedMeans
from ._mmsr_pairs import DENSE_SIGN_NODES, AnnotatorPairs, annotator_pairs, answer_incidence, bipartite_sides
from ._mmsr_signs import SIGN_CHANGE_ITEMS, SIGN_STEPS, CheckedSigns, checked_signs, one_coin_orientation, sign_parts
from .majority import weighted_vote_shares

__all__ = [
    "DENSE_SIGN_NODES",
    "MMSR",
    "SIGN_CHANGE_ITEMS",
    "SPARSE_PAIR_ITEMS",
    "agreement_covariance",
    "msr_rank_one",
    "msr_rank_one_pairs",
    "sign_determination",
]

#: MMSR warns when the annotator pairs that share items share a median of fewer items than this:
#: their agreement rates, and the signs of the skills, are then mostly noise. Chosen on simulated
#: crowds without adversaries (benchmarks/dev_mmsr_sparse.py: dev seeds 0-2, K = 2 and 5, 20-1000
#: annotators; numbers in benchmarks/RESULTS.md, session 33 cli33): below 5 items MMSR trailed
#: majority vote on binary crowds (by 3-35 points, weighting 10-50% of the honest annotators
#: negatively) and on 5-class crowds at one shared item; from 5 items on it stayed within about 5.
SPARSE_PAIR_ITEMS = 5


def agreement_covariance(enc: EncodedAnswers) -> tuple[np.ndarray, np.ndarray]:
    r"""The annotators' centred agreement matrix and how many items each pair shares.

    :math:`C_{jl} = \frac{K}{K-1} a_{jl} - \frac{1}{K-1}` where :math:`a_{jl}` is the share of
    the answer pairs of ``j`` and ``l`` on common items that agree; under the one-coin model
    (annotator ``j`` right with probability :math:`p_j`, wrong uniformly over the others)
    :math:`\mathbb{E}[C_{jl}] = s_j s_l` with :math:`s_j = \frac{K p_j - 1}{K - 1}`. Both
    matrices are dense ``(n_annotators, n_annotators)``, made by sparse products; the diagonal
    and pairs with no common item are 0 and count as unobserved. :class:`MMSR` itself keeps only
    the observed pairs (:func:`~labelwise.aggregate._mmsr_pairs.annotator_pairs`, the same values).
    """
    k = enc.n_classes
    by_item, by_cell = answer_incidence(enc)
    common = (by_item @ by_item.T).toarray()
    agree = (by_cell @ by_cell.T).toarray()
    np.fill_diagonal(common, 0.0)
    rate = np.divide(agree, common, out=np.zeros_like(agree), where=common > 0)
    cov = np.where(common > 0, (k * rate - 1.0) / (k - 1), 0.0)
    return cov, common


def _ratio(target: np.ndarray, divisor: np.ndarray) -> np.ndarray:
    """``target / divisor``, NaN where the divisor is 0 (an entry that says nothing this step)."""
    return np.divide(target, divisor, out=np.full_like(target, np.nan), where=divisor != 0)


def msr_rank_one(
    cov: np.ndarray,
    observed: np.ndarray,
    u0: np.ndarray,
    v0: np.ndarray,
    f: int,
    n_items: int,
    max_iter: int,
    tol: float,
) -> tuple[np.ndarray, np.ndarray, list[float]]:
    """:func:`msr_rank_one_pairs` on dense ``(n_annotators, n_annotators)`` matrices: the entries
    where ``observed`` is true, in row-major order."""
    rows, cols = np.nonzero(observed)
    return msr_rank_one_pairs(rows, cols, np.abs(cov[rows, cols]), u0, v0, f, n_items, max_iter, tol)


def msr_rank_one_pairs(
    rows: np.ndarray,
    cols: np.ndarray,
    target: np.ndarray,
    u0: np.ndarray,
    v0: np.ndarray,
    f: int,
    n_items: int,
    max_iter: int,
    tol: float,
) -> tuple[np.ndarray, np.ndarray, list[float]]:
    r"""Matrix Mean-Subsequence-Reduced iterations for :math:`|C| \approx u v^T` on the observed pairs.

    ``target`` holds :math:`|C_{jl}|` for the pairs ``(rows, cols)``. Each iteration sets every
    :math:`v_l` to the MSR mean of :math:`\{|C_{jl}| / u_j\}` over the observed ``j`` (dropping up
    to ``f`` extreme values on each side of the current :math:`v_l`, Ma & Olshevsky 2020,
    Algorithm 1), then every :math:`u_j` likewise from the new ``v``; all entries of a side at once
    (the pairs sorted by group once, and within each group re-sorted by value only where the
    values' order changed since the last step:
    :class:`~labelwise.aggregate._mmsr_msr.GroupedTrimmedMeans`, the same sums in the same order
    as a full sort). Stops when
    :math:`\|u v^T - u' v'^T\|_F` (computed from inner products, never forming the matrix) is
    below ``tol``. After each iteration ``u`` and ``v`` are rescaled to equal norms (which changes
    neither :math:`u v^T` nor the next step). Returns ``u``, ``v`` and that change per iteration.
    """
    u, v = np.array(u0, dtype=np.float64), np.array(v0, dtype=np.float64)
    history: list[float] = []
    by_col, by_row = GroupedTrimmedMeans(cols), GroupedTrimmedMeans(rows)
    for _ in range(max_iter):
        u_prev, v_prev = u.copy(), v.copy()
        v = by_col(_ratio(target, u[rows]), v, f, n_items)
        u = by_row(_ratio(target, v[cols]), u, f, n_items)
        _balance(u, v)
        with np.errstate(over="ignore", invalid="ignore"):
            change = float(
                (u @ u) * (v @ v) + (u_prev @ u_prev) * (v_prev @ v_prev) - 2.0 * (u @ u_prev) * (v @ v_prev)
            )
        if not np.isfinite(change):  # an ill-posed crowd whose factors run off to overflow: keep the last finite ones
            u, v = u_prev, v_prev
            break
        history.append(float(np.sqrt(max(change, 0.0))))
        if history[-1] < tol:
            break
    return u, v, history


def _balance(u: np.ndarray, v: np.ndarray) -> None:
    """Rescale ``u`` by ``c`` and ``v`` by ``1/c`` (in place) to equal norms: ``u v^T`` is unchanged,
    and so is the next MSR step (its values and the current ones scale alike), but neither factor
    drifts towards 0 or overflow on a crowd where the iteration is ill-posed."""
    nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
    if 0 < nu < np.inf and 0 < nv < np.inf:
        c = np.sqrt(nv / nu)
        u *= c
        v /= c


def sign_determination(cov: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """The sign of each annotator's skill from the signs of the observed covariances.

    As Ma & Olshevsky's sign step: a graph with a node per annotator, an edge for each observed
    pair of negative covariance, and for each positive one a new node joined to both (so that
    annotators of the same sign are an even number of steps apart). If the signs are consistent
    the graph is bipartite and the eigenvector of the random walk's smallest eigenvalue (-1) is
    +-1 on its two sides; with noise that eigenvector's signs are taken. It is computed on the
    symmetric normalised adjacency, whose eigenvectors are the random walk's times
    ``D^{1/2}`` (same signs). The overall sign makes most annotators positive (adversaries are
    the minority), in each connected component of the graph on its own
    (:func:`~labelwise.aggregate._mmsr_pairs.bipartite_sides`). Annotators without an observed
    pair get 0.
    """
    n = cov.shape[0]
    valid = np.flatnonzero(observed.any(axis=1))
    signs = np.zeros(n)
    if valid.size == 0:
        return signs
    sub = np.sign(cov[np.ix_(valid, valid)]) * observed[np.ix_(valid, valid)]
    upper = np.triu(sub, 1)
    neg_i, neg_j = np.nonzero(upper < 0)
    pos_i, pos_j = np.nonzero(upper > 0)
    signs[valid] = bipartite_sides(valid.size, neg_i, neg_j, pos_i, pos_j)
    return signs


def _accuracy_weight(skill: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """One-coin accuracies :math:`p = \\frac{K-1}{K} s + \\frac{1}{K}` and log-odds weights of the skills."""
    accuracy = skill * (k - 1) / k + 1.0 / k
    return accuracy, np.log(accuracy * (k - 1) / (1.0 - accuracy))


class MMSR(BaseAggregator):
    r"""Matrix Mean-Subsequence-Reduced (M-MSR): skills robust to adversarial annotators.

    Under the one-coin model the centred agreement matrix of the annotators is rank one in
    expectation, :math:`\mathbb{E}[C] = s s^T` off the diagonal (:func:`agreement_covariance`).
    M-MSR completes it from the observed pairs with a robust alternating mean that drops up to
    ``F`` extreme values on each side (:func:`msr_rank_one`), so that up to ``F`` adversarial
    annotators per neighbourhood cannot drag the estimate; the signs of :math:`s` come from the
    signs of the covariances (:func:`sign_determination`), which fix them up to one flip per
    connected part of the crowd. The paper takes the flip that makes most annotators positive. For
    ``K >= 3`` the one-coin floor :math:`s \ge -\frac{1}{K-1}` says more: ``sign_step="checked"``
    turns a part when the other flip leaves less estimated magnitude beyond :math:`\frac{1}{K-1}` on
    the negative side (:func:`~labelwise.aggregate._mmsr_signs.one_coin_orientation`), so that honest
    annotators outnumbered by adversaries are not weighted as adversaries; the default keeps the
    paper's flip and warns where the floor's would relabel items (``sign_step`` below). Skills :math:`s_j` are clipped to
    :math:`[-\frac{1}{K-1} + n^{-1/2}, 1 - n^{-1/2}]` (``n`` items), turned into accuracies
    :math:`p_j = \frac{K-1}{K} s_j + \frac{1}{K}` and into the one-coin log-odds weights
    :math:`w_j = \log\frac{(K-1) p_j}{1 - p_j}`. The item posterior is the one-coin posterior
    under a uniform prior, :math:`P(z_i = k) \propto \exp \sum_{j : y_{ij} = k} w_j`, whose argmax
    is crowd-kit's weighted vote; an adversary (negative weight) counts against the label chosen.

    Multi-class by the paper's reduction (Section 5): the one-coin skill is estimated from the
    agreement rate with chance agreement ``1/K`` removed, and the vote is over ``K`` classes
    (``K`` the number of classes, declared or seen). Differences from crowd-kit 1.4.2's
    ``MMSR``: ``F`` is clamped at 0 (crowd-kit's rule ``floor(sparsity / 2) - 1`` is -1 when an
    annotator shares items with fewer than two others, and its trimming then keeps only the
    largest value); the sign graph has edges for observed pairs only (crowd-kit also joins
    annotators who share no item, and each to itself); annotators sharing no item with anyone
    get weight 0 (skill ``1/K``); duplicate answers each count in the agreement rates; the label
    is the argmax of the weighted sums (crowd-kit takes the argmax after dividing each item's sums
    by their total, which reverses the order on an item whose total weight is negative).

    ``annotator_skill_`` is :math:`p_j`; ``annotator_weight_`` holds :math:`w_j` (crowd-kit's
    ``skills_``); ``n_sign_changes_`` how many annotators' signs differ between the two sign steps
    (whichever was used); ``n_turned_parts_`` how many connected parts the one-coin floor turns
    against the paper's flip in the checked step (whichever was used); ``loss_history_`` the change of :math:`u v^T` per iteration. An item whose
    annotators all have weight 0 keeps its plain vote shares (the one-coin posterior would be
    uniform). The agreement matrix is kept on the pairs of annotators who share an item only
    (:func:`~labelwise.aggregate._mmsr_pairs.annotator_pairs`; the iteration and the sign graph read
    nothing else), so memory grows with those pairs, not with ``n_annotators`` squared. The
    answers are those of the dense matrices (:func:`agreement_covariance`, :func:`msr_rank_one`,
    :func:`sign_determination`), taken in the same order.

    Parameters
    ----------
    max_iter : int, default 10000
        Most M-MSR iterations (crowd-kit's ``n_iter``).
    tol : float, default 1e-10
        Stop when the Frobenius change of :math:`u v^T` falls below it. The iteration converges
        linearly, by a factor per iteration that comes close to 1 on large crowds joined only
        locally, where 1e-10 can take thousands of iterations (see ``converged_`` and
        ``loss_history_``; the labels settle long before).
    n_adversaries : int or None, default None
        ``F``, the extreme values dropped on each side; ``None``: crowd-kit's
        ``floor(sparsity / 2) - 1`` (``sparsity`` the fewest co-annotators any annotator has),
        clamped at 0.
    sign_step : {"eigenvector", "checked"}, default "eigenvector"
        ``"eigenvector"``: the paper's sign step alone (:func:`sign_determination`). ``"checked"``: in
        each connected part of the sign graph, the signs of each annotator's chance-corrected
        agreement with the leave-one-out majority vote where they satisfy strictly more of the observed
        covariance signs than the eigenvector's (the split the eigenvector approximates;
        :func:`~labelwise.aggregate._mmsr_signs.checked_signs`), the eigenvector's elsewhere; then, for
        ``K >= 3``, each part's overall sign by the one-coin floor (above). On large
        crowds joined only locally (a ring of annotators, groups joined by one-item guests) the
        eigenvector's signs can be mostly wrong and MMSR far below the vote; with
        ``"eigenvector"`` MMSR warns when the checked signs would relabel at least
        :data:`SIGN_CHANGE_ITEMS` of the items (as they do when adversaries outnumber the honest
        annotators of a part, ``K >= 3``).
    labels, duplicates, item_col, annotator_col, label_col
        As in :class:`~labelwise.aggregate.MajorityVote`.
    random_state : int, Generator or None, default 0
        Seeds the uniform start of ``u`` (``v`` starts equal to it, as in crowd-kit) and the
        tie-breaking.

    References
    ----------
    .. [1] Ma, Q. and Olshevsky, A. (2020). "Adversarial crowdsourcing through robust rank-one
       matrix completion." NeurIPS 33, 21841-21852. https://arxiv.org/abs/2010.12181
    """

    def __init__(
        self,
        *,
        max_iter: int = 10000,
        tol: float = 1e-10,
        n_adversaries: int | None = None,
        sign_step: str = "eigenvector",
        labels: Sequence[Any] | None = None,
        duplicates: str = "keep",
        item_col: str = "item",
        annotator_col: str = "annotator",
        label_col: str = "label",
        random_state: Any = 0,
    ) -> None:
        self.max_iter = max_iter
        self.tol = tol
        self.n_adversaries = n_adversaries
        self.sign_step = sign_step
        self.labels = labels
        self.duplicates = duplicates
        self.item_col = item_col
        self.annotator_col = annotator_col
        self.label_col = label_col
        self.random_state = random_state

    _owns_posterior = True
    _posterior_copies = 1  # the scores are normalised in place (log_normalize(overwrite=True))

    def _check_params(self) -> None:
        super()._check_params()
        check_tol(self.tol)
        if self.n_adversaries is not None:
            check_positive_int("n_adversaries", self.n_adversaries, minimum=0)
        check_choice("sign_step", self.sign_step, SIGN_STEPS)

    def _fit(self, enc: EncodedAnswers, probs: Any, *, owned: bool = False) -> tuple[np.ndarray, np.ndarray]:
        k, n = enc.n_classes, enc.n_items
        pairs = annotator_pairs(enc)
        if self.n_adversaries is None:
            sparsity = int(pairs.co_annotators().min())
            f = max(sparsity // 2 - 1, 0)
        else:
            f = int(self.n_adversaries)
        u0 = self._rng().uniform(size=enc.n_annotators)
        target = np.abs(pairs.cov)
        u, v, history = msr_rank_one_pairs(pairs.rows, pairs.cols, target, u0, u0.copy(), f, n, self.max_iter, self.tol)
        self.loss_history_ = history
        self.n_iter_ = len(history)
        self.converged_ = bool(history and history[-1] < self.tol) or not pairs.rows.size
        self.n_adversaries_ = f
        signs = checked_signs(pairs, enc)
        n_parts, part = sign_parts(pairs)  # the checked step orients each part by the one-coin floor
        checked, turned = one_coin_orientation(signs.signs, self._magnitude(u, v), k, n_parts, part)
        signs = CheckedSigns(checked, signs.eigen, int((checked != signs.eigen).sum()))
        self.n_sign_changes_ = signs.replaced
        self.n_turned_parts_ = turned
        chosen = signs.signs if self.sign_step == "checked" else signs.eigen
        accuracy, weight = _accuracy_weight(self._signed_skill(chosen, u, v, k, n), k)
        self.annotator_weight_ = pd.Series(weight, index=enc.annotator_index(), name="weight")
        note = ""
        if self.sign_step == "eigenvector" and signs.replaced:
            _, other = _accuracy_weight(self._signed_skill(signs.signs, u, v, k, n), k)
            note = self._sign_note(enc, pairs, weight, other, signs, turned, k)
        if not self._warn_if_sparse(pairs, weight, note) and note:
            warn_at_caller(LabelwiseWarning(note))
        scores = enc.item_class_sum(weight[enc.annotator_idx])
        silent = ~(scores != 0).any(axis=1)  # every weight 0 (no annotator of the item shares items with others)
        post, _ = log_normalize(scores, overwrite=True)
        if silent.any():  # no evidence on the annotators: the plain vote shares, as the gold vote does
            post[silent] = weighted_vote_shares(enc)[silent]
        return post, accuracy

    @staticmethod
    def _sign_note(
        enc: EncodedAnswers,
        pairs: AnnotatorPairs,
        weight: np.ndarray,
        checked: np.ndarray,
        signs: CheckedSigns,
        turned: int,
        k: int,
    ) -> str:
        """What to tell the user when the checked signs would relabel at least
        :data:`SIGN_CHANGE_ITEMS` of the items ("" otherwise); ``turned`` parts turned by the one-coin floor."""
        ann = enc.annotator_idx
        now = enc.item_class_sum(weight[ann]).argmax(axis=1)
        then = enc.item_class_sum(checked[ann]).argmax(axis=1)
        share = float(np.mean(now != then)) if enc.n_items else 0.0
        if share < SIGN_CHANGE_ITEMS:
            return ""
        n_valid = int((pairs.co_annotators() > 0).sum())
        counts = f"{signs.replaced} of {n_valid} annotators would change sign and {share:.0%} of the items their label"
        advice = "refit with sign_step='checked', or compare with majority-vote or dawid-skene"
        if turned:
            return (
                f"MMSR's overall sign (the paper's: most annotators positive) breaks the one-coin floor in {turned} "
                f"connected part(s) of the crowd: it weighs as adversaries annotators who agree with each other "
                f"beyond what any skill above -1/(K-1) = {-1.0 / (k - 1):.3g} allows, as honest annotators outnumbered "
                f"by adversaries do; {counts} with the floor's orientation: {advice}"
            )
        return (
            f"The sign step of MMSR (the eigenvector of the sign graph of Ma & Olshevsky) fits the signs of the "
            f"agreements between annotators worse than the signs of their agreement with the majority vote: {counts}. "
            "On large crowds joined only locally (a ring of annotators, groups joined by a few guests) the signs of the "
            f"eigenvector are unreliable and MMSR can fall far below majority vote: {advice}"
        )

    @staticmethod
    def _warn_if_sparse(pairs: AnnotatorPairs, weight: np.ndarray, note: str = "") -> bool:
        """One :class:`LabelwiseWarning` when the pairs sharing items share a median of fewer than
        :data:`SPARSE_PAIR_ITEMS` (the agreement rates MMSR completes rest on a handful of answers),
        ``note`` appended; whether it warned."""
        n = pairs.n_annotators
        if n < 2:
            return False
        shared = pairs.common[pairs.upper]
        n_pairs = n * (n - 1) // 2
        if not shared.size:
            message = (
                f"MMSR found no two of the {n} annotators sharing an item: it has no agreement to learn from, so "
                "every weight is 0 and each item keeps its plain vote shares"
            )
            warn_at_caller(LabelwiseWarning(message))
            return True
        median = float(np.median(shared))
        if median >= SPARSE_PAIR_ITEMS:
            return False
        n_neg = int((weight < 0).sum())
        warn_at_caller(
            LabelwiseWarning(
                f"MMSR on a sparse crowd: annotator pairs who share items share a median of {median:g} item(s) "
                f"(under {SPARSE_PAIR_ITEMS}) and {1.0 - shared.size / n_pairs:.0%} of the {n_pairs} pairs share "
                f"none, so the agreement rates MMSR completes are mostly noise: {n_neg} of {n} annotators "
                f"({n_neg / n:.0%}) got a negative weight (taken for adversaries: their answers count against "
                "the labels they give); on such crowds prefer dawid-skene, one-coin or majority-vote"
                + (f". {note}" if note else "")
            )
        )
        return True

    @staticmethod
    def _magnitude(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """The skills' magnitudes :math:`|s|`: ``u`` rescaled to the geometric scale of ``u`` and ``v``."""
        nu, nv = np.linalg.norm(u), np.linalg.norm(v)
        return u * np.sqrt(nv / nu) if nu > 0 and nv > 0 else u

    @staticmethod
    def _signed_skill(signs: np.ndarray, u: np.ndarray, v: np.ndarray, k: int, n: int) -> np.ndarray:
        """:meth:`_magnitude` signed, clipped to the valid range."""
        skill = signs * MMSR._magnitude(u, v)
        return np.maximum(np.minimum(skill, 1.0 - 1.0 / np.sqrt(n)), -1.0 / (k - 1) + 1.0 / np.sqrt(n))

    def _fit_single_class(self, enc: EncodedAnswers) -> None:
        self.annotator_weight_ = pd.Series(np.zeros(enc.n_annotators), index=enc.annotator_index(), name="weight")
        self.n_adversaries_ = 0
        self.n_sign_changes_ = 0
        self.n_turned_parts_ = 0
