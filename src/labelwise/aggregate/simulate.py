"""Simulated annotators of known skill, to measure how much an aggregation method recovers.

Each simulated annotator has a true accuracy ``a_j``: on every item they answer, they give the
true label with probability ``a_j`` and otherwise a wrong label, drawn either uniformly among the
other classes (``errors="uniform"``, the one-coin model) or, with probability ``confusion_share``,
from the annotator's own favourite wrong class for that true class (``errors="confusion"``, class-
dependent mistakes as in the Dawid-Skene model). Every item gets ``answers_per_item`` distinct
annotators chosen uniformly at random. All draws are vectorised and seeded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_choice, check_fraction, check_positive_int, check_random_state
from .._validate.labels import encode_labels
from ..errors import InvalidParameterError

__all__ = ["SimulatedAnnotations", "simulate_annotators"]

ERRORS = ("uniform", "confusion")


@dataclass(frozen=True)
class SimulatedAnnotations:
    """Simulated answers with the truth they were drawn from.

    Attributes
    ----------
    answers : DataFrame
        Long table (item, annotator, label).
    true_labels : Series
        True label per item (index = item).
    annotator_accuracy : Series
        Each annotator's true probability of answering correctly (index = annotator).
    observed_accuracy : Series
        Share of each annotator's simulated answers that are correct.
    """

    answers: pd.DataFrame
    true_labels: pd.Series
    annotator_accuracy: pd.Series
    observed_accuracy: pd.Series

    def to_frame(self) -> pd.DataFrame:
        """The answers with a ``true_label`` and a ``correct`` column."""
        frame = self.answers.copy()
        frame["true_label"] = self.true_labels.reindex(frame["item"]).to_numpy()
        frame["correct"] = frame["label"].to_numpy() == frame["true_label"].to_numpy()
        return frame


def _digits_labels() -> pd.Series:
    from sklearn.datasets import load_digits

    target = load_digits().target.astype(np.int64)
    return pd.Series(target, index=pd.RangeIndex(len(target), name="item"), name="label")


def simulate_annotators(
    true_labels: Any = None,
    *,
    n_annotators: int = 10,
    answers_per_item: int = 3,
    accuracy: float | Sequence[float] | tuple[float, float] = (0.5, 0.95),
    errors: str = "uniform",
    confusion_share: float = 0.8,
    random_state: Any = 0,
) -> SimulatedAnnotations:
    """Simulate annotators of known accuracy labelling items with known true labels.

    Long because of its input checks and the three error models, each a few vectorised lines.

    Parameters
    ----------
    true_labels : array-like or Series, optional
        True label of each item (a Series' index gives the item ids). Default: the 1,797 labels
        of scikit-learn's digits (10 classes).
    n_annotators : int, default 10
    answers_per_item : int, default 3
        Distinct annotators per item (at most ``n_annotators``).
    accuracy : float, (low, high) or sequence of floats
        The annotators' true accuracies: one value for all, a ``(low, high)`` pair to draw them
        uniformly from (only when ``n_annotators != 2``), or one value per annotator.
    errors : {"uniform", "confusion"}
        How wrong answers are drawn (see the module docstring).
    confusion_share : float in [0, 1], default 0.8
        Under ``"confusion"``, the share of an annotator's mistakes on a class that go to their
        favourite wrong class for it (the rest are uniform).
    random_state : int, Generator or None, default 0

    Returns
    -------
    SimulatedAnnotations

    Examples
    --------
    >>> sim = simulate_annotators(n_annotators=5, answers_per_item=3, accuracy=0.9, random_state=0)
    >>> sim.answers.shape
    (5391, 3)
    """
    check_choice("errors", errors, ERRORS)
    share = check_fraction("confusion_share", confusion_share, closed_high=True)
    n_annotators = check_positive_int("n_annotators", n_annotators)
    answers_per_item = check_positive_int("answers_per_item", answers_per_item)
    if answers_per_item > n_annotators:
        raise InvalidParameterError(
            f"answers_per_item must be at most n_annotators ({n_annotators}), got {answers_per_item}"
        )
    if true_labels is None:
        truth = _digits_labels()
    elif isinstance(true_labels, pd.Series):
        truth = true_labels
    else:
        arr = np.asarray(true_labels)
        truth = pd.Series(arr, index=pd.RangeIndex(arr.shape[0], name="item") if arr.ndim == 1 else None, name="label")
    codes, classes = encode_labels(truth.to_numpy(), name="true_labels")
    if not truth.index.is_unique:
        repeated = truth.index[truth.index.duplicated()].unique()[:5].tolist()
        raise InvalidParameterError(
            f"true_labels must have a unique index (one true label per item), got repeated items {repeated}"
        )
    k = len(classes)
    if k < 2:
        raise InvalidParameterError(f"true_labels must have at least 2 classes, got {k} ({list(classes)})")
    rng = check_random_state(random_state)
    acc = _accuracies(accuracy, n_annotators, rng)
    n = codes.shape[0]
    # distinct annotators per item: the first r columns of a random permutation per row
    who = np.argsort(rng.random((n, n_annotators)), axis=1)[:, :answers_per_item].ravel()
    item_pos = np.repeat(np.arange(n), answers_per_item)
    true = codes[item_pos]
    correct = rng.random(who.shape[0]) < acc[who]
    # a wrong label: uniform over the K-1 other classes, offset from the true one
    uniform_wrong = (true + 1 + rng.integers(0, k - 1, size=who.shape[0])) % k
    if errors == "confusion":
        # each annotator's favourite wrong class per true class, never the true class itself
        favourite = (np.arange(k)[None, :] + 1 + rng.integers(0, k - 1, size=(n_annotators, k))) % k
        use_fav = rng.random(who.shape[0]) < share
        wrong = np.where(use_fav, favourite[who, true], uniform_wrong)
    else:
        wrong = uniform_wrong
    given = np.where(correct, true, wrong)
    annotator_ids = np.array([f"a{j:0{len(str(n_annotators - 1))}d}" for j in range(n_annotators)], dtype=object)
    items = truth.index.to_numpy()
    answers = pd.DataFrame({"item": items[item_pos], "annotator": annotator_ids[who], "label": classes[given]})
    hits = np.bincount(who, weights=correct.astype(np.float64), minlength=n_annotators)
    total = np.bincount(who, minlength=n_annotators)
    observed = np.divide(hits, total, out=np.full(n_annotators, np.nan), where=total > 0)
    index = pd.Index(annotator_ids, name="annotator")
    return SimulatedAnnotations(
        answers=answers,
        true_labels=pd.Series(classes[codes], index=truth.index.rename("item"), name="label"),
        annotator_accuracy=pd.Series(acc, index=index, name="accuracy"),
        observed_accuracy=pd.Series(observed, index=index, name="observed_accuracy"),
    )


def _accuracies(accuracy: Any, n_annotators: int, rng: np.random.Generator) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(accuracy, dtype=np.float64)) if not isinstance(accuracy, str) else None
    if arr is None or arr.ndim != 1 or not np.all(np.isfinite(arr)):
        raise InvalidParameterError(
            f"accuracy must be a number, a (low, high) pair or one number per annotator, got {accuracy!r}"
        )
    if np.any((arr < 0) | (arr > 1)):
        raise InvalidParameterError(f"accuracy values must be in [0, 1], got {accuracy!r}")
    if arr.shape[0] == 1:
        return np.full(n_annotators, arr[0])
    if arr.shape[0] == 2 and n_annotators != 2:
        low, high = float(arr[0]), float(arr[1])
        if low > high:
            raise InvalidParameterError(f"accuracy range must be (low, high) with low <= high, got {accuracy!r}")
        return rng.uniform(low, high, size=n_annotators)
    if arr.shape[0] != n_annotators:
        raise InvalidParameterError(
            f"accuracy must have one value per annotator ({n_annotators}) or be a (low, high) pair, got {arr.shape[0]} values"
        )
    return arr
