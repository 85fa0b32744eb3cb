"""The ``auto`` model chooser: compare a small menu of families by out-of-fold log loss."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from .._chunks import check_n_jobs
from .._validate.arguments import check_positive_int, seed_from
from .._validate.label_copy import warn_label_in_features
from .._validate.labels import check_rows_per_class_for_folds, encode_labels
from .._validate.row_order import check_row_order
from ..columns import ColumnRoles, infer_column_roles
from ..errors import (
    EstimatorError,
    InvalidParameterError,
    ShapeMismatchError,
    TooFewExamplesError,
)
from ._agree import Option, agreeing_pick
from ._calibrate import cross_fit_blend, cross_fit_temperature, log_loss
from ._finite import check_no_infinity
from ._menu import FAMILIES
from ._names import DEFAULT_TIME_BUDGET
from ._runner import FamilyRun, FoldEncoder, first_fold, other_folds, screen

#: The blend is kept only if its cross-fitted log loss beats the best single one by this share.
BLEND_MIN_GAIN = 0.01


@dataclass(frozen=True)
class CandidateResult:
    """One family's out-of-fold scores (``None`` where it was skipped)."""

    name: str
    description: str
    log_loss: float | None = None
    calibrated_log_loss: float | None = None
    accuracy: float | None = None
    seconds: float = 0.0
    skipped: str | None = None

    @property
    def best_log_loss(self) -> float:
        """The lower of the raw and calibrated log loss (inf if skipped)."""
        values = [v for v in (self.log_loss, self.calibrated_log_loss) if v is not None]
        return min(values) if values else float("inf")


@dataclass(frozen=True, eq=False)
class ModelChoice:
    """What :func:`choose_model` compared and chose.

    Attributes
    ----------
    candidates : tuple of CandidateResult
        Every family of the menu, in the order tried, with its scores or why it was skipped.
    chosen : str
        The family whose probabilities are used, or ``"blend"``.
    calibrated : bool
        Whether temperature scaling (cross-fitted) was applied to the chosen probabilities.
    temperature : float or None
        The temperature fitted on all rows when ``calibrated``.
    blend_weights : dict or None
        Family -> weight when ``chosen == "blend"``.
    probs : ndarray of shape (n, K)
        The out-of-fold probabilities to audit with (columns in sorted class order).
    estimator : sklearn Pipeline
        Unfitted pipeline of the best single family (for training on all rows).
    roles : ColumnRoles
    notices : tuple of str
        One line per fallback, skipped family or dropped column.
    time_budget, seconds : float
    """

    candidates: tuple[CandidateResult, ...]
    chosen: str
    calibrated: bool
    temperature: float | None
    blend_weights: dict[str, float] | None
    probs: np.ndarray
    estimator: Any
    roles: ColumnRoles
    notices: tuple[str, ...]
    time_budget: float
    seconds: float
    log_loss: float
    accuracy: float

    def to_frame(self) -> pd.DataFrame:
        """One row per candidate: log loss (raw, calibrated), accuracy, seconds, skipped reason."""
        rows = [
            {
                "model": c.name,
                "log_loss": c.log_loss,
                "calibrated_log_loss": c.calibrated_log_loss,
                "accuracy": c.accuracy,
                "seconds": c.seconds,
                "skipped": c.skipped or "",
                "chosen": c.name == self.chosen or bool(self.blend_weights and c.name in self.blend_weights),
            }
            for c in self.candidates
        ]
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """Plain values for summary.json."""
        return {
            "chosen": self.chosen,
            "calibrated": self.calibrated,
            "temperature": self.temperature,
            "blend_weights": self.blend_weights,
            "log_loss": self.log_loss,
            "accuracy": self.accuracy,
            "time_budget": self.time_budget,
            "seconds": self.seconds,
            "candidates": [asdict(c) for c in self.candidates],
            "notices": list(self.notices),
        }


def _check_inputs(features: Any, labels: Any, cv: int, time_budget: float):
    if isinstance(features, pd.DataFrame):
        frame = features
    elif hasattr(features, "shape") and len(features.shape) == 2 and not hasattr(features, "tocsr"):
        arr = np.asarray(features)
        frame = pd.DataFrame(arr, columns=[f"x{i}" for i in range(arr.shape[1])])
    else:
        raise InvalidParameterError(f"features must be a DataFrame or a 2-D array, got {type(features).__name__}")
    if frame.shape[1] == 0:
        raise InvalidParameterError("features must have at least one column, got none")
    check_no_infinity(frame)
    try:
        budget = float(time_budget)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"time_budget must be a positive number of seconds, got {time_budget!r}") from None
    if not budget > 0:
        raise InvalidParameterError(f"time_budget must be a positive number of seconds, got {time_budget!r}")
    cv = check_positive_int("cv", cv, minimum=2)
    codes, classes = encode_labels(labels)
    if codes.shape[0] != frame.shape[0]:
        raise ShapeMismatchError(
            f"features and labels must have the same length, got {frame.shape[0]} and {codes.shape[0]}"
        )
    counts = np.bincount(codes, minlength=len(classes))
    if len(classes) < 2:
        raise TooFewExamplesError(f"labels must contain at least 2 classes, got {len(classes)}")
    check_rows_per_class_for_folds(counts, classes, cv)
    return frame.reset_index(drop=True), codes, classes, cv, budget


def choose_model(
    features: Any,
    labels: Any,
    *,
    cv: int = 5,
    time_budget: float = DEFAULT_TIME_BUDGET,
    families: Sequence[str] | None = None,
    calibrate: bool = True,
    blend: bool = True,
    agree: bool = True,
    random_state: Any = 0,
    n_jobs: int | None = None,
) -> ModelChoice:
    """Compare model families by out-of-fold log loss on the same folds; keep the best one's probabilities.

    Each family of the default menu (``labelwise.models.FAMILIES`` with ``in_default_menu``:
    logistic regression, kNN, histogram gradient boosting, extremely randomised trees; kNN and
    boosting not on tables with text columns, boosting only from ``BOOSTING_MIN_ROWS`` rows) is
    cross-validated on the same stratified folds, with the columns encoded once per fold for all
    of them (the logistic family as ``Family.audit_classifier`` says: forward-corrected for label
    noise [6]_); a bagged family (the trees, ``Family.out_of_bag``) is instead fitted once on all rows and its out-of-bag
    probabilities used, out-of-sample for every row as well [4]_. Every family is
    first fitted on the first fold (timed before on a subsample for large data); a family whose
    other folds would pass ``time_budget``, or whose first-fold log loss (at its best
    temperature) is more than ``SCREEN_MARGIN`` above the best family's, stops there, with the
    reason (successive halving with one rung [3]_); the others run the remaining folds, in
    parallel with ``n_jobs``. The logistic model is the fallback: it always finishes, and when
    even it does not fit in the budget, that is said in ``notices``. A family that raises is
    skipped with a one-line reason. Every finished family's probabilities are also temperature-scaled,
    cross-fitted over the folds (the temperature used on fold ``j`` is fitted on the other
    folds), and the family with the lowest raw-or-calibrated log loss wins; calibration is kept
    only when it lowers the log loss. With ``blend=True`` a convex blend of the calibrated
    candidates, its weights cross-fitted the same way, replaces the winner when it lowers the log
    loss by at least ``BLEND_MIN_GAIN``. With ``agree=True`` the last step looks at the flagged sets:
    each finished family is a filter of mislabelled rows (confident learning on its probabilities
    [1]_), and among the options (each family as it would be taken alone, and the blend) whose log
    loss is within ``FINALIST_SHARE`` of the lowest, the one whose flagged set agrees best (Dice)
    with the rows a majority of the families flag is returned (the majority filter [5]_); ties keep
    the pick by log loss. (The code is short: it is this docstring that is long.)

    Parameters
    ----------
    features : DataFrame or 2-D array
        Feature columns (roles inferred by :func:`labelwise.columns.infer_column_roles`).
    labels : array-like of shape (n,)
        Given labels, paired with the rows of ``features`` by position (a pandas ``labels`` whose
        index holds a DataFrame's rows in another order is refused: ``labels.reindex(features.index)``).
    cv : int, default 5
        Folds; every class needs at least ``cv`` examples.
    time_budget : float, default DEFAULT_TIME_BUDGET
        Seconds for all candidates together (the fallback logistic model may pass it).
    families : sequence of str, optional
        Families of ``FAMILIES`` to compare, in order (default: the default menu, logistic
        first; a family given here is tried whatever the table's size).
    calibrate : bool, default True
        Try cross-fitted temperature scaling.
    blend : bool, default True
        Try a cross-fitted convex blend of the candidates (on by default: on the dev seeds of
        ``benchmarks/bench_default_model.py`` it raised the F1 of the flagged set).
    agree : bool, default True
        Among the options within ``FINALIST_SHARE`` of the lowest log loss, return the one whose
        flagged set agrees best with the families' majority (on by default: on the dev seeds of
        ``benchmarks/dev_auto_consensus.py`` it raised the F1 of the flagged set and lowered how
        often it falls below cleanlab's; a notice says when it changed the pick).
    random_state : int, Generator or None
        Seed of the folds (the same folds as :func:`labelwise.out_of_fold_probs` with this seed)
        and of the models.
    n_jobs : int or None
        Pairs of (fold, family) after the first fold fitted in parallel on joblib threads
        (``None``: one at a time).

    Returns
    -------
    ModelChoice

    Raises
    ------
    InvalidParameterError
        Bad ``features`` (including ``inf`` in a numeric column: the message names it and the rows),
        ``time_budget``, ``cv`` or ``families``.
    TooFewExamplesError
        Fewer than 2 classes, or a class with fewer than ``cv`` examples.
    EstimatorError
        Every family failed on the data.

    References
    ----------
    .. [1] Northcutt, Jiang & Chuang, "Confident Learning: Estimating Uncertainty in Dataset
       Labels", JAIR 70, 2021 (out-of-sample probabilities; their quality drives the audit).
    .. [2] Guo, Pleiss, Sun & Weinberger, "On Calibration of Modern Neural Networks", ICML 2017.
    .. [3] Jamieson & Talwalkar, "Non-stochastic Best Arm Identification and Hyperparameter
       Optimization", AISTATS 2016 (successive halving).
    .. [4] Breiman, "Random Forests", Machine Learning 45, 2001, Section 3.1 (out-of-bag
       estimates).
    .. [5] Brodley & Friedl, "Identifying Mislabeled Training Data", JAIR 11, 1999 (majority
       filter).
    .. [6] Patrini, Rozza, Menon, Nock & Qu, "Making Deep Neural Networks Robust to Label Noise: a
       Loss Correction Approach", CVPR 2017.
    """
    start = time.perf_counter()
    check_row_order(features, "features", "the model families' folds", labels=labels)
    frame, codes, classes, cv, budget = _check_inputs(features, labels, cv, time_budget)
    warn_label_in_features(features, labels)
    n_jobs = check_n_jobs("n_jobs", n_jobs)
    if not isinstance(agree, bool | np.bool_):
        raise InvalidParameterError(f"agree must be True or False, got {agree!r}")
    names = _family_names(families)
    seed = seed_from(random_state)
    model_seed = seed if isinstance(seed, int) else 0
    folds = list(StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed).split(codes, codes))
    roles = infer_column_roles(frame)
    roles.transformer()  # no usable column: its one error, not the same one from every family
    results, finished, calibrated, notices = _compare(
        names, roles, frame, codes, folds, len(classes), model_seed, start + budget, calibrate, n_jobs, families is None
    )
    best = _best_finished(results, finished)
    tests = [test for _, test in folds]
    chosen, option, pick_notices = _pick(best, results, finished, calibrated, codes, tests, blend, agree)
    return ModelChoice(
        candidates=tuple(results),
        chosen=chosen,
        calibrated=bool(calibrate and (option.temperature is not None or option.weights is not None)),
        temperature=option.temperature,
        blend_weights=option.weights,
        probs=option.probs,
        estimator=FAMILIES[best.name].build(roles, model_seed),
        roles=roles,
        notices=tuple(roles.notices) + tuple(notices) + tuple(pick_notices),
        time_budget=budget,
        seconds=time.perf_counter() - start,
        log_loss=option.log_loss,
        accuracy=float((option.probs.argmax(axis=1) == codes).mean()),
    )


def _compare(names, roles, frame, codes, folds, n_classes, model_seed, deadline, calibrate, n_jobs, default_menu):
    """Run the families on the shared folds; their results, finished probabilities and notices."""
    tests = [test for _, test in folds]
    budget_left = deadline - time.perf_counter()
    runs = [FamilyRun(FAMILIES[name], np.zeros((codes.shape[0], n_classes))) for name in names]
    for run in runs:
        run.skipped = run.family.skip_reason(roles, codes.shape[0] if default_menu else None)
    encoder = FoldEncoder(roles, frame, codes, model_seed)
    first_fold(runs, encoder, folds, n_classes, deadline)
    screen(runs, len(folds), deadline)
    other_folds(runs, encoder, folds, n_classes, n_jobs)
    notices: list[str] = []
    results: list[CandidateResult] = []
    finished: dict[str, np.ndarray] = {}
    calibrated: dict[str, tuple[np.ndarray, float]] = {}
    for run in runs:
        name, description = run.family.name, run.family.description
        if run.skipped is not None:
            notices.append(f"skipped {name}: {run.skipped}")
            results.append(CandidateResult(name, description, seconds=run.seconds, skipped=run.skipped))
            continue
        note = None if run.family.out_of_bag else run.family.fold_note([len(train) for train, _ in folds])
        if note is not None:
            description = f"{description}; {note}"
            notices.append(f"{name}: {note}")
        probs = run.probs / run.probs.sum(axis=1, keepdims=True)
        if calibrate:
            calibrated[name] = cross_fit_temperature(probs, codes, tests)
        calibrated_ll = log_loss(calibrated[name][0], codes) if calibrate else None
        accuracy = float((probs.argmax(axis=1) == codes).mean())
        results.append(CandidateResult(name, description, log_loss(probs, codes), calibrated_ll, accuracy, run.seconds))
        if not finished and run.seconds > budget_left:
            notices.append(
                f"time budget is too small for even one candidate ({name} took {run.seconds:.1f} s); fell back to {name}"
            )
        finished[name] = probs
    return results, finished, calibrated, notices


def _options(results, finished, calibrated) -> dict[str, Option]:
    """Each finished family as the chooser would take it alone: calibrated where that lowers its log loss."""
    out = {}
    for c in results:
        if c.name not in finished:
            continue
        if c.calibrated_log_loss is not None and c.log_loss is not None and c.calibrated_log_loss < c.log_loss:
            out[c.name] = Option(c.calibrated_log_loss, *calibrated[c.name])
        else:
            out[c.name] = Option(c.best_log_loss, finished[c.name])
    return out


def _pick(best, results, finished, calibrated, codes, tests, blend, agree):
    """The option to audit with and the notices of the pick.

    By log loss: the best family's probabilities (calibrated if that lowers the log loss), or the
    blend if it wins by ``BLEND_MIN_GAIN``. With ``agree``, among the options within
    ``FINALIST_SHARE`` of the lowest log loss, the one whose flagged set agrees best with the
    candidates' majority (:func:`._agree.agreeing_pick`). ``calibrated`` holds each family's
    cross-fitted temperature-scaled probabilities and its temperature (empty when calibration is off).
    """
    options = _options(results, finished, calibrated)
    present = best.name
    if blend and len(finished) > 1:
        stack = [calibrated[n][0] if n in calibrated else p for n, p in finished.items()]
        blended, w = cross_fit_blend(stack, codes, tests)
        weights = {n: float(x) for n, x in zip(finished, w, strict=False)}
        options["blend"] = Option(log_loss(blended, codes), blended, weights=weights)
        if options["blend"].log_loss < options[best.name].log_loss * (1 - BLEND_MIN_GAIN):
            present = "blend"
    if not agree or len(finished) < 2:
        return present, options[present], []
    chosen, agreement = agreeing_pick(options, list(finished), present, codes)
    notices = []
    if chosen != present:
        notices.append(
            f"chose {chosen} over {present} (log loss {options[chosen].log_loss:.4f} against "
            f"{options[present].log_loss:.4f}): its flagged set agrees best with the candidates' majority "
            f"(Dice {agreement[chosen]:.2f} against {agreement[present]:.2f})"
        )
    return chosen, options[chosen], notices


def _family_names(families: Sequence[str] | None) -> list[str]:
    """The families to compare, logistic regression first (the fast baseline the others must beat)."""
    names = [n for n, f in FAMILIES.items() if f.in_default_menu] if families is None else list(families)
    unknown = [n for n in names if n not in FAMILIES]
    if unknown or not names:
        raise InvalidParameterError(f"families must be a non-empty subset of {list(FAMILIES)}, got {names}")
    if "logistic" in names:
        names.remove("logistic")
        names.insert(0, "logistic")
    return names


def _best_finished(results: list, finished: Any) -> Any:
    """The candidate with the lowest out-of-fold log loss among those that finished."""
    if not finished:
        raise EstimatorError(
            "every model family failed on this data: " + "; ".join(f"{c.name}: {c.skipped}" for c in results)
        )
    return min((c for c in results if c.name in finished), key=lambda c: c.best_log_loss)
