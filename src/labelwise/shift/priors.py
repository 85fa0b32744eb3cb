"""Estimate target class priors under label shift; a registry of methods, bootstrap intervals."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._caller import warn_at_caller
from .._validate.arguments import (
    check_choice,
    check_fraction,
    check_positive,
    check_positive_int,
    check_random_state,
    plain,
    show,
)
from .._validate.class_columns import class_column_names, columns_in_class_order
from .._validate.labels import encode_labels_for_probs
from .._validate.probabilities import check_probs
from .._validate.row_alignment import align_rows
from ..errors import InvalidParameterError, LabelwiseWarning, ShapeMismatchError, TooFewExamplesError
from . import bbse, mlls, rlls
from ._names import CALIBRATIONS
from .calibration import Calibrator, fit_calibrator

__all__ = ["METHODS", "PriorShiftEstimate", "estimate_priors"]

#: method name -> estimator ``f(val_probs, val_codes, target_probs) -> dict(priors, source_priors, raw_weights, n_iter)``
METHODS: dict[str, Callable[..., dict]] = {
    "bbse": bbse.estimate,
    "rlls": rlls.estimate,
    "mlls": mlls.estimate,
}
#: calibration applied by default before each method (Alexandari et al. pair EM with BCTS)
DEFAULT_CALIBRATION = {"bbse": "none", "rlls": "none", "mlls": "bcts"}
#: option name -> check of its value, for the options the methods of :data:`METHODS` take
OPTION_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "max_iter": check_positive_int,
    "tol": check_positive,
    "alpha": lambda name, v: check_fraction(name, v, high=np.inf),
    "delta": lambda name, v: check_fraction(name, v, closed_low=False),
    "lam": check_positive,
    "rcond": lambda name, v: check_fraction(name, v, high=np.inf),
    "source_prior": lambda name, v: check_choice(name, v, mlls.SOURCE_PRIORS),
}


def _check_options(method: str, options: dict[str, Any]) -> dict[str, Any]:
    """The method's own options with checked values; an unknown name lists the ones it takes."""
    takes = [
        p.name
        for p in inspect.signature(METHODS[method]).parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    ]
    unknown = sorted(set(options) - set(takes))
    if unknown:
        raise InvalidParameterError(f"options of method={method!r} must be among {takes}, got unknown {unknown}")
    return {k: OPTION_CHECKS[k](k, v) if k in OPTION_CHECKS else v for k, v in options.items()}


def _named_columns(val_probs: Any, val_labels: Any, target_probs: Any, classes: Any) -> tuple[Any, Any, Any]:
    """Probability DataFrames whose columns name the classes, put in one column order.

    With ``classes`` given, both tables follow it; otherwise ``target_probs`` follows the column
    names of ``val_probs``, which also become the classes when the labels are text. Integer labels
    beside a header of integer names (``3,1,0,2`` read from a CSV) are matched to them by value,
    both tables put in sorted class order, not taken as column positions.
    """
    if classes is not None:
        order = list(np.asarray(classes, dtype=object))
        return (
            columns_in_class_order(val_probs, order, name="val_probs"),
            columns_in_class_order(target_probs, order, name="target_probs"),
            classes,
        )
    names = class_column_names(val_probs)
    if names is None:
        return val_probs, _target_in_sorted_order(target_probs, val_labels), classes
    labels = np.asarray(val_labels, dtype=object).ravel()
    numbered = _numbered_classes(labels, names)
    if numbered is not None:
        return (
            columns_in_class_order(val_probs, numbered, name="val_probs"),
            columns_in_class_order(target_probs, numbered, name="target_probs"),
            numbered,
        )
    text = labels.size > 0 and all(isinstance(v, str) for v in labels)
    return val_probs, columns_in_class_order(target_probs, names, name="target_probs"), names if text else None


def _target_in_sorted_order(target_probs: Any, val_labels: Any) -> Any:
    """Beside unnamed validation columns (an array: the classes in sorted order), a target DataFrame whose
    header names the classes, put in that sorted order (taken by position, its named columns would be
    read as other classes)."""
    labels = np.asarray(val_labels, dtype=object).ravel()
    if class_column_names(target_probs) is None or labels.size == 0 or pd.isna(labels).any():
        return target_probs
    try:
        seen = sorted(pd.unique(labels))
    except TypeError:  # labels of several types: encode_labels_for_probs says so
        return target_probs
    if len(seen) != np.shape(target_probs)[1]:
        return target_probs
    return columns_in_class_order(target_probs, seen, name="target_probs")


def _numbered_classes(labels: np.ndarray, names: list[str]) -> list[int] | None:
    """The header's names as sorted integers when they are integers and the labels are integers among
    them (column ``"3"`` is class 3, wherever it stands); else None (the columns keep their positions)."""
    if labels.size == 0 or not all(n.lstrip("-").isdecimal() for n in names):
        return None
    try:
        values = np.asarray(labels.tolist(), dtype=float)
    except (TypeError, ValueError):
        return None
    if not np.isfinite(values).all() or np.any(np.mod(values, 1) != 0):
        return None
    numbers = sorted(int(n) for n in names)
    return numbers if set(values.astype(np.int64).tolist()) <= set(numbers) else None


def _check_every_class_seen(codes: np.ndarray, classes: np.ndarray) -> None:
    """Each class needs validation examples: its source prior and confusion column come from them."""
    counts = np.bincount(codes, minlength=len(classes))
    if (counts == 0).any():
        absent = [plain(c) for c in classes[counts == 0]]
        raise TooFewExamplesError(
            f"val_labels must hold every class of the probabilities' columns at least once; no validation "
            f"example has class(es) {', '.join(map(show, absent[:10]))}: the source prior of a class without "
            f"validation labels (and any shift of it) cannot be estimated; add labelled examples of it or drop its column"
        )


@dataclass(frozen=True)
class PriorShiftEstimate:
    """Estimated target class priors.

    Attributes
    ----------
    method, calibration : str
    classes : ndarray
    source_priors, priors : ndarray of shape (K,)
        Class priors on the labelled source (validation) data and estimated on the target data.
    weights : ndarray of shape (K,)
        Importance weights ``priors / source_priors`` (reweight source examples of class ``y`` by ``weights[y]``).
    raw_weights : ndarray of shape (K,)
        The method's weights before clipping negative priors (BBSE, RLLS).
    ci_low, ci_high : ndarray of shape (K,) or None
        Percentile bootstrap interval of ``priors`` (source and target rows resampled); NaN for a
        class that every resample gave the same prior (a zero-width "interval", as a few target rows
        give: see :func:`estimate_priors`).
    calibrator : Calibrator
    n_iter : int
    """

    method: str
    calibration: str
    classes: np.ndarray
    source_priors: np.ndarray
    priors: np.ndarray
    weights: np.ndarray
    raw_weights: np.ndarray
    ci_low: np.ndarray | None
    ci_high: np.ndarray | None
    calibrator: Calibrator
    n_iter: int

    def to_frame(self) -> pd.DataFrame:
        """One row per class: source_prior, target_prior, weight, ci_low, ci_high."""
        f = pd.DataFrame(
            {
                "source_prior": self.source_priors,
                "target_prior": self.priors,
                "weight": self.weights,
            },
            index=pd.Index(self.classes, name="class"),
        )
        if self.ci_low is not None:
            f["ci_low"], f["ci_high"] = self.ci_low, self.ci_high
        return f


def _run(
    method: str,
    calibration: str,
    vp: np.ndarray,
    vc: np.ndarray,
    tp: np.ndarray,
    options: dict,
    classes: np.ndarray | None = None,
) -> tuple[dict, Calibrator]:
    """The method on calibrated probabilities; with ``classes`` (the estimate itself, not a bootstrap replicate),
    a warning when its solution put priors below 0 (:func:`_warn_clipped`)."""
    cal = fit_calibrator(vp, vc, calibration)
    out = METHODS[method](cal(vp), vc, cal(tp), **options)
    if classes is not None:
        _warn_clipped(method, out, classes, len(tp))
    return out, cal


def _ndim(values: Any) -> int:
    """``np.ndim(values)``, or -1 for ragged nested lists (numpy refuses to make them an array)."""
    try:
        return int(np.ndim(values))
    except ValueError:
        return -1


def estimate_priors(
    val_probs: Any,
    val_labels: Any,
    target_probs: Any,
    *,
    method: str = "mlls",
    calibration: str = "auto",
    classes: Any = None,
    n_boot: int = 0,
    ci: float = 0.95,
    random_state: Any = 0,
    **options: Any,
) -> PriorShiftEstimate:
    """Estimate the class priors of unlabelled target data from a classifier's probabilities.

    Parameters
    ----------
    val_probs : array-like of shape (n, K)
        Held-out predicted probabilities on labelled source data. A DataFrame whose columns are
        named by class is read by name: ``target_probs`` (if also named) is put in its column
        order, and with text labels its names are the classes.
    val_labels : array-like of shape (n,)
        Their true labels. A Series beside a ``val_probs`` DataFrame is matched to its rows by index,
        as pandas matches two Series (different keys are an error); arrays are paired by position.
    target_probs : array-like of shape (m, K)
        Predicted probabilities on the unlabelled target data.
    method : {"mlls", "bbse", "rlls"}
        EM (Saerens et al. 2002), black-box shift estimation (Lipton et al. 2018) or its
        regularised form (Azizzadenesheli et al. 2019); a key of :data:`METHODS`.
    calibration : {"auto", "bcts", "ts", "none"}
        Recalibration fitted on the validation data first: bias-corrected temperature scaling,
        temperature scaling, or none. ``"auto"``: BCTS for MLLS (Alexandari et al. 2020), none for
        BBSE and RLLS (which only use argmax predictions).
    n_boot : int
        Bootstrap replicates for the confidence interval of the priors (0: none); a zero-width
        interval (a few target rows) is NaN, with a warning (:func:`_no_flat_intervals`).
    **options
        Passed to the method (``max_iter``, ``tol``, ``source_prior`` for MLLS: :func:`.mlls.estimate`;
        ``alpha``, ``delta``, ``lam`` for RLLS; ``rcond`` for BBSE); unknown or out of range: an error.

    Raises
    ------
    TooFewExamplesError
        If a class (a column of the probabilities) has no validation label: its source prior is
        unknown, so no method can say how it moved.
    ShapeMismatchError
        If the target probabilities have a different number of classes.
    SingularConfusionError
        For BBSE when the confusion matrix cannot be inverted.

    References
    ----------
    .. [1] M. Saerens, P. Latinne and C. Decaestecker, Neural Computation 14(1), 2002.
    .. [2] Z. C. Lipton, Y.-X. Wang and A. J. Smola, ICML 2018.
    .. [3] K. Azizzadenesheli, A. Liu, F. Yang and A. Anandkumar, ICLR 2019.
    .. [4] A. Alexandari, A. Kundaje and A. Shrikumar, ICML 2020.
    """
    method = check_choice("method", method, list(METHODS))
    calibration = check_choice("calibration", calibration, CALIBRATIONS)
    calibration = DEFAULT_CALIBRATION[method] if calibration == "auto" else calibration
    val_probs = align_rows(val_labels, "val_labels", val_probs, "val_probs")
    val_probs, target_probs, classes = _named_columns(val_probs, val_labels, target_probs, classes)
    vp = check_probs(val_probs, name="val_probs")
    tp = check_probs(target_probs, name="target_probs")
    if tp.shape[1] != vp.shape[1]:
        raise ShapeMismatchError(
            f"target_probs must have as many classes as val_probs ({vp.shape[1]} columns), got {tp.shape[1]}"
        )
    if _ndim(val_labels) != 1:  # None or a number: len() was a TypeError
        raise ShapeMismatchError(
            f"val_labels must be 1-D, one label per row of val_probs, got {type(val_labels).__name__} "
            f"of shape {np.shape(val_labels) if _ndim(val_labels) >= 0 else 'ragged'}"
        )
    if len(vp) != len(np.asarray(val_labels)):
        raise ShapeMismatchError(
            f"val_labels must have one label per row of val_probs ({len(vp)}), got {len(np.asarray(val_labels))}"
        )
    vc, cls = encode_labels_for_probs(val_labels, vp.shape[1], classes=classes, name="val_labels")
    _check_every_class_seen(vc, cls)
    options = _check_options(method, options)
    n_boot = check_positive_int("n_boot", n_boot, minimum=0)
    ci = check_fraction("ci", ci, closed_low=False)
    check_random_state(random_state)  # checked even when n_boot=0 leaves it unused
    out, cal = _run(method, calibration, vp, vc, tp, options, classes=cls)
    low, high = _bootstrap_interval(method, calibration, vp, vc, tp, options, n_boot, ci, random_state, cls)
    src = out["source_priors"]
    weights = np.divide(out["priors"], src, out=np.zeros_like(src), where=src > 0)
    return PriorShiftEstimate(
        method, calibration, cls, src, out["priors"], weights, out["raw_weights"], low, high, cal, out["n_iter"]
    )


def _warn_clipped(method: str, out: dict, classes: np.ndarray, n_target: int) -> None:
    """One warning naming the classes whose target prior the method's solution put below 0 (BBSE solves a linear
    system; the priors hold them clipped to 0 and the others renormalised, which reads as a confident "absent")."""
    raw = out["raw_weights"] * out["source_priors"]
    low = np.flatnonzero(raw < 0)
    if not low.size:
        return
    shown = ", ".join(f"{show(plain(classes[i]))} ({raw[i]:.3g})" for i in low[:10])
    more = f" and {low.size - 10} more" if low.size > 10 else ""
    warn_at_caller(
        LabelwiseWarning(
            f"{method}'s solution has negative target priors for {low.size} class{'es' if low.size > 1 else ''}: "
            f"{shown}{more}; the priors hold them clipped to 0 and the other priors renormalised (raw_weights keeps "
            f"the solution). Negative priors mean the estimate is noisy: {n_target} target "
            f"row{'s' if n_target != 1 else ''}, or a confusion matrix close to singular; the bootstrap interval "
            "(n_boot) shows how much, and method='rlls' or 'mlls' never go below 0"
        )
    )


def _bootstrap_interval(
    method: str,
    calibration: str,
    vp: np.ndarray,
    vc: np.ndarray,
    tp: np.ndarray,
    options: dict,
    n_boot: int,
    ci: float,
    random_state: Any,
    classes: np.ndarray,
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Percentile bootstrap interval of the target priors (validation and target rows resampled); NaN
    where it has zero width (:func:`_no_flat_intervals`)."""
    if not n_boot:
        return None, None
    rng = check_random_state(random_state)
    boots = []
    for _ in range(n_boot):
        i, j = rng.integers(0, len(vp), len(vp)), rng.integers(0, len(tp), len(tp))
        try:
            boots.append(_run(method, calibration, vp[i], vc[i], tp[j], options)[0]["priors"])
        except bbse.SingularConfusionError:
            continue
    if not boots:
        return None, None
    low, high = np.percentile(np.array(boots), [50 * (1 - ci), 50 * (1 + ci)], axis=0)
    return _no_flat_intervals(low, high, classes, len(tp))


def _no_flat_intervals(
    low: np.ndarray | None, high: np.ndarray | None, classes: np.ndarray, n_target: int
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """NaN for each class whose bootstrap interval has zero width, with one warning naming them.

    Every resample gave the class the same prior, so the percentile "interval" is a point; the
    bootstrap cannot show the uncertainty there (a class that none of a few target rows points to
    stays 0 in every resample), and ``[0, 0]`` would read as a certain 0.
    """
    if low is None or high is None:
        return low, high
    flat = np.flatnonzero(high - low < 1e-6)  # EM reaches 0 only in the limit
    if not flat.size:
        return low, high
    low, high = low.copy(), high.copy()
    shown = ", ".join(f"{show(plain(classes[i]))} ({low[i]:.3g})" for i in flat[:10])
    more = f" and {flat.size - 10} more" if flat.size > 10 else ""
    low[flat] = high[flat] = np.nan
    warn_at_caller(
        LabelwiseWarning(
            f"the bootstrap interval (n_boot) of the target prior is not an interval for {flat.size} "
            f"class{'es' if flat.size > 1 else ''}: every resample gave {shown}{more} the same prior, so "
            f"it says nothing about the uncertainty ({n_target} target row{'s' if n_target != 1 else ''}: "
            "too few to resample from, or a prior clipped at 0 in every resample); their ci_low and ci_high "
            "are NaN. More target rows give an interval"
        )
    )
    return low, high
