"""Score models on original and corrected test labels (Northcutt, Athalye & Mueller, 2021)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_fraction, check_positive_int, is_number, seed_from, show
from .._validate.class_columns import columns_in_class_order
from .._validate.labels import _as_1d
from .._validate.probabilities import check_probs
from ..errors import InvalidParameterError, ShapeMismatchError, TooFewExamplesError
from ._averaged import averaged_metric, positive_code, with_default_average
from ._inputs import (
    align_predictions,
    align_rows,
    classes_named_by_columns,
    encode_against,
    is_accuracy,
    listed_classes,
    predictions_to_codes,
    resolve_metric,
    rows_named_by_index,
)
from ._proba_metrics import PROBA_METRICS
from ._undefined_metric import UndefinedScores
from .prevalence import (
    PrevalenceCurve,
    crossover_table,
    keep_counts,
    removal_order,
    scores_after_removal,
)

__all__ = ["CorrectedBenchmark", "corrected_benchmark"]

SUBSETS = ("original", "corrected", "correctable")


@dataclass(frozen=True)
class CorrectedBenchmark:
    """Models scored on the original test labels, on the corrected ones and on the correctable subset.

    Attributes
    ----------
    table : DataFrame
        One row per model: the score on ``original`` labels (all items), on ``corrected`` labels
        (excluded items dropped), on the ``correctable`` subset (items whose label was changed), and
        the rank under each (1 = best; ties share the best rank). With soft labels, also
        ``expected_corrected``: the expected accuracy under the human label distribution.
    models : tuple of str
    classes : ndarray
    given, corrected : ndarray of int
        Codes of the original and corrected labels (``-1``: excluded from the corrected test set).
    predicted : ndarray of int, shape (n_models, n_items)
    metric_name : str
    seeds, random_state : int
        Removal orders used by :meth:`prevalence_curve` and :attr:`crossovers` (``random_state``: the
        seed that ran, drawn afresh when :func:`corrected_benchmark` was given None).

    References
    ----------
    .. [1] C. G. Northcutt, A. Athalye and J. Mueller, "Pervasive Label Errors in Test Sets Destabilize
       Machine Learning Benchmarks", NeurIPS Datasets and Benchmarks, 2021.
    """

    table: pd.DataFrame
    models: tuple[str, ...]
    classes: np.ndarray
    given: np.ndarray
    corrected: np.ndarray
    predicted: np.ndarray
    metric_name: str
    metric: Callable[[np.ndarray, np.ndarray], float] = field(repr=False)
    seeds: int = 10
    random_state: int = 0

    @property
    def correctable(self) -> np.ndarray:
        """Mask of items whose corrected label differs from the given one."""
        return (self.corrected >= 0) & (self.corrected != self.given)

    @property
    def clean(self) -> np.ndarray:
        """Mask of items whose corrected label equals the given one."""
        return self.corrected == self.given

    @property
    def base_prevalence(self) -> float:
        """Share of correctable items in the corrected test set."""
        return float(self.correctable.sum() / max(int((self.corrected >= 0).sum()), 1))

    def _fast(self) -> Callable | None:
        return None if is_accuracy(self.metric_name) else self.metric

    def prevalence_curve(
        self,
        models: Sequence[str] | None = None,
        seeds: int | None = None,
        prevalences: Sequence[float] | None = None,
        random_state: int | None = None,
        band: float = 0.95,
    ) -> PrevalenceCurve:
        """Scores on corrected labels as correctly labelled items are removed at random.

        Parameters
        ----------
        models : list of str, optional
            Models to include (default: all).
        seeds : int, optional
            Number of random removal orders (default: :attr:`seeds`).
        prevalences : list of float, optional
            Target shares of correctable items, each at least :attr:`base_prevalence`
            (default: 21 points from it to ``max(0.5, base)``, each reachable keep count once: fewer
            points on a test set too small to reach 21 distinct prevalences).
        random_state : int, optional
            Seed of the removal orders (default: :attr:`random_state`).
        band : float
            Width of the band over seeds in :meth:`PrevalenceCurve.to_frame`.
        """
        idx = self._model_index(models)
        seeds = check_positive_int("seeds", self.seeds if seeds is None else seeds)
        band = check_fraction("band", band, closed_low=False, closed_high=True)
        rs = self.random_state if (seed := seed_from(random_state)) is None else seed
        c_idx, clean_idx = np.flatnonzero(self.correctable), np.flatnonzero(self.clean)
        if len(c_idx) == 0:
            raise TooFewExamplesError(
                "the prevalence curve needs at least one correctable test item (a corrected label that differs "
                "from the given one), got 0: the corrections change no label"
            )
        base = self.base_prevalence
        grid = np.linspace(base, max(0.5, base), 21) if prevalences is None else prevalences
        keep = keep_counts(len(c_idx), len(clean_idx), grid)
        if prevalences is None:  # on a small test set grid points round to one keep count: each once
            keep = np.unique(keep)[::-1]
        notes = UndefinedScores(self.metric_name)
        with notes.watch("", "of the prevalence curve (corrected labels, clean items removed)", [], []):
            scores = self._curve_scores(idx, c_idx, clean_idx, keep, seeds, rs)
        notes.say()
        prevalence = len(c_idx) / np.maximum(len(c_idx) + keep, 1)
        return PrevalenceCurve(
            tuple(self.models[i] for i in idx),
            prevalence,
            len(clean_idx) - keep,
            scores,
            band,
        )

    def _curve_scores(self, idx, c_idx, clean_idx, keep, seeds, rs) -> np.ndarray:
        return np.stack(
            [
                scores_after_removal(
                    self.predicted[idx],
                    self.corrected,
                    c_idx,
                    removal_order(clean_idx, s, rs),
                    keep,
                    self._fast(),
                )
                for s in range(seeds)
            ]
        )

    @cached_property
    def crossovers(self) -> pd.DataFrame:
        """For each pair of models, the prevalence of correctable items at which their order flips.

        With accuracy, every removal step is checked (exact); with other metrics, the 101 keep
        counts evenly spaced from all clean items to none. Columns: model_a (better on the full
        corrected test set; between tied models, the one better on the original labels, then the
        first by name, whatever order the models were given in), model_b, score_a, score_b, base_prevalence, share_flipped (share of
        seeds in which the order flips at all), prevalence (median over flipping seeds), ci_low,
        ci_high (2.5th and 97.5th percentiles) and increase (prevalence - base_prevalence).
        """
        c_idx, clean_idx = np.flatnonzero(self.correctable), np.flatnonzero(self.clean)
        n_clean = len(clean_idx)
        keep = (
            np.arange(n_clean, -1, -1)
            if is_accuracy(self.metric_name)
            else np.unique(np.linspace(0, n_clean, 101).round().astype(np.int64))[::-1]
        )

        def per_seed(s: int) -> tuple[np.ndarray, np.ndarray]:
            order = removal_order(clean_idx, s, self.random_state)
            return keep, scores_after_removal(self.predicted, self.corrected, c_idx, order, keep, self._fast())

        base, ties = (self.table[c].to_numpy(dtype=float) for c in ("corrected", "original"))
        notes = UndefinedScores(self.metric_name)
        with notes.watch("", "of the crossovers (corrected labels, clean items removed)", [], []):
            table = crossover_table(self.models, base, per_seed, len(c_idx), n_clean, self.seeds, tie_scores=ties)
        notes.say()
        return table

    def _model_index(self, models: Sequence[str] | None) -> list[int]:
        if models is None:
            return list(range(len(self.models)))
        if (
            isinstance(models, (str, bytes))
            or not isinstance(models, (Sequence, np.ndarray, pd.Index))
            or not len(models)
        ):
            # a bare name was read letter by letter ("cv_model" -> unknown ['c', 'v', ...])
            raise InvalidParameterError(
                f"models must be a non-empty list of model names (among {list(self.models)}), got "
                f"{type(models).__name__} {show(models)}" + (f"; write [{models!r}]" if isinstance(models, str) else "")
            )
        unknown = [m for m in models if m not in self.models]
        if unknown:
            raise InvalidParameterError(f"models must be among {list(self.models)}, got unknown {unknown}")
        return [self.models.index(m) for m in models]

    def to_frame(self) -> pd.DataFrame:
        """The score-and-rank table, one row per model."""
        return self.table.copy()


def _score(metric: Callable, y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(metric(y_true, y_pred)) if len(y_true) else np.nan


def _score_table(
    name: str, fn: Callable, models: list[str], pred: np.ndarray, g: np.ndarray, c: np.ndarray, classes: np.ndarray
) -> pd.DataFrame:
    """Each model's score on the original labels, the corrected ones and the correctable subset;
    a metric that cannot score these labels (``f1_score`` on more than two classes...) is an
    :class:`InvalidParameterError` naming it and the model, not the metric's own traceback.
    scikit-learn's undefined-metric warnings (a class never predicted) are said once, naming the
    class, the model and the labels (:mod:`._undefined_metric`)."""
    kept, fixable = c >= 0, (c >= 0) & (c != g)
    notes = UndefinedScores(name, classes)
    positive = getattr(fn, "keywords", {}).get("pos_label")

    def score(model: str, where: str, rows: Any, p: np.ndarray) -> float:
        truth = g if where == "original labels" else c[rows]
        with notes.watch(f"model {model!r}", where, truth, p[rows], positive):
            return _score(fn, truth, p[rows])

    try:
        columns = {
            "original": [score(m, "original labels", slice(None), p) for m, p in zip(models, pred, strict=True)],
            "corrected": [score(m, "corrected labels", kept, p) for m, p in zip(models, pred, strict=True)],
            "correctable": [score(m, "correctable subset", fixable, p) for m, p in zip(models, pred, strict=True)],
        }
    except (ValueError, TypeError) as exc:
        why = " ".join(str(exc).split())
        raise InvalidParameterError(
            f"metric {name!r} must score (y_true, y_pred) label arrays; it failed on these labels: "
            f"{type(exc).__name__}: {why}"
        ) from None
    notes.say()
    return pd.DataFrame(columns, index=pd.Index(models, name="model"))


def _on_codes(name: str, fn: Callable, metric: Any, classes: np.ndarray) -> tuple[str, Callable]:
    """The metric as it scores class codes ``0..K-1``: F1, precision, recall and Jaccard named without an
    average are binary for class ``1`` (``pos_label`` is its code, not code 1, which is the second class
    sorted) and macro-averaged (``f1_macro``) where that binary default cannot apply, as
    :func:`~labelwise.evaluate.slice_scores` reads them."""
    if not isinstance(metric, str):
        return name, fn
    pos = positive_code(metric, classes)
    return (name, partial(fn, pos_label=pos)) if pos is not None else with_default_average(name, fn, metric, classes)


def _classes(given: np.ndarray, corrected: np.ndarray, classes: Any, predictions: Any) -> np.ndarray:
    """Given ``classes``, or the labels seen: the given ones, then corrected ones not written as one of them.

    A corrected label that is the text of a given one (``"1"`` read from a CSV beside given ``1``)
    is that class, not a new one (else every item would count as corrected).
    """
    if classes is not None:
        named = _as_1d(classes, "classes")
        repeated = pd.Index(named.astype(object)).duplicated()
        if repeated.any():  # the class -> column index would be ambiguous (pandas' InvalidIndexError)
            raise InvalidParameterError(
                f"classes must name each probability column's class once, got {show(named[repeated][0])} twice"
            )
        return named
    values = list(pd.unique(given.astype(object)))
    text = {str(v) for v in values}
    numeric = {v for v in values if is_number(v)}
    for v in pd.unique(corrected[~pd.isna(corrected)].astype(object)):
        # 3 beside the given 3.0 (a label column of floats that are whole numbers) is that class
        if str(v) not in text and not (is_number(v) and v in numeric):
            values.append(v)
            text.add(str(v))
    seen = np.asarray(values, dtype=object)
    seen = np.concatenate([seen, np.array(classes_named_by_columns(predictions, seen), dtype=object)])
    try:
        return np.asarray(sorted(seen))
    except TypeError:
        return seen


def _label_metric(metric: Any) -> tuple[str, Callable]:
    """The metric's name and function; a metric of probabilities (``roc_auc``) is refused saying why (scikit-learn's
    own error named ``multi_class`` or ``y_prob``): the models are scored on their predicted labels."""
    if isinstance(metric, str) and metric in PROBA_METRICS:
        raise InvalidParameterError(
            f"metric must score predicted labels (each model's argmax), got {metric!r}, which scores probabilities: "
            "choose a label metric such as 'accuracy', 'balanced_accuracy' or 'f1'"
        )
    name, fn = averaged_metric(metric) or resolve_metric(metric)
    base = getattr(fn, "func", fn)  # a partial (f1_macro...) names its function
    sk_name = getattr(base, "__name__", "") if str(getattr(base, "__module__", "")).startswith("sklearn") else ""
    if isinstance(metric, str) and sk_name.endswith(("_loss", "_error")):
        # scikit-learn's convention: *_score is maximised, *_loss and *_error minimised; ranks, crossovers and the
        # "better model" here take higher as better, so a loss would rank the worst model first without a word
        better = {"zero_one_loss": " (1 - zero_one_loss)", "hamming_loss": " (1 - hamming_loss on class labels)"}
        raise InvalidParameterError(
            f"metric must be a score where higher is better (ranks and crossovers take the higher score as the "
            f"better model), got {metric!r}, a loss that is lower for better models: use 'accuracy'"
            f"{better.get(sk_name, '')} or another score, or a callable returning minus the loss"
        )
    return name, fn


def _expected_accuracy(
    soft_labels: Any, pred: np.ndarray, cls: np.ndarray, row_name: Callable[[int], str] | None
) -> np.ndarray:
    """Each model's expected accuracy under the human label distributions ``soft_labels`` (n, K)."""
    ordered = columns_in_class_order(soft_labels, cls, name="soft_labels")
    soft = check_probs(ordered, name="soft_labels", row_name=row_name)
    n = pred.shape[1]
    if soft.shape != (n, len(cls)):
        raise ShapeMismatchError(
            f"soft_labels must have shape {(n, len(cls))}, one column per class {listed_classes(cls)}, got "
            f"{soft.shape}; for classes no given or corrected label has, pass classes= (--classes on the "
            "command line)"
        )
    return soft[np.arange(n)[None, :], pred].mean(axis=1)


def corrected_benchmark(
    predictions: Mapping[str, Any],
    given: Any,
    corrected: Any,
    *,
    metric: str | Callable = "accuracy",
    soft_labels: Any = None,
    classes: Any = None,
    seeds: int = 10,
    random_state: int | np.random.Generator | None = 0,
) -> CorrectedBenchmark:
    """Score models on the original labels, the corrected labels and the correctable subset.

    Parameters
    ----------
    predictions : mapping of str -> array
        Per model, predicted labels (n,) or probabilities (n, K) with columns in ``classes`` order;
        a DataFrame of probabilities whose columns are named by class is matched by name, and the
        classes it names that no test item has join the default ``classes``. Rows are paired with
        ``given``'s by position, except that pandas objects beside a ``given`` Series are matched
        by index, as pandas does (also ``corrected`` and ``soft_labels``; an index with other keys
        is an error naming them).
    given : array-like of shape (n,)
        The original test labels.
    corrected : array-like of shape (n,)
        The corrected labels (``given``'s where it stands); None/NaN excludes an item (no agreed label).
    metric : str or callable
        A scikit-learn metric name (``"accuracy"``, ``"balanced_accuracy"``, ``"f1_score"``...) or
        ``f(y_true, y_pred) -> float`` (called with class codes ``0..K-1``); higher is better. ``f1``,
        ``precision``, ``recall``, ``jaccard``: binary for the class 1, else ``f1_macro`` (:func:`_on_codes`).
    soft_labels : array-like of shape (n, K), optional
        Human label distributions (e.g. vote shares); adds the ``expected_corrected`` column.
    classes : array-like, optional
        All classes in column order (default: sorted labels seen in ``given`` and ``corrected``, and
        the classes that probability DataFrames name).
    seeds : int
        Removal orders for :meth:`CorrectedBenchmark.prevalence_curve` and ``crossovers``.
    random_state : int, numpy.random.Generator or None
        Seeds those removal orders (a Generator gives one seed drawn from it). None draws a fresh
        seed from the operating system, as scikit-learn means None, so two runs differ; the seed
        drawn is the result's ``random_state``, to repeat the run.

    Returns
    -------
    CorrectedBenchmark

    Examples
    --------
    >>> import numpy as np
    >>> given = np.array([0, 0, 1, 1, 0, 1])
    >>> fixed = np.array([0, 1, 1, 1, 0, 0])
    >>> ev = corrected_benchmark({"a": given, "b": fixed}, given, fixed)
    >>> ev.table[["original", "corrected", "correctable"]].round(2).to_dict("index")["b"]
    {'original': 0.67, 'corrected': 1.0, 'correctable': 1.0}

    References
    ----------
    .. [1] C. G. Northcutt, A. Athalye and J. Mueller, "Pervasive Label Errors in Test Sets Destabilize
       Machine Learning Benchmarks", NeurIPS Datasets and Benchmarks, 2021.
    """
    name, fn = _label_metric(metric)
    predictions = align_predictions(given, "given", predictions)
    corrected, soft_labels = (
        align_rows(given, "given", v, n) for v, n in ((corrected, "corrected"), (soft_labels, "soft_labels"))
    )
    row_name = rows_named_by_index(given, "given")
    given_arr, corrected_arr = _as_1d(given, "given"), _as_1d(corrected, "corrected")
    if len(given_arr) == 0:
        raise TooFewExamplesError("given must hold at least one test label, got 0")
    if len(given_arr) != len(corrected_arr):
        raise ShapeMismatchError(
            f"corrected must have one label per test item (given has {len(given_arr)}), got {len(corrected_arr)}"
        )
    cls = _classes(given_arr, corrected_arr, classes, predictions)
    name, fn = _on_codes(name, fn, metric, cls)
    g = encode_against(given_arr, cls, name="given", row_name=row_name)
    c = encode_against(corrected_arr, cls, name="corrected", allow_missing=True, row_name=row_name)
    models, pred = predictions_to_codes(predictions, cls, len(g), row_name=row_name)
    table = _score_table(name, fn, models, pred, g, c, cls)
    if soft_labels is not None:
        table["expected_corrected"] = _expected_accuracy(soft_labels, pred, cls, row_name)
    for col in list(table.columns):
        table[f"{col}_rank"] = table[col].rank(ascending=False, method="min").astype("Int64")
    n_seeds, seed = check_positive_int("seeds", seeds), seed_from(random_state)
    if seed is None:  # fresh randomness, recorded in the result
        seed = int(np.random.default_rng().integers(0, 2**31 - 1))
    return CorrectedBenchmark(table, tuple(models), cls, g, c, pred, name, fn, n_seeds, seed)
