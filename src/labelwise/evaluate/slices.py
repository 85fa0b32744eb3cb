"""Scores per slice: a model's metrics, and the labels' flagged share, on each slice of the data.

Each metric is computed from the slice's confusion counts (one pass over the rows in blocks, a
bincount of ``true * K + pred`` per slice), so a slice of a million rows costs one metric call on
at most ``K * K`` weighted cells. The uncertainty is said, never hidden: accuracy (and the share
of flagged labels) get the Wilson score interval [1]_; any other metric a percentile bootstrap
[2]_ whose resamples are multinomial draws of the slice's confusion cells (the same law as
resampling its rows with replacement), seeded per slice. Slices under ``min_size`` rows are kept
and flagged ``small``. A metric's value is scikit-learn's; its warnings about an ill-defined value
on a slice (one class only, no predicted positive) are not repeated for each slice and resample.

References
----------
.. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
   inference. Journal of the American Statistical Association, 22(158), 209-212.
.. [2] Efron, B., & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from .._chunks import row_blocks
from .._validate.arguments import check_fraction, check_positive_int, check_random_state, seed_from, show
from .._validate.class_columns import columns_in_class_order
from .._validate.labels import _as_1d, _missing_mask
from .._validate.probabilities import check_probs
from ..errors import InvalidLabelsError, InvalidParameterError, ShapeMismatchError, TooFewExamplesError
from ._averaged import averaged_metric, with_default_average
from ._confusion_metrics import batch_metric
from ._inputs import align_rows, encode_against, is_accuracy, resolve_metric
from ._proba_metrics import PROBA_METRICS, proba_columns
from ._undefined_metric import UndefinedScores

__all__ = ["SliceScores", "slice_scores", "wilson_interval"]

OVERALL = "overall"


@dataclass(frozen=True)
class SliceScores:
    """Per-slice scores: one row per slice, ``overall`` first.

    Attributes
    ----------
    table : pandas.DataFrame
        Indexed by slice: ``n``, ``share`` (of all rows), ``small`` (``n < min_size``), then for
        each metric its value and ``<metric>_low`` / ``<metric>_high``; with issues ``n_issues``,
        ``issue_share`` (and its Wilson interval) and ``issue_lift`` (the slice's share over the
        overall one); with label-quality scores ``mean_label_quality``.
    intervals : dict
        How each interval was made: ``"wilson"``, ``"bootstrap"`` or ``"normal"`` (log loss and
        Brier score) per metric (and ``issue_share``).
    confidence : float
        The intervals' level.
    """

    table: pd.DataFrame
    intervals: dict[str, str]
    confidence: float

    def to_frame(self) -> pd.DataFrame:
        """The table (a copy)."""
        return self.table.copy()


def wilson_interval(successes: Any, n: Any, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a binomial proportion, elementwise (NaN where ``n == 0``) [1]_."""
    k, m = np.asarray(successes, dtype=float), np.asarray(n, dtype=float)
    z = float(norm.ppf(0.5 + confidence / 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / m
        denom = 1 + z * z / m
        centre = (p + z * z / (2 * m)) / denom
        half = z * np.sqrt(p * (1 - p) / m + z * z / (4 * m * m)) / denom
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def _aligned(y_true: Any, y_pred: Any, slices: Any, probs: Any, issues: Any, label_quality: Any) -> tuple:
    """``y_pred, slices, probs, issues, label_quality``, each pandas object matched to a ``y_true`` Series by index
    (:func:`._inputs.align_rows`); ``slices`` must be given."""
    if slices is None:
        raise InvalidParameterError("slices must be given (weak.apply_slices(sfs, df) makes them), got None")
    if hasattr(slices, "to_frame") and not isinstance(slices, pd.DataFrame):
        slices = slices.to_frame()  # a SliceMembership: indexed by the rows' ids
    if isinstance(slices, Mapping):
        slices = {k: align_rows(y_true, "y_true", v, f"slice {str(k)!r}") for k, v in slices.items()}
    else:
        slices = align_rows(y_true, "y_true", slices, "slices")
    given = {"y_pred": y_pred, "probs": probs, "issues": issues, "label_quality": label_quality}
    y_pred, probs, issues, label_quality = (align_rows(y_true, "y_true", v, n) for n, v in given.items())
    return y_pred, slices, probs, issues, label_quality


def _membership(slices: Any, n: int) -> tuple[np.ndarray, list[str]]:
    """``slices`` (a :class:`~labelwise.weak.SliceMembership`, a boolean DataFrame or a mapping
    name -> mask) as an (n, m) boolean matrix and the slices' names."""
    if hasattr(slices, "to_frame") and not isinstance(slices, pd.DataFrame):
        slices = slices.to_frame()
    if isinstance(slices, pd.DataFrame):
        names, columns = [str(c) for c in slices.columns], [slices[c].to_numpy() for c in slices.columns]
    elif isinstance(slices, Mapping):
        names, columns = [str(k) for k in slices], [np.asarray(v) for v in slices.values()]
    else:
        raise InvalidParameterError(
            "slices must be a SliceMembership (weak.apply_slices), a DataFrame of boolean columns or a mapping "
            f"name -> boolean mask, got {type(slices).__name__}"
        )
    if len(set(names)) != len(names) or OVERALL in names:
        bad = OVERALL if OVERALL in names else next(x for x in names if names.count(x) > 1)
        raise InvalidParameterError(f"slices must have distinct names other than {OVERALL!r}, got {bad!r}")
    matrix = np.zeros((n, len(names)), dtype=bool)
    for j, (name, column) in enumerate(zip(names, columns, strict=True)):
        if column.shape != (n,):
            raise ShapeMismatchError(f"slice {name!r} must have one value per row ({n}), got shape {column.shape}")
        if column.dtype != bool:
            raise InvalidParameterError(f"slice {name!r} must be a boolean mask, got dtype {column.dtype}")
        matrix[:, j] = column
    return matrix, names


def _holds(values: np.ndarray) -> str:
    """What ``values`` hold, for a message: texts, numbers, or both, with an example of each."""
    kept = values[~_missing_mask(values)].tolist()
    texts = [v for v in kept if isinstance(v, str)]
    others = [v for v in kept if not isinstance(v, str)]
    if texts and others:
        return f"texts and numbers ({show(texts[0])}, {show(others[0])})"
    return f"texts (e.g. {show(texts[0])})" if texts else f"numbers (e.g. {show(others[0])})" if others else "nothing"


def _labels(
    y_true: Any, y_pred: Any, probs: Any
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray | None]:
    """Classes, the codes of the true and predicted labels (from ``probs`` by argmax when no
    ``y_pred``) and the probabilities in class order (None when not given)."""
    true = _as_1d(y_true, "y_true")
    if len(true) == 0:
        raise TooFewExamplesError("y_true must hold at least one label, got 0")
    missing = _missing_mask(true)
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise InvalidLabelsError(f"y_true must not contain missing values, row {row} is {show(true[row])}")
    pred = None if y_pred is None else _as_1d(y_pred, "y_pred")
    if pred is not None and len(pred) != len(true):
        raise ShapeMismatchError(f"y_pred must have one label per row of y_true ({len(true)}), got {len(pred)}")
    seen = true if pred is None else np.concatenate([true.astype(object), pred.astype(object)])
    try:
        classes = np.sort(pd.unique(pd.Series(seen[~_missing_mask(seen)])))
        classes = np.asarray(classes.tolist())  # a numeric or text dtype, as scikit-learn's metrics want
    except TypeError:
        said = f"y_true holding {_holds(true)}" + ("" if pred is None else f" and y_pred {_holds(pred)}")
        raise InvalidLabelsError(
            f"{'y_true' if pred is None else 'y_true and y_pred'} must hold labels of one type (all strings or all "
            f"numbers), got {said}"
        ) from None
    t = encode_against(true, classes, name="y_true")
    p = None if pred is None else encode_against(pred, classes, name="y_pred")
    arr = None
    if probs is not None:
        arr = check_probs(np.asarray(columns_in_class_order(probs, classes, name="probs")), name="probs")
        if arr.shape != (len(true), len(classes)):
            raise ShapeMismatchError(
                f"probs must have one row per label ({len(true)}) and one column per class {classes.tolist()}, "
                f"got shape {arr.shape}"
            )
        if p is None:
            p = arr.argmax(axis=1).astype(np.int64)
    return classes, p, t, arr


def _cell_counts(pair: np.ndarray, matrix: np.ndarray, cells: int) -> np.ndarray:
    """(1 + m, cells) counts of each (true, pred) cell overall and in each slice, in row blocks."""
    out = np.zeros((1 + matrix.shape[1], cells), dtype=np.int64)
    for block in row_blocks(len(pair), 1 + matrix.shape[1]):
        p = pair[block]
        out[0] += np.bincount(p, minlength=cells)
        inside = matrix[block]
        for j in range(matrix.shape[1]):
            out[1 + j] += np.bincount(p[inside[:, j]], minlength=cells)
    return out


def _weighted_call(
    metric: Callable[..., float],
    name: str,
    cells: np.ndarray,
    counts: np.ndarray,
    classes: np.ndarray,
    notes: tuple[UndefinedScores, str] | None = None,
):
    """``metric`` on the rows the confusion ``counts`` describe (cells with no row left out); scikit-learn's
    undefined-metric warnings go to ``notes`` (collector, who), else are not repeated (bootstrap resamples)."""
    k = len(classes)
    keep = counts > 0
    true, pred = classes[cells[keep] // k], classes[cells[keep] % k]
    try:
        if notes is not None:
            with notes[0].watch(notes[1], "", true, pred, getattr(metric, "keywords", {}).get("pos_label")):
                return _call(metric, true, pred, counts[keep])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scikit-learn's notes on an ill-defined value (one class in a slice)
            return _call(metric, true, pred, counts[keep])
    except (ValueError, TypeError) as exc:
        raise InvalidParameterError(f"metric {name!r} failed on these labels: {exc}") from exc


def _call(metric: Callable[..., float], true: np.ndarray, pred: np.ndarray, weights: np.ndarray) -> float:
    if _takes_weights(metric):
        return float(metric(true, pred, sample_weight=weights))
    return float(metric(np.repeat(true, weights), np.repeat(pred, weights)))


def _takes_weights(metric: Callable[..., float]) -> bool:
    try:
        return "sample_weight" in inspect.signature(metric).parameters
    except (TypeError, ValueError):
        return False


def _bootstrap(metric, name, counts, classes, n_bootstrap, rng, confidence) -> tuple[float, float]:
    """Percentile interval of ``metric`` over multinomial resamples of the confusion ``counts``
    (all resamples in one array expression for the metrics of :mod:`._confusion_metrics`; other
    metrics are called once per resample)."""
    n = int(counts.sum())
    cells = np.flatnonzero(counts)
    draws = rng.multinomial(n, counts[cells] / n, size=n_bootstrap)
    full = np.zeros((n_bootstrap, len(counts)), dtype=np.int64)
    full[:, cells] = draws
    batched = (
        batch_metric(name, classes)
        if isinstance(name, str) and getattr(getattr(metric, "func", metric), "__module__", "").startswith("sklearn.")
        else None
    )
    if batched is not None:
        values = batched(full)
    else:
        values = np.array([_weighted_call(metric, name, np.arange(len(counts)), row, classes) for row in full])
    alpha = (1 - confidence) / 2
    low, high = np.nanquantile(values, [alpha, 1 - alpha]) if np.isfinite(values).any() else (np.nan, np.nan)
    return float(low), float(high)


def slice_scores(
    y_true: Any,
    y_pred: Any = None,
    slices: Any = None,
    *,
    metrics: Sequence[str | Callable[..., float]] = ("accuracy",),
    probs: Any = None,
    issues: Any = None,
    label_quality: Any = None,
    min_size: int = 30,
    confidence: float = 0.95,
    n_bootstrap: int = 200,
    random_state: Any = 0,
) -> SliceScores:
    """Score predictions (and the labels' flagged share) on the whole data and on each slice.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        The given labels. The other per-row inputs are paired with them by position; pandas objects
        beside a ``y_true`` Series are matched by index, as pandas does (other keys: an error).
    y_pred : array-like of shape (n,), optional
        A model's predicted labels (default: the argmax of ``probs``; neither: no metric is
        computed, only sizes and label issues).
    slices : SliceMembership, DataFrame of bools or mapping name -> boolean mask
        The slices (:func:`labelwise.weak.apply_slices`). A slice may be empty.
    metrics : sequence of str or callable, default ("accuracy",)
        scikit-learn metric names (``accuracy``, ``f1``, ``balanced_accuracy``...) or callables
        ``f(y_true, y_pred)``, resolved as :func:`labelwise.evaluate.corrected_benchmark` does;
        ``roc_auc``, ``log_loss``, ``brier`` need ``probs`` (:mod:`~labelwise.evaluate._proba_metrics`).
        ``f1`` and others beyond two classes: macro, column ``f1_macro`` (:mod:`~labelwise.evaluate._averaged`).
    probs : array-like of shape (n, K), optional
        Predicted probabilities, columns in sorted class order (or a DataFrame naming the classes);
        their argmax is the prediction when ``y_pred`` is not given.
    issues : array-like of bool of shape (n,), or an audit result with ``is_issue``, optional
        Rows whose label an audit flagged (:func:`labelwise.find_label_issues`): the share per
        slice says which slice has the noisiest labels.
    label_quality : array-like of float of shape (n,), optional
        Per-row label-quality scores (an audit's ``label_quality``): their mean per slice.
    min_size : int, default 30
        Slices with fewer rows are flagged ``small`` (their intervals are wide; they are kept).
    confidence : float, default 0.95
        Level of the intervals, in (0, 1).
    n_bootstrap : int, default 200
        Bootstrap resamples for the metrics other than accuracy (0: no interval for them).
    random_state : int or numpy.random.Generator, default 0
        Seed of the bootstrap (each slice draws from its own stream, so a slice's interval does
        not depend on the other slices given).

    Returns
    -------
    SliceScores
        ``table`` (one row per slice, ``overall`` first), ``intervals`` (how each was made).

    Raises
    ------
    InvalidParameterError
        An unknown metric or one that fails on the labels, a bad ``min_size``, ``confidence``,
        ``n_bootstrap`` or ``slices`` (not boolean, a name repeated or ``overall``).
    ShapeMismatchError, InvalidLabelsError
        Inputs of different lengths; missing true labels, or labels of mixed types.
    """
    y_pred, slices, probs, issues, label_quality = _aligned(y_true, y_pred, slices, probs, issues, label_quality)
    min_size = check_positive_int("min_size", min_size, minimum=1)
    confidence = check_fraction("confidence", confidence, closed_low=False)
    n_bootstrap = check_positive_int("n_bootstrap", n_bootstrap, minimum=0)
    rng = check_random_state(random_state)
    metrics = [metrics] if isinstance(metrics, (str, bytes)) or callable(metrics) else metrics
    resolved = _resolve(metrics, probs)
    classes, pred, true, probas = _labels(y_true, y_pred, probs)
    matrix, names = _membership(slices, n := len(true))
    sizes = np.concatenate([[n], matrix.sum(axis=0)]).astype(np.int64)
    table = pd.DataFrame({"n": sizes, "share": sizes / n}, index=pd.Index([OVERALL, *names], name="slice"))
    table["small"] = sizes < min_size
    intervals: dict[str, str] = {}
    if pred is not None and resolved:
        seed = seed_from(random_state)
        seed = int(rng.integers(0, 2**31 - 1)) if seed is None else seed
        draws = (n_bootstrap, seed, confidence)
        counts = _cell_counts(true * len(classes) + pred, matrix, len(classes) ** 2)
        for (name, fn), given in zip(resolved, metrics, strict=True):
            name, fn = (name, fn) if fn is None else with_default_average(name, fn, given, classes)
            value, low, high, intervals[name] = (
                proba_columns(name, np.asarray(probas), true, matrix, n_bootstrap, seed, confidence)
                if fn is None  # a metric of the probabilities (given: checked by _resolve)
                else _label_metric(fn, name, given, counts, classes, sizes, draws, table.index)
            )
            table[name], table[f"{name}_low"], table[f"{name}_high"] = value, low, high
    _label_columns(table, matrix, issues, label_quality, confidence, intervals)
    return SliceScores(table, intervals, confidence)


def _resolve(metrics: Sequence[Any], probs: Any) -> list[tuple[str, Any]]:
    """``(name, function)`` of each metric; the function is None for a metric of the probabilities
    (``roc_auc``, ``log_loss``, ``brier``), which needs ``probs``."""
    if not isinstance(metrics, (Sequence, np.ndarray, pd.Index)):  # a number raised "'int' object is not iterable"
        raise InvalidParameterError(
            f"metrics must be a metric name, a callable or a list of them, got {type(metrics).__name__} {show(metrics)}"
        )
    proba = [m for m in metrics if isinstance(m, str) and m in PROBA_METRICS]
    if proba and probs is None:
        raise InvalidParameterError(
            f"probs must be given (predicted probabilities, one column per class) for the metric {proba[0]!r}, got none"
        )
    return [(PROBA_METRICS[m], None) if m in proba else averaged_metric(m) or resolve_metric(m) for m in metrics]


def _label_metric(
    fn: Callable[..., float],
    name: str,
    given: Any,
    counts: np.ndarray,
    classes: np.ndarray,
    sizes: np.ndarray,
    draws: tuple[int, int, float],
    rows: Sequence[str],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """A metric of the predicted labels on each slice (``rows``: overall, then the slices), its interval and
    how it was made (Wilson for accuracy, else a bootstrap of the confusion cells; ``draws``: n_bootstrap,
    seed, confidence)."""
    n_bootstrap, seed, confidence = draws
    if isinstance(given, str) and is_accuracy(given):
        value, _, _ = _metric_columns(fn, name, counts, classes, 0, seed, confidence, rows)
        correct = counts[:, np.arange(len(classes)) * (len(classes) + 1)].sum(axis=1)
        low, high = wilson_interval(correct, sizes, confidence)
        return value, low, high, "wilson"
    return (*_metric_columns(fn, name, counts, classes, n_bootstrap, seed, confidence, rows), "bootstrap")


def _label_columns(
    table: pd.DataFrame,
    matrix: np.ndarray,
    issues: Any,
    label_quality: Any,
    confidence: float,
    intervals: dict[str, str],
) -> None:
    """Add the flagged share (Wilson interval, lift over overall) and the mean label quality per slice."""
    n, sizes = matrix.shape[0], table["n"].to_numpy()
    if issues is not None:
        flagged = _row_values(getattr(issues, "is_issue", issues), n, "issues", bool)
        hits = np.concatenate([[flagged.sum()], (matrix & flagged[:, None]).sum(axis=0)])
        table["n_issues"] = hits.astype(np.int64)
        with np.errstate(invalid="ignore", divide="ignore"):
            table["issue_share"] = hits / sizes
        table["issue_share_low"], table["issue_share_high"] = wilson_interval(hits, sizes, confidence)
        table["issue_lift"] = table["issue_share"] / table["issue_share"].iloc[0]
        intervals["issue_share"] = "wilson"
    if label_quality is not None:
        quality = _row_values(label_quality, n, "label_quality", float)
        with np.errstate(invalid="ignore", divide="ignore"):
            sums = [quality.sum(), *(quality[matrix[:, j]].sum() for j in range(matrix.shape[1]))]
            table["mean_label_quality"] = np.asarray(sums) / sizes


def _metric_columns(
    fn: Callable[..., float],
    name: str,
    counts: np.ndarray,
    classes: np.ndarray,
    n_bootstrap: int,
    seed: int,
    confidence: float,
    rows: Sequence[str] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One metric's value and bootstrap interval (NaN without resamples) on each row of ``counts``
    (overall, then each slice); slice ``s`` resamples from the stream seeded ``[seed, s]``."""
    k = len(classes)
    value, low, high = (np.full(len(counts), np.nan) for _ in range(3))
    notes = UndefinedScores(name)
    for s, c in enumerate(counts):
        if c.sum() == 0:
            continue
        who = "all rows" if s == 0 else f"slice {rows[s]!r}" if rows is not None else f"slice {s}"
        value[s] = _weighted_call(fn, name, np.arange(k * k), c, classes, (notes, who))
        if n_bootstrap > 0:
            low[s], high[s] = _bootstrap(
                fn, name, c, classes, n_bootstrap, np.random.default_rng([seed, s]), confidence
            )
    notes.say()
    return value, low, high


def _row_values(values: Any, n: int, name: str, kind: type) -> np.ndarray:
    arr = np.asarray(values.to_numpy() if isinstance(values, (pd.Series, pd.Index)) else values)
    if arr.shape != (n,):
        raise ShapeMismatchError(f"{name} must have one value per row ({n}), got shape {arr.shape}")
    if kind is bool and arr.dtype != bool:
        raise InvalidParameterError(f"{name} must be booleans (True = flagged), got dtype {arr.dtype}")
    if kind is float:
        if arr.dtype.kind not in "iuf" or not np.isfinite(arr).all():
            raise InvalidParameterError(f"{name} must be finite numbers, got dtype {arr.dtype} or a missing value")
        arr = arr.astype(float)
    return arr
