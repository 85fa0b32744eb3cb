"""Regression audit: residuals on the scale of their local size, then a mixture decides.

A mistyped number shows as a residual far larger than the model's usual error *at that point*.
The residual ``r = y - f(x)`` comes from out-of-fold predictions. Its expected size comes, with
``X``, from a second, out-of-fold model fitted to ``|r|`` (normalised nonconformity, as in
split-conformal regression: Papadopoulos et al., 2002; Lei et al., 2018); with predictions only,
from a robust scale that varies with the prediction (:mod:`._residual_scale`: cross-fitted MADs
over prediction bins). The standardised residual ``u`` is then either modelled as a two-component
mixture, clean rows (Student-t) and wrong targets (a wide Cauchy), flagging rows whose posterior
probability of being wrong is above ``threshold`` (``rule="mixture"``, the default; no number
of errors needs to be known; fitted by maximum likelihood, or, when that fit's error weight
collapses, as it can on a few hundred rows, with a prior on the clean t's tails; ``mixture_prior``
chooses), or thresholded as ``|u| > threshold`` (``rule="zscore"``).
``label_quality = exp(-|u|)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, MetaEstimatorMixin, RegressorMixin, clone
from sklearn.model_selection import KFold, cross_val_predict
from sklearn.utils.validation import check_is_fitted, column_or_1d

from .._validate.arguments import check_choice, check_positive_int, seed_from, show
from .._validate.estimators import check_meta_X
from .._validate.nan_features import naming_nan_in
from .._validate.row_order import RowOrderScore, check_row_order
from ..columns import ColumnRoles
from ..errors import InvalidLabelsError, InvalidParameterError, ShapeMismatchError, TooFewExamplesError
from ._regression_columns import column_regressor, table_regressor
from ._regression_result import RegressionIssues
from ._residual_mixture import MIXTURE_PRIORS, fit_mixture
from ._residual_scale import local_location_scale, robust_location_scale

__all__ = [
    "FLAG_RULES",
    "MIXTURE_PRIORS",
    "CleanRegressor",
    "RegressionIssues",
    "column_regressor",
    "default_model",
    "default_regressor",
    "find_label_issues",
]

_TINY = 1e-12
READER = "the regression audits"  # who pairs y, predictions and X by position, for check_row_order


def default_regressor(random_state: Any = 0) -> Any:
    """HistGradientBoostingRegressor with absolute-error loss (robust to the very outliers it must
    expose: a squared loss would be pulled towards them) and early stopping off (deterministic)."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    return HistGradientBoostingRegressor(
        loss="absolute_error", max_iter=100, early_stopping=False, random_state=seed_from(random_state)
    )


def default_model(X: Any, random_state: Any = 0) -> tuple[Any, ColumnRoles | None]:
    """The model :func:`find_label_issues` fits on ``X`` when none is given, and the column roles it reads.

    A DataFrame is read by the classification audit's column roles, as ``labelwise audit --task
    regression`` reads DATA (:func:`~labelwise.audit._regression_columns.table_regressor`: numbers,
    dates, categories, high-cardinality categories target-encoded, text; identifiers and constants
    dropped), then :func:`default_regressor`; any other ``X`` (an array) goes to
    :func:`default_regressor` as it is, with no roles.

    Raises
    ------
    InvalidParameterError
        A DataFrame whose every column is an identifier or a constant.
    """
    regressor = default_regressor(random_state)
    if isinstance(X, pd.DataFrame):
        return table_regressor(X, regressor, random_state)
    return regressor, None


def _check_target(y: Any, name: str = "y") -> np.ndarray:
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise InvalidLabelsError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.size < 3:
        raise InvalidLabelsError(f"{name} must have at least 3 values, got n_samples = {arr.size}")
    try:
        arr = arr.astype(np.float64)
    except (TypeError, ValueError):
        num = pd.to_numeric(pd.Series(arr, dtype=object), errors="coerce").to_numpy(dtype=np.float64)
        row = int(np.flatnonzero(np.isnan(num))[0]) if np.isnan(num).any() else 0
        raise InvalidLabelsError(
            f"{name} must be numbers (text such as '2.5' is read as one); row {row} is {show(arr[row])}"
        ) from None
    bad = ~np.isfinite(arr)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InvalidLabelsError(f"{name} must be finite numbers (no NaN or inf); row {row} is {arr[row]}")
    return arr


#: Folds of the out-of-fold fits on X by default (the predictions and the residual scale).
CV_FOLDS = 5


def _oof(model: Any, X: Any, target: np.ndarray, cv: int, random_state: Any) -> np.ndarray:
    """``model``'s out-of-fold predictions of ``target`` from ``X`` (the predictions, or the residual scale)."""
    if target.size < cv:
        raise TooFewExamplesError(
            f"y must have at least cv={cv} rows for the {cv}-fold out-of-fold fits on X, got {target.size}; "
            "pass a smaller cv="
        )
    folds = KFold(n_splits=cv, shuffle=True, random_state=seed_from(random_state))
    return np.asarray(cross_val_predict(clone(model), X, target, cv=folds), dtype=np.float64)


def _predictions(target: np.ndarray, predictions: Any, X: Any, model: Any, cv: int, random_state: Any) -> np.ndarray:
    """The given out-of-fold predictions (checked), or ``model``'s on ``X`` by ``cv``-fold cross-validation."""
    if X is not None and len(X) != target.size:
        raise ShapeMismatchError(f"X and y must have the same number of rows, got {len(X)} and {target.size}")
    if predictions is None:
        if X is None:
            raise InvalidParameterError("find_label_issues needs predictions= (out-of-fold) or X= to compute them")
        return _oof(model, X, target, cv, random_state)
    pred = _check_target(predictions, "predictions")
    if pred.size != target.size:
        raise ShapeMismatchError(f"predictions and y must have the same length, got {pred.size} and {target.size}")
    return pred


def _robust_standardise(raw: np.ndarray) -> tuple[np.ndarray, float, float]:
    """``(raw - median) / (MAD * MAD_TO_SD)``, with that median and scale."""
    med, c = robust_location_scale(raw)
    c = max(c, _TINY)
    return (raw - med) / c, med, c


def _standardise(
    res: np.ndarray, pred: np.ndarray, X: Any, model: Any, cv: int, random_state: Any, uncertainty: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Standardised residuals ``u`` with the location and scale used: ``u = (res - loc) / scale``."""
    n = res.size
    if uncertainty is None and X is None:
        loc, scale = local_location_scale(res, pred)
        return (res - loc) / scale, loc, scale
    if uncertainty is not None:
        given = np.asarray(uncertainty, dtype=np.float64)
        if given.shape not in ((), (n,)):
            raise ShapeMismatchError(f"uncertainty must be a number or have shape ({n},), got shape {given.shape}")
        values = np.broadcast_to(given, (n,))
        bad = ~np.isfinite(values) | (values < 0)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise InvalidParameterError(
                f"uncertainty must be finite and non-negative; row {row} is {float(values[row])}"
            )
        s = values + _TINY
    else:
        abs_res = np.abs(res)
        s = _oof(model, X, abs_res, cv, random_state)
        # A model of |r| can predict ~0 in dense regions; never trust it below a tenth of the global scale.
        s = np.maximum(s, 0.1 * float(np.median(abs_res)) + _TINY)
    u, med, c = _robust_standardise(res / s)
    return u, med * s, c * s


_Flags = tuple[np.ndarray, np.ndarray | None, str | None]


def _flag_mixture(u: np.ndarray, threshold: float, mixture_prior: str = "auto") -> _Flags:
    """Posterior probability of the wide (error) component of a t + Cauchy mixture above
    ``threshold``; the mixture fitted as ``mixture_prior`` says (by default by maximum likelihood
    unless its error weight collapsed: :func:`~labelwise.audit._residual_mixture.fit_mixture`)."""
    if not 0 < threshold < 1:
        raise InvalidParameterError(f"threshold must be a probability in (0, 1) for rule='mixture', got {threshold!r}")
    fit = fit_mixture(u, mixture_prior)
    return fit.posterior > threshold, fit.posterior, fit.fit


def _flag_zscore(u: np.ndarray, threshold: float, mixture_prior: str = "auto") -> _Flags:
    """``|u| > threshold`` (no mixture: ``mixture_prior`` is not read)."""
    if not threshold > 0:
        raise InvalidParameterError(f"threshold must be a positive number for rule='zscore', got {threshold!r}")
    return np.abs(u) > threshold, None, None


#: Flagging rules: name -> (function of (u, threshold, mixture_prior) -> (flags, error probability
#: or None, which mixture fit or None), default threshold).
FLAG_RULES: dict[str, tuple[Callable[[np.ndarray, float, str], _Flags], float]] = {
    "mixture": (_flag_mixture, 0.5),
    "zscore": (_flag_zscore, 3.0),
}


def _rule_and_cut(rule: Any, threshold: Any, mixture_prior: Any) -> tuple[Callable[..., _Flags], float]:
    """The flagging function and its cut, with ``rule``, ``threshold`` and ``mixture_prior`` checked."""
    check_choice("rule", rule, list(FLAG_RULES))
    check_choice("mixture_prior", mixture_prior, MIXTURE_PRIORS)
    if rule != "mixture" and mixture_prior != "auto":
        raise InvalidParameterError(
            f"mixture_prior applies to rule='mixture' only (it chooses how the mixture is fitted); got "
            f"mixture_prior={mixture_prior!r} with rule={rule!r}: leave it out or use rule='mixture'"
        )
    flag, default_threshold = FLAG_RULES[rule]
    cut = default_threshold if threshold is None else threshold
    if not isinstance(cut, int | float) or not np.isfinite(cut):
        raise InvalidParameterError(f"threshold must be a finite number, got {threshold!r}")
    return flag, float(cut)


def find_label_issues(
    y: Any,
    predictions: Any = None,
    X: Any = None,
    model: Any = None,
    *,
    uncertainty: Any = None,
    rule: str = "mixture",
    threshold: float | None = None,
    mixture_prior: str = "auto",
    cv: int = CV_FOLDS,
    random_state: Any = 0,
) -> RegressionIssues:
    """Find the regression targets that are probably wrong.

    (The code is short: it is this docstring that is long, one entry point with many options.)

    Parameters
    ----------
    y : array-like of shape (n,)
        Given targets; NaN/inf is an error. ``y``, ``predictions``, ``X`` and ``uncertainty`` are
        paired by position, as scikit-learn pairs them; a pandas one whose index holds another's
        rows in another order is refused (``predictions.reindex(y.index)``).
    predictions : array-like of shape (n,), optional
        Out-of-fold predictions. Computed from ``X`` with ``model`` by ``cv``-fold cross-validation
        when omitted.
    X : array-like or DataFrame, optional
        Features. Needed without ``predictions``; with it, also used to model the residual scale.
        Without ``X`` the scale is a robust, cross-fitted function of the prediction. A DataFrame is
        read by column roles (numbers, dates, categories, text) when ``model`` is not given.
    model : scikit-learn regressor, optional
        Used for the predictions and for the out-of-fold model of ``|residual|``; default
        :func:`default_model` (for a DataFrame, the column roles' features then
        :func:`default_regressor`, as ``labelwise audit --task regression``; ``column_roles`` of the
        result says how each column was read).
    uncertainty : float or array of shape (n,), optional
        Expected absolute residual per point; replaces the residual-scale model.
    rule : {"mixture", "zscore"}, default "mixture"
        ``mixture``: fit clean (Student-t) + wrong (Cauchy) components to the standardised
        residuals by EM (as ``mixture_prior`` says) and flag a posterior probability of "wrong"
        above ``threshold``. ``zscore``: flag ``|u| > threshold``. Chosen on simulated dev data (five noise models,
        three error rates, two magnitudes), not on the benchmark; see ``dev_regression_flags.py``.
    threshold : float, optional
        The rule's cut; default 0.5 for ``mixture`` (the Bayes rule) and 3.0 for ``zscore``.
    mixture_prior : {"auto", "none", "tail"}, default "auto"
        ``mixture`` only. ``"auto"``: maximum likelihood, refitted with a prior ``P(nu) ~
        exp(-20 / nu)`` on the clean t's degrees of freedom (a MAP fit; [6]_) where the ML fit's
        error weight collapsed below one row; ``"none"``: maximum likelihood; ``"tail"``: the MAP
        fit always (it can move a large table's answer). ``mixture_fit`` says which fit decided.
    cv : int, default 5
    random_state : int, Generator or None

    Returns
    -------
    RegressionIssues

    Raises
    ------
    InvalidLabelsError
        ``y`` not 1-D, non-numeric, NaN or infinite (the first bad row is named).
    ShapeMismatchError
        ``y``, ``predictions`` and ``X`` of different lengths.
    InvalidParameterError
        Neither ``predictions`` nor ``X``; unknown ``rule`` or ``mixture_prior``; ``mixture_prior``
        other than ``"auto"`` with ``rule="zscore"``; bad ``threshold`` or ``uncertainty``; without
        ``model``, a DataFrame ``X`` whose every column is an identifier or a constant.

    References
    ----------
    .. [1] Papadopoulos, H., Proedrou, K., Vovk, V., & Gammerman, A. (2002). Inductive Confidence
       Machines for Regression. ECML.
    .. [2] Lei, J., G'Sell, M., Rinaldo, A., Tibshirani, R. J., & Wasserman, L. (2018).
       Distribution-Free Predictive Inference for Regression. JASA 113(523), 1094-1111.
    .. [3] Zhou, K., & Mueller, J. (2023). Detecting Errors in Numerical Data via any Regression
       Model. arXiv:2305.16583 (the label quality score ``exp(-z)`` and the comparison setting).
    .. [4] Rousseeuw, P. J., & Croux, C. (1993). Alternatives to the Median Absolute Deviation.
       JASA 88(424), 1273-1283.
    .. [5] Peel, D., & McLachlan, G. J. (2000). Robust Mixture Modelling Using the t
       Distribution. Statistics and Computing 10, 339-348.
    .. [6] Simpson, D., et al. (2017). Penalising Model Component Complexity: A Principled,
       Practical Approach to Constructing Priors. Statistical Science 32(1), 1-28.

    Examples
    --------
    >>> import numpy as np
    >>> from labelwise.audit import regression
    >>> rng = np.random.default_rng(0)
    >>> y = rng.normal(size=500); pred = y + rng.normal(0, 0.1, 500); y[7] += 5
    >>> regression.find_label_issues(y, pred).ranked_indices.tolist()
    [7]
    """
    check_row_order(y, "y", READER, predictions=predictions, X=X, uncertainty=uncertainty)
    check_row_order(X, "X", READER, predictions=predictions, uncertainty=uncertainty)
    target = _check_target(y)
    check_positive_int("cv", cv, minimum=2)
    flag, cut = _rule_and_cut(rule, threshold, mixture_prior)
    roles = None
    if model is None:
        model, roles = default_model(X, random_state)
    with naming_nan_in(X, model):  # scikit-learn's NaN refusal, from the folds' fits
        pred = _predictions(target, predictions, X, model, cv, random_state)
        u, location, scale = _standardise(target - pred, pred, X, model, cv, random_state, uncertainty)
    is_issue, error_probability, mixture_fit = flag(u, cut, mixture_prior)
    score = np.abs(u)
    flagged = np.flatnonzero(is_issue)
    ranked = flagged[np.argsort(-score[flagged], kind="stable")]
    prior = mixture_prior if rule == "mixture" else None
    fitted = (pred, scale, cut, ranked, rule, error_probability, location, mixture_fit, prior, roles)
    return RegressionIssues(is_issue, np.exp(-score), score, target, *fitted)


class CleanRegressor(MetaEstimatorMixin, RowOrderScore, RegressorMixin, BaseEstimator):
    """Fit a regressor on the rows whose targets :func:`find_label_issues` does not flag.

    Parameters
    ----------
    estimator : scikit-learn regressor, optional
        The model to fit (default :func:`default_model`: for a DataFrame ``X``, its column roles'
        features then :func:`default_regressor`); also used for the out-of-fold predictions and
        residual scale.
    rule : {"mixture", "zscore"}, default "mixture"
    threshold : float, optional
        See :func:`find_label_issues`.
    mixture_prior : {"auto", "none", "tail"}, default "auto"
        See :func:`find_label_issues`.
    cv : int, default 5
    random_state : int or None, default 0

    Attributes
    ----------
    estimator_ : regressor fitted on the kept rows
    label_issues_ : RegressionIssues
    n_removed_ : int

    References
    ----------
    .. [1] Lei, J., et al. (2018). Distribution-Free Predictive Inference for Regression. JASA.
    """

    def __init__(
        self,
        estimator: Any = None,
        *,
        rule: str = "mixture",
        threshold: float | None = None,
        mixture_prior: str = "auto",
        cv: int = CV_FOLDS,
        random_state: Any = 0,
    ):
        self.estimator = estimator
        self.rule = rule
        self.threshold = threshold
        self.mixture_prior = mixture_prior
        self.cv = cv
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> CleanRegressor:
        """Find target issues out-of-fold, then fit ``estimator`` on the other rows."""
        if y is None:
            raise InvalidLabelsError("CleanRegressor requires y to be passed, but the target y is None")
        check_row_order(X, "X", READER, y=y)
        X = check_meta_X(self, X, reset=True)
        y = column_or_1d(y, warn=True)
        base, roles = (self.estimator, None) if self.estimator is not None else default_model(X, self.random_state)
        issues = find_label_issues(
            y,
            X=X,
            model=base,
            rule=self.rule,
            threshold=self.threshold,
            mixture_prior=self.mixture_prior,
            cv=self.cv,
            random_state=self.random_state,
        )
        keep = ~issues.is_issue
        Xk = X.iloc[keep] if hasattr(X, "iloc") else X[keep]
        with naming_nan_in(X, base):
            self.estimator_ = clone(base).fit(Xk, issues.given[keep])
        self.label_issues_ = issues if roles is None else replace(issues, column_roles=roles)
        self.n_removed_ = int(issues.n_issues)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predictions of the regressor fitted on the kept rows."""
        check_is_fitted(self)
        checked = check_meta_X(self, X, reset=False)
        with naming_nan_in(X, self.estimator_):
            return self.estimator_.predict(checked)
