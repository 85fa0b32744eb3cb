"""Reject on negative impact (RONI; Nelson et al. 2008, Barreno et al. 2010): judge each suspect
training row by how much adding it to a small trusted base changes a model's accuracy on a trusted
quiz set, and flag the rows whose impact falls below what trusted rows do."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from threadpoolctl import threadpool_limits

from .._chunks import check_n_jobs
from .._validate.arguments import check_choice, check_positive_int, check_random_state, show
from .._validate.labels import check_same_length, encode_labels
from .._validate.row_order import check_row_order
from ..errors import InvalidParameterError, ShapeMismatchError, TooFewExamplesError
from ._common import READER, row_index
from ._detect_common import check_features
from ._detect_result import PoisonDetection
from ._names import CENTERS

#: Suspect rows per joblib task: enough fits to amortise dispatch, few enough to spread the work.
ROWS_PER_TASK = 32


def _suspect_rows(suspects: Any, n: int) -> np.ndarray:
    """``suspects`` as ascending row numbers: None (every row), a boolean mask or row numbers."""
    if suspects is None:
        return np.arange(n)
    arr = np.asarray(suspects)
    if arr.ndim != 1:
        raise ShapeMismatchError(f"suspects must be 1-D (a boolean mask or row numbers), got shape {arr.shape}")
    if arr.dtype == bool:
        if arr.shape[0] != n:
            raise ShapeMismatchError(
                f"suspects as a boolean mask must have one value per row of X ({n}), got {len(arr)}"
            )
        arr = np.flatnonzero(arr)
    elif arr.dtype.kind in "iu":
        bad = np.flatnonzero((arr < 0) | (arr >= n))
        if bad.size:
            raise InvalidParameterError(f"suspects must be row numbers in [0, {n}), got {int(arr[bad[0]])}")
        if np.unique(arr).size != arr.size:
            raise InvalidParameterError("suspects must name each row at most once, got a repeated row number")
        arr = np.sort(arr)
    elif arr.size:
        raise InvalidParameterError(f"suspects must be a boolean mask or integer row numbers, got dtype {arr.dtype}")
    if arr.size == 0:
        raise TooFewExamplesError("suspects must name at least one row of X, got none")
    return arr.astype(np.int64)


def _count(name: str, value: Any, default: int) -> int:
    return default if value is None else check_positive_int(name, value)


def _draws(n_valid: int, n_base: Any, n_calibration: Any, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """One permutation of the trusted rows, cut into base, calibration and quiz rows (each sorted)."""
    base = _count("n_base", n_base, max(2, n_valid // 3))
    cal = _count("n_calibration", n_calibration, max(2, n_valid // 3))
    if base + cal >= n_valid:
        raise TooFewExamplesError(
            f"n_base + n_calibration must leave at least one trusted row for the quiz set, got {base} + {cal} "
            f"of the {n_valid} trusted rows"
        )
    order = rng.permutation(n_valid)
    return np.sort(order[:base]), np.sort(order[base : base + cal]), np.sort(order[base + cal :])


def _redraw(n_valid: int, n_base: int, cal: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Another base and quiz set of the same sizes from the trusted rows outside the calibration ``cal``."""
    order = rng.permutation(np.setdiff1d(np.arange(n_valid), cal))
    return np.sort(order[:n_base]), np.sort(order[n_base:])


def _impacts(estimator, X_base, y_base, X_new, y_new, X_quiz, y_quiz, base_accuracy: float) -> np.ndarray:
    """Quiz accuracy of the estimator fitted on the base plus each new row, minus the base's.

    The fits are small (a base of a few dozen rows): BLAS and OpenMP get one thread each, since
    threads oversubscribe such fits (a 25-fold slowdown of scikit-learn's lbfgs measured on 2
    shared cores); ``n_jobs`` spreads the rows over workers instead."""
    out = np.empty(len(y_new))
    X_fit = np.vstack([X_base, X_base[:1]])
    y_fit = np.append(y_base, y_base[0])
    with threadpool_limits(1):
        for j in range(len(y_new)):
            X_fit[-1] = X_new[j]
            y_fit[-1] = y_new[j]
            model = clone(estimator).fit(X_fit, y_fit)
            out[j] = np.mean(model.predict(X_quiz) == y_quiz) - base_accuracy
    return out


def _per_class(classes, codes, rows, flagged, row_impacts) -> pd.DataFrame:
    """Rows, suspects, flagged rows and mean impact of the suspects, per class."""
    K = len(classes)
    judged = np.bincount(codes[rows], minlength=K)
    total = np.bincount(codes[rows], weights=row_impacts, minlength=K)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(judged > 0, total / np.maximum(judged, 1), np.nan) + 0.0
    return pd.DataFrame(
        {
            "class": classes,
            "rows": np.bincount(codes, minlength=K),
            "suspects": judged,
            "flagged": np.bincount(codes[flagged], minlength=K),
            "mean_impact": mean,
        }
    )


def roni(
    X,
    labels,
    *,
    estimator,
    X_valid,
    y_valid,
    suspects=None,
    n_base: int | None = None,
    n_calibration: int | None = None,
    k: float = 3.0,
    center: str = "mean",
    n_draws: int = 5,
    n_jobs: int | None = None,
    random_state: Any = None,
) -> PoisonDetection:
    """Flag training rows whose addition to a trusted base lowers a model's accuracy (RONI).

    Reject on negative impact needs no representation of the rows, only a model and a small trusted
    set (``X_valid``, ``y_valid``). The trusted rows are permuted once (``random_state``) and cut
    into a *base* (the first ``n_base``), *calibration* rows (the next ``n_calibration``) and a
    *quiz* set (the rest). A clone of ``estimator`` fitted on the base scores accuracy
    :math:`a_0` on the quiz set; each suspect row :math:`i` gets its own clone fitted on the base
    plus that row, with quiz accuracy :math:`a_i`, and its *impact* is :math:`a_i - a_0`. The
    calibration rows, trusted, get impacts the same way; a suspect row is flagged when its impact
    is below ``center - k * std`` of the calibration impacts (Nelson's calibrated RONI). Each row
    is judged against the same base, so the result does not depend on the order of the rows.

    Parameters
    ----------
    X : array-like of shape (n, d)
        The training rows (the model's inputs), finite numbers. Read a task's rows at a time.
    labels : array-like of shape (n,)
        Their labels (any hashable values), the poisoned ones included.
    estimator : scikit-learn classifier
        Cloned (``sklearn.base.clone``) for every fit; deterministic given its own ``random_state``.
    X_valid : array-like of shape (m, d)
        Trusted rows, never poisoned: base, calibration and quiz are drawn from them.
    y_valid : array-like of shape (m,)
        Their labels.
    suspects : None, boolean mask of shape (n,) or row numbers, default None
        The rows to judge (every row when None); the others get a NaN score and are not flagged.
    n_base, n_calibration : int, optional
        Trusted rows in the base and in the calibration set; default ``max(2, m // 3)`` each. The
        quiz set holds the remaining rows (at least one). A small base is the method's point: one
        row can move a model fitted on a few dozen rows, hardly one fitted on thousands.
    k : float, default 3.0
        Calibration standard deviations below the centre where flagging starts (ART and Nelson's
        thesis use 3); must be >= 0.
    center : {"mean", "median"}, default "mean"
        The calibration impacts' centre. ART 1.20.1 uses the median.
    n_draws : int, default 5
        Draws of base and quiz set to average every impact over (Nelson et al. average over five).
        The calibration rows are drawn once and kept, and each later draw cuts the other trusted
        rows into a base and a quiz set of the same sizes: every suspect and every calibration row
        gets the mean of its ``n_draws`` impacts, so the threshold comes from impacts averaged as
        the suspects' are. ``1`` is the single draw described above, ``n_draws`` times fewer fits
        (the default was chosen on simulated data, see benchmarks/RESULTS.md).
    n_jobs : int, optional
        joblib workers for the fits (``None``: one process); the result does not depend on it.
    random_state : None, int or numpy Generator
        Seeds the permutation of the trusted rows.

    Returns
    -------
    PoisonDetection
        ``detector="roni"``; ``scores`` the *harm* of each suspect row, ``-(a_i - a_0)`` (higher is
        more suspicious; NaN for rows not judged); ``is_flagged``; ``per_class`` (rows, suspects,
        flagged, mean impact per class); ``params`` the parameters, the threshold on the impact,
        the base accuracy, the calibration centre and spread and the drawn trusted rows
        (``base_rows``, ``calibration_rows``, ``quiz_rows``: row numbers of ``X_valid``, the first
        draw's), ``n_draws`` and, with several draws, ``draws`` (each draw's base and quiz rows and
        base accuracy; ``base_accuracy`` is then their mean).

    Raises
    ------
    ShapeMismatchError
        ``X`` or ``X_valid`` not 2-D, different numbers of columns, lengths that do not match.
    InvalidParameterError
        Non-finite features, ``k`` negative, ``center`` unknown, bad ``suspects``, an estimator
        without ``fit`` and ``predict``.
    TooFewExamplesError
        No quiz row left, or a base with a single class.

    Notes
    -----
    This function is long for its docstring: the draws and ART's departures are stated here.
    ART 1.20.1's ``RONIDefense`` departs from the papers in ways that change what it flags:
    (1) it draws its quiz set (with replacement) and calibration rows from the *suspect* training
    rows, so poison can enter the yardstick; (2) its first reference model is fitted on all the
    suspect rows, then rows are visited in a random order and each accepted row joins the base, so
    a row's verdict depends on the order; (3) its shift is ``accuracy(before) - accuracy(after)``
    (``art.utils.performance_diff``), the opposite sign of the impact, yet compared with
    ``median - 3 std`` as an impact would be, so it flags rows whose addition *raises* accuracy most;
    (4) it recomputes the calibration for every suspect row. labelwise follows the papers: trusted
    quiz and calibration rows, one fixed base, impact ``after - before``, the low tail flagged;
    ``center="median"`` gives ART's centre. Nelson et al. (2008) average each impact over five
    draws of base and quiz, as labelwise does by default (``n_draws=5``).

    References
    ----------
    .. [1] B. Nelson, M. Barreno, F. J. Chi, A. D. Joseph, B. I. P. Rubinstein, U. Saini, C. Sutton,
       J. D. Tygar and K. Xia, "Exploiting Machine Learning to Subvert Your Spam Filter", LEET 2008.
    .. [2] M. Barreno, B. Nelson, A. D. Joseph and J. D. Tygar, "The Security of Machine Learning",
       Machine Learning 81(2), 2010.
    .. [3] B. Nelson, "Behavior of Machine Learning Algorithms in Adversarial Environments", PhD
       thesis, UC Berkeley, 2010, section 4.4 (calibrated RONI).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> import labelwise as lw
    >>> rng = np.random.default_rng(0)
    >>> X_valid = rng.normal(size=(90, 2)); y_valid = (X_valid[:, 0] > 0).astype(int)
    >>> X = rng.normal(size=(40, 2)); labels = (X[:, 0] > 0).astype(int)
    >>> X[:5, 0] = 1.5; labels[:5] = 0  # five rows deep in class 1, labelled 0
    >>> found = lw.poison.roni(X, labels, estimator=KNeighborsClassifier(1), X_valid=X_valid,
    ...                        y_valid=y_valid, random_state=0)
    >>> found.flagged_indices  # three of the five (rows 0-4), and a clean row 1-NN also finds harmful
    array([ 3,  4, 18])
    """
    check_row_order(X, "X", READER, labels=labels)
    check_row_order(X_valid, "X_valid", READER, y_valid=y_valid)
    index = row_index(X, labels)
    X = check_features(X, name="X")
    Xv = check_features(X_valid, name="X_valid")
    if Xv.shape[1] != X.shape[1]:
        raise ShapeMismatchError(f"X_valid must have as many columns as X ({X.shape[1]}), got {Xv.shape[1]}")
    if not (hasattr(estimator, "fit") and hasattr(estimator, "predict")):
        raise InvalidParameterError(f"estimator must be a classifier with fit and predict, got {show(estimator)}")
    if isinstance(k, bool) or not isinstance(k, numbers.Real) or not (0 <= float(k) < np.inf):
        raise InvalidParameterError(f"k must be a finite number >= 0, got {k!r}")
    center = check_choice("center", center, CENTERS)
    n_jobs = check_n_jobs("n_jobs", n_jobs)
    n = X.shape[0]
    own, own_classes = encode_labels(labels, name="labels")
    own_valid, valid_classes = encode_labels(y_valid, name="y_valid")
    check_same_length("X", X, "labels", own)
    check_same_length("X_valid", Xv, "y_valid", own_valid)
    both = np.concatenate(
        [np.asarray(own_classes, dtype=object)[own], np.asarray(valid_classes, dtype=object)[own_valid]]
    )
    codes_all, classes = encode_labels(both, name="labels and y_valid")
    codes, codes_valid = codes_all[:n], codes_all[n:]
    n_draws = check_positive_int("n_draws", n_draws)
    rows = _suspect_rows(suspects, n)
    rng = check_random_state(random_state)
    base, cal, quiz = _draws(Xv.shape[0], n_base, n_calibration, rng)
    draws = [(base, quiz)] + [_redraw(Xv.shape[0], len(base), cal, rng) for _ in range(n_draws - 1)]
    setups = []
    for d, (b, q) in enumerate(draws):
        if np.unique(codes_valid[b]).size < 2:
            raise TooFewExamplesError(
                f"n_base must draw trusted rows of at least 2 classes to fit a classifier, got {len(b)} rows of "
                f"class {show(classes[codes_valid[b][0]])} only"
                + (f" in draw {d + 1} of n_draws={n_draws}" if n_draws > 1 else "")
                + "; raise n_base or change random_state"
            )
        X_base, X_quiz = np.asarray(Xv[b], dtype=np.float64), np.asarray(Xv[q], dtype=np.float64)
        accuracy = float(np.mean(clone(estimator).fit(X_base, codes_valid[b]).predict(X_quiz) == codes_valid[q]))
        setups.append((X_base, codes_valid[b], X_quiz, codes_valid[q], accuracy))
    tasks = [(Xv, codes_valid, cal[i : i + ROWS_PER_TASK]) for i in range(0, len(cal), ROWS_PER_TASK)]
    tasks += [(X, codes, rows[i : i + ROWS_PER_TASK]) for i in range(0, len(rows), ROWS_PER_TASK)]
    parts = Parallel(n_jobs=n_jobs)(
        delayed(_impacts)(estimator, *setup[:2], np.asarray(S[r], dtype=np.float64), c[r], *setup[2:])
        for setup in setups
        for S, c, r in tasks
    )
    impacts = np.concatenate(parts).reshape(n_draws, len(cal) + len(rows)).mean(axis=0)
    base_accuracy = float(np.mean([setup[4] for setup in setups]))
    cal_impacts, row_impacts = impacts[: len(cal)], impacts[len(cal) :]
    middle = float(np.mean(cal_impacts) if center == "mean" else np.median(cal_impacts))
    spread = float(np.std(cal_impacts))
    threshold = middle - float(k) * spread
    scores = np.full(n, np.nan)
    scores[rows] = 0.0 - row_impacts  # 0.0 - 0.0 is 0.0, not -0.0
    flagged = np.zeros(n, dtype=bool)
    flagged[rows] = row_impacts < threshold - 1e-12  # accuracies are ratios: ignore rounding
    per_class = _per_class(classes, codes, rows, flagged, row_impacts)
    params = {
        "n_base": len(base),
        "n_calibration": len(cal),
        "n_quiz": len(quiz),
        "k": float(k),
        "center": center,
        "threshold": threshold,
        "base_accuracy": base_accuracy,
        "calibration_center": middle,
        "calibration_std": spread,
        "base_rows": base.tolist(),
        "calibration_rows": cal.tolist(),
        "quiz_rows": quiz.tolist(),
        "n_draws": n_draws,
    }
    if n_draws > 1:
        params["draws"] = [
            {"base_rows": b.tolist(), "quiz_rows": q.tolist(), "base_accuracy": setup[4]}
            for (b, q), setup in zip(draws, setups, strict=True)
        ]
    return PoisonDetection("roni", scores, flagged, classes, codes, per_class, params, index=index)
