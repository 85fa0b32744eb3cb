"""ActiveLab: which item to label next, or to label once more (Goh and Mueller 2023).

A score per item from the CROWDLAB ensemble of a model and the annotators
(:class:`~labelwise.aggregate.CrowdLab`): low where the consensus is least certain, so one more
answer there is worth the most. Items without any answer are scored from the model alone, on the
same scale, so one ranking covers both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_positive, check_random_state, show
from .._validate.class_columns import columns_in_class_order
from .._validate.probabilities import check_probs
from ..errors import InvalidParameterError, ShapeMismatchError
from ._answers import encode_answers
from .crowdlab import CrowdLab, _align_models

__all__ = ["ActiveLabScores", "active_learning_scores", "fit_temperature", "scale_temperature"]

#: The temperatures tried first, then refined between the best one's neighbours (as in the
#: authors' cleanlab 2.9): 4 steps below the best, 5 above it, both ends included above.
COARSE_TEMPERATURES = (0.1, 0.2, 0.5, 0.8, 1.0, 2.0, 3.0, 5.0, 8.0)
_FINE_STEPS = 4
_TINY = 1e-30  # probabilities are clipped here before a log
_BLOCK = 1 << 16  # rows per block in the temperature search


def _scaled_log(log_p: np.ndarray, temperature: float) -> np.ndarray:
    """``log softmax(log_p / T)`` row by row, shifted by the row maximum (no overflow)."""
    z = log_p / max(temperature, 1e-6)
    z -= z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def _fine_grid(coarse: Sequence[float], best: int) -> np.ndarray:
    """The refined temperatures around ``coarse[best]``: between it and each neighbour."""
    parts = []
    if best > 0:
        parts.append(np.linspace(coarse[best - 1], coarse[best], _FINE_STEPS, endpoint=False))
    if best < len(coarse) - 1:
        parts.append(np.linspace(coarse[best], coarse[best + 1], _FINE_STEPS + 1))
    return np.concatenate(parts)


def _soft_cross_entropy(votes: np.ndarray, probs: np.ndarray, temperatures: np.ndarray) -> np.ndarray:
    """Mean over items of the cross-entropy (in units of ``log K``) between each item's share of
    answers per class and the model's probabilities at each temperature, in row blocks."""
    k = probs.shape[1]
    totals = np.zeros(len(temperatures))
    floor = np.log(_TINY)
    for start in range(0, len(probs), _BLOCK):
        share = votes[start : start + _BLOCK]
        share = share / share.sum(axis=1, keepdims=True)
        with np.errstate(divide="ignore"):
            log_p = np.log(probs[start : start + _BLOCK])
        for t, temp in enumerate(temperatures):
            totals[t] -= float(np.sum(share * np.maximum(_scaled_log(log_p, temp), floor)))
    return totals / (len(probs) * np.log(k))


def fit_temperature(votes: np.ndarray, probs: np.ndarray) -> float:
    """The temperature that best fits a model's probabilities to the annotators' answers.

    Minimises the mean soft cross-entropy between each item's empirical answer distribution
    (``votes`` divided by its row sum) and ``softmax(log probs / T)``, over
    :data:`COARSE_TEMPERATURES` and then a finer grid between the best one's neighbours: the
    calibration the authors' implementation of ActiveLab applies before CROWDLAB.

    Parameters
    ----------
    votes : ndarray of shape (n_items, K)
        Answers per item and class (every row has at least one).
    probs : ndarray of shape (n_items, K)
        The model's probabilities, rows summing to 1.

    Returns
    -------
    float
    """
    coarse = np.asarray(COARSE_TEMPERATURES)
    best = int(np.argmin(_soft_cross_entropy(votes, probs, coarse)))
    fine = _fine_grid(COARSE_TEMPERATURES, best)
    return float(fine[int(np.argmin(_soft_cross_entropy(votes, probs, fine)))])


def scale_temperature(probs: np.ndarray, temperature: float) -> np.ndarray:
    """``softmax(log probs / T)`` row by row (probabilities clipped at 1e-30 first): ``T < 1``
    sharpens, ``T > 1`` flattens, ``T = 1`` returns the rows renormalised."""
    out = np.empty(probs.shape, dtype=np.float64)
    for start in range(0, len(probs), _BLOCK):
        block = np.clip(probs[start : start + _BLOCK], _TINY, None)
        block = block / block.sum(axis=1, keepdims=True)
        out[start : start + _BLOCK] = np.exp(_scaled_log(np.log(block), temperature))
    return out


@dataclass(frozen=True)
class ActiveLabScores:
    """ActiveLab scores: lower = the more one more answer on the item is worth.

    Attributes
    ----------
    labeled : pandas.Series
        Score of each item with answers, indexed by item (sorted).
    unlabeled : pandas.Series
        Score of each item without answers, indexed by the ``probs_unlabeled`` rows' item ids
        (their DataFrame index, else ``0..n-1``); empty when none was given.
    consensus : pandas.Series
        The current label of every scored item: CROWDLAB's consensus for items with answers, the
        model's most probable class for the others (``labeled`` items first, then ``unlabeled``).
    temperature : float, or ndarray of shape (P,) for an ensemble of P models
        The temperature the model's probabilities were scaled by (each model's, for an ensemble).
    model_weight : float, or ndarray of shape (P,)
        CROWDLAB's weight of the model, or of each model (1 when every item has a single answer).
    mean_annotator_weight : float
        The mean of CROWDLAB's annotator weights: the weight of the uninformative prior ``1/K``.
    """

    labeled: pd.Series
    unlabeled: pd.Series
    consensus: pd.Series
    temperature: Any
    model_weight: Any
    mean_annotator_weight: float

    def to_frame(self) -> pd.DataFrame:
        """One row per item, lowest score (label next) first: ``item``, ``score``, ``labeled``,
        ``consensus``; ties keep labeled items (sorted) before unlabeled ones."""
        n_lab = len(self.labeled)
        frame = pd.DataFrame(
            {
                "item": np.concatenate([self.labeled.index.to_numpy(object), self.unlabeled.index.to_numpy(object)]),
                "score": np.concatenate([self.labeled.to_numpy(), self.unlabeled.to_numpy()]),
                "labeled": np.arange(n_lab + len(self.unlabeled)) < n_lab,
                "consensus": self.consensus.to_numpy(),
            }
        )
        return frame.sort_values("score", kind="stable").reset_index(drop=True)

    def next(self, n: int) -> pd.DataFrame:
        """The ``n`` items to label next (the first rows of :meth:`to_frame`)."""
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise InvalidParameterError(f"n must be an int >= 0 (how many items to label next), got {show(n)}")
        return self.to_frame().head(int(n))


def _unlabeled_probs(probs_unlabeled: Any, classes: np.ndarray) -> tuple[np.ndarray, pd.Index]:
    """``probs_unlabeled`` as an (n, K) array in class order and its item ids."""
    if isinstance(probs_unlabeled, pd.DataFrame):
        frame = columns_in_class_order(probs_unlabeled, list(classes), name="probs_unlabeled")
        index = probs_unlabeled.index
        if index.has_duplicates:
            raise InvalidParameterError(
                f"probs_unlabeled must have one row per item (index = item ids); "
                f"item {show(index[index.duplicated()][0])} has several"
            )
        arr = np.asarray(frame, dtype=np.float64)
    else:
        arr = np.asarray(probs_unlabeled)
        index = pd.RangeIndex(len(arr)) if arr.ndim >= 1 else pd.RangeIndex(0)
    if arr.ndim != 2 or arr.shape[1] != len(classes):
        raise ShapeMismatchError(
            f"probs_unlabeled must have shape (n_unlabeled, n_classes) with n_classes = {len(classes)} "
            f"(columns in class order {[c for c in classes[:20]]} or named by class), got shape {arr.shape}"
        )
    return np.asarray(check_probs(arr, name="probs_unlabeled"), dtype=np.float64), index


def _prior_average(quality: np.ndarray, weight: Any, prior_weight: float, k: int) -> np.ndarray:
    """ActiveLab's score: ``quality`` with weight ``weight`` averaged with ``1/K`` with weight ``prior_weight``."""
    return (weight * quality + prior_weight / k) / (weight + prior_weight)


def active_learning_scores(
    answers: pd.DataFrame | None,
    probs: Any = None,
    probs_unlabeled: Any = None,
    *,
    temperature: float | str = "fit",
    max_iter: int = 5,
    labels: Sequence[Any] | None = None,
    duplicates: str = "keep",
    item_col: str = "item",
    annotator_col: str = "annotator",
    label_col: str = "label",
    random_state: Any = 0,
) -> ActiveLabScores:
    r"""ActiveLab scores of items with answers and items without: lower = label next.

    ActiveLab (Goh and Mueller 2023) decides where one more answer helps most: on an item nobody
    has labeled yet, or on one whose consensus is shaky. Items with answers get CROWDLAB's
    consensus quality ``q_i`` (:class:`~labelwise.aggregate.CrowdLab`'s ``item_quality_``,
    the ensemble's probability of the consensus label), shrunk toward chance ``1/K`` as much as
    one average annotator would pull it:

    .. math::

        s_i = \frac{(w_M + \sum_{j \in i} w_j)\, q_i + \bar w / K}{w_M + \sum_{j \in i} w_j + \bar w}

    with CROWDLAB's model weight ``w_M``, its weights ``w_j`` of the item's annotators and their
    mean ``\bar w`` over all annotators: an item already answered by many trusted annotators has
    a score near its quality, one with a single weak answer is pulled toward ``1/K``. An item
    without answers is scored by the model's confidence alone, on the same scale:
    ``(w_M max_k m_{ik} + \bar w / K) / (w_M + \bar w)``.

    Before CROWDLAB the model's probabilities (both ``probs`` and ``probs_unlabeled``) are
    calibrated to the answers by temperature scaling (:func:`fit_temperature`). When every item
    has a single answer no annotator can be weighed against another: the temperature is 1, every
    weight is 1 and ``q_i`` is the model's probability of the given label.

    Parameters
    ----------
    answers : pandas.DataFrame or None
        Long answer table (``item_col``, ``annotator_col``, ``label_col``). None to score only
        ``probs_unlabeled`` (temperature 1, weights 1).
    probs : DataFrame or array, optional
        The model's out-of-fold probabilities of the items with answers, as in
        :class:`~labelwise.aggregate.CrowdLab` (required with ``answers``). An ensemble: a list of
        them, or an array of shape (P, n_items, K); each model gets its own temperature and
        CROWDLAB weight, and ``w_M`` above is the sum of the models' weights.
    probs_unlabeled : DataFrame or array of shape (n_unlabeled, K), optional
        The model's probabilities of items without answers: a DataFrame indexed by item (columns
        named by class, or in class order), or an array (items ``0..n-1``); for an ensemble, one
        per model (a list, or shape (P, n_unlabeled, K)). An ensemble scores an unanswered item by
        the weighted mean of its models' probabilities and ``1/K`` at the models' majority class.
    temperature : "fit" or float > 0, default "fit"
        ``"fit"`` calibrates to the answers; a number fixes it (1 = the probabilities as given).
    max_iter : int, default 5
        CROWDLAB's rounds (see :class:`~labelwise.aggregate.CrowdLab`).
    labels, duplicates, item_col, annotator_col, label_col, random_state
        As in :class:`~labelwise.aggregate.CrowdLab`.

    Returns
    -------
    ActiveLabScores

    Raises
    ------
    InvalidParameterError, ShapeMismatchError, InvalidProbabilitiesError
        Bad ``temperature``; ``probs`` without ``answers`` (or the reverse); probabilities of the
        wrong shape, with NaN, or not summing to 1; an item both answered and in ``probs_unlabeled``.

    References
    ----------
    .. [1] H. W. J. Goh and J. Mueller, "ActiveLab: Active Learning with Re-Labeling by Multiple
       Annotators", ICLR 2023 Workshop on Trustworthy ML, arXiv:2301.11856.
    .. [2] H. W. J. Goh, U. Tkachenko and J. Mueller, "CROWDLAB: Supervised learning to infer
       consensus labels and quality scores for data with multiple annotators", arXiv:2210.06812.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> answers = pd.DataFrame({"item": [0, 0, 1, 1, 2], "annotator": ["a", "b", "a", "b", "a"],
    ...                         "label": [0, 0, 0, 1, 1]})
    >>> probs = np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8]])
    >>> scores = active_learning_scores(answers, probs, np.array([[0.5, 0.5]]))
    >>> scores.next(2)["labeled"].tolist()
    [False, True]
    """
    fixed = _check_temperature(temperature)
    if answers is None:
        if probs is not None:
            raise InvalidParameterError(
                "answers is required with probs (the model's probabilities of the answered items); got None. "
                "Pass probs_unlabeled alone to score only items without answers"
            )
        if probs_unlabeled is None:
            raise InvalidParameterError("probs and probs_unlabeled are both None: give at least one to score")
        first = _models(probs_unlabeled)[0]
        k = np.shape(first)[1] if np.ndim(first) == 2 else 0
        classes = np.asarray(first.columns if isinstance(first, pd.DataFrame) else np.arange(k))
        n_models = len(_models(probs_unlabeled))
        temps = np.full(n_models, fixed or 1.0)
        return _with_unlabeled(_empty(), probs_unlabeled, classes, temps, np.ones(n_models), 1.0)
    if probs is None:
        raise InvalidParameterError(
            "probs is required with answers: the model's probabilities of every answered item "
            "(a DataFrame indexed by item with one column per class, or an (n_items, K) array); got None"
        )
    cl = CrowdLab(
        max_iter=max_iter,
        labels=labels,
        duplicates=duplicates,
        item_col=item_col,
        annotator_col=annotator_col,
        label_col=label_col,
        random_state=random_state,
    )
    cl._check_params()  # also where every item has one answer and CROWDLAB is not fitted
    check_random_state(random_state)
    enc = encode_answers(
        answers,
        labels=labels,
        duplicates=duplicates,
        item_col=item_col,
        annotator_col=annotator_col,
        label_col=label_col,
    )
    if enc.n_classes < 2:
        raise InvalidParameterError(
            f"answers must hold at least two classes to rank items by uncertainty (or declare them with labels=); "
            f"got {[c for c in enc.classes]}"
        )
    models = _align_models(probs, enc)  # (P, n_items, K)
    classes = np.asarray(enc.classes)
    if (enc.answers_per_item == 1).all():
        # nothing to weigh annotators by: weights 1, the models' confidence in the given label
        temps = np.full(len(models), fixed or 1.0)
        scaled = np.stack([scale_temperature(m, t) for m, t in zip(models, temps, strict=True)]) if fixed else models
        codes = np.zeros(enc.n_items, dtype=np.int64)
        codes[enc.item_idx] = enc.label_idx
        quality = scaled.mean(axis=0)[np.arange(enc.n_items), codes]
        w_m, w_bar = np.ones(len(models)), 1.0
        item_weight = np.full(enc.n_items, 1.0 + len(models))  # the models' and the one annotator's
    else:
        counts = enc.item_label_counts
        temps = np.array([fixed if fixed is not None else fit_temperature(counts, m) for m in models])
        scaled = np.stack([scale_temperature(m, t) for m, t in zip(models, temps, strict=True)])
        cl._fit_encoded(enc, scaled[0] if len(scaled) == 1 else scaled)
        codes = cl.label_codes_
        quality = cl.item_quality_.to_numpy()
        w_m = np.atleast_1d(np.asarray(cl.model_weight_, dtype=np.float64))
        weights = cl.annotator_weight_.to_numpy()
        w_bar = float(weights.mean())
        item_weight = w_m.sum() + enc.item_sum(weights[enc.annotator_idx])
    scores = _prior_average(quality, item_weight, w_bar, enc.n_classes)
    item_index = enc.item_index()
    base = ActiveLabScores(
        labeled=pd.Series(scores, index=item_index, name="score"),
        unlabeled=pd.Series([], dtype=np.float64, name="score"),
        consensus=pd.Series(classes[codes], index=item_index, name="consensus"),
        temperature=_scalar(temps),
        model_weight=_scalar(w_m),
        mean_annotator_weight=w_bar,
    )
    if probs_unlabeled is None:
        return base
    return _with_unlabeled(base, probs_unlabeled, classes, temps, w_m, w_bar)


def _models(probs: Any) -> list[Any]:
    """The models' probabilities: a list or a (P, n, K) array is an ensemble, anything else one model."""
    if isinstance(probs, (list, tuple)) or (isinstance(probs, np.ndarray) and probs.ndim == 3):
        return list(probs)
    return [probs]


def _scalar(values: np.ndarray) -> Any:
    """One model's value as a float, an ensemble's as the array."""
    return float(values[0]) if len(values) == 1 else values


def _check_temperature(temperature: Any) -> float | None:
    """None for ``"fit"``, else the positive number."""
    if isinstance(temperature, str):
        if temperature != "fit":
            raise InvalidParameterError(f"temperature must be 'fit' or a number > 0, got {temperature!r}")
        return None
    return check_positive("temperature", temperature)


def _empty() -> ActiveLabScores:
    empty = pd.Series([], dtype=np.float64, name="score")
    return ActiveLabScores(empty, empty, pd.Series([], dtype=object, name="consensus"), 1.0, 1.0, 1.0)


def _with_unlabeled(
    base: ActiveLabScores, probs_unlabeled: Any, classes: np.ndarray, temps: np.ndarray, w_m: np.ndarray, w_bar: float
) -> ActiveLabScores:
    """``base`` with the scores of the items without answers added.

    Each model's scaled probabilities and ``1/K`` are averaged with weights ``w_m`` and ``w_bar``;
    the score is that average at the item's label: the models' majority (ties broken by their
    mean), for one model its most probable class.
    """
    parts = _models(probs_unlabeled)
    if len(parts) != len(w_m):
        raise ShapeMismatchError(
            f"probs_unlabeled must hold as many models' probabilities as probs ({len(w_m)}), got {len(parts)}"
        )
    arrays = [_unlabeled_probs(part, classes) for part in parts]
    index = arrays[0][1]
    if any(not other.equals(index) for _, other in arrays[1:]):
        raise ShapeMismatchError("probs_unlabeled must list the same items, in the same order, for every model")
    clash = index.intersection(base.labeled.index) if isinstance(parts[0], pd.DataFrame) else []
    if len(clash):
        raise InvalidParameterError(
            f"probs_unlabeled must hold only items without answers; {len(clash)} of its items have answers, "
            f"e.g. {', '.join(show(v) for v in clash[:5])}"
        )
    k = len(classes)
    scaled = np.stack([scale_temperature(arr, t) for (arr, _), t in zip(arrays, temps, strict=True)])
    mean = scaled.mean(axis=0)
    votes = np.zeros_like(mean)
    for pred in scaled.argmax(axis=2):
        votes[np.arange(len(pred)), pred] += 1.0
    label = np.where(votes >= votes.max(axis=1, keepdims=True), 1.0 + mean, 0.0).argmax(axis=1)
    blended = (np.tensordot(w_m, scaled, axes=1) + w_bar / k) / (w_m.sum() + w_bar)
    scores = blended[np.arange(len(label)), label]
    guess = pd.Series(classes[label], index=index, name="consensus")
    return ActiveLabScores(
        labeled=base.labeled,
        unlabeled=pd.Series(scores, index=index, name="score"),
        consensus=pd.concat([base.consensus, guess]) if len(base.consensus) else guess,
        temperature=_scalar(np.asarray(temps, dtype=np.float64)),
        model_weight=_scalar(np.asarray(w_m, dtype=np.float64)),
        mean_annotator_weight=w_bar,
    )
