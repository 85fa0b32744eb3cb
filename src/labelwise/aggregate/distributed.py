"""Aggregation on a Dask DataFrame of answers: per-partition sufficient statistics, reduced per iteration.

``fit(estimator, ddf)`` fits :class:`~labelwise.aggregate.MajorityVote`,
:class:`~labelwise.aggregate.DawidSkene` or :class:`~labelwise.aggregate.OneCoinDawidSkene` on a
``dask.dataframe`` of answers (columns item, annotator, label) and sets the same fitted attributes
as ``estimator.fit(pandas_frame)``, with the same labels and posteriors (to rounding, 1e-9).

Steps: (1) the distinct items, annotators and labels of each partition, merged (one column at a
time, never pairs); (2) every partition encodes its answers with those categories and the answers
are shuffled by item, so each item's answers meet in one partition (the only shuffle); (3) each EM
iteration sends the small parameters (prior, confusion matrices or accuracies) to every partition,
which runs the E-step on its items and returns the M-step's sufficient statistics (class totals,
per annotator and label expected counts) and its log-likelihood; these are summed by a tree
reduction and the M-step runs on the client. Posteriors never travel until the end, when the
final E-step's posteriors are gathered to build ``labels_`` and ``probas_`` (one row per item, as
in memory). Before EM, ``DawidSkene``'s dependent-pair check (with its triad gate as
``dependency_triad`` says) and, with ``dependency_rings=True``, its ring check run on the partitions
(:mod:`._dask_pairs`, the in-memory checks' statistics summed over partitions) and, when they find
dependent annotators, each partition weighs their answers as the in-memory fit does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._chunk_floor import active_client, merge_small_partitions
from .._chunks import tree_reduce_delayed
from .._extras import require
from .._stage_progress import compute, persist, stage, stages
from .._validate.arguments import show
from ..errors import InvalidParameterError, MissingColumnError
from ._base import BaseAggregator, loss_settled
from ._converged import warn_after_guard
from ._dask_em_batches import MStep, batch_size, em_chain
from ._dask_pairs import DaskPairs, dependent_parts
from ._dependent import pairs_frame
from ._partition_stats import (
    answer_agreement,
    dawid_skene_m_step,
    ds_loss,
    ds_posterior,
    ds_stats,
    encode_partition,
    final,
    onecoin_posterior,
    onecoin_stats,
    prepare,
    setup_stats,
    sum_stats,
)
from ._sizes import AnswerSizes
from .dawid_skene import DawidSkene, relabelled_classes
from .majority import MajorityVote
from .one_coin import OneCoinDawidSkene
from .priors import accuracy_from_agreement, diagonal_confusion_prior

DISTRIBUTED_METHODS = (MajorityVote, DawidSkene, OneCoinDawidSkene)
"""The estimators :func:`fit` runs on a dask DataFrame."""

__all__ = ["dawid_skene_m_step", "fit", "fit_dask_frame"]


def fit_dask_frame(estimator: Any, answers: Any, probs: Any = None) -> Any:
    """``estimator.fit(answers)`` for a dask DataFrame: :func:`fit`, or a clear error for other methods."""
    if probs is not None or not isinstance(estimator, DISTRIBUTED_METHODS):
        names = ", ".join(cls.__name__ for cls in DISTRIBUTED_METHODS)
        given = f"{type(estimator).__name__}{' with probs' if probs is not None else ''}"
        raise InvalidParameterError(
            f"answers: a dask DataFrame is fitted on the cluster by {names} only (without probs); "
            f"got {given}: compute it to a pandas DataFrame first"
        )
    return fit(estimator, answers)


@dataclass(frozen=True, eq=False)
class _Summary(AnswerSizes):
    """What ``BaseAggregator._set_results`` reads from an encoded table, gathered from the partitions."""

    item_values: pd.Index
    annotator_values: pd.Index
    classes: np.ndarray
    class_values: pd.Index
    answers_per_item: np.ndarray
    n_answers: int
    n_duplicates: int
    n_dropped: int = 0

    def item_index(self) -> pd.Index:
        return self.item_values

    def annotator_index(self) -> pd.Index:
        return self.annotator_values

    def class_index(self) -> pd.Index:
        return self.class_values


def _sorted_uniques(ddf: Any, column: str) -> pd.Index:
    (values,) = compute(ddf[column].drop_duplicates(split_out=1))  # a tree reduction, no shuffle
    if values.isna().any():
        raise InvalidParameterError(f"answers column {column!r} must not contain missing values")
    try:
        return pd.Index(values).sort_values()
    except TypeError:
        return pd.Index(values)


def _guard(
    est: DawidSkene,
    em: _EM | None,
    parts: tuple,
    fitted: tuple,
    vote: np.ndarray,
    post: np.ndarray,
    params: tuple | None,
    classes: np.ndarray,
) -> tuple[np.ndarray, tuple | None, np.ndarray]:
    """``DawidSkene``'s prior and relabelling guard: majority vote (and its M-step) when EM permuted
    classes. ``vote``: the (weighted) vote shares EM started from, gathered from ``fitted``; the
    fallback is the plain vote of ``parts``, gathered into ``vote``'s array. Returns the posterior,
    the parameters and the relabelled class codes (the caller warns: :func:`._converged.warn_after_guard`)."""
    import dask

    k = len(classes)
    est.fallback_ = None
    est.pseudo_counts_ = em.pseudo if em is not None else np.zeros((k, k))
    moved = (
        relabelled_classes(vote, post) if em is not None and isinstance(est.smoothing, str) else np.empty(0, np.intp)
    )
    if not len(moved):
        return post, params, moved
    assert em is not None  # moved is empty without em
    est.fallback_ = "majority-vote"
    if fitted is not parts:  # the dependent groups' weights made the shares EM started from
        for items, _, shares in compute(*[dask.delayed(final)(p, em.k, None, None) for p in parts]):
            vote[items] = shares
    (stats,) = compute(tree_reduce_delayed([dask.delayed(em.stats)(p, em.k, em.n_ann, None) for p in parts], sum_stats))
    return vote, em.m_step(stats), moved


def _check_inputs(estimator: Any, answers: Any) -> tuple[str, str, str]:
    """Check the estimator and the answers' columns; return the (item, annotator, label) column names."""
    if not isinstance(estimator, DISTRIBUTED_METHODS):
        raise InvalidParameterError(
            f"estimator must be a MajorityVote, DawidSkene or OneCoinDawidSkene, got {type(estimator).__name__}"
        )
    estimator._check_params()
    if estimator.duplicates != "keep":
        raise InvalidParameterError(f"duplicates must be 'keep' on a dask DataFrame, got {estimator.duplicates!r}")
    if isinstance(estimator, DawidSkene) and estimator.shared_confusion is True:  # "auto": not tested on Dask
        raise InvalidParameterError(
            "shared_confusion must be 'auto' or False on a dask DataFrame (one confusion shared by every annotator is "
            "fitted in memory only), got True: compute it to a pandas DataFrame first"
        )
    cols = (estimator.item_col, estimator.annotator_col, estimator.label_col)
    missing = [c for c in cols if c not in answers.columns]
    if missing:
        raise MissingColumnError(f"answers must have columns {list(cols)}, missing {missing}")
    return cols


class _EM:
    """The client side of the EM loops: the M-step and the objective, per method."""

    def __init__(
        self,
        est: BaseAggregator,
        k: int,
        n_ann: int,
        per_annotator: np.ndarray,
        n_answers: int,
        accuracy: float | None = None,
    ):
        self.est, self.k, self.n_ann, self.n_answers = est, k, n_ann, n_answers
        self.per_annotator = per_annotator
        self.is_ds = isinstance(est, DawidSkene)
        self.stats = ds_stats if self.is_ds else onecoin_stats
        self.posterior = ds_posterior if self.is_ds else onecoin_posterior
        self.pseudo = np.zeros((k, k))  # [true k, given l], as DawidSkene.pseudo_counts_
        if self.is_ds:
            smoothing = est.smoothing
            if isinstance(smoothing, str):  # "auto": the same diagonal prior as in memory
                strength = float(est.prior_strength)
                self.pseudo = diagonal_confusion_prior(k, strength=strength, accuracy=accuracy)
            else:
                self.pseudo = np.full((k, k), float(smoothing))

    def m_step(self, stats: tuple) -> tuple:
        return MStep.of(self)(stats)  # the same task a cluster's chained iterations run

    def loss(self, log_z: float, params: tuple) -> float:
        if self.is_ds:  # MAP: with the Dirichlet prior's log density sum_j sum_{k,l} A[k, l] log pi_j[k, l]
            return ds_loss(log_z, params[1], self.pseudo, self.n_answers)
        return float(-log_z / self.n_answers)


def fit(
    estimator: BaseAggregator,
    answers: Any,
    *,
    npartitions: int | None = None,
    timings: dict | None = None,
    agreement: dict | None = None,
    verbose: bool | None = None,
    partitions: dict | None = None,
) -> BaseAggregator:
    """Fit ``estimator`` on a ``dask.dataframe`` of answers; the same fitted attributes as in memory.

    Parameters
    ----------
    estimator : MajorityVote, DawidSkene or OneCoinDawidSkene
        Its parameters (``smoothing``, ``max_iter``, ``tol``, ``labels``, column names,
        ``random_state``) are used as by its own ``fit``; ``duplicates`` must be ``"keep"``.
    answers : dask.dataframe.DataFrame
        One row per answer.
    npartitions : int, optional
        Partitions after the shuffle by item (default: those of ``answers``, small ones merged first:
        :mod:`labelwise._chunk_floor`; the fit depends on the count only by the rounding of sums).
    timings : dict, optional
        Filled with the seconds of each stage (``categories``, ``encode_shuffle``, ``pair_check``
        (Dawid-Skene and one-coin; 0 where no check runs), ``em``, ``gather``).
    agreement : dict, optional
        Filled with ``"item"`` and ``"annotator"``: what :func:`~labelwise.aggregate.item_agreement`
        and :func:`~labelwise.aggregate.annotator_agreement` give for the fitted labels.
    partitions : dict, optional
        Filled with the partitions that ran: ``"given"``, ``"merged"`` (small ones merged), ``"shuffled"`` (by item).
    verbose : bool or None, default None
        One progress bar per stage on stderr (encoding, the dependent-pair check, EM iterations,
        gathering): True draws them, False never, None when stderr is a terminal. The fit does
        not depend on it.

    Returns
    -------
    estimator, fitted.

    References
    ----------
    .. [1] A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates
       Using the EM Algorithm", Applied Statistics 28(1), 20-28, 1979.
    """
    if verbose is not None and not isinstance(verbose, bool):
        raise InvalidParameterError(f"verbose must be True, False or None, got {verbose!r}")
    with stages(verbose):
        return _fit(estimator, answers, npartitions, {} if timings is None else timings, agreement, partitions)


def _fit(
    estimator: BaseAggregator,
    answers: Any,
    npartitions: int | None,
    timings: dict,
    agreement: dict | None,
    partitions: dict | None = None,
) -> BaseAggregator:
    """:func:`fit`'s stages (its arguments checked there)."""
    import time

    dask = require("dask", "labelwise.aggregate.distributed.fit (answers on Dask)")

    clock = [time.perf_counter()]

    def lap(name: str) -> None:
        timings[name], clock[0] = (now := time.perf_counter()) - clock[0], now

    cols = _check_inputs(estimator, answers)
    with stage("encoding answers"):
        given = answers.npartitions
        answers = merge_small_partitions(answers[list(cols)])  # tiny partitions cost a task each, per pass
        cats = _categories(answers, cols, estimator.labels)
        k, n_ann = len(cats[2]), len(cats[1])
        lap("categories")
        coded = answers[list(cols)].map_partitions(
            encode_partition, cols, tuple(cats), meta={"i": "i8", "a": "i8", "l": "i8"}
        )
        coded = coded.shuffle("i", npartitions=npartitions or answers.npartitions, shuffle_method=_shuffle_method())
        if partitions is not None:
            partitions.update(given=given, merged=answers.npartitions, shuffled=coded.npartitions)
        parts = persist(*[dask.delayed(prepare)(p, k) for p in coded.to_delayed()])
        setup = tree_reduce_delayed([dask.delayed(setup_stats)(p, n_ann, k) for p in parts], sum_stats)
        ((per_annotator, n_answers, n_dups, pairs, agree),) = compute(setup)
    lap("encode_shuffle")
    estimator.loss_history_, estimator.n_iter_, estimator.converged_ = [], 0, True
    posterior, params, em, fitted, change = None, None, None, parts, 0.0
    if isinstance(estimator, DawidSkene):
        estimator.dependent_pairs_ = pairs_frame(None, cats[1].rename(cols[1]))
        estimator.dependent_rings_ = []
    if not isinstance(estimator, MajorityVote) and k > 1:
        em = _EM(estimator, k, n_ann, per_annotator, n_answers, accuracy=accuracy_from_agreement(agree, pairs, k))
        if isinstance(estimator, DawidSkene):
            data = DaskPairs(parts, k, len(cats[0]), n_ann, pairs, estimator)
            fitted = dependent_parts(estimator, data, em.pseudo, cats[1].rename(cols[1]))
        lap("pair_check")
        params, last, change = _run_em(estimator, em, fitted)
        posterior = em.posterior
    lap("em")
    summary = _Summary(
        cats[0].rename(cols[0]),
        cats[1].rename(cols[1]),
        np.asarray(cats[2]),
        cats[2].rename(cols[2]),
        np.zeros(0, np.int64),
        int(n_answers),
        int(n_dups),
    )
    with stage("gathering labels"):
        post, vote = _gather_posteriors(fitted, len(cats[0]), k, posterior, last if posterior else None)
        if isinstance(estimator, DawidSkene):
            post, params, moved = _guard(estimator, em, parts, fitted, vote, post, params, np.asarray(cats[2]))
            warn_after_guard(estimator, moved, np.asarray(cats[2]), change)  # in-memory DawidSkene's order and words
        per_item, agree, total = _answer_counts(estimator._hard_labels(post), parts, summary, agreement)
    skill = (
        agree / np.maximum(total, 1) if isinstance(estimator, MajorityVote) else _finish(estimator, summary, params, k)
    )
    object.__setattr__(summary, "answers_per_item", per_item)
    estimator._set_results(summary, post, skill)  # type: ignore[arg-type]  # duck-typed EncodedAnswers
    lap("gather")
    return estimator


def _answer_counts(labels: np.ndarray, parts: tuple, summary: _Summary, agreement: dict | None) -> tuple:
    """Answers per item, and per annotator the answers equal to the item's label code in ``labels`` and
    all answers: one pass over the partitions; ``agreement`` (when given) filled as :func:`fit` says."""
    import dask

    codes = dask.delayed(labels, pure=True)  # one node of the graph, read by every task
    ((per_item, item_agree, agree, total),) = compute(
        tree_reduce_delayed(
            [dask.delayed(answer_agreement)(p, codes, summary.n_items, summary.n_annotators) for p in parts],
            sum_stats,
        )
    )
    if agreement is not None:
        agreement["item"] = pd.Series(item_agree / np.maximum(per_item, 1), index=summary.item_values, name="agreement")
        agreement["annotator"] = pd.DataFrame(
            {"answers": total, "agreement": agree / np.maximum(total, 1)}, index=summary.annotator_values
        )
    return per_item, agree, total


def _gather_posteriors(
    parts: tuple, n_items: int, k: int, posterior: Callable | None, params: tuple | None
) -> tuple[np.ndarray, np.ndarray]:
    """The final posterior and the vote shares of every item, gathered on the client."""
    import dask

    post, vote = np.zeros((n_items, k)), np.zeros((n_items, k))
    for items, p, shares in compute(*[dask.delayed(final)(part, k, posterior, params) for part in parts]):
        post[items] = p
        vote[items] = shares
    return post, vote


def _shuffle_method() -> str:
    """Dask's peer-to-peer shuffle on a distributed client, its task-based shuffle otherwise."""
    return "tasks" if active_client() is None else "p2p"


def _run_em(est: BaseAggregator, em: _EM, parts: tuple, batch: int | None = None) -> tuple[tuple, tuple, float]:
    """Iterate as the in-memory ``_fit``: M-step from the current posterior, E-step, stop on ``tol``.

    Several iterations go in one graph on a ``distributed`` cluster (:mod:`._dask_em_batches`;
    ``batch``: that many in every graph instead of :func:`~._dask_em_batches.batch_size`'s count);
    their results are read in order and the first settled one ends the fit, as one graph each would.
    Returns the final parameters (M-step of the last posterior), those of the last E-step
    (which gave the posterior the estimator reports) and the loss's last decrease (Dawid-Skene
    warns after its guard, as in memory: :func:`._converged.warn_after_guard`).
    """
    import dask

    on_cluster = active_client() is not None
    stats, params, sent = None, None, 0
    est.n_iter_, est.converged_, prev, change = 0, False, np.inf, np.inf
    with stage("EM iterations", total=est.max_iter, count_tasks=False) as shown:
        while not est.converged_ and est.n_iter_ < est.max_iter:
            left = est.max_iter - est.n_iter_
            b = batch_size(sent, left, on_cluster) if batch is None else min(batch, left)
            steps = dask.compute(*em_chain(em, parts, stats, b))
            sent += 1
            for params, stats in steps:
                nll = em.loss(stats[2], params)
                est.loss_history_.append(nll)
                est.n_iter_ += 1
                if shown is not None:
                    shown.advance()
                change, prev = prev - nll, nll
                if loss_settled(change, nll, est.tol):
                    est.converged_ = True
                    break
        if shown is not None:  # converged: the bar ends at the iterations run
            shown.set_total(est.n_iter_)
    assert stats is not None and params is not None  # max_iter >= 1, as the estimator's checks say
    return em.m_step(stats), params, float(change)


def _finish(est: Any, summary: Any, params: Any, k: int) -> np.ndarray:
    """Method attributes as the in-memory fit sets them; returns the per-annotator skill."""
    if k == 1:
        est._fit_single_class(summary)
        return np.ones(summary.n_annotators)
    prior = params[0]
    est.priors_ = pd.Series(prior, index=summary.class_index(), name="prior")
    if isinstance(est, DawidSkene):
        conf = params[1].transpose(0, 2, 1).copy()  # [j, true k, given l]
        est.annotator_confusion_ = conf
        est.annotators_ = summary.annotator_index()
        est.shared_confusion_, est.shared_test_ = False, None
        return np.einsum("k,jkk->j", prior, conf)
    est.skills_ = params[1]
    return params[1]


def _categories(answers: Any, cols: tuple[str, str, str], labels: Any) -> list[pd.Index]:
    """The sorted distinct items, annotators and labels (the declared ``labels`` when given)."""
    cats = [_sorted_uniques(answers, c) for c in cols]
    if labels is not None:
        declared = pd.Index(list(labels))
        unknown = cats[2].difference(declared)
        if len(unknown):
            raise InvalidParameterError(
                f"answers column {cols[2]!r} must hold one of the declared labels, got {show(unknown[0])}"
            )
        cats[2] = declared
    return cats
