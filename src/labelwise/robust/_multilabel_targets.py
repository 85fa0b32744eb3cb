"""Inputs of :class:`~labelwise.robust.CleanMultilabelClassifier`: tag targets, given probabilities, out-of-fold probabilities."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.utils import _safe_indexing

from .._meta import fit_clone
from .._progress import track
from .._tag_cells import DEFAULT_SEPARATOR
from .._validate.arguments import check_positive_int, show
from ..audit.multilabel import encode_multilabel
from ..errors import (
    InvalidLabelsError,
    InvalidParameterError,
    InvalidProbabilitiesError,
    LabelwiseError,
    ShapeMismatchError,
    TooFewExamplesError,
)
from .multilabel_folds import IterativeStratifiedKFold


def encode_tag_targets(y: Any, n_rows: int, *, tag_separator: str = DEFAULT_SEPARATOR) -> tuple[np.ndarray, np.ndarray]:
    """``y`` as an ``(n_rows, K)`` boolean matrix and the tag of each column.

    ``y`` is a 0/1 indicator matrix (array, sparse matrix or DataFrame, whose column names become
    the tags) or one list of tags per row (``"a|b"`` strings are split at ``tag_separator``), as
    :func:`labelwise.audit.multilabel.encode_multilabel` reads them. Errors name ``y``.
    """
    if y is None:
        raise InvalidLabelsError("CleanMultilabelClassifier requires y to be passed, but the target y is None")
    classes = None
    if sp.issparse(y):
        y = y.toarray()
    if isinstance(y, pd.DataFrame):
        classes = list(y.columns)
        y = y.to_numpy()
    elif isinstance(y, pd.Series):
        y = y.tolist()
    elif isinstance(y, np.ndarray) and y.ndim == 1 and y.dtype != object:
        raise InvalidLabelsError(
            f"y must be a 2-D 0/1 tag matrix (n_rows, n_tags) or one list of tags per row, got a 1-D array of "
            f"{y.dtype} (one class per row: use labelwise.robust.CleanClassifier)"
        )
    if isinstance(y, np.ndarray) and y.ndim not in (1, 2):
        raise InvalidLabelsError(f"y must be a 2-D 0/1 tag matrix or one list of tags per row, got shape {y.shape}")
    try:
        given, tags = encode_multilabel(y, classes=classes, tag_separator=tag_separator)
    except LabelwiseError as exc:  # the audit's messages name "labels": here the parameter is y
        raise type(exc)(str(exc).replace("labels", "y", 1)) from None
    if given.shape[0] != n_rows:
        raise ShapeMismatchError(f"X and y must have the same number of rows, got {n_rows} and {given.shape[0]}")
    if given.shape[1] < 1:
        raise InvalidLabelsError("y must name at least one tag, got none (every row has an empty tag list)")
    return given, tags


def trainable_tags(given: np.ndarray, cv: int) -> np.ndarray:
    """Per tag, whether it has at least ``cv`` present and ``cv`` absent rows (so it can be cross-validated);
    :class:`TooFewExamplesError` naming ``y`` when no tag has."""
    n, k = given.shape
    n_pos = given.sum(axis=0)
    trainable = (n_pos >= cv) & (n - n_pos >= cv)
    if not trainable.any():
        raise TooFewExamplesError(
            f"y has no tag with at least cv={cv} present and cv={cv} absent rows, got {n} rows and "
            f"{k} tag(s) present on {sorted({int(p) for p in n_pos})[:10]} rows (use fewer folds or more rows)"
        )
    return trainable


def check_pred_probs(pred_probs: Any, shape: tuple[int, int]) -> np.ndarray:
    """``pred_probs`` as float64 of ``shape`` with values in [0, 1]; errors name ``pred_probs``."""
    arr = np.asarray(pred_probs)
    if arr.dtype.kind not in "fiub" or arr.shape != shape:
        raise InvalidProbabilitiesError(
            f"pred_probs must be a numeric array of shape {shape} (one out-of-fold probability per row and tag), "
            f"got shape {arr.shape} and dtype {arr.dtype}"
        )
    arr = arr.astype(np.float64)
    bad = ~np.isfinite(arr) | (arr < 0) | (arr > 1)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise InvalidProbabilitiesError(f"pred_probs must lie in [0, 1], row {r} column {c} is {show(arr[r, c])}")
    return arr


def positive_column(model: Any, proba: np.ndarray) -> np.ndarray:
    """The column of ``proba`` of class 1 ("tag present") of a binary ``model`` fitted on 0/1 codes."""
    seen = np.asarray(getattr(model, "classes_", [0, 1]))
    hit = np.flatnonzero(seen == 1)
    return np.asarray(proba, dtype=np.float64)[:, hit[0]] if hit.size else np.zeros(proba.shape[0])


def tag_splitter(cv: Any, seed: int | None) -> Any:
    """``cv`` as a splitter: an int is :class:`IterativeStratifiedKFold` with that many folds; an
    object with ``split`` and ``get_n_splits`` is used as it is; a list of ``(train, test)`` row
    index pairs (scikit-learn's iterable ``cv``) is those folds. Errors name ``cv``."""
    if isinstance(cv, (numbers.Integral, np.integer)) and not isinstance(cv, bool):
        return IterativeStratifiedKFold(check_positive_int("cv", cv, minimum=2), random_state=seed)
    if callable(getattr(cv, "split", None)) and callable(getattr(cv, "get_n_splits", None)):
        return cv
    if isinstance(cv, (list, tuple)):
        from sklearn.model_selection import check_cv

        return check_cv(cv)  # the folds as given; tag_folds checks that they are (train, test) pairs
    got = show(cv)
    raise InvalidParameterError(
        f"cv must be an integer >= 2 (iterative stratified folds) or a splitter with split() and get_n_splits() "
        f"(or a list of (train, test) row index pairs), got {got if len(got) <= 80 else type(cv).__name__}"
    )


def tag_folds(splitter: Any, X: Any, given: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The ``(train, test)`` rows of ``splitter.split(X, given)``, checked to put every row in exactly one
    test part (so each row gets one out-of-fold probability); errors name ``cv``."""
    n = given.shape[0]
    try:
        folds = [
            (np.asarray(tr, dtype=np.int64), np.asarray(te, dtype=np.int64)) for tr, te in splitter.split(X, given)
        ]
    except LabelwiseError:
        raise
    except (ValueError, TypeError, IndexError) as exc:  # a splitter that needs groups, folds that are not pairs
        raise InvalidParameterError(
            f"cv must split the {n} rows into (train, test) index pairs from split(X, y), got "
            f"{type(splitter).__name__} raising {type(exc).__name__}: {exc}"
        ) from None
    seen = np.bincount(np.concatenate([te for _, te in folds] or [np.empty(0, np.int64)]), minlength=n)
    wrong = int((seen[:n] != 1).sum()) + int(seen[n:].sum())
    if len(folds) < 2 or wrong:
        raise InvalidParameterError(
            f"cv must split the {n} rows into at least 2 folds whose test parts hold every row exactly once, got "
            f"{len(folds)} fold(s) from {splitter!r} with {wrong} row(s) in no test part, in several, or out of range"
        )
    return folds


def fold_trainable(given: np.ndarray, folds: list, weights: np.ndarray | None, trainable: np.ndarray) -> np.ndarray:
    """``trainable``, less the tags of which some fold's training rows (of positive weight) hold one value only."""
    out = trainable.copy()
    for train, _ in folds:
        rows = train if weights is None else train[weights[train] > 0]
        pos = given[rows].sum(axis=0)
        out &= (pos > 0) & (pos < rows.size)
    return out


def _fold_probs(template: Any, X: Any, col: np.ndarray, train: np.ndarray, test: np.ndarray, weights: Any) -> Any:
    rows = train if weights is None else train[weights[train] > 0]
    model = fit_clone(template, X, col, rows, weights)
    return positive_column(model, model.predict_proba(_safe_indexing(X, test)))


def out_of_fold_tag_probs(
    template: Any,
    X: Any,
    given: np.ndarray,
    trainable: np.ndarray,
    folds: list[tuple[np.ndarray, np.ndarray]],
    *,
    weights: np.ndarray | None = None,
    n_jobs: int | None = None,
    verbose: Any = False,
) -> np.ndarray:
    """Per tag, ``P(tag present)`` of every row from a binary model that never saw the row.

    Every trainable tag is cross-validated on the same ``folds`` (a clone of ``template`` per tag
    and fold, weighted by ``weights`` where given, rows of weight 0 left out of the training
    part); the fits run in ``n_jobs`` joblib workers. A tag that is not trainable keeps its given
    0/1 values, which confident learning never flags.
    """
    probs = given.astype(np.float64)
    tasks = [(j, test, train) for j in np.flatnonzero(trainable).tolist() for train, test in folds]
    columns = [given[:, j].astype(np.int64) for j in range(given.shape[1])]
    if n_jobs is None or n_jobs == 1:
        steps = track(tasks, description="out-of-fold tags", verbose=verbose)
        results = [_fold_probs(template, X, columns[j], train, test, weights) for j, test, train in steps]
    else:
        results = Parallel(n_jobs=n_jobs)(
            delayed(_fold_probs)(template, X, columns[j], train, test, weights) for j, test, train in tasks
        )
    for (j, test, _), column in zip(tasks, results, strict=True):
        probs[test, j] = column
    return probs
