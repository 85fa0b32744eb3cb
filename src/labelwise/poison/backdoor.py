"""Backdoor poisoning (BadNets): stamp a trigger on some training rows and label them as a target.

:func:`backdoor` poisons a training set as the Adversarial Robustness Toolbox's
``PoisoningAttackBackdoor`` with ``add_pattern_bd`` / ``add_single_bd`` does (the same pixels, the
same values), choosing the rows itself from a seed and a budget; :func:`attack_success_rate`
measures what the attack bought on a test set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_positive_int, check_random_state
from .._validate.labels import _as_1d, check_same_length, encode_labels
from .._validate.row_order import check_row_order
from ..errors import EstimatorError, InvalidLabelsError, InvalidParameterError
from ..noise._flip import in_input_kind, raw_labels
from ._common import READER, FlippedRows, budget_count, row_index
from ._triggers import TRIGGERS, Trigger, check_images, make_trigger

__all__ = ["BackdoorPoisoning", "BackdoorScore", "TRIGGERS", "Trigger", "attack_success_rate", "backdoor"]


@dataclass(frozen=True)
class BackdoorPoisoning(FlippedRows):
    """A training set after a backdoor attack.

    Attributes
    ----------
    X : ndarray
        The poisoned rows: a copy of the input, the trigger stamped on the poisoned rows.
    labels : ndarray, Series, Index or Categorical of shape (n,)
        The poisoned labels in the input's kind, dtype and values (a ``Series`` keeps its index and
        name): ``target`` on the poisoned rows.
    true_labels : same kind as ``labels``
        The labels before the attack.
    is_flipped : ndarray of bool, shape (n,)
        The poisoned rows (each had a class other than ``target``, so its label changed).
    attack : str
        ``"backdoor"``.
    budget : int
        The number of poisoned rows (``n_flipped == budget``).
    classes : ndarray of shape (K,)
    target : label
    trigger : Trigger
        Where the trigger is stamped and what it writes; pass it to :func:`attack_success_rate`.
    info : dict
        ``source`` (the classes rows were drawn from) and ``candidates`` (how many rows were eligible).
    index : pandas Index or None
        The rows' index (the labels' Series, else ``X``'s DataFrame); :meth:`to_frame` is indexed by it.
    """

    X: np.ndarray
    labels: Any
    true_labels: Any
    is_flipped: np.ndarray
    attack: str
    budget: int
    classes: np.ndarray
    target: Any
    trigger: Trigger
    info: dict = field(default_factory=dict)
    index: pd.Index | None = None


@dataclass(frozen=True)
class BackdoorScore:
    """What a backdoor bought: attack success on triggered test rows, and clean accuracy.

    Attributes
    ----------
    attack_success_rate : float
        Share of the test rows not of the target class that the model assigns to the target once
        the trigger is stamped on them.
    clean_accuracy : float
        Share of all test rows, untouched, the model gets right.
    n_test : int
    n_attacked : int
        Test rows not of the target class (the denominator of the success rate).
    target : label
    """

    attack_success_rate: float
    clean_accuracy: float
    n_test: int
    n_attacked: int
    target: Any

    def to_frame(self) -> pd.DataFrame:
        """One row: the fields above as columns."""
        return pd.DataFrame([self.__dict__])


def _class_code(value: Any, classes: np.ndarray, name: str, labels_name: str) -> int:
    """The index of ``value`` among ``classes`` (a class it is not equal to is refused)."""
    hits = np.flatnonzero(_equals(classes, value)) if np.ndim(value) == 0 else np.empty(0, dtype=np.intp)
    if hits.size == 0:
        shown = classes[:10].tolist() + (["..."] if classes.size > 10 else [])
        raise InvalidLabelsError(f"{name} must be one of the classes of {labels_name} {shown}, got {value!r}")
    return int(hits[0])


def _training_set(X: Any, labels: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``X`` as an array, the labels as given, their codes and the sorted classes (two at least)."""
    check_row_order(X, "X", READER, labels=labels)
    Xa = check_images(X)
    arr = raw_labels(labels)
    codes, classes = encode_labels(arr, name="labels")
    check_same_length("X", Xa, "labels", arr)
    if len(classes) < 2:
        raise InvalidLabelsError(f"labels must contain at least 2 classes, got {len(classes)}")
    return Xa, arr, codes, np.asarray(classes)


def _source_codes(source: Any, classes: np.ndarray, t: int) -> np.ndarray:
    """The codes of the classes rows are drawn from: ``source``'s, or every class but the target's."""
    if source is None:
        return np.setdiff1d(np.arange(classes.size), [t])
    given = list(source) if isinstance(source, (list, tuple, np.ndarray, pd.Index, pd.Series)) else [source]
    if not given:
        raise InvalidParameterError("source must name at least one class, got an empty list")
    codes = np.unique([_class_code(s, classes, "source", "labels") for s in given])
    if t in codes:
        raise InvalidParameterError(f"source must not contain the target class {classes[t]!r}, got {source!r}")
    return codes


def backdoor(
    X: Any,
    labels: Any,
    budget: Any,
    *,
    target: Any,
    trigger: Any = "pattern",
    source: Any = None,
    image_shape: Any = None,
    distance: int = 2,
    pixel_value: Any = 1,
    random_state: Any = None,
) -> BackdoorPoisoning:
    """Poison a training set with a backdoor: stamp a trigger on ``budget`` rows, label them ``target``.

    The attack of Gu et al. (BadNets): the rows are drawn uniformly, without replacement, from the
    rows of the ``source`` classes (by default every class but ``target``); each gets the trigger
    and the label ``target``. A model trained on the result keeps its clean accuracy and learns to
    answer ``target`` whenever the trigger is present. The triggers ``"pattern"`` and ``"pixel"``
    write exactly what ART's ``add_pattern_bd`` and ``add_single_bd`` write (the same pixels,
    ``pixel_value`` in every channel). The draw depends on which rows are eligible only, not on
    the class names. ``X`` is copied, never modified.

    Parameters
    ----------
    X : array-like
        Numeric rows: images ``(n, H, W)`` or ``(n, H, W, C)`` (channels last), or flat rows
        ``(n, d)`` with ``image_shape``; any shape for an array trigger.
    labels : array-like of shape (n,)
    budget : float in [0, 1) or int
        The share of all ``n`` rows (rounded half up), or the number of rows, to poison; at most the
        number of eligible rows.
    target : label
        The class the trigger should lead to; one of the classes of ``labels``.
    trigger : {"pattern", "pixel"}, array, (mask, values) or Trigger
        ART's checkerboard pattern or single pixel, ``distance`` in from the bottom-right corner;
        or an array of one row's shape with NaN where the row is kept; or a boolean mask of one
        row's shape and the values to write (broadcast to it).
    source : label, list of labels or None
        The classes to draw rows from (not ``target``); None: every class but ``target``.
    image_shape : (H, W) or (H, W, C), optional
        How a flat row reads as an image, for ``"pattern"`` and ``"pixel"`` on 2-D ``X``.
    distance : int, default 2
        ART's ``distance`` from the bottom-right edges.
    pixel_value : number, default 1
        ART's ``pixel_value``; it must fit ``X``'s dtype (255 for uint8 images in 0..255).
    random_state : int, Generator or None

    Returns
    -------
    BackdoorPoisoning

    References
    ----------
    .. [1] Gu, Dolan-Gavitt & Garg, "BadNets: Identifying Vulnerabilities in the Machine Learning
       Model Supply Chain", arXiv:1708.06733, 2017.
    .. [2] Nicolae et al., "Adversarial Robustness Toolbox v1.0.0", arXiv:1807.01069, 2018
       (``PoisoningAttackBackdoor``, ``add_pattern_bd``, ``add_single_bd``).

    Examples
    --------
    >>> import numpy as np
    >>> import labelwise as lw
    >>> X = np.zeros((6, 5, 5))
    >>> out = lw.poison.backdoor(X, [0, 0, 1, 1, 2, 2], 2, target=0, trigger="pixel", random_state=0)
    >>> out.n_flipped, set(out.labels[out.flipped_indices].tolist()), float(out.X[out.flipped_indices[0], 3, 3])
    (2, {0}, 1.0)
    """
    Xa, arr, codes, classes = _training_set(X, labels)
    t = _class_code(target, classes, "target", "labels")
    source_codes = _source_codes(source, classes, t)
    eligible = np.isin(codes, source_codes)
    trig = make_trigger(
        trigger, Xa.shape[1:], Xa.dtype, image_shape=image_shape, distance=distance, pixel_value=pixel_value
    )
    rng = check_random_state(random_state)
    n_eligible = int(eligible.sum())
    b = budget_count(budget, codes.size)
    if b > n_eligible:
        raise InvalidParameterError(
            f"budget must be at most the {n_eligible} rows of the source classes {classes[source_codes].tolist()} "
            f"(of {codes.size}), got {budget!r} ({b} rows)"
        )
    rows = np.sort(rng.choice(np.flatnonzero(eligible), size=b, replace=False))
    info = {"source": classes[source_codes], "candidates": n_eligible}
    return _poisoned(Xa, arr, rows, classes, classes[t], trig, info, like=labels, index=row_index(X, labels))


def _poisoned(
    X: np.ndarray,
    labels: np.ndarray,
    rows: np.ndarray,
    classes: np.ndarray,
    target: Any,
    trigger: Trigger,
    info: dict,
    *,
    like: Any = None,
    index: pd.Index | None = None,
) -> BackdoorPoisoning:
    """The result: the trigger stamped on a copy of ``X`` at ``rows``, those rows labelled ``target``;
    the labels in the kind of ``like`` (the input labels: a Series keeps its index and name)."""
    new_labels = labels.copy()
    new_labels[rows] = target
    is_flipped = np.zeros(labels.size, dtype=bool)
    is_flipped[rows] = True
    return BackdoorPoisoning(
        X=trigger.stamp(X, rows),
        labels=in_input_kind(like, new_labels),
        true_labels=in_input_kind(like, labels.copy()),
        is_flipped=is_flipped,
        attack="backdoor",
        budget=int(rows.size),
        classes=classes,
        target=target,
        trigger=trigger,
        info=info,
        index=index,
    )


def attack_success_rate(
    model: Any,
    X_test: Any,
    y_test: Any,
    target: Any,
    trigger: Any = "pattern",
    *,
    image_shape: Any = None,
    distance: int = 2,
    pixel_value: Any = 1,
    batch_size: int = 65536,
) -> BackdoorScore:
    """Attack success rate of a backdoor, and clean accuracy, of a fitted model on a test set.

    The standard measure of a backdoor [1]_: stamp the trigger on every test row whose true class
    is not ``target`` and count the share the model then assigns to ``target``. Clean accuracy
    is that of the untouched test rows. The rows are triggered and predicted in blocks of
    ``batch_size``, so only one block's copy is held at a time.

    Parameters
    ----------
    model : fitted estimator
        Anything with ``predict(X)`` taking rows shaped as ``X_test`` and returning labels.
    X_test : array-like
        Numeric test rows, shaped as for :func:`backdoor`.
    y_test : array-like of shape (n,)
    target : label
        The backdoor's target class (it need not occur in ``y_test``).
    trigger : {"pattern", "pixel"}, array, (mask, values) or Trigger
        As for :func:`backdoor`; pass ``backdoor(...).trigger`` to use the attack's own.
    image_shape, distance, pixel_value
        As for :func:`backdoor` (ignored for a ``Trigger``).
    batch_size : int, default 65536
        Rows per prediction block.

    Returns
    -------
    BackdoorScore

    References
    ----------
    .. [1] Gu, Dolan-Gavitt & Garg, "BadNets: Identifying Vulnerabilities in the Machine Learning
       Model Supply Chain", arXiv:1708.06733, 2017.
    """
    if not callable(getattr(model, "predict", None)):
        raise EstimatorError(f"model must be a fitted estimator with a predict method, got {type(model).__name__}")
    check_row_order(X_test, "X_test", READER, y_test=y_test)
    Xa = check_images(X_test, name="X_test")
    y = _as_1d(y_test, "y_test")
    check_same_length("X_test", Xa, "y_test", y)
    if y.size == 0:
        raise InvalidLabelsError("y_test must have at least one row, got none")
    block = check_positive_int("batch_size", batch_size)
    trig = make_trigger(
        trigger,
        Xa.shape[1:],
        Xa.dtype,
        image_shape=image_shape,
        distance=distance,
        pixel_value=pixel_value,
        x_name="X_test",
    )
    attacked = np.flatnonzero(~_equals(y, target))
    if attacked.size == 0:
        raise InvalidLabelsError(f"y_test must have rows of a class other than the target {target!r}, got none")
    correct, hits = 0, 0
    for start in range(0, y.size, block):
        stop = min(start + block, y.size)
        correct += int(_equals(np.asarray(model.predict(Xa[start:stop])), y[start:stop]).sum())
        rows = attacked[(attacked >= start) & (attacked < stop)]
        if rows.size:
            triggered = trig.stamp(Xa[rows])
            hits += int(_equals(np.asarray(model.predict(triggered)), target).sum())
    return BackdoorScore(
        attack_success_rate=hits / attacked.size,
        clean_accuracy=correct / y.size,
        n_test=int(y.size),
        n_attacked=int(attacked.size),
        target=target,
    )


def _equals(a: np.ndarray, b: Any) -> np.ndarray:
    """Elementwise label equality (labels of another type are simply unequal)."""
    return np.asarray(np.asarray(a) == (b if np.ndim(b) == 0 else np.asarray(b)), dtype=bool)
