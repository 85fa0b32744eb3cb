"""Out-of-fold predicted probabilities for any scikit-learn classifier."""

from __future__ import annotations

from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold

from ._arrays import n_rows
from ._chunks import check_n_jobs
from ._progress import track
from ._validate.arguments import check_positive, check_positive_int, seed_from
from ._validate.label_copy import warn_label_in_features
from ._validate.labels import check_rows_per_class_for_folds, encode_labels
from ._validate.nan_features import naming_nan_in
from ._validate.row_order import check_row_order
from .errors import EstimatorError, ShapeMismatchError, TooFewExamplesError


def _take(X: Any, idx: np.ndarray) -> Any:
    if hasattr(X, "iloc"):
        return X.iloc[idx]
    if isinstance(X, (list, tuple)):  # e.g. a list of texts for a text pipeline
        return [X[i] for i in idx]
    return X[idx]


def _fit_fold(estimator: Any, X: Any, codes: np.ndarray, train: np.ndarray, test: np.ndarray, n_classes: int):
    model = clone(estimator)
    model.fit(_take(X, train), codes[train])
    fold_probs = np.asarray(model.predict_proba(_take(X, test)), dtype=np.float64)
    out = np.zeros((test.shape[0], n_classes))
    out[:, np.asarray(model.classes_, dtype=np.int64)] = fold_probs
    return test, out


def out_of_fold_probs(
    estimator: Any,
    X: Any,
    labels: Any,
    *,
    cv: int = 5,
    random_state: Any = None,
    n_jobs: int | None = None,
    verbose: bool | None = None,
    time_budget: float | None = None,
) -> np.ndarray:
    """Predicted probabilities for every example from a model that never saw it.

    The data are split by stratified K-fold cross-validation (shuffled with ``random_state``); a
    clone of ``estimator`` is fitted on each training part and predicts the held-out part.
    Confident learning needs such out-of-sample probabilities: in-sample ones are overconfident
    and hide the label errors the model memorised.

    Parameters
    ----------
    estimator : scikit-learn classifier or "auto"
        Anything with ``fit`` and ``predict_proba`` (a Pipeline works), or ``"auto"``: compare
        the model families of :func:`labelwise.models.choose_model` on the same folds (``X`` a
        DataFrame or 2-D array) and return the chosen (calibrated) probabilities (what was
        compared and chosen: call ``choose_model`` itself, with the same ``random_state``).
    X : array-like, sparse matrix or DataFrame of shape (n, ...)
        Features.
    labels : array-like of shape (n,)
        Given labels, paired with ``X``'s rows by position (pandas listing ``X``'s rows in another order: refused).
    cv : int, default 5
        Number of folds; every class needs at least ``cv`` examples.
    random_state : int, Generator or None
        Seed of the fold shuffling.
    n_jobs : int or None
        Folds fitted in parallel with joblib (``None`` = one at a time, with a progress bar on a
        terminal); with ``"auto"``, the pairs of fold and family after the first fold.
    verbose : bool or None
        Progress bar: ``None`` shows it only when stderr is a terminal.
    time_budget : float or None
        Seconds for ``estimator="auto"`` (default ``labelwise.models.DEFAULT_TIME_BUDGET``).

    Returns
    -------
    ndarray of float64, shape (n, K)
        Column ``k`` is the ``k``-th class in sorted order of the unique labels.

    Raises
    ------
    EstimatorError
        The estimator has no ``predict_proba``, or is a string other than ``"auto"``.
    TooFewExamplesError
        A class has fewer than ``cv`` examples.
    InvalidParameterError
        ``X`` has NaN and the estimator refuses NaN (the first row and column with one are named).

    References
    ----------
    .. [1] Northcutt, Jiang & Chuang, "Confident Learning: Estimating Uncertainty in Dataset
       Labels", JAIR 70, 2021, Section 2 (out-of-sample predicted probabilities).
    """
    n_jobs = check_n_jobs("n_jobs", n_jobs)
    if time_budget is not None:
        check_positive("time_budget", time_budget)
    check_row_order(X, "X", "the out-of-fold fits", labels=labels)
    if isinstance(estimator, str) and estimator == "auto":
        from .models import DEFAULT_TIME_BUDGET, choose_model

        budget = DEFAULT_TIME_BUDGET if time_budget is None else time_budget
        return choose_model(X, labels, cv=cv, time_budget=budget, random_state=random_state, n_jobs=n_jobs).probs
    _check_estimator(estimator)
    warn_label_in_features(X, labels)
    cv = check_positive_int("cv", cv, minimum=2)
    codes, classes = _check_folds_possible(X, labels, cv)
    folds = list(StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed_from(random_state)).split(codes, codes))
    probs = np.zeros((codes.shape[0], len(classes)))
    with naming_nan_in(X, estimator):
        if n_jobs is None or n_jobs == 1:
            results = (
                _fit_fold(estimator, X, codes, train, test, len(classes))
                for train, test in track(folds, total=cv, description="cross-validation folds", verbose=verbose)
            )
        else:
            results = Parallel(n_jobs=n_jobs)(
                delayed(_fit_fold)(estimator, X, codes, train, test, len(classes)) for train, test in folds
            )
        for test, fold_probs in results:
            probs[test] = fold_probs
    probs /= probs.sum(axis=1, keepdims=True)  # a fold may miss a class; some models' rows sum to 1 +- 1e-7
    return probs


def _check_estimator(estimator: Any) -> None:
    """A classifier with ``predict_proba``; a string other than ``"auto"`` is named as such."""
    if isinstance(estimator, str):
        raise EstimatorError(
            f'estimator must be a classifier with predict_proba or "auto", got the string {estimator!r} (for one '
            "family of the menu: labelwise.models.default_model(X, model=...); labelwise.models.MODELS lists them)"
        )
    if not hasattr(estimator, "predict_proba"):
        raise EstimatorError(
            f"estimator must have a predict_proba method, {type(estimator).__name__} has none "
            "(wrap it in sklearn.calibration.CalibratedClassifierCV)"
        )


def _check_folds_possible(X: Any, labels: Any, cv: int) -> tuple[np.ndarray, np.ndarray]:
    """Encode ``labels``; check they match ``X`` and every class has ``cv`` examples."""
    codes, classes = encode_labels(labels)
    if n_rows(X) != codes.shape[0]:
        raise ShapeMismatchError(f"X and labels must have the same length, got {n_rows(X)} and {codes.shape[0]}")
    counts = np.bincount(codes, minlength=len(classes))
    if len(classes) < 2:
        raise TooFewExamplesError(f"labels must contain at least 2 classes, got {len(classes)}")
    check_rows_per_class_for_folds(counts, classes, cv)
    return codes, classes


def out_of_fold_probs_on_cluster(
    estimator: Any,
    X: Any,
    labels: Any,
    *,
    cv: int = 5,
    random_state: Any = None,
    out: str | None = None,
    chunk_rows: int = 100_000,
) -> Any:
    """:func:`out_of_fold_probs` with the folds fitted on the workers of the current Dask client.

    Uses joblib's Dask backend (``joblib.parallel_config(backend="dask")``): each fold is one
    task, the data are scattered to the workers once, and the probabilities come back as a
    ``dask.array`` chunked by ``chunk_rows`` rows, written to a Zarr store when ``out`` is given.
    The folds are those of :func:`out_of_fold_probs` with the same ``random_state``, so the
    probabilities are identical. For models that fit in one worker: a dask DataFrame ``X`` (or
    dask ``labels``) is computed first.

    Parameters
    ----------
    estimator, X, labels, cv, random_state
        As in :func:`out_of_fold_probs`.
    out : str, optional
        Zarr store to write the probabilities to (chunked as returned).
    chunk_rows : int, default 100000
        Rows per chunk of the result.

    Returns
    -------
    dask.array.Array of shape (n, K)

    Raises
    ------
    MissingDependencyError
        Dask or distributed (or zarr, with ``out``; the ``dask`` extra) is not installed.
    InvalidParameterError
        No Dask client is running (``distributed.Client(...)`` first); or ``X`` has NaN and the
        estimator refuses NaN, as in :func:`out_of_fold_probs` (the computed ``X`` is searched for
        the first NaN only then: no extra pass over the Dask input).
    """
    import joblib

    from ._extras import require
    from .errors import InvalidParameterError

    da = require("dask.array", "out_of_fold_probs_on_cluster")
    distributed = require("distributed", "out_of_fold_probs_on_cluster")
    if out is not None:  # checked before the folds are fitted, not when the store is written
        require("zarr", f"out_of_fold_probs_on_cluster(out={out!r})")
    try:
        distributed.default_client()
    except ValueError:
        raise InvalidParameterError(
            "out_of_fold_probs_on_cluster needs a running Dask client (distributed.Client(...)), found none"
        ) from None
    check_positive_int("chunk_rows", chunk_rows)
    X = X.compute() if hasattr(X, "compute") else X
    labels = labels.compute() if hasattr(labels, "compute") else labels
    with joblib.parallel_config(backend="dask"):
        probs = out_of_fold_probs(estimator, X, labels, cv=cv, random_state=random_state, n_jobs=-1, verbose=False)
    result = da.from_array(probs, chunks=(chunk_rows, -1))
    if out is not None:
        result.to_zarr(out, overwrite=False)
        result = da.from_zarr(out)
    return result
