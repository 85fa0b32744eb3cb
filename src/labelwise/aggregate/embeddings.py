r"""Aggregate answers given as vectors (embeddings of texts, images, model outputs): one aggregated
vector per item and the answer closest to it.

:class:`ClosestToAverage` takes the plain mean of an item's vectors; :class:`RASA` (Li & Fukumoto
2019) weighs each annotator by a reliability estimated from all items; :class:`HRRASA` (Li 2020)
multiplies that by a local reliability of each answer (how well it agrees with the other answers of
its item). All take a long table with one row per answer (``item``, ``annotator``) and the vectors:
a 2-D array aligned with the rows (numpy or scipy sparse), or a column of 1-D arrays. Every pass is
a vectorised reduction over the rows (a sparse row->item matrix product for the means, ``bincount``
for the per-annotator sums), never a loop over items.

Where crowd-kit (1.4.2) differs from the papers:

* the reliabilities' chi-squared quantile: CATD (Li et al. 2014), which RASA's reliability comes
  from, takes the upper bound of the (1 - alpha) confidence interval of an annotator's error
  variance, whose numerator is the *lower* alpha/2 quantile with ``|V_k|`` degrees of freedom; so
  an annotator with few answers is discounted. crowd-kit uses ``chi2.isf(alpha / 2, |V_k|)``, the
  upper quantile, which raises the weight of annotators with few answers. ``quantile="lower"``
  (the default) is the paper's, ``quantile="upper"`` crowd-kit's;
* HRRASA's sequence similarity: crowd-kit's default GLEU compares the words of one answer with the
  *characters* of the other (``sentence_gleu([a.split()], b)``); here :func:`gleu_similarity`
  compares words with words. The docstring of crowd-kit's HRRASA writes ``exp(+...)`` in the local
  reliability; its code and this module use ``exp(-...)`` (a similarity: largest for equal vectors).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator

from .._validate.arguments import check_choice, check_fraction, check_positive_int, show
from ..errors import AnnotationError, InvalidParameterError
from ._base import check_tol
from ._embed_data import VectorAnswers, encode_vector_answers, last_answers
from ._embed_local import gleu_similarity, local_reliabilities
from ._embed_math import SKILL_FLOORS, chi2_prior, closest_rows, cosine_to_means, floored_totals, item_means
from ._embed_passes import passes_for

__all__ = ["ClosestToAverage", "HRRASA", "RASA", "gleu_similarity"]

QUANTILES = ("lower", "upper")


class _VectorAggregator(BaseEstimator):
    """Shared checks and fitted attributes."""

    item_col: str
    annotator_col: str
    embedding_col: str
    answer_col: str | None
    duplicates: str

    def _answer_column(self) -> str | None:
        return self.answer_col

    def _last_answers(self, answers: Any, embeddings: Any) -> tuple[Any, Any]:
        """``answers`` and ``embeddings`` with repeats resolved by ``duplicates``; sets their counts."""
        answers, embeddings, self.n_duplicates_, self.n_duplicates_dropped_ = last_answers(
            answers, embeddings, self.item_col, self.annotator_col, self.duplicates
        )
        return answers, embeddings

    def _check_params(self) -> None:
        for param in ("item_col", "annotator_col", "embedding_col"):
            if not isinstance(getattr(self, param), str):
                raise InvalidParameterError(f"{param} must be a column name (str), got {show(getattr(self, param))}")

    def _encode(self, answers: Any, embeddings: Any) -> VectorAnswers:
        self._check_params()
        col = self._answer_column()
        extra = () if col is None else ((col, "answer_col"),)
        return encode_vector_answers(
            answers,
            embeddings,
            item_col=self.item_col,
            annotator_col=self.annotator_col,
            embedding_col=self.embedding_col,
            extra_cols=extra,
        )

    def _finish(self, enc: VectorAnswers, answers: pd.DataFrame, means: Any) -> None:
        """The chosen answer of each item: the one closest (cosine) to its aggregated vector."""
        dist = cosine_to_means(enc.X, means, enc.item_idx)
        tiebreak = None
        col = self._answer_column()
        if col is not None:  # equally close answers: the first in sorted order, not in row order
            try:
                tiebreak = pd.factorize(answers[col], sort=True)[0]
            except TypeError:  # unorderable answers
                tiebreak = None
        rows = closest_rows(dist, enc.item_idx, enc.n_items, tiebreak)
        self.items_ = enc.items
        self.embeddings_ = means
        self.chosen_ = pd.Series(enc.row_index[rows], index=enc.items, name="row")
        values = enc.row_index[rows] if col is None else answers[col].to_numpy()[rows]
        self.answers_ = pd.Series(values, index=enc.items, name="answer")
        self.distance_ = pd.Series(dist[rows], index=enc.items, name="distance")
        self.answer_distance_ = pd.Series(dist, index=enc.row_index, name="distance")
        self.n_answers_ = int(len(enc.item_idx))

    def fit_predict(self, answers: pd.DataFrame, embeddings: Any = None) -> pd.Series:
        """Fit and return ``answers_``."""
        return self.fit(answers, embeddings).answers_


class ClosestToAverage(_VectorAggregator):
    """The answer whose vector is closest to the mean vector of its item.

    Every answer counts the same; the aggregated vector of an item (``embeddings_``) is the mean of
    its vectors and the chosen answer the one with the smallest cosine distance to it (ties: the
    answer first in sorted order when ``answer_col`` is given, else the earliest row: two
    L2-normalised answers are always equally close to their mean; an all-zero vector is never
    closer than a non-zero one).

    Parameters
    ----------
    item_col, annotator_col : str
        Columns of the item and the annotator ids.
    embedding_col : str
        Column of 1-D vectors, read when ``fit`` gets no ``embeddings`` array.
    answer_col : str or None
        Column of the answers themselves (texts, say): ``answers_`` holds the chosen row's value.
        None: ``answers_`` holds the chosen row's index label.
    duplicates : {"keep", "last"}, default="keep"
        Several answers of one annotator on one item: each is an answer (``keep``), or only the
        last in row order (``last``), as :class:`~labelwise.aggregate.MajorityVote`'s.

    Attributes
    ----------
    items_ : pandas.Index
        The items, sorted.
    embeddings_ : ndarray or scipy.sparse.csr_matrix of shape (n_items, n_dims)
        The aggregated vector of each item, in ``items_`` order (sparse when the input is).
    answers_, chosen_ : pandas.Series
        The chosen answer (``answer_col``'s value) and its row label, indexed by item.
    distance_ : pandas.Series
        Cosine distance of the chosen answer to the aggregated vector (0: identical direction).
    answer_distance_ : pandas.Series
        Cosine distance of every answer to its item's aggregated vector, aligned with the rows.
    annotator_skill_ : None
        The method weighs no annotator.
    n_iter_, converged_, loss_history_ : int, bool, list
        1, True and [] (one pass).
    n_duplicates_, n_duplicates_dropped_ : int
        Answers repeating an annotator's answer on an item; of them, those ``duplicates`` dropped.

    References
    ----------
    Ustalov, D., Pavlichenko, N., Tseitlin, B. (2024). Learning from Crowds with Crowd-Kit. Journal of
    Open Source Software 9(96), 6227 (``ClosestToAverage``: the closest answer to the mean embedding).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> answers = pd.DataFrame({"item": [1, 1, 1], "annotator": ["a", "b", "c"], "answer": ["x", "y", "z"]})
    >>> vectors = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]])
    >>> ClosestToAverage(answer_col="answer").fit(answers, vectors).answers_.tolist()
    ['y']
    """

    def __init__(
        self,
        item_col: str = "item",
        annotator_col: str = "annotator",
        embedding_col: str = "embedding",
        answer_col: str | None = None,
        duplicates: str = "keep",
    ) -> None:
        self.item_col = item_col
        self.annotator_col = annotator_col
        self.embedding_col = embedding_col
        self.answer_col = answer_col
        self.duplicates = duplicates

    def fit(self, answers: pd.DataFrame, embeddings: Any = None) -> ClosestToAverage:
        """Aggregate ``answers`` (one row per answer) with their vectors: ``embeddings`` (one row per
        answer) or, when None, the column ``embedding_col``."""
        answers, embeddings = self._last_answers(answers, embeddings)
        enc = self._encode(answers, embeddings)
        self._finish(enc, answers, item_means(enc.X, enc.item_idx, enc.n_items))
        self.annotator_skill_ = None
        self.n_iter_, self.converged_ = 1, True
        self.loss_history_: list[float] = []
        return self


class _Reliability(_VectorAggregator):
    alpha: float
    quantile: str
    max_iter: int
    tol: float
    skill_floor: str

    def _check_reliability_params(self) -> None:
        check_fraction("alpha", self.alpha, closed_low=False)
        check_choice("quantile", self.quantile, QUANTILES)
        check_choice("skill_floor", self.skill_floor, SKILL_FLOORS)
        check_positive_int("max_iter", self.max_iter)
        check_tol(self.tol)

    def _iterate(self, enc: VectorAnswers, rows: np.ndarray, local: np.ndarray | None) -> tuple[Any, np.ndarray]:
        """Alternate the weighted means and the reliabilities on the answers ``rows`` (Li & Fukumoto
        2019, eq. 1-2; with ``local``, Li 2020, eq. 4-5); the annotators with no such row get NaN."""
        item_idx, annotator_idx = enc.item_idx[rows], enc.annotator_idx[rows]
        counts = np.bincount(annotator_idx, minlength=enc.n_annotators)
        prior = chi2_prior(np.maximum(counts, 1), float(self.alpha), self.quantile)
        skills = np.ones(enc.n_annotators)
        X = enc.X if len(rows) == len(enc.item_idx) else enc.X[rows]
        passes = passes_for(X, item_idx, enc.n_items)
        self.loss_history_: list[float] = []
        self.converged_ = False
        self.n_iter_ = 0
        for it in range(int(self.max_iter)):
            weights = skills[annotator_idx] if local is None else skills[annotator_idx] * local
            dist = passes.step(weights)
            if local is not None:
                dist = dist / np.maximum(local, 1e-12)
            totals = np.bincount(annotator_idx, weights=dist, minlength=enc.n_annotators)
            floor = floored_totals(totals, counts, self.skill_floor)
            skills = prior / np.maximum(totals, floor)
            self.n_iter_ = it + 1
            if it > 0:
                loss = passes.change()
                self.loss_history_.append(loss)
                if loss < self.tol:
                    self.converged_ = True
                    break
        means = passes.means()
        skills = np.where(counts > 0, skills, np.nan)
        self.skill_floored_ = pd.Series((totals <= floor) & (counts > 0), index=enc.annotators, name="floored")
        self.prior_ = pd.Series(np.where(counts > 0, prior, np.nan), index=enc.annotators, name="prior")
        self.annotator_skill_ = pd.Series(skills, index=enc.annotators, name="skill")
        return means, skills


class RASA(_Reliability):
    r"""Reliability Aware Sequence Aggregation (Li & Fukumoto 2019): annotators weighted by a
    reliability estimated on all items, then the answer closest to the weighted mean.

    Alternates, from equal reliabilities :math:`\beta_k = 1`, (1) the aggregated vector of each item
    :math:`\hat e_i = \sum_k \beta_k e_i^k / \sum_k \beta_k` and (2) each annotator's reliability
    :math:`\beta_k = \chi^2_{(\alpha/2, |V_k|)} / \sum_{i \in V_k} \|e_i^k - \hat e_i\|^2`, with
    :math:`V_k` the annotator's answers (the confidence-aware weight of CATD, Li et al. 2014; the
    summed distance floored, ``skill_floor``). It stops when the relative change of the aggregated vectors
    :math:`\sum_i \|\hat e_i - \hat e_i^{old}\|^2 / \sum_i \|\hat e_i\|^2` falls below ``tol``. The
    chosen answer is the one with the smallest cosine distance to :math:`\hat e_i`.

    Parameters
    ----------
    alpha : float in (0, 1)
        Significance level of the chi-squared quantile.
    quantile : {"lower", "upper"}
        ``"lower"``: the alpha/2 quantile, CATD's upper confidence bound of the error variance, which
        discounts annotators with few answers (the paper's); ``"upper"``: the 1 - alpha/2 quantile,
        what crowd-kit computes (``chi2.isf(alpha / 2, n)``).
    max_iter : int
        Most iterations.
    tol : float >= 0
        Stop when the relative change of the aggregated vectors is below it.
    skill_floor : {"relative", "absolute"}
        The floor of an annotator's summed distance, which bounds the reliability of annotators who
        agree with the aggregates (the papers' reliability has no bound): ``"relative"`` 1/1000 of
        the crowd's mean distance per answer times :math:`|V_k|`; ``"absolute"`` 1e-5, crowd-kit's
        (:func:`~labelwise.aggregate._embed_math.floored_totals`).
    item_col, annotator_col, embedding_col, answer_col, duplicates
        As in :class:`ClosestToAverage`.

    Attributes
    ----------
    annotator_skill_ : pandas.Series
        The reliability :math:`\beta_k` of each annotator (higher: closer to the aggregates).
    prior_ : pandas.Series
        The chi-squared numerator of each annotator.
    skill_floored_ : pandas.Series of bool
        The annotators whose summed distance was at the floor in the last iteration: their skill is
        the cap, not a measurement (they agree with the aggregates almost exactly).
    n_iter_, converged_, loss_history_
        Iterations run, whether the change fell below ``tol``, the change after each iteration.
    items_, embeddings_, answers_, chosen_, distance_, answer_distance_, n_duplicates_, n_duplicates_dropped_
        As in :class:`ClosestToAverage`.

    References
    ----------
    Li, J., Fukumoto, F. (2019). A Dataset of Crowdsourced Word Sequences: Collections and Answer
    Aggregation for Ground Truth Creation. Proceedings of the First Workshop on Aggregating and
    Analysing Crowdsourced Annotations for NLP (AnnoNLP), 24-28. doi:10.18653/v1/D19-5904

    Li, Q., Li, Y., Gao, J., Su, L., Zhao, B., Demirbas, M., Fan, W., Han, J. (2014). A
    Confidence-Aware Approach for Truth Discovery on Long-Tail Data. PVLDB 8(4), 425-436.
    """

    def __init__(
        self,
        alpha: float = 0.05,
        quantile: str = "lower",
        max_iter: int = 100,
        tol: float = 1e-9,
        skill_floor: str = "relative",
        item_col: str = "item",
        annotator_col: str = "annotator",
        embedding_col: str = "embedding",
        answer_col: str | None = None,
        duplicates: str = "keep",
    ) -> None:
        self.alpha = alpha
        self.quantile = quantile
        self.max_iter = max_iter
        self.tol = tol
        self.skill_floor = skill_floor
        self.item_col = item_col
        self.annotator_col = annotator_col
        self.embedding_col = embedding_col
        self.answer_col = answer_col
        self.duplicates = duplicates

    def fit(self, answers: pd.DataFrame, embeddings: Any = None) -> RASA:
        """Aggregate ``answers`` with their vectors (``embeddings`` or the column ``embedding_col``)."""
        self._check_reliability_params()
        answers, embeddings = self._last_answers(answers, embeddings)
        enc = self._encode(answers, embeddings)
        means, _ = self._iterate(enc, np.arange(len(enc.item_idx)), None)
        self._finish(enc, answers, means)
        return self


class HRRASA(_Reliability):
    r"""Hybrid Reliability and Representation Aware Sequence Aggregation (Li 2020): RASA's global
    reliabilities times a local reliability of each answer.

    The local reliability of annotator :math:`k`'s answer on item :math:`i` is
    :math:`\gamma_i^k = \lambda \gamma_{i,emb}^k + (1 - \lambda) \gamma_{i,seq}^k`, with
    :math:`\gamma_{i,emb}^k` the mean over the item's other answers of
    :math:`\exp(-\|e_i^k - e_i^{k'}\|^2 / (\|e_i^k\|^2 \|e_i^{k'}\|^2))` and
    :math:`\gamma_{i,seq}^k` the mean of ``similarity`` between the answers themselves (GLEU by
    default). Then, from :math:`\beta_k = 1`, alternately
    :math:`\hat e_i = \sum_k \gamma_i^k \beta_k e_i^k / \sum_k \gamma_i^k \beta_k` and
    :math:`\beta_k = \chi^2_{(\alpha/2, |V_k|)} / \sum_{i} \|e_i^k - \hat e_i\|^2 / \gamma_i^k`,
    stopping as :class:`RASA` does; the chosen answer is the closest (cosine) to :math:`\hat e_i`.
    An item with a single answer has no local reliability: as in crowd-kit it stays out of the
    iterations, its aggregated vector is its answer, and an annotator seen only on such items has
    a NaN reliability.

    Parameters
    ----------
    lambda_emb : float in [0, 1]
        Weight :math:`\lambda` of the vector term; the answer term gets ``1 - lambda_emb`` (the paper
        constrains the two weights to sum to 1).
    similarity : callable or None
        ``similarity(answer_a, answer_b) -> float`` on the values of ``answer_col``; None: word
        :func:`gleu_similarity`. Needed (with ``answer_col``) unless ``lambda_emb == 1``.
    alpha, quantile, max_iter, tol, skill_floor, item_col, annotator_col, embedding_col, answer_col, duplicates
        As in :class:`RASA`; ``skill_floor`` defaults to ``"absolute"`` here: the relative floor did
        not pass its rule on simulated vectors (``benchmarks/dev_skill_floor.py``).

    Attributes
    ----------
    local_skill_ : pandas.Series
        :math:`\gamma_i^k` of every answer, aligned with the rows (NaN on single-answer items).
    annotator_skill_, prior_, n_iter_, converged_, loss_history_, items_, embeddings_, answers_, chosen_,
    distance_, answer_distance_, n_duplicates_, n_duplicates_dropped_
        As in :class:`RASA`.

    References
    ----------
    Li, J. (2020). Crowdsourced Text Sequence Aggregation based on Hybrid Reliability and
    Representation. Proceedings of SIGIR '20, 1761-1764. doi:10.1145/3397271.3401239
    """

    def __init__(
        self,
        lambda_emb: float = 0.5,
        similarity: Callable[[Any, Any], float] | None = None,
        alpha: float = 0.05,
        quantile: str = "lower",
        max_iter: int = 100,
        tol: float = 1e-9,
        skill_floor: str = "absolute",
        item_col: str = "item",
        annotator_col: str = "annotator",
        embedding_col: str = "embedding",
        answer_col: str | None = None,
        duplicates: str = "keep",
    ) -> None:
        self.lambda_emb = lambda_emb
        self.similarity = similarity
        self.alpha = alpha
        self.quantile = quantile
        self.max_iter = max_iter
        self.tol = tol
        self.skill_floor = skill_floor
        self.item_col = item_col
        self.annotator_col = annotator_col
        self.embedding_col = embedding_col
        self.answer_col = answer_col
        self.duplicates = duplicates

    def _answer_values(self, answers: pd.DataFrame) -> list | None:
        lam = check_fraction("lambda_emb", self.lambda_emb, closed_high=True)
        if self.similarity is not None and not callable(self.similarity):
            raise InvalidParameterError(f"similarity must be a callable or None, got {show(self.similarity)}")
        if lam == 1:
            return None
        col = self._answer_column()
        if col is None:
            raise InvalidParameterError(
                f"answer_col must name the column of the answers for the answer similarity of HRRASA (weight "
                f"1 - lambda_emb = {1 - lam:g}), got None; or set lambda_emb=1 to use the vectors only"
            )
        values = answers[col].tolist()
        if self.similarity is None:
            bad = next((i for i, v in enumerate(values) if not isinstance(v, str)), None)
            if bad is not None:
                raise AnnotationError(
                    f"answers column {col!r} must hold texts for the default GLEU similarity, row {bad} "
                    f"is {show(values[bad])}; pass similarity= for other answers"
                )
        return values

    def fit(self, answers: pd.DataFrame, embeddings: Any = None) -> HRRASA:
        """Aggregate ``answers`` with their vectors (``embeddings`` or the column ``embedding_col``)."""
        self._check_reliability_params()
        answers, embeddings = self._last_answers(answers, embeddings)
        enc = self._encode(answers, embeddings)
        values = self._answer_values(answers)
        lam = float(self.lambda_emb)
        local = local_reliabilities(enc.X, enc.item_idx, enc.n_items, values, lam, self.similarity)
        rows = np.flatnonzero(~np.isnan(local))
        means, _ = self._iterate(enc, rows, local[rows])
        if len(rows) == 0:
            self.converged_ = True
        single = np.flatnonzero(np.isnan(local))
        if len(single):  # an item answered once: its answer is its aggregate
            S = sp.csr_matrix((np.ones(len(single)), (enc.item_idx[single], single)), shape=(enc.n_items, len(local)))
            means = (means + S @ enc.X).tocsr() if sp.issparse(enc.X) else means + S @ enc.X
        self.local_skill_ = pd.Series(local, index=enc.row_index, name="local_skill")
        self._finish(enc, answers, means)
        return self
