"""Probabilistic labels to predictions and back, tie-break policies, and Snorkel's metric scores.

The utilities a Snorkel 0.10 user calls around a label model (``snorkel.utils.probs_to_preds``,
``preds_to_probs``, ``filter_labels`` and ``snorkel.analysis.Scorer``), on class codes ``0..K-1``
with ``-1`` for an abstain or an unknown gold label.
"""

from __future__ import annotations

import hashlib
import inspect
import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from sklearn import metrics as skm

from .._validate.arguments import check_choice, check_random_state, show
from .._validate.row_alignment import align_rows
from ..errors import InvalidLabelsError, InvalidParameterError, InvalidProbabilitiesError, ShapeMismatchError
from ._names import TIE_BREAK_POLICIES

__all__ = [
    "METRICS",
    "TIE_BREAK_POLICIES",
    "MetricFunction",
    "check_metrics",
    "filter_labels",
    "preds_to_probs",
    "probs_to_preds",
    "score_predictions",
]


#: The metrics :func:`score_predictions` computes (Snorkel's ``Scorer`` names); ``roc_auc`` needs
#: probabilities of two classes, ``f1``, ``precision`` and ``recall`` score class 1 of two.
METRICS = (
    "accuracy",
    "coverage",
    "precision",
    "recall",
    "f1",
    "f1_micro",
    "f1_macro",
    "fbeta",
    "matthews_corrcoef",
    "roc_auc",
)


def _row_hash(i: int) -> int:
    """Snorkel's deterministic hash of a row position: SHA-1 of its decimal digits, as an integer."""
    return int(hashlib.sha1(str(i).encode("utf-8")).hexdigest(), 16)


def _check_scores(probs: Any, name: str) -> np.ndarray:
    arr = np.asarray(probs)
    if arr.dtype.kind not in "iuf" or arr.ndim != 2 or arr.shape[1] < 2:
        raise InvalidProbabilitiesError(
            f"{name} must be a 2-D numeric array with a column per class (at least 2), got "
            f"{'dtype ' + str(arr.dtype) if arr.dtype.kind not in 'iuf' else 'shape ' + str(arr.shape)}"
        )
    arr = arr.astype(np.float64, copy=False)
    bad = np.flatnonzero(~np.isfinite(arr).all(axis=1))
    if bad.size:
        raise InvalidProbabilitiesError(f"{name} must be finite, got {arr[bad[0]].tolist()} in row {bad[0]}")
    return arr


def tie_break(
    probs: np.ndarray, policy: str, *, tol: float = 1e-5, random_state: Any = None, name: str = "tie_break_policy"
) -> np.ndarray:
    """Class codes of the rows of ``probs`` (checked, float) under ``policy``; see :func:`probs_to_preds`."""
    check_choice(name, policy, TIE_BREAK_POLICIES)
    rng = check_random_state(random_state) if policy == "true-random" else None
    tied = np.abs(probs - probs.max(axis=1, keepdims=True)) < tol
    n_tied = tied.sum(axis=1)
    codes = np.argmax(tied, axis=1)  # the only (or first) tied class
    rows = np.flatnonzero(n_tied > 1)
    if not rows.size:
        return codes
    if policy == "abstain":
        codes[rows] = -1
        return codes
    if policy == "random":
        pick = np.array([_row_hash(int(i)) % int(n_tied[i]) for i in rows], dtype=np.int64)
    else:
        assert rng is not None
        pick = rng.integers(0, n_tied[rows])
    # the pick-th tied column: the first column where the running count of tied columns passes pick
    codes[rows] = np.argmax(np.cumsum(tied[rows], axis=1) > pick[:, None], axis=1)
    return codes


def probs_to_preds(
    probs: Any, tie_break_policy: str = "random", *, tol: float = 1e-5, random_state: Any = None
) -> np.ndarray:
    """Most probable class of each row, ties (within ``tol``) broken by ``tie_break_policy``.

    Snorkel's ``probs_to_preds``: classes within ``tol`` of the row's maximum are tied; one tied
    class is the prediction. ``"random"`` picks the ``h mod t``-th of the ``t`` tied classes with
    ``h`` the SHA-1 of the row position, the same on every run and the same as Snorkel's;
    ``"true-random"`` draws one from ``random_state``; ``"abstain"`` predicts -1.

    Parameters
    ----------
    probs : array-like of shape (n, K), K >= 2
        Probabilistic labels (rows need not sum to 1: any scores).
    tie_break_policy : {"random", "true-random", "abstain"}, default "random"
    tol : float, default 1e-5
        Classes whose probability is within ``tol`` of the maximum are tied.
    random_state : int, Generator or None
        For ``"true-random"`` only.

    Returns
    -------
    ndarray of int of shape (n,)
        Class codes (column positions), -1 for an abstained tie.

    Raises
    ------
    InvalidProbabilitiesError
        ``probs`` not a finite 2-D numeric array with at least 2 columns.
    InvalidParameterError
        An unknown ``tie_break_policy``, or ``tol`` not a number >= 0.

    Examples
    --------
    >>> import numpy as np
    >>> from labelwise import weak
    >>> weak.probs_to_preds(np.array([[0.5, 0.5], [0.8, 0.2]]), tie_break_policy="abstain").tolist()
    [-1, 0]
    """
    arr = _check_scores(probs, "probs")
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not 0 <= tol < np.inf:
        raise InvalidParameterError(f"tol must be a finite number >= 0, got {show(tol)}")
    check_random_state(random_state)
    return tie_break(arr, tie_break_policy, tol=float(tol), random_state=random_state)


def _check_codes(preds: Any, name: str, n_classes: int | None = None) -> np.ndarray:
    arr = np.asarray(preds)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1 or (arr.size and (arr.dtype.kind not in "iuf" or np.any(arr != np.round(arr)))):
        raise InvalidLabelsError(
            f"{name} must be a 1-D array of integer class codes (-1 = none), got shape {arr.shape} of dtype {arr.dtype}"
        )
    codes = arr.astype(np.int64)
    top = n_classes if n_classes is not None else np.inf
    bad = np.flatnonzero((codes < -1) | (codes >= top))
    if bad.size:
        raise InvalidLabelsError(
            f"{name} must hold class codes in -1..{top - 1}, got {codes[bad[0]]} at position {bad[0]}"
        )
    return codes


def preds_to_probs(preds: Any, n_classes: int) -> np.ndarray:
    """One-hot probabilistic labels of predictions (Snorkel's ``preds_to_probs``).

    Parameters
    ----------
    preds : array-like of int of shape (n,) or (n, 1)
        Class codes ``0..n_classes-1``; an abstain (-1) has no probabilistic label and is an error.
    n_classes : int >= 2

    Returns
    -------
    ndarray of shape (n, n_classes)

    Raises
    ------
    InvalidParameterError
        ``n_classes`` not an integer >= 2.
    InvalidLabelsError
        ``preds`` not integer codes in ``0..n_classes-1`` (an abstain is named as such).

    Examples
    --------
    >>> from labelwise import weak
    >>> weak.preds_to_probs([1, 0], 2).tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    if isinstance(n_classes, (bool, np.bool_)) or not isinstance(n_classes, (int, np.integer)) or n_classes < 2:
        raise InvalidParameterError(f"n_classes must be an integer >= 2, got {show(n_classes)}")
    codes = _check_codes(preds, "preds", int(n_classes))
    abstained = np.flatnonzero(codes < 0)
    if abstained.size:
        raise InvalidLabelsError(
            f"preds must hold no abstain (-1) to become probabilities, got -1 at position {abstained[0]}"
        )
    return np.eye(int(n_classes))[codes]


def filter_labels(label_dict: Mapping[str, Any], filter_dict: Mapping[str, Sequence[Any]]) -> dict[str, Any]:
    """Drop the rows where any named label array holds a value to filter (Snorkel's ``filter_labels``).

    Parameters
    ----------
    label_dict : mapping of name to array-like (or None)
        Aligned arrays (same length); None stays None.
    filter_dict : mapping of name to values
        For each name of ``label_dict``, the values whose rows are dropped from *every* array (e.g.
        ``{"golds": [-1], "preds": [-1]}``: unknown golds and abstained predictions).

    Returns
    -------
    dict
        The arrays of ``label_dict`` without those rows (numpy arrays; None stays None).

    Raises
    ------
    InvalidParameterError
        A name of ``filter_dict`` not in ``label_dict``.
    ShapeMismatchError
        Arrays of different lengths.

    Examples
    --------
    >>> from labelwise import weak
    >>> out = weak.filter_labels({"golds": [-1, 0, 1], "preds": [0, -1, 1]}, {"golds": [-1], "preds": [-1]})
    >>> out["golds"].tolist(), out["preds"].tolist()
    ([1], [1])
    """
    unknown = sorted(set(filter_dict) - set(label_dict), key=str)
    if unknown:
        raise InvalidParameterError(f"filter_dict must name arrays of label_dict {sorted(label_dict)}, got {unknown}")
    arrays = {key: None if value is None else np.asarray(value) for key, value in label_dict.items()}
    lengths = {key: len(a) for key, a in arrays.items() if a is not None}
    if len(set(lengths.values())) > 1:
        raise ShapeMismatchError(f"label_dict must hold arrays of one length, got lengths {lengths}")
    keep = np.ones(next(iter(lengths.values()), 0), dtype=bool)
    for key, values in filter_dict.items():
        a = arrays[key]
        if a is not None:
            keep &= ~np.isin(a, np.asarray(list(values))).reshape(len(a), -1).any(axis=1)
    return {key: None if a is None else a[keep] for key, a in arrays.items()}


def _metric(name: str, golds: np.ndarray, preds: np.ndarray, probs: np.ndarray | None, n_classes: int) -> float:
    binary = n_classes <= 2 and (golds.size == 0 or golds.max() <= 1)
    if name in ("f1", "precision", "recall", "fbeta", "roc_auc") and not binary:
        raise InvalidParameterError(
            f"metrics {name!r} scores class 1 of two; these labels have {n_classes} classes (use f1_micro or f1_macro)"
        )
    if name == "roc_auc":
        if probs is None or probs.shape[1] != 2:
            raise InvalidParameterError("metrics 'roc_auc' needs probabilities of two classes")
        return float(skm.roc_auc_score(golds, probs[:, 1]))
    if name == "fbeta":
        return float(skm.fbeta_score(golds, preds, beta=1.0))
    scorer = {
        "accuracy": skm.accuracy_score,
        "precision": skm.precision_score,
        "recall": skm.recall_score,
        "f1": skm.f1_score,
        "matthews_corrcoef": skm.matthews_corrcoef,
    }.get(name)
    if scorer is not None:
        return float(scorer(golds, preds))
    return float(skm.f1_score(golds, preds, average=name.removeprefix("f1_")))


#: A custom metric: ``f(golds, preds, probs) -> float`` (Snorkel's ``Scorer(custom_metric_funcs=...)``).
MetricFunction = Callable[[np.ndarray, np.ndarray, "np.ndarray | None"], float]


def check_metrics(metrics: Any) -> dict[str, str | MetricFunction]:
    """``metrics`` as ``{result key: metric name or function}``: a name of :data:`METRICS`, a function
    ``f(golds, preds, probs)`` (keyed by its ``__name__``), a list of them, or a dict naming each."""
    if isinstance(metrics, str) or callable(metrics):
        metrics = [metrics]
    if isinstance(metrics, Mapping):
        pairs = list(metrics.items())
        bad_key = next((k for k, _ in pairs if not isinstance(k, str) or not k), None)
        if bad_key is not None or not pairs:
            got = f"the key {bad_key!r}" if pairs else "an empty dict"
            raise InvalidParameterError(f"metrics must be a dict of non-empty names to metrics, got {got}")
    elif isinstance(metrics, (list, tuple)) and metrics:
        pairs = [(m if isinstance(m, str) else str(getattr(m, "__name__", m)), m) for m in metrics]
    else:
        raise InvalidParameterError(
            f"metrics must be metric names from {list(METRICS)} or functions f(golds, preds, probs) -> float, "
            f"got {show(metrics)}"
        )
    out: dict[str, str | MetricFunction] = {}
    for key, metric in pairs:
        if isinstance(metric, str):
            if metric not in METRICS:
                raise InvalidParameterError(f"metrics must be names from {list(METRICS)}, got {metric!r}")
        elif not callable(metric) or not _takes_three(metric):
            raise InvalidParameterError(
                f"metrics {key!r} must be a metric name or a function f(golds, preds, probs) -> float (wrap a "
                f"scikit-learn metric as lambda golds, preds, probs: f(golds, preds)), got {show(metric)}"
            )
        if key in out:
            raise InvalidParameterError(
                f"metrics must name each metric once, got {key!r} twice; pass a dict {{name: function}} to name them"
            )
        out[key] = metric
    return out


def _takes_three(f: Callable[..., Any]) -> bool:
    """Whether ``f`` can be called with three positional arguments."""
    try:
        inspect.signature(f).bind(None, None, None)
    except TypeError:
        return False
    except ValueError:  # no signature (some builtins): let the call say
        return True
    return True


def _custom(key: str, f: MetricFunction, golds: np.ndarray, preds: np.ndarray, probs: np.ndarray | None) -> float:
    """``f(golds, preds, probs)`` as a float; a function that raises or returns no number is named."""
    try:
        value = f(golds, preds, probs)
    except Exception as exc:
        raise InvalidParameterError(f"metrics {key!r} raised {type(exc).__name__}: {exc}") from exc
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        if not (isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "iuf"):
            raise InvalidParameterError(f"metrics {key!r} must return a number, got {show(value)[:80]}")
    return float(value)


def score_predictions(
    y: Any,
    preds: Any,
    probs: Any = None,
    *,
    metrics: Sequence[str | MetricFunction] | Mapping[str, str | MetricFunction] = ("accuracy",),
) -> dict[str, float]:
    """Snorkel's metric scores of predictions against gold labels, as class codes.

    Rows whose gold label is unknown (-1) or whose prediction abstained (-1) are left out of every
    metric but ``coverage`` (the share of rows predicted), as Snorkel's ``Scorer`` does.

    Parameters
    ----------
    y : array-like of int of shape (n,)
        Gold class codes, -1 = unknown.
    preds : array-like of int of shape (n,)
        Predicted class codes, -1 = abstain.
    probs : array-like of shape (n, K), optional
        Needed by ``roc_auc`` (binary). With ``y`` a pandas Series, a pandas ``preds`` or ``probs``
        is matched to it by index, as pandas matches two Series (other keys: an error); arrays
        are paired by position.
    metrics : sequence of str or callable, or dict, default ("accuracy",)
        Names from :data:`METRICS` and custom metrics ``f(golds, preds, probs) -> float``, the
        signature of Snorkel's ``Scorer(custom_metric_funcs=...)``: called with the rows left to
        score (class codes ``golds`` and ``preds``, ``probs`` their rows or None), keyed in the
        result by the function's ``__name__``; a dict ``{name: metric}`` names them. A
        scikit-learn metric ``f(y_true, y_pred)`` is wrapped: ``lambda g, p, _: f(g, p)``
        (passed bare, its third parameter would get ``probs``).

    Returns
    -------
    dict
        Metric name to score (NaN for a metric with no row left to score).

    Raises
    ------
    InvalidParameterError
        An unknown metric, a binary metric on more than two classes, or ``roc_auc`` without
        probabilities; a custom metric that does not take three arguments, raises or returns no
        number (each named).
    InvalidLabelsError
        ``y`` or ``preds`` not integer codes >= -1.
    ShapeMismatchError
        ``y``, ``preds`` and ``probs`` of different lengths, or no row at all.

    Examples
    --------
    >>> from labelwise import weak
    >>> weak.score_predictions([0, 1, 1, -1], [0, 1, -1, 0], metrics=["accuracy", "coverage"])
    {'accuracy': 1.0, 'coverage': 0.75}
    """
    named = check_metrics(metrics)
    preds, probs = align_rows(y, "y", preds, "preds"), align_rows(y, "y", probs, "probs")
    golds, predicted = _check_codes(y, "y"), _check_codes(preds, "preds")
    p = None if probs is None else _check_scores(probs, "probs")
    sizes = {"y": len(golds), "preds": len(predicted), **({} if p is None else {"probs": len(p)})}
    if len(set(sizes.values())) > 1 or not len(golds):
        raise ShapeMismatchError(f"y, preds and probs must have one (and the same) number of rows > 0, got {sizes}")
    n_classes = max(int(golds.max()), int(predicted.max())) + 1 if p is None else p.shape[1]
    keep = (golds >= 0) & (predicted >= 0)
    out = {}
    for key, metric in named.items():
        kept = None if p is None else p[keep]
        if metric == "coverage":
            out[key] = float(np.mean(predicted >= 0))
        elif not keep.any():
            out[key] = float("nan")
        elif isinstance(metric, str):
            out[key] = _metric(metric, golds[keep], predicted[keep], kept, n_classes)
        else:
            out[key] = _custom(key, metric, golds[keep], predicted[keep], kept)
    return out
