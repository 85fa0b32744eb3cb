"""KOS: Karger, Oh & Shah's message passing for crowdsourcing tasks, binary and (by thresholds) multi-class."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._caller import warn_at_caller
from .._validate.arguments import check_positive_int, show
from ..errors import LabelwiseWarning
from ._answers import EncodedAnswers
from ._base import BaseAggregator, agreement_skill

__all__ = ["KOS", "UnsettledLabelsWarning", "kos_messages", "threshold_posterior", "tie_by_vote", "unsettled_message"]

#: Item scores (scaled to at most 1 in absolute value) this close to 0 are ties: messages that
#: cancel exactly in arithmetic can leave a rounding residue of either sign.
TIE_SCALE = 1e-12

#: Seed of the second draws that tell an unsettled label from a settled one (``KOS._warn_unsettled``).
_SECOND_DRAWS = 20111953
#: How many second draws: an item whose decision any of them changes has not settled.
_N_SECOND_DRAWS = 4


class UnsettledLabelsWarning(LabelwiseWarning):
    """KOS labelled items against all of their answers, and other draws label them otherwise.

    ``details`` is ``(count, item, n_answers, said, labelled)`` of the first such item, so that a caller
    fitting one binary model per tag (:class:`~labelwise.aggregate.MultiLabelAggregator`) can word it
    with :func:`unsettled_message` and the tag's name.
    """

    def __init__(self, message: str, details: tuple[int, Any, int, Any, Any] | None = None) -> None:
        super().__init__(message)
        self.details = details


def unsettled_message(
    count: int,
    item: Any,
    n_answers: int,
    said: Any,
    labelled: Any,
    *,
    tag: Any = None,
    has_tag: Any = 1,
    counted: str = "",
) -> str:
    """The words of :class:`UnsettledLabelsWarning`; with ``tag``, the binary classes are said as
    having the tag (class ``has_tag``) or not; ``counted`` follows the count (``, counted per tag``)."""
    if tag is None:
        answers, decision = f"say {show(said)}", f"labelled {show(labelled)}"
    else:
        has = "has" if said == has_tag else "does not have"
        answers, decision = (
            f"say it {has} tag {show(tag)}",
            "labelled " + ("with it" if labelled == has_tag else "without it"),
        )
    return (
        f"KOS labelled {count} item(s){counted} against all of their answers, and other draws label them otherwise (the "
        f"first: item {show(item)}, whose {n_answers} answer(s) all {answers}, {decision}): on a small or sparse "
        "crowd KOS's messages can take an annotator for an adversary and turn its answers, and which one "
        "depends on random_state (crowd-kit's KOS does the same); check these items with majority-vote "
        "or dawid-skene"
    )


def kos_messages(
    item: np.ndarray,
    annotator: np.ndarray,
    sign: np.ndarray,
    y0: np.ndarray,
    n_iter: int,
    n_items: int,
    n_annotators: int,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Run KOS message passing on the edges of the item-annotator graph.

    Each edge ``e`` is one answer: item ``item[e]``, annotator ``annotator[e]`` and answer
    ``sign[e]`` (``+1`` or ``-1``). ``y0`` holds the annotator messages ``y_{j->i}`` at the start,
    one per edge. Each of the ``n_iter`` iterations computes, for every edge at once,

    .. math::

        x_{i \to j} = \sum_{j' \in \partial i \setminus j} A_{ij'} y_{j' \to i}, \qquad
        y_{j \to i} = \sum_{i' \in \partial j \setminus i} A_{i'j} x_{i' \to j}

    as a ``bincount`` sum over the edges of the item (annotator) less the edge's own term. The
    messages are divided by their largest absolute value after each half step: KOS decides by
    signs, which a positive scale does not change, and the unscaled messages grow geometrically
    (past float range in a few dozen iterations on a dense crowd).

    Returns
    -------
    item_score : ndarray of shape (n_items,)
        :math:`x_i = \sum_{j \in \partial i} A_{ij} y_{j \to i}`, the decision statistic (its
        sign is the label; scaled, so only its sign and relative size mean anything).
    annotator_score : ndarray of shape (n_annotators,)
        :math:`\sum_{i \in \partial j} A_{ij} x_{i \to j}` from the last iteration, the
        annotator's reliability on the same scale.
    """
    sign = np.asarray(sign, dtype=np.float64)
    y = np.array(y0, dtype=np.float64)
    reliability: np.ndarray = np.zeros(n_annotators)
    for _ in range(n_iter):
        weighted = sign * y
        x = np.bincount(item, weights=weighted, minlength=n_items)[item] - weighted
        _rescale(x)
        weighted = sign * x
        reliability = np.bincount(annotator, weights=weighted, minlength=n_annotators)
        y = reliability[annotator] - weighted
        _rescale(y)
    return np.bincount(item, weights=sign * y, minlength=n_items), reliability


def threshold_posterior(scores: np.ndarray) -> np.ndarray:
    """The label distribution from the scores of the ``K - 1`` threshold tasks, one row per item.

    Task ``t`` (column ``t``) asks whether the label is among classes ``0..t``: a negative score
    says no, a positive one yes, 0 is a tie. The label is the number of "no" answers, each tie a
    fair coin: an item with ``c`` "no" and ``m`` ties gets ``C(m, b) / 2^m`` on class ``c + b``
    (one-hot when nothing is tied; 0.5 each on a binary tie).
    """
    n_items, n_tasks = scores.shape
    post = np.zeros((n_items, n_tasks + 1))
    no = (scores < 0).sum(axis=1)
    tied = (scores == 0).sum(axis=1)
    for m in np.unique(tied):
        rows = np.flatnonzero(tied == m)
        pmf = np.array([math.comb(int(m), b) for b in range(int(m) + 1)]) / 2.0 ** int(m)
        for b, share in enumerate(pmf):
            post[rows, no[rows] + b] = share
    return post


def tie_by_vote(score: np.ndarray, item: np.ndarray, sign: np.ndarray) -> np.ndarray:
    """The decision of each item on one binary task: the sign of its KOS score, and where that is 0
    (a tie) the sign of its answers' vote on the task (``+1`` answers less ``-1`` answers), 0 where
    that ties too.

    An item whose annotators answer nothing else that another annotator answers gets no message:
    with a single annotator every item's score is 0, and the vote is that annotator's answer.
    """
    vote = np.bincount(item, weights=sign, minlength=score.shape[0])
    return np.where(score != 0, np.sign(score), np.sign(vote))


def _pair_index(item: np.ndarray, annotator: np.ndarray) -> np.ndarray:
    """The number of each answer's (item, annotator) pair, counted from 0 in the answers' order
    (sorted by item, then annotator)."""
    new = np.ones(item.shape[0], dtype=bool)
    new[1:] = (item[1:] != item[:-1]) | (annotator[1:] != annotator[:-1])
    return np.cumsum(new) - 1


def _task_decisions(
    item: np.ndarray, annotator: np.ndarray, sign: np.ndarray, y0: np.ndarray, n_iter: int, shape: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One binary task's scaled item scores, annotator reliabilities and decisions (ties by vote)."""
    score, reliability = kos_messages(item, annotator, sign, y0, n_iter, *shape)
    _rescale(score)
    _rescale(reliability)
    score[np.abs(score) <= TIE_SCALE] = 0.0  # cancelled to rounding: a tie
    return score, reliability, tie_by_vote(score, item, sign)


def _against_unanimous(item: np.ndarray, label: np.ndarray, codes: np.ndarray, n_items: int) -> np.ndarray:
    """The items whose answers all give one class and whose label is another."""
    first = np.full(n_items, -1)
    first[item[::-1]] = label[::-1]
    unanimous = np.bincount(item, weights=label != first[item], minlength=n_items) == 0
    return np.flatnonzero(unanimous & (np.bincount(item, minlength=n_items) > 0) & (codes != first))


def _rescale(messages: np.ndarray) -> None:
    """Divide the messages in place by their largest absolute value (when it is positive)."""
    top = np.max(np.abs(messages)) if messages.size else 0.0
    if top > 0:
        messages /= top


class KOS(BaseAggregator):
    r"""KOS: iterative message passing (Karger, Oh & Shah), binary and multi-class.

    The answers form a bipartite graph of items and annotators with an edge per answer,
    :math:`A_{ij} = +1` for the first class and :math:`-1` for the second. Item messages
    :math:`x_{i \to j}` (evidence that item ``i`` is of the first class, leaving annotator ``j``
    out) and annotator messages :math:`y_{j \to i}` (how reliable ``j`` is, leaving item ``i``
    out) are updated ``n_iter`` times (see :func:`kos_messages`), starting from annotator messages
    drawn independently from :math:`\mathcal{N}(1, 1)` as the paper states [1]_. The label of item
    ``i`` is the sign of :math:`x_i = \sum_j A_{ij} y_{j \to i}`; a zero is a tie, decided as
    majority vote decides (the sign of the item's answers :math:`\sum_j A_{ij}`, :func:`tie_by_vote`)
    and, when the vote ties too, at random with ``random_state``. A tie is what KOS gives an item
    whose annotators share no other item with anyone (its messages are empty): with a single
    annotator who answers each item once, every item's label is that annotator's answer. The iteration is a power iteration on the non-backtracking
    operator of the graph, so with enough iterations the labels stop depending on the draws.
    Exchanging the two classes exchanges the labels (the messages are symmetric in the sign).

    **More than two classes** (``K > 2``) by the reduction of [3]_: the classes are taken in the
    order of ``classes_`` (sorted, or the declared ``labels``) and the task becomes ``K - 1``
    binary tasks by thresholding that order, task :math:`\ell` asking "is the label among the
    first :math:`\ell` classes?" (:math:`A^{(\ell)}_{ij} = +1` when annotator ``j`` answered one
    of them, else :math:`-1`). Each is solved by the message passing above, from its own
    :math:`\mathcal{N}(1, 1)` draws, and the label is the number of tasks whose answer is "no"
    (:func:`threshold_posterior`): class ``c`` (counting from 0) when tasks ``1..c`` say "no" and
    the others "yes", whenever the ``K - 1`` answers are consistent (the case the paper's
    guarantee covers); a tied task counts as a fair coin. For ``K = 2`` this is the binary
    algorithm, draw for draw. The thresholds follow the class order, so for classes without a
    natural order a different order can give different labels (the paper's encoding is for
    ordered labels; its model, and its guarantee, allow any fixed order). [3]_'s analysis solves
    the binary tasks with a spectral (low-rank) estimate; here they use the message passing of
    [1]_, the same leading direction of the answer matrix computed by the power iteration.

    KOS gives a decision, not a posterior: ``probas_`` is one-hot on the label (0.5 each on a
    binary tie; with ``K > 2``, ``t`` tied tasks spread the label binomially over ``t + 1``
    neighbouring classes). ``item_scores_`` holds :math:`x_i` (scaled so the largest is 1 in
    absolute value; positive for the first class of ``classes_``), ``annotator_reliability_`` the
    annotators' final reliabilities on the same kind of scale (negative: an annotator who answers
    against the crowd), and ``annotator_skill_`` each annotator's share of answers equal to the
    label. With ``K > 2`` both are DataFrames with one column per binary task, named by the last
    class of its "yes" side.

    Parameters
    ----------
    n_iter : int >= 1, default 100
        Iterations of message passing per binary task (the paper's :math:`k_{max}`; every one is
        run).
    labels, duplicates, item_col, annotator_col, label_col
        As in :class:`~labelwise.aggregate.MajorityVote`.
    random_state : int, Generator or None, default 0
        Seeds the :math:`\mathcal{N}(1, 1)` draws, one per (item, annotator) pair and binary
        task, made in the order of the pairs sorted by (item, annotator) after encoding (so the
        row order of the table never changes the result), and the tie-breaking. An annotator's
        repeated answers on one item (``duplicates="keep"``) are parallel edges that start from
        the pair's one draw, so exchanging two classes exchanges the labels on them too. crowd-kit's ``KOS`` (binary
        only) draws one per row in the table's own order from numpy's legacy global generator:
        the same seed gives other draws, and the same labels once the iteration has converged.

    References
    ----------
    .. [1] Karger, D. R., Oh, S. and Shah, D. (2011). "Iterative learning for reliable
       crowdsourcing systems." NeurIPS 24, 1953-1961 (Algorithm 1).
    .. [2] Karger, D. R., Oh, S. and Shah, D. (2014). "Budget-optimal task allocation for
       reliable crowdsourcing systems." Operations Research 62(1), 1-24.
    .. [3] Karger, D. R., Oh, S. and Shah, D. (2013). "Efficient crowdsourcing for multi-class
       labeling." ACM SIGMETRICS Performance Evaluation Review 41(1), 81-92.
    """

    def __init__(
        self,
        *,
        n_iter: int = 100,
        labels: Sequence[Any] | None = None,
        duplicates: str = "keep",
        item_col: str = "item",
        annotator_col: str = "annotator",
        label_col: str = "label",
        random_state: Any = 0,
    ) -> None:
        self.n_iter = n_iter
        self.labels = labels
        self.duplicates = duplicates
        self.item_col = item_col
        self.annotator_col = annotator_col
        self.label_col = label_col
        self.random_state = random_state

    _owns_posterior = True

    def _check_params(self) -> None:
        super()._check_params()
        check_positive_int("n_iter", self.n_iter)

    def _fit(self, enc: EncodedAnswers, probs: Any, *, owned: bool = False) -> tuple[np.ndarray, np.ndarray]:
        item = np.asarray(enc.item_idx, dtype=np.intp)
        annotator = np.asarray(enc.annotator_idx, dtype=np.intp)
        label = np.asarray(enc.label_idx, dtype=np.intp)
        # The answers in (item, annotator, label) order: the draws and every sum follow the answers'
        # content, not the table's row order (bincount adds in input order, and the rounding with it).
        order = np.lexsort((label, annotator, item))
        item, annotator, label = item[order], annotator[order], label[order]
        pair = _pair_index(item, annotator)
        n_pairs = int(pair[-1]) + 1 if pair.size else 0
        rng = self._rng()
        n_tasks = enc.n_classes - 1
        scores = np.empty((enc.n_items, n_tasks))
        decisions = np.empty((enc.n_items, n_tasks))
        reliabilities = np.empty((enc.n_annotators, n_tasks))
        shape = (enc.n_items, enc.n_annotators)
        for task in range(n_tasks):  # task t: "is the label among classes 0..t?" (+1 yes, -1 no)
            # one draw per (item, annotator) pair: repeated answers of a pair start alike, so which
            # of them carries which class (renaming the classes) cannot move the draws between them
            y0: np.ndarray = np.asarray(rng.normal(1.0, 1.0, size=n_pairs))[pair]
            sign = np.where(label <= task, 1.0, -1.0)  # K = 2: class 0 -> +1, class 1 -> -1
            scores[:, task], reliabilities[:, task], decisions[:, task] = _task_decisions(
                item, annotator, sign, y0, self.n_iter, shape
            )
        self._set_scores(enc, scores, reliabilities)
        self.n_iter_ = self.n_iter
        post = threshold_posterior(decisions)
        codes = self._hard_labels(post)
        against = _against_unanimous(item, label, codes, enc.n_items)
        if against.size:
            self._warn_unsettled(enc, (item, annotator, label, pair), decisions, codes[against], against)
        return post, agreement_skill(enc, codes)

    def _warn_unsettled(
        self,
        enc: EncodedAnswers,
        answers: tuple[np.ndarray, ...],
        decisions: np.ndarray,
        labelled: np.ndarray,
        against: np.ndarray,
    ) -> None:
        """Warn when items labelled against all of their answers get other decisions from other draws.

        Neither Karger, Oh & Shah's Algorithm 1 nor crowd-kit's ``KOS`` fixes the messages' signs: on
        a small or sparse crowd the messages can make an annotator look adversarial and turn the answers
        it gave, and which annotator depends on the draws (the iteration has not forgotten them).
        ``_N_SECOND_DRAWS`` more sets of draws, from a generator of their own (``random_state``'s
        draws are left as they are), tell such items from an adversary undone on a crowd large
        enough to settle: only items whose decision one of them changes are said.
        """
        item, annotator, label, pair = answers
        other = np.random.default_rng(_SECOND_DRAWS)
        shape = (enc.n_items, enc.n_annotators)
        moved = np.zeros(against.size, dtype=bool)
        for _ in range(_N_SECOND_DRAWS):
            again = np.column_stack([
                _task_decisions(
                    item, annotator, np.where(label <= task, 1.0, -1.0),
                    np.asarray(other.normal(1.0, 1.0, size=int(pair[-1]) + 1))[pair], self.n_iter, shape,
                )[2]
                for task in range(decisions.shape[1])
            ])  # fmt: skip
            moved |= (again[against] != decisions[against]).any(axis=1)
        unsettled = against[moved]
        if not unsettled.size:
            return
        i, code = int(unsettled[0]), int(labelled[moved][0])
        classes, items = enc.class_index(), enc.item_index()
        said = classes[int(label[np.flatnonzero(item == i)[0]])]
        details = (unsettled.size, items[i], int((item == i).sum()), said, classes[code])
        warn_at_caller(UnsettledLabelsWarning(unsettled_message(*details), details))

    def _set_scores(self, enc: EncodedAnswers, scores: np.ndarray, reliabilities: np.ndarray) -> None:
        """``item_scores_`` and ``annotator_reliability_``: Series for two classes, else one column
        per binary task, named by the last class of its "yes" side."""
        if scores.shape[1] == 1:
            self.item_scores_ = pd.Series(scores[:, 0], index=enc.item_index(), name="score")
            self.annotator_reliability_ = pd.Series(
                reliabilities[:, 0], index=enc.annotator_index(), name="reliability"
            )
            return
        columns = pd.Index(enc.class_index()[:-1], name=enc.label_name)
        self.item_scores_ = pd.DataFrame(scores, index=enc.item_index(), columns=columns)
        self.annotator_reliability_ = pd.DataFrame(reliabilities, index=enc.annotator_index(), columns=columns)

    def _hard_labels(self, post: np.ndarray, row_group: np.ndarray | None = None) -> np.ndarray:
        """One draw of the tie-breaking per fit: the labels ``annotator_skill_`` was measured
        against are ``labels_``."""
        cached = self.__dict__.get("_kos_codes")
        if cached is not None and cached[0] is post:
            del self.__dict__["_kos_codes"]
            return cached[1]
        codes = super()._hard_labels(post, row_group)
        self.__dict__["_kos_codes"] = (post, codes)
        return codes

    def _fit_single_class(self, enc: EncodedAnswers) -> None:
        self.item_scores_ = pd.Series(np.ones(enc.n_items), index=enc.item_index(), name="score")
        self.annotator_reliability_ = pd.Series(
            np.ones(enc.n_annotators), index=enc.annotator_index(), name="reliability"
        )
