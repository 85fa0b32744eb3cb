"""Crowd metrics of a long answer table: label uncertainty, consistency with an aggregate, and the
annotators' accuracy on aggregates (crowd-kit's ``uncertainty``, ``consistency`` and
``accuracy_on_aggregates``), each one ``bincount`` pass over the answers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_choice
from ..errors import AnnotationError, InvalidParameterError
from ._answers import EncodedAnswers
from ._base import BaseAggregator, log_normalize
from .agreement import _consensus_codes, check_answers
from .majority import MajorityVote

__all__ = ["accuracy_on_aggregates", "consistency", "uncertainty"]

UNCERTAINTY_BY = ("item", "annotator")


def _skills(enc: EncodedAnswers, answers: Any, skills: Any, aggregator: Any, *, default: float | None) -> np.ndarray:
    """Each annotator's accuracy: ``skills`` (a Series by annotator), else ``aggregator``'s
    ``annotator_skill_`` after fitting it on ``answers``, else ``default`` for everyone."""
    if skills is not None and aggregator is not None:
        raise InvalidParameterError("give skills or aggregator, not both (skills are taken from the aggregator's fit)")
    if skills is None and aggregator is not None:
        skills = _fitted(aggregator, answers).annotator_skill_
    if skills is None:
        if default is None:
            raise InvalidParameterError("skills or aggregator must be given, got neither")
        return np.full(enc.n_annotators, default)
    if not isinstance(skills, pd.Series):
        raise InvalidParameterError(
            f"skills must be a pandas Series of accuracies indexed by annotator, got {type(skills).__name__}"
        )
    values = pd.to_numeric(skills.reindex(enc.annotator_index()), errors="coerce").to_numpy(dtype=np.float64)
    absent = np.isnan(values)
    if absent.any():
        raise AnnotationError(
            f"skills must give every annotator's accuracy: {int(absent.sum())} annotator(s) have none "
            f"(e.g. {list(enc.annotator_index()[absent][:5])})"
        )
    if ((values < 0) | (values > 1)).any():
        bad = values[(values < 0) | (values > 1)][0]
        raise InvalidParameterError(f"skills must be accuracies in [0, 1], got {bad!r}")
    return values


def _fitted(aggregator: Any, answers: Any) -> BaseAggregator:
    if not isinstance(aggregator, BaseAggregator):
        raise InvalidParameterError(
            f"aggregator must be a labelwise aggregator (e.g. MajorityVote()), got {type(aggregator).__name__}"
        )
    return aggregator.fit(answers)


def _answer_log_terms(enc: EncodedAnswers, skill: np.ndarray) -> tuple[np.ndarray, ...]:
    """The one-coin terms of each answer: ``q(k) = s`` for the answered class, ``(1 - s) / (K - 1)``
    for the others; their logs where positive, and flags where they are 0."""
    k = enc.n_classes
    s = skill[enc.annotator_idx]
    other = (1.0 - s) / max(k - 1, 1)
    with np.errstate(divide="ignore"):
        log_hit, log_other = np.log(s), np.log(other)
    zero_hit, zero_other = s <= 0, other <= 0
    return s, other, np.where(zero_hit, 0.0, log_hit), np.where(zero_other, 0.0, log_other), zero_hit, zero_other


def uncertainty(
    answers: pd.DataFrame,
    skills: pd.Series | None = None,
    *,
    aggregator: Any = None,
    by: str = "item",
    aggregate: bool = True,
) -> float | pd.Series:
    r"""Entropy of the label distribution of each item's (or annotator's) answers.

    Each answer spreads one unit of belief over the ``K`` classes as the one-coin model does:
    :math:`s_j` on the answered class and :math:`(1 - s_j) / (K - 1)` on each other one
    (:math:`s_j` the annotator's accuracy; 1 for everyone by default, which makes the distribution
    the vote shares). The beliefs are summed per item (``by="item"``) or per annotator
    (``by="annotator"``), normalised, and their Shannon entropy (natural log) is the uncertainty:
    0 when all answers agree, :math:`\log K` at most. As crowd-kit's ``uncertainty``
    (``compute_by="task"`` / ``"worker"``); ``K`` is the number of classes in the answers.

    Parameters
    ----------
    answers : DataFrame
        Long table with columns ``item``, ``annotator``, ``label``.
    skills : Series, optional
        Accuracy in [0, 1] of every annotator, indexed by annotator (e.g. gold accuracies).
    aggregator : labelwise aggregator, optional
        Fitted on ``answers``; its ``annotator_skill_`` are the skills (instead of ``skills``).
    by : {"item", "annotator"}, default "item"
    aggregate : bool, default True
        Return the mean over items (annotators), else a Series indexed by item (annotator).

    References
    ----------
    .. [1] Ustalov, D., Pavlichenko, N. and Tseitlin, B. (2024). "Learning from crowds with
       Crowd-Kit." Journal of Open Source Software 9(96), 6227 (``crowdkit.metrics.data``).
    """
    check_choice("by", by, UNCERTAINTY_BY)
    enc = check_answers(answers)
    skill = _skills(enc, answers, skills, aggregator, default=1.0)
    s, other, *_ = _answer_log_terms(enc, skill)
    if by == "item":
        group, n_groups = enc.item_idx, enc.n_items
        index = enc.item_index()
    else:
        group, n_groups = enc.annotator_idx, enc.n_annotators
        index = enc.annotator_index()
    k = enc.n_classes
    cells = np.asarray(group, dtype=np.int64) * k + enc.label_idx
    belief = np.bincount(cells, weights=s - other, minlength=n_groups * k).reshape(n_groups, k)
    belief += np.bincount(group, weights=other, minlength=n_groups)[:, None]
    total = belief.sum(axis=1, keepdims=True)
    p = np.divide(belief, total, out=np.full_like(belief, 1.0 / k), where=total > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log(p), 0.0)
    result = pd.Series(terms.sum(axis=1), index=index, name="uncertainty")
    return float(result.mean()) if aggregate else result


def consistency(
    answers: pd.DataFrame,
    skills: pd.Series | None = None,
    *,
    aggregator: Any = None,
    by_item: bool = False,
) -> float | pd.Series:
    r"""Posterior probability of each item's aggregated label given the annotators' skills.

    The aggregator (default :class:`~labelwise.aggregate.MajorityVote`) is fitted on the answers;
    its label :math:`\hat z_i` is scored under the one-coin model with a uniform prior,
    :math:`P(\hat z_i \mid y_i) = \prod_j q_{ij}(\hat z_i) / \sum_k \prod_j q_{ij}(k)` with
    :math:`q_{ij}(k) = s_j` if :math:`y_{ij} = k`, else :math:`(1 - s_j) / (K - 1)`; the skills
    :math:`s_j` are ``skills`` or the aggregator's ``annotator_skill_``. The products are taken
    in log space (crowd-kit multiplies probabilities, which underflow to 0/0 on items with
    hundreds of answers; it returns 0 there and labelwise the posterior). As crowd-kit's
    ``consistency``.

    Parameters
    ----------
    answers : DataFrame
        Long table with columns ``item``, ``annotator``, ``label``.
    skills : Series, optional
        Accuracy in [0, 1] of every annotator, indexed by annotator.
    aggregator : labelwise aggregator, optional
        Gives the labels (and the skills when ``skills`` is None); default ``MajorityVote()``.
    by_item : bool, default False
        Return a Series indexed by item instead of the mean.

    References
    ----------
    .. [1] Ustalov, D., Pavlichenko, N. and Tseitlin, B. (2024). "Learning from crowds with
       Crowd-Kit." Journal of Open Source Software 9(96), 6227 (``crowdkit.metrics.data``).
    """
    if not isinstance(by_item, (bool, np.bool_)):
        raise InvalidParameterError(f"by_item must be True or False, got {by_item!r}")
    enc = check_answers(answers)
    fitted = _fitted(MajorityVote() if aggregator is None else aggregator, answers)
    skill = _skills(enc, answers, fitted.annotator_skill_ if skills is None else skills, None, default=None)
    codes = _consensus_codes(enc, fitted)
    k, n = enc.n_classes, enc.n_items
    _, _, log_hit, log_other, zero_hit, zero_other = _answer_log_terms(enc, skill)
    # per class: the sum of the answers' log q over the item, and how many of its q are 0
    cells = np.asarray(enc.item_idx, dtype=np.int64) * k + enc.label_idx
    logsum = np.bincount(cells, weights=log_hit - log_other, minlength=n * k).reshape(n, k)
    logsum += np.bincount(enc.item_idx, weights=log_other, minlength=n)[:, None]
    zeros = np.bincount(cells, weights=zero_hit.astype(float) - zero_other, minlength=n * k).reshape(n, k)
    zeros += np.bincount(enc.item_idx, weights=zero_other.astype(float), minlength=n)[:, None]
    logsum[zeros > 0] = -np.inf
    possible = np.isfinite(logsum).any(axis=1)
    post = np.zeros((n, k))
    if possible.any():
        post[possible] = log_normalize(logsum[possible])[0]
    value = np.where(codes >= 0, post[np.arange(n), np.maximum(codes, 0)], np.nan)
    result = pd.Series(value, index=enc.item_index(), name="consistency")
    return result if by_item else float(result.mean())


def accuracy_on_aggregates(
    answers: pd.DataFrame,
    *,
    aggregator: Any = None,
    aggregates: pd.Series | None = None,
    by: str | None = None,
) -> float | pd.Series:
    """Share of the answers equal to their item's aggregated label.

    The aggregated labels are ``aggregates`` (a Series indexed by item) or the labels of
    ``aggregator`` fitted on the answers (default :class:`~labelwise.aggregate.MajorityVote`).
    ``by=None`` gives one share over all answers on aggregated items; ``by="annotator"`` a Series
    of each annotator's share (NaN for one whose items have no aggregate). As crowd-kit's
    ``accuracy_on_aggregates``, except that a repeated identical answer of one annotator on one
    item counts each time (crowd-kit keeps one).

    References
    ----------
    .. [1] Ustalov, D., Pavlichenko, N. and Tseitlin, B. (2024). "Learning from crowds with
       Crowd-Kit." Journal of Open Source Software 9(96), 6227 (``crowdkit.metrics.workers``).
    """
    if by is not None:
        check_choice("by", by, ("annotator",))
    if aggregates is not None and aggregator is not None:
        raise InvalidParameterError("give aggregator or aggregates, not both")
    enc = check_answers(answers)
    source = (
        aggregates if aggregates is not None else _fitted(MajorityVote() if aggregator is None else aggregator, answers)
    )
    target = _consensus_codes(enc, source)[enc.item_idx]
    known = target >= 0
    hit = (known & (target == enc.label_idx)).astype(np.float64)
    if by is None:
        total = int(known.sum())
        if total == 0:
            raise AnnotationError("aggregates share no item with the answers")
        return float(hit.sum() / total)
    n_known = enc.annotator_sum(known.astype(np.float64))
    share = np.divide(enc.annotator_sum(hit), n_known, out=np.full(enc.n_annotators, np.nan), where=n_known > 0)
    return pd.Series(share, index=enc.annotator_index(), name="accuracy")
