"""The kinds of ``labelwise corrupt --noise``: one function per kind, in a registry.

Each kind gets the same :class:`Request` (the label column, the feature columns, the rate, the seed and
the kind's own options) and returns a :class:`Corruption`: the corrupted labels, which rows changed,
and the noise matrix the flips were drawn from (``None`` for an attack, which picks rows by a model).
The command draws exactly what the API does for the same seed: ``--noise symmetric --rate 0.2
--random-state 3`` is ``lw.noise.flip_labels(y, lw.noise.noise_matrix(K, 0.2), random_state=3)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._heavy import pandas as pd
from ..errors import InvalidParameterError
from ..poison._names import ATTACK_NAMES as POISON_ATTACK_NAMES
from ..poison._names import BINARY_ONLY_ATTACKS, MULTICLASS_ATTACKS
from ._audit_model import audit_probabilities
from ._common import finite, load_row_array, renaming


@dataclass(frozen=True)
class Request:
    """What a kind of noise is drawn from.

    Attributes
    ----------
    labels : Series
        The label column as read (any hashable values, none missing).
    classes : ndarray
        The sorted classes of ``labels``: the order of a noise matrix's rows and columns.
    features : DataFrame
        The other columns (not the label, the id or the truth column): the attacks' and the
        instance model's features.
    rate : float
        ``--rate``: the share of labels to flip (the attacks' budget).
    seed : int
        ``--random-state``.
    matrix : ndarray or None
        ``--matrix``, rows and columns in the order of ``classes``.
    options : dict
        The kinds' own options: ``frac_zero`` (random), ``sharpness``, ``probs``, ``model``, ``cv``,
        ``time_budget`` (instance).
    """

    labels: pd.Series
    classes: np.ndarray
    features: pd.DataFrame
    rate: float
    seed: int
    matrix: np.ndarray | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Corruption:
    """The corrupted labels (same values and dtype as the input), the rows changed, and how they were drawn.

    ``matrix`` is the noise matrix ``[i, j] = P(given = i | true = j)`` the flips were drawn from
    (columns in the order of the request's classes), or ``None`` where no matrix drew them
    (instance-dependent noise, attacks).
    """

    labels: np.ndarray
    is_flipped: np.ndarray
    matrix: np.ndarray | None
    info: dict[str, Any] = field(default_factory=dict)


def _class_conditional(kind: str) -> Callable[[Request], Corruption]:
    """``symmetric``, ``pair`` or ``random``: the matrix of :func:`noise_matrix`, or ``--matrix``, then
    :func:`flip_labels` (exact counts per cell)."""

    def run(request: Request) -> Corruption:
        from ..noise import flip_labels, noise_matrix

        matrix = request.matrix
        if matrix is None:
            with renaming({"noise_rate": "--rate", "frac_zero_noise_rates": "--frac-zero"}):
                matrix = noise_matrix(
                    request.classes.size,
                    request.rate,
                    kind=kind,
                    frac_zero_noise_rates=request.options.get("frac_zero", 0.0),
                    random_state=request.seed,
                )
        flipped = flip_labels(request.labels, matrix, random_state=request.seed, classes=request.classes)
        return Corruption(flipped.labels, flipped.is_flipped, flipped.noise_matrix)

    return run


def instance_probs(request: Request) -> tuple[np.ndarray, dict[str, Any]]:
    """``--probs`` (one row per row of DATA, one column per class in sorted order), or out-of-fold
    probabilities of the model ``labelwise audit`` would fit on the feature columns."""
    path = request.options.get("probs")
    if path is not None:
        return load_row_array(path, "--probs", request.labels.size, width=("n_classes", "K")), {"probs": str(path)}
    if request.features.shape[1] == 0:
        raise InvalidParameterError(
            "--noise instance needs a model's probabilities: DATA has no feature columns besides --label (and "
            "--id-column); pass --probs FILE.npy (out-of-fold probabilities, one column per class in sorted order)"
        )
    with renaming({"cv": "--cv"}):
        probs, info = audit_probabilities(
            request.features,
            request.labels,
            model=request.options.get("model", "logistic"),
            cv=request.options.get("cv", 5),
            time_budget=request.options.get("time_budget", 60.0),
            random_state=request.seed,
            n_jobs=None,
        )
    return probs, {"model": request.options.get("model", "logistic"), **strict_json(info)}


def strict_json(value: Any) -> Any:
    """``value`` for strict JSON: NaN and infinity (a family the chooser skipped has no loss) become None,
    numpy scalars and arrays Python's, tuples lists, dictionaries and lists element by element."""
    if isinstance(value, dict):
        return {str(k): strict_json(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [strict_json(v) for v in value]
    return finite(value)


def _instance(request: Request) -> Corruption:
    """Instance-dependent flips (:func:`instance_dependent_flips`): the confusing rows first."""
    from ..noise import instance_dependent_flips

    probs, info = instance_probs(request)
    with renaming({"noise_rate": "--rate", "sharpness": "--sharpness", "probs": "--probs"}, within=("probs",)):
        flipped = instance_dependent_flips(
            request.labels,
            probs,
            request.rate,
            random_state=request.seed,
            classes=request.classes,
            sharpness=request.options.get("sharpness", 1.0),
        )
    return Corruption(flipped.labels, flipped.is_flipped, None, info)


def attack_features(features: pd.DataFrame) -> np.ndarray:
    """The feature columns as the attacks' ``X``: numeric, finite, standardised (as ``labelwise robustness`` does)."""
    from ..poison._common import check_X

    if features.shape[1] == 0:
        raise InvalidParameterError("the attacks need feature columns: DATA has none besides --label (and --id-column)")
    text = [c for c in features.columns if not pd.api.types.is_numeric_dtype(features[c])]
    if text:
        raise InvalidParameterError(
            f"the attacks need numeric feature columns; column {text[0]!r} has dtype {features[text[0]].dtype} "
            "(drop it from DATA, or name it --id-column if it is an id)"
        )
    X = check_X(features, name="DATA features")
    sd = X.std(axis=0)
    return (X - X.mean(axis=0)) / np.where(sd > 0, sd, 1.0)


def _attack(name: str) -> Callable[[Request], Corruption]:
    """A label-flipping attack of :mod:`labelwise.poison` with budget ``--rate``, on the standardised features."""

    def run(request: Request) -> Corruption:
        from ..poison import ATTACKS

        if name in BINARY_ONLY_ATTACKS and request.classes.size != 2:
            raise InvalidParameterError(
                f"--noise {name} needs binary labels, but --label has {request.classes.size} classes; the attacks "
                f"for any number of classes are {[ATTACK_NAMES[a] for a in MULTICLASS_ATTACKS]}"
            )
        X = attack_features(request.features) if name != "random" else None
        with renaming({"budget": "--rate"}):
            attacked = ATTACKS[name](X, request.labels, request.rate, random_state=request.seed)
        return Corruption(attacked.labels, attacked.is_flipped, None, {"attack": name, **attacked.info})

    return run


#: ``--noise`` names of the attacks of :data:`labelwise.poison.ATTACKS` (``random`` is taken by the matrix kind).
ATTACK_NAMES = {name: "random-flips" if name == "random" else name for name in POISON_ATTACK_NAMES}

#: Every ``--noise`` kind: its function, and whether it reads ``--rate`` as a noise rate or a budget.
KINDS: dict[str, Callable[[Request], Corruption]] = {
    "symmetric": _class_conditional("symmetric"),
    "pair": _class_conditional("pair"),
    "random": _class_conditional("random"),
    "instance": _instance,
    **{cli_name: _attack(name) for name, cli_name in ATTACK_NAMES.items()},
}
#: The kinds drawn from a class-conditional noise matrix (those ``--matrix`` may replace).
MATRIX_KINDS = ("symmetric", "pair", "random")
