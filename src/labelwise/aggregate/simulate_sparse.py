"""Sparse simulated crowds: few answers per item, many classes, many annotators of very unequal
activity, with spammers and adversarial annotators.

These are the data on which Dawid-Skene is weakly identified or not identified at all (one answer
per item), used to choose and check the default aggregation prior. Every draw is vectorised and
seeded by ``random_state``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_fraction, check_positive_int, check_random_state
from ..errors import InvalidParameterError

__all__ = ["SparseCrowd", "simulate_sparse_crowd"]


@dataclass(frozen=True)
class SparseCrowd:
    """A simulated sparse crowd and its truth.

    Attributes
    ----------
    answers : DataFrame
        Long table (item, annotator, label); labels are ints ``0 .. K-1``.
    true_labels : Series
        True label per item (index = item).
    annotator_kind : Series
        ``"worker"``, ``"spammer"`` or ``"adversary"`` per annotator (index = annotator).
    """

    answers: pd.DataFrame
    true_labels: pd.Series
    annotator_kind: pd.Series

    def to_frame(self) -> pd.DataFrame:
        """The answers with a ``true_label`` and a ``correct`` column."""
        frame = self.answers.copy()
        frame["true_label"] = self.true_labels.to_numpy()[frame["item"].to_numpy()]
        frame["correct"] = frame["label"].to_numpy() == frame["true_label"].to_numpy()
        return frame


def _check(n_items: int, n_classes: int, n_annotators: int, answers_per_item: int, fractions: dict) -> None:
    check_positive_int("n_items", n_items)
    check_positive_int("n_annotators", n_annotators)
    check_positive_int("answers_per_item", answers_per_item)
    if not isinstance(n_classes, (int, np.integer)) or isinstance(n_classes, bool) or n_classes < 2:
        raise InvalidParameterError(f"n_classes must be an int >= 2, got {n_classes!r}")
    if answers_per_item > n_annotators:
        raise InvalidParameterError(
            f"answers_per_item must be <= n_annotators ({n_annotators}), got {answers_per_item}"
        )
    for name, value in fractions.items():
        check_fraction(name, value)
    if fractions["spammer_share"] + fractions["adversary_share"] >= 1:
        raise InvalidParameterError(
            "spammer_share + adversary_share must be < 1, got "
            f"{fractions['spammer_share']} + {fractions['adversary_share']}"
        )


def _pick_annotators(rng: np.random.Generator, n_items: int, r: int, activity: np.ndarray) -> np.ndarray:
    """``r`` distinct annotators per item, drawn with probability ``activity`` (rows: items)."""
    cdf = np.cumsum(activity / activity.sum())
    cdf[-1] = 1.0
    who = np.searchsorted(cdf, rng.random((n_items, r)), side="right")
    for _ in range(1000):  # redraw the items that drew one annotator twice
        srt = np.sort(who, axis=1)
        bad = np.flatnonzero((srt[:, 1:] == srt[:, :-1]).any(axis=1)) if r > 1 else np.empty(0, int)
        if bad.size == 0:
            return who
        who[bad] = np.searchsorted(cdf, rng.random((bad.size, r)), side="right")
    raise InvalidParameterError(f"answers_per_item={r} is too many for the annotators' activity distribution")


def simulate_sparse_crowd(
    n_items: int = 5000,
    n_classes: int = 10,
    n_annotators: int = 200,
    *,
    answers_per_item: int = 1,
    accuracy: tuple[float, float] = (0.4, 0.9),
    spammer_share: float = 0.1,
    adversary_share: float = 0.05,
    class_imbalance: float = 1.0,
    activity_skew: float = 1.0,
    random_state: Any = 0,
) -> SparseCrowd:
    """Simulate a sparse crowd with heterogeneous annotators.

    Parameters
    ----------
    n_items, n_classes, n_annotators : int
    answers_per_item : int, default 1
        Distinct annotators per item.
    accuracy : (low, high), default (0.4, 0.9)
        Workers' accuracies are uniform in this range; a worker's mistakes go to the other classes
        with the worker's own Dirichlet(0.5) preferences (class-dependent confusions).
    spammer_share : float, default 0.1
        Share of annotators who answer one fixed label half the time and a uniform label otherwise.
    adversary_share : float, default 0.05
        Share of annotators who answer the next class ``(k + 1) mod K`` with probability 0.8.
    class_imbalance : float, default 1.0
        Class prior ``∝ (k + 1) ** -class_imbalance`` (0: balanced).
    activity_skew : float, default 1.0
        Annotator ``j``'s share of the answers ``∝ (j + 1) ** -activity_skew`` (Zipf-like, as in
        real crowds; 0: equal activity).
    random_state : int, Generator or None

    Returns
    -------
    SparseCrowd
    """
    _check(
        n_items,
        n_classes,
        n_annotators,
        answers_per_item,
        {"spammer_share": spammer_share, "adversary_share": adversary_share},
    )
    lo, hi = accuracy
    if not 0 <= lo <= hi <= 1:
        raise InvalidParameterError(f"accuracy must be (low, high) with 0 <= low <= high <= 1, got {accuracy!r}")
    class_imbalance = check_fraction("class_imbalance", class_imbalance, high=np.inf)
    activity_skew = check_fraction("activity_skew", activity_skew, high=np.inf)
    rng = check_random_state(random_state)
    k = int(n_classes)
    prior = np.arange(1, k + 1) ** -float(class_imbalance)
    truth = rng.choice(k, n_items, p=prior / prior.sum())
    kind = rng.choice(3, n_annotators, p=[1 - spammer_share - adversary_share, spammer_share, adversary_share])
    acc = rng.uniform(lo, hi, n_annotators)
    activity = rng.permutation(np.arange(1, n_annotators + 1) ** -float(activity_skew))
    # each worker's wrong answers: offsets 1..K-1 from the truth, with the worker's own preferences
    offset_p = rng.dirichlet(np.full(k - 1, 0.5), n_annotators)
    fav = rng.integers(0, k, n_annotators)  # a spammer's fixed label

    who = _pick_annotators(rng, n_items, answers_per_item, activity).ravel()
    item = np.repeat(np.arange(n_items), answers_per_item)
    t = truth[item]
    u = rng.random(len(item))
    cdf = np.cumsum(offset_p[who], axis=1)
    offset = 1 + np.minimum((rng.random(len(item))[:, None] > cdf).sum(axis=1), k - 2)
    worker = np.where(u < acc[who], t, (t + offset) % k)
    spam = np.where(u < 0.5, fav[who], rng.integers(0, k, len(item)))
    adversary = np.where(u < 0.8, (t + 1) % k, rng.integers(0, k, len(item)))
    label = np.choose(kind[who], [worker, spam, adversary])
    answers = pd.DataFrame({"item": item, "annotator": who, "label": label})
    names = np.array(["worker", "spammer", "adversary"])
    return SparseCrowd(
        answers=answers,
        true_labels=pd.Series(truth, index=pd.RangeIndex(n_items, name="item"), name="label"),
        annotator_kind=pd.Series(names[kind], index=pd.RangeIndex(n_annotators, name="annotator"), name="kind"),
    )
