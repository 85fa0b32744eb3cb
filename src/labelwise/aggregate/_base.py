"""The shared skeleton of every aggregation estimator: validate, encode, fit, decode.

A subclass implements ``_fit(enc, probs, *, owned=False)`` on
:class:`~labelwise.aggregate._answers.EncodedAnswers` and returns the posterior (n_items, K) and the
per-annotator estimated accuracy; this class turns them into the fitted pandas attributes every
method shares. ``owned`` says that ``fit`` made ``enc`` for this fit alone (its buffers may be
consumed, see :meth:`BaseAggregator._fit_encoded`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from threadpoolctl import ThreadpoolController

from .._validate.arguments import check_choice, check_positive_int, check_random_state
from ..errors import InvalidParameterError
from ._agreement_hits import _agreement_from_codes, _agreement_from_keys
from ._answers import DUPLICATE_POLICIES, EncodedAnswers, encode_answers
from ._blas_libs import blas_controller
from ._column_params import check_column_name
from ._columnwise import columnwise
from ._converged import loss_settled
from ._sparse_rest import RestPosterior, rest_argmax_random_ties
from ._sparse_votes import POSTERIOR_COPIES, check_dense_fits, sparse_argmax_random_ties

__all__ = [
    "BaseAggregator",
    "agreement_skill",
    "argmax_random_ties",
    "check_common",
    "check_tol",
    "log_normalize",
    "loss_settled",
    "row_max",
    "row_sum",
    "soft_agreement_skill",
]

TIE_RTOL = 1e-9


def argmax_random_ties(
    scores: np.ndarray,
    rng: np.random.Generator,
    *,
    rtol: float = TIE_RTOL,
    row_group: np.ndarray | None = None,
) -> np.ndarray:
    """Row-wise argmax that breaks ties uniformly at random.

    Entries within ``rtol`` (relative to the row maximum) of the maximum tie. Only rows with a tie
    draw random numbers: one uniform per cell of those rows, in row-major order, so the choice for
    item ``i`` depends only on the generator and on which (sorted) items are tied, never on the
    order of the input rows.

    With ``row_group``, ``scores`` holds one row per group and the result has one entry per
    ``row_group`` element: the same as ``argmax_random_ties(scores[row_group], rng)`` (including
    the random draws) without building the expanded array.
    """
    scores = np.asarray(scores, dtype=np.float64)
    tied, n_tied = _tied_cells(scores, rtol)
    codes = tied.argmax(axis=1)
    if row_group is not None:
        codes, n_tied = codes[row_group], n_tied[row_group]
    multi = np.flatnonzero(n_tied > 1)
    if multi.size:
        draws = rng.random((multi.size, scores.shape[1]))
        draws[~tied[multi if row_group is None else row_group[multi]]] = -1.0
        codes[multi] = draws.argmax(axis=1)
    return codes


#: Rows per block of :func:`_tied_cells` (its two float64 buffers are 512 KB each).
TIE_BLOCK = 1 << 16


def _tied_cells(scores: np.ndarray, rtol: float, block: int = TIE_BLOCK) -> tuple[np.ndarray, np.ndarray]:
    """Which cells of each row tie with the row's maximum, ``scores >= top - rtol * max(|top|, 1)``
    (``top`` as :func:`row_max`), and how many per row (in the narrowest unsigned integer that holds
    ``K``).

    By blocks of rows: the maxima and thresholds live in two buffers a block long, made once, and the
    operations are those of the expression in the same order (the same bits), instead of one fresh
    row-long array per operation.
    """
    n, k = scores.shape
    tied = np.empty((n, k), dtype=bool)
    n_tied = np.empty(n, dtype=np.min_scalar_type(k))
    size = max(1, min(block, n))
    tops, margins = np.empty(size), np.empty(size)
    for start in range(0, n, block):
        part = scores[start : start + block]
        top, margin = row_max(part, out=tops[: part.shape[0]]), margins[: part.shape[0]]
        np.abs(top, out=margin)
        np.maximum(margin, 1.0, out=margin)
        margin *= rtol
        np.subtract(top, margin, out=top)
        cells = tied[start : start + block]
        np.greater_equal(part, top[:, None], out=cells)
        count = n_tied[start : start + block]
        np.copyto(count, cells[:, 0])
        for j in range(1, k):
            count += cells[:, j]
    return tied, n_tied


def row_max(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Row maxima of a 2-D array, one pass per column (numpy's ``max(axis=1)`` is several times
    slower on the tall, narrow arrays of items x classes); written into ``out`` when given."""
    if out is None:
        top = a[:, 0].copy()
    else:
        top = out
        np.copyto(top, a[:, 0])
    for j in range(1, a.shape[1]):
        np.maximum(top, a[:, j], out=top)
    return top


def row_sum(a: np.ndarray) -> np.ndarray:
    """Row sums of a 2-D array as float64 (a matrix-vector product with ones: several times
    faster than ``sum(axis=1)`` on tall, narrow arrays)."""
    if a.dtype != np.float64:
        a = a.astype(np.float64)
    return a @ np.ones(a.shape[1])


def csr_entry_rows(matrix: Any) -> np.ndarray:
    """The row of each stored entry of a CSR matrix, in storage order (int64)."""
    return np.repeat(np.arange(matrix.shape[0], dtype=np.int64), np.diff(matrix.indptr))


def log_normalize(log_scores: np.ndarray, *, overwrite: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Softmax of each row of ``log_scores`` and each row's log-sum-exp (the log normaliser).

    Shifting each row by its maximum before exponentiating keeps ``exp`` in range however many
    answers an item has (products of many probabilities underflow in linear space). With
    ``overwrite`` (a float64 array the caller no longer needs) the softmax is computed in place.
    """
    top = row_max(log_scores)
    if not np.isfinite(top).all():
        top[~np.isfinite(top)] = 0.0
    if overwrite and log_scores.dtype == np.float64:
        w = log_scores
        columnwise(np.subtract, w, top[:, None])
    else:
        w = log_scores - top[:, None]
    np.exp(w, out=w)
    total = row_sum(w)
    columnwise(np.divide, w, total[:, None])
    np.add(np.log(total, out=total), top, out=total)  # the log normaliser ``log(total) + top`` in the sums' memory
    return w, total


class BaseAggregator(BaseEstimator):
    """Base class: ``fit(answers, probs=None)`` on a long (item, annotator, label) table.

    Fitted attributes shared by every method
    -----------------------------------------
    classes_ : ndarray of shape (K,)
    labels_ : pandas.Series indexed by item, named ``"label"``: the aggregated label.
    probas_ : pandas.DataFrame indexed by item, one column per class: the posterior (rows sum to 1).
    annotator_skill_ : pandas.Series indexed by annotator: estimated accuracy in [0, 1].
    n_answers_per_item_ : pandas.Series indexed by item.
    loss_history_ : list of float (mean negative log-likelihood per answer, per iteration; ``[]``
        for non-iterative methods).
    n_iter_ : int, converged_ : bool
    n_answers_, n_items_, n_annotators_, n_duplicates_, n_duplicates_dropped_ : int
    label_codes_ : ndarray of int, the position of each item's label in ``classes_``.

    Items (the index of ``labels_``/``probas_``) and annotators are sorted by id (first-seen order
    when ids of mixed types cannot be sorted); classes are sorted, or in the order of ``labels=``.
    """

    #: Whether ``fit`` uses model probabilities (only the model+annotator consensus does).
    _uses_probs = False
    #: Whether ``_fit`` returns one posterior row per answer pattern (``enc.patterns``) instead of
    #: one per item (models whose only item parameter is the true class).
    _fits_patterns = False
    #: Whether the posterior ``_fit`` returns is a new array nothing else holds, that ``probas_`` may
    #: wrap without a copy.
    _owns_posterior = False
    #: Whether ``_fit`` works on any number of classes (no dense ``n_items x K`` array when that would be
    #: too large: majority vote, Wawa, zero-based skill); every other method is refused before fitting when its dense arrays
    #: exceed the memory available (:func:`~labelwise.aggregate._sparse_votes.check_dense_fits`).
    _any_k = False
    #: Whether the model holds a K x K confusion matrix per annotator (counted in that check).
    _confusion_per_annotator = False
    #: Arrays of the posterior's size the fit holds at least (counted in that check).
    _posterior_copies = POSTERIOR_COPIES

    # Subclasses call this with their own parameters stored by their __init__.
    def _common_params(self) -> dict[str, Any]:
        return {
            "labels": self.labels,
            "duplicates": self.duplicates,
            "item_col": self.item_col,
            "annotator_col": self.annotator_col,
            "label_col": self.label_col,
        }

    def __getattr__(self, name: str) -> Any:
        # only called when ``name`` is not set: a fit that kept its shares sparse says why ``probas_`` is not
        if name == "probas_" and "probas_sparse_" in self.__dict__:
            from ._sparse_votes import too_large_probas

            raise too_large_probas(*self.__dict__["probas_sparse_"].shape, rest="probas_rest_" in self.__dict__)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _encode(self, answers: Any) -> EncodedAnswers:
        return encode_answers(answers, **self._common_params())

    def fit(self, answers: pd.DataFrame, probs: Any = None) -> BaseAggregator:
        """Fit on a long answer table (one row per answer: item, annotator, label).

        Parameters
        ----------
        answers : pandas.DataFrame
            Columns ``item_col``, ``annotator_col``, ``label_col`` (default ``item``,
            ``annotator``, ``label``).
        probs : DataFrame or array, optional
            A model's out-of-fold probabilities; only the model+annotator consensus
            (:class:`~labelwise.aggregate.CrowdLab`) uses them, every other method rejects them.

        Returns
        -------
        self
        """
        if probs is not None and not self._uses_probs:
            raise InvalidParameterError(
                f"probs is only used by the 'crowdlab' method (model + annotators consensus); "
                f"{type(self).__name__} got probs of type {type(probs).__name__}"
            )
        self._check_params()
        if type(answers).__module__.split(".")[0] == "dask" and hasattr(answers, "__dask_graph__"):
            from .distributed import fit_dask_frame  # imports Dask: only for a dask DataFrame

            return fit_dask_frame(self, answers, probs)
        # The BLAS calls here are matrix-vector products on tall, narrow (items x K) arrays:
        # memory-bound, no faster on more threads, and OpenBLAS's threads spin on the other cores
        # for a while after each call (about as much CPU again as the fit itself uses).
        with _blas_controller().limit(limits=1, user_api="blas"):
            # made for this fit alone: its buffers may be reused
            return self._fit_encoded(self._encode(answers), probs, owned=True)

    def _fit_encoded(self, enc: EncodedAnswers, probs: Any = None, *, owned: bool = False) -> BaseAggregator:
        """Fit on an already encoded table (parameters already checked).

        ``owned``: ``enc`` was made by this fit for itself (not shared with other fits, as
        :class:`~labelwise.aggregate.AutoAggregator` shares one, nor held by the caller), so that
        ``_fit`` may consume its buffers once it has read them for the last time (the sorted keys,
        the cached vote counts, the item codes the encoding owns).
        """
        self.loss_history_: list[float] = []
        self.n_iter_ = 0
        self.converged_ = True
        row_group = None
        if enc.n_classes == 1:  # one class: nothing to infer
            post, skill = np.ones((enc.n_items, 1)), np.ones(enc.n_annotators)
            self._fit_single_class(enc)
        else:
            if not self._any_k:
                check_dense_fits(
                    type(self).__name__,
                    enc,
                    per_annotator_square=self._confusion_per_annotator,
                    copies=self._posterior_copies,
                )
            post, skill = self._fit(enc, probs, owned=owned)
            if self._fits_patterns and enc.patterns.grouped:
                row_group = enc.patterns.item_pattern
        self._set_results(enc, post, skill, row_group, owned=owned)
        return self

    def fit_predict(self, answers: pd.DataFrame, probs: Any = None) -> pd.Series:
        """Fit, then return ``labels_``."""
        return self.fit(answers, probs).labels_

    def fit_predict_proba(self, answers: pd.DataFrame, probs: Any = None) -> pd.DataFrame:
        """Fit, then return ``probas_``."""
        return self.fit(answers, probs).probas_

    # ---------------------------------------------------------------- hooks
    def _check_params(self) -> None:
        """Validate the parameters every estimator shares: the column names and ``duplicates``, and
        ``max_iter`` and ``tol`` for the iterative ones. Subclasses call this first, then check
        their own parameters."""
        check_common(self)
        if hasattr(self, "max_iter"):
            check_positive_int("max_iter", self.max_iter)
        if hasattr(self, "tol"):
            check_tol(self.tol)

    def _iterate(
        self,
        step: Callable[[int], float],
        *,
        monitor: str = "loss",
        tol: float | None = None,
        iterations: Iterable[int] | None = None,
    ) -> float:
        """Run ``step(it)`` for ``it = 1 .. max_iter`` and keep the convergence bookkeeping.

        ``monitor="loss"``: ``step`` returns the loss, appended to ``loss_history_``; iterations
        stop when it falls by less than ``tol`` or by its rounding (:func:`._converged.loss_settled`).
        ``monitor="change"``: ``step`` returns how much the parameters moved; iterations stop when
        that is below ``tol``. Sets ``n_iter_`` and ``converged_``. ``tol`` defaults to
        ``self.tol``; ``iterations`` (e.g. a progress bar over ``range(1, max_iter + 1)``) replaces
        the plain range. Returns the last change (the loss's fall, or the parameters' move), for
        the caller's warning when ``max_iter`` came first (:func:`._converged.warn_not_converged`).
        """
        tol = self.tol if tol is None else tol
        self.converged_ = False
        prev = change = np.inf
        for it in iterations if iterations is not None else range(1, self.max_iter + 1):
            value = float(step(it))
            self.n_iter_ = it
            if monitor == "loss":
                self.loss_history_.append(value)
                change, prev = prev - value, value
            else:
                change = value
            if loss_settled(change, value, tol) if monitor == "loss" else change < tol:
                self.converged_ = True
                break
        return float(change)

    def _fit(self, enc: EncodedAnswers, probs: Any, *, owned: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Return the posterior, shape (n_items, K) (or (n_patterns, K) when ``_fits_patterns``),
        and the per-annotator estimated accuracy (``owned``: see :meth:`_fit_encoded`)."""
        raise NotImplementedError

    def _fit_single_class(self, enc: EncodedAnswers) -> None:
        """Set method-specific attributes when only one class exists (subclasses may extend)."""

    def _rng(self) -> np.random.Generator:
        return check_random_state(getattr(self, "random_state", 0))

    def _hard_labels(self, post: np.ndarray, row_group: np.ndarray | None = None) -> np.ndarray:
        """Codes of the aggregated labels: argmax of the posterior, seeded random tie-breaking
        (``row_group``: ``post`` has one row per group, see :func:`argmax_random_ties`; sparse shares,
        one row per item: :func:`~labelwise.aggregate._sparse_votes.sparse_argmax_random_ties`; answered cells
        and a rest: :func:`~labelwise.aggregate._sparse_rest.rest_argmax_random_ties`)."""
        if isinstance(post, RestPosterior):
            return rest_argmax_random_ties(post, self._rng(), rtol=TIE_RTOL)
        if not isinstance(post, np.ndarray):
            return sparse_argmax_random_ties(post, self._rng(), rtol=TIE_RTOL)
        return argmax_random_ties(post, self._rng(), row_group=row_group)

    def _set_results(
        self,
        enc: EncodedAnswers,
        post: np.ndarray,
        skill: np.ndarray,
        row_group: np.ndarray | None = None,
        *,
        owned: bool = False,
    ) -> None:
        """Set the fitted attributes. ``owned`` (``enc`` was made by this fit alone): the per-item
        answer counts it caches become ``n_answers_per_item_`` without a copy."""
        items = enc.item_index()
        classes = enc.class_index()
        if row_group is not None and not isinstance(post, np.ndarray):  # sparse rows: one per item first
            post, row_group = post[row_group], None
        codes = self._hard_labels(post, row_group)
        if row_group is not None:
            post = post[row_group]  # a new array: the frame below may own it without a copy
        self.classes_ = enc.classes
        self.labels_ = pd.Series(classes.take(codes).array, index=items, name="label", copy=False)  # a fresh take
        if isinstance(post, np.ndarray):
            own_post = row_group is not None or self._owns_posterior
            self.probas_ = pd.DataFrame(post, index=items, columns=classes, copy=False if own_post else None)
            for name in ("probas_sparse_", "probas_rest_", "rest_prior_"):
                self.__dict__.pop(name, None)
        else:  # sparse shares (majority vote on a huge label set): ``probas_`` is not built
            for name in ("probas_", "probas_rest_", "rest_prior_"):
                self.__dict__.pop(name, None)
            if isinstance(post, RestPosterior):  # one-coin or GLAD: the answered cells and each item's rest
                self.probas_rest_ = pd.Series(post.rest_mass(), index=items, name="rest", copy=False)
                self.rest_prior_ = pd.Series(post.prior, index=classes, name="prior")
                post = post.cells
            self.probas_sparse_ = post
        self.annotator_skill_ = pd.Series(np.clip(skill, 0.0, 1.0), index=enc.annotator_index(), name="skill")
        self.n_answers_per_item_ = pd.Series(enc.answers_per_item, index=items, name="n_answers", copy=not owned)
        self.n_answers_ = enc.n_answers
        self.n_items_ = enc.n_items
        self.n_annotators_ = enc.n_annotators
        self.n_duplicates_ = enc.n_duplicates
        self.n_duplicates_dropped_ = enc.n_dropped
        self.label_codes_ = codes


@functools.cache
def _blas_controller() -> ThreadpoolController:
    """The BLAS libraries loaded when first needed, found once (a limit then costs microseconds), without resolving
    the paths of Python extension modules (:func:`._blas_libs.blas_controller`)."""
    return blas_controller()


def agreement_skill(enc: EncodedAnswers, codes: np.ndarray, block: int = 1 << 18) -> np.ndarray:
    """Fraction of each annotator's answers equal to the aggregated label of the item.

    In blocks of answers (temporaries a block long; the per-block counts are integers, so their
    sum does not depend on the block size, nor on the order of the answers), with a one-byte copy
    of the labels as the gather's table when ``K <= 127``. Each block counts ``2 * annotator + hit``
    keys made in a buffer (an unweighted ``bincount`` of a writeable ``intp`` array, which numpy
    does not copy; no boolean selection of the hits). A block of 2**18 answers keeps each buffer at
    2 MB. When the encoding deferred its item codes and has its sorted keys, the answers are read
    from the keys (:func:`_agreement_from_keys`) and the codes are never gathered; else from the
    codes (:func:`_agreement_from_codes`). The misses and hits of an annotator add up to their
    answers: ``enc.answers_per_annotator`` is taken from them (and cached) when the encoding has not
    counted it yet, instead of another pass over the codes.
    """
    table = codes.astype(np.int8) if enc.n_classes <= 127 else codes
    n_ann = enc.n_annotators
    if enc.row_keys is not None and not enc.item_codes_gathered:
        hits = _agreement_from_keys(enc.row_keys, table, max(n_ann, 1), enc.n_classes, block)
    else:
        hits = _agreement_from_codes(enc, table, block)
    n = enc.__dict__.get("answers_per_annotator")
    if n is None:  # exact integers: equal to the cached property's count of the codes
        n = enc.__dict__["answers_per_annotator"] = hits[0::2] + hits[1::2]
    return np.divide(hits[1::2], n, out=np.zeros(n_ann), where=n > 0)


def soft_agreement_skill(enc: EncodedAnswers, post: np.ndarray) -> np.ndarray:
    """Mean posterior probability of each annotator's answered label (their expected accuracy)."""
    p = post[enc.item_idx, enc.label_idx]
    n = enc.answers_per_annotator
    return np.divide(enc.annotator_sum(p), n, out=np.zeros(enc.n_annotators), where=n > 0)


def check_tol(value: Any, name: str = "tol") -> None:
    """A convergence tolerance: a finite real number >= 0 (not a bool)."""
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, (int, float, np.integer, np.floating))
        or not (np.isfinite(value) and value >= 0)
    ):
        raise InvalidParameterError(f"{name} must be a finite number >= 0, got {value!r}")


def check_common(est: BaseAggregator) -> None:
    """Validate the parameters every estimator shares."""
    check_choice("duplicates", est.duplicates, DUPLICATE_POLICIES)
    for attr in ("item_col", "annotator_col", "label_col"):
        check_column_name(attr, getattr(est, attr))
