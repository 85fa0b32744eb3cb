"""Aggregate numeric answers (a price, an age, a 1-5 rating, a coordinate) from several annotators.

Three estimators share one shape: ``fit(answers)`` on a long table (``item``, ``annotator``,
``value``; one row per answer) and the fitted ``values_`` (one number per item), ``std_``,
``n_answers_``, ``annotator_bias_``, ``annotator_sd_``, ``n_iter_``, ``converged_`` and
``loss_history_``. :class:`NumericMean` and :class:`NumericMedian` are the baselines;
:class:`BiasPrecision` learns each annotator's additive bias and noise precision by EM and weighs
the answers by them. ``NUMERIC_METHODS`` maps the command-line names to the classes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from .._validate.arguments import check_positive_int
from ..errors import InvalidParameterError
from ._base import check_tol
from ._numeric_data import NumericAnswers, annotator_sums, encode_numbers, item_sums, shared_items_per_annotator
from ._numeric_em import bias_precision_em
from ._numeric_robust import robust_em

__all__ = ["NumericMean", "NumericMedian", "BiasPrecision", "RobustBiasPrecision", "NUMERIC_METHODS"]


class _NumericAggregator(BaseEstimator):
    """Shared columns, checks, fitted attributes and ``to_frame``."""

    def __init__(
        self,
        item_col: str = "item",
        annotator_col: str = "annotator",
        value_col: str = "value",
        duplicates: str = "keep",
    ) -> None:
        self.item_col = item_col
        self.annotator_col = annotator_col
        self.value_col = value_col
        self.duplicates = duplicates

    def _encode(self, answers: Any) -> NumericAnswers:
        data = encode_numbers(
            answers,
            item_col=self.item_col,
            annotator_col=self.annotator_col,
            value_col=self.value_col,
            duplicates=self.duplicates,
        )
        self.n_duplicates_ = data.n_duplicates
        self.n_duplicates_dropped_ = data.n_duplicates if data.rows is not None else 0
        return data

    def _set_items(self, data: NumericAnswers, values: np.ndarray, std: np.ndarray) -> None:
        self.values_ = pd.Series(values, index=data.items, name="value")
        self.std_ = pd.Series(std, index=data.items, name="sd")
        self.n_answers_ = pd.Series(data.n_per_item, index=data.items, name="n")
        self.annotator_n_answers_ = pd.Series(data.n_per_annotator, index=data.annotators, name="n")
        self.annotator_n_items_ = pd.Series(shared_items_per_annotator(data), index=data.annotators, name="n_items")
        self.n_items_ = len(data.items)
        self.n_annotators_ = len(data.annotators)
        self.n_components_ = data.n_components

    def _set_descriptive_annotators(self, data: NumericAnswers, values: np.ndarray) -> None:
        """Each annotator's mean deviation from the items' values, and the sd of its deviations."""
        y, i = data.value, data.item
        n = data.n_per_annotator
        bias = annotator_sums(data, lambda s: y[s] - values[i[s]]) / n
        sq = annotator_sums(data, lambda s: (y[s] - values[i[s]] - bias[data.annotator[s]]) ** 2) / n
        self.annotator_bias_ = pd.Series(bias, index=data.annotators, name="bias")
        self.annotator_sd_ = pd.Series(np.sqrt(sq), index=data.annotators, name="sd")
        self.n_iter_, self.converged_ = 0, True
        self.loss_history_: list[float] = []

    def fit_predict(self, answers: pd.DataFrame) -> pd.Series:
        """Fit and return ``values_``."""
        return self.fit(answers).values_

    def to_frame(self) -> pd.DataFrame:
        """One row per item (sorted): ``value``, ``sd`` and ``n`` (its answers)."""
        return pd.DataFrame({"value": self.values_, "sd": self.std_, "n": self.n_answers_})

    def fit(self, answers: pd.DataFrame) -> Any:  # pragma: no cover - every subclass defines it
        raise NotImplementedError


class NumericMean(_NumericAggregator):
    """Each item's value is the mean of its answers.

    Parameters
    ----------
    item_col, annotator_col, value_col : str
        The columns of the answer table.
    duplicates : {"keep", "last", "mean"}, default="keep"
        Several answers of one annotator on one item: each is an answer (``keep``, as
        ``labelwise.aggregate``'s estimators), only the last in row order (``last``), or their
        mean, as one answer (``mean``). ``n_duplicates_`` counts them either way.

    Attributes
    ----------
    values_ : pandas.Series
        Mean answer of each item (index ``item``, sorted).
    std_ : pandas.Series
        Standard error of that mean, ``s / sqrt(n)`` with ``s`` the sample sd of the item's answers
        (NaN for an item with one answer).
    n_answers_ : pandas.Series
        Answers per item.
    annotator_n_answers_ : pandas.Series
        Answers per annotator.
    annotator_n_items_ : pandas.Series
        Per annotator, the items it answered that hold two answers or more: what its bias and sd rest on
        (0: none; an item's only answer tells nothing of its annotator).
    annotator_bias_, annotator_sd_ : pandas.Series
        Each annotator's mean deviation from the items' values, and the sd of its deviations
        (descriptive: the values do not use them).
    n_items_, n_annotators_, n_components_ : int
    n_duplicates_, n_duplicates_dropped_ : int
        Answers repeating an annotator's answer on an item; of them, those ``duplicates`` folded away.
    n_iter_, converged_, loss_history_ : 0, True, []
        For a common shape with :class:`BiasPrecision`.
    """

    def fit(self, answers: pd.DataFrame) -> NumericMean:
        """Fit on a table with one numeric answer per row; returns ``self``."""
        data = self._encode(answers)
        y, i, n = data.value, data.item, data.n_per_item
        mean = item_sums(data, lambda s: y[s]) / n
        ss = item_sums(data, lambda s: (y[s] - mean[i[s]]) ** 2)
        with np.errstate(invalid="ignore", divide="ignore"):
            se = np.where(n > 1, np.sqrt(ss / np.maximum(n - 1, 1) / n), np.nan)
        self._set_items(data, mean, se)
        self._set_descriptive_annotators(data, mean)
        return self


class NumericMedian(_NumericAggregator):
    """Each item's value is the median of its answers (the mean of the two middle ones for an even count).

    Robust to a minority of wild answers per item, blind to who gave them. One sort of the answers by
    (item, value), then the middle entries of each item's run.

    Parameters
    ----------
    item_col, annotator_col, value_col : str
        The columns of the answer table.
    duplicates : {"keep", "last", "mean"}, default="keep"
        Several answers of one annotator on one item: each is an answer (``keep``, as
        ``labelwise.aggregate``'s estimators), only the last in row order (``last``), or their
        mean, as one answer (``mean``). ``n_duplicates_`` counts them either way.

    Attributes
    ----------
    values_ : pandas.Series
        Median answer of each item.
    std_ : pandas.Series
        Not estimated: NaN.
    n_answers_, annotator_n_answers_, annotator_n_items_, annotator_bias_, annotator_sd_, n_items_, n_annotators_,
    n_components_, n_duplicates_, n_duplicates_dropped_, n_iter_, converged_, loss_history_
        As in :class:`NumericMean`.
    """

    def fit(self, answers: pd.DataFrame) -> NumericMedian:
        """Fit on a table with one numeric answer per row; returns ``self``."""
        data = self._encode(answers)
        order = np.lexsort((data.value, data.item))
        starts = np.concatenate([[0], np.cumsum(data.n_per_item)[:-1]])
        low = data.value[order[starts + (data.n_per_item - 1) // 2]]
        high = data.value[order[starts + data.n_per_item // 2]]
        median = 0.5 * low + 0.5 * high
        self._set_items(data, median, np.full(len(median), np.nan))
        self._set_descriptive_annotators(data, median)
        return self


def _check_prior(prior: Any) -> float:
    if (
        isinstance(prior, (bool, np.bool_))
        or not isinstance(prior, (int, float, np.integer, np.floating))
        or not (np.isfinite(prior) and prior > 0)
    ):
        raise InvalidParameterError(
            f"prior must be a finite number > 0 (virtual answers per annotator; the maximum likelihood without a "
            f"prior can put an infinite precision on an annotator), got {prior!r}"
        )
    return float(prior)


class BiasPrecision(_NumericAggregator):
    r"""Truth, per-annotator bias and precision of numeric answers, by EM.

    The model: annotator :math:`w`'s answer on item :math:`i` is
    :math:`y = z_i + b_w + \varepsilon`, :math:`\varepsilon \sim N(0, 1/\tau_w)`. This is Raykar et
    al.'s (2010, section 4) regression model of annotators with a precision :math:`\tau_w` each,
    without features (a free truth per item), extended with an additive bias :math:`b_w`, the
    "biased annotator" behaviour for continuous labels of Kara et al. (2015) and Welinder & Perona
    (2010). The truths have a flat prior and are integrated out: EM maximises the marginal
    posterior of :math:`(b, \tau)`, so an item answered once says nothing about its annotator's
    noise (a fit of the truths as parameters would call that answer exact). Each annotator's
    :math:`(b_w, \tau_w)` has the conjugate Normal-Gamma prior (Murphy 2007)
    :math:`\tau_w \sim \mathrm{Gamma}((a+1)/2,\ a s_0/2)`,
    :math:`b_w \mid \tau_w \sim N(0, 1/(a \tau_w))`: worth :math:`a` = ``prior`` virtual answers
    with no bias and squared error :math:`s_0`, the pooled within-item variance of the raw answers.
    An annotator with one or two answers then gets a finite precision near :math:`1/s_0` and a bias
    shrunk towards 0, not an infinite precision; the prior's scale follows the data's, so the fit is
    equivariant to the unit (scaling and shifting every answer scales and shifts ``values_`` and
    scales the biases and sds). The default ``prior=2`` was chosen on simulated crowds (dev seeds,
    not the benchmark's), see ``benchmarks/RESULTS.md``.

    Identifiability: moving every bias of a connected component of the item-annotator graph by
    :math:`c` and its truths by :math:`-c` leaves the likelihood unchanged; the prior picks the
    shift at which the biases' precision-weighted mean is 0 in each component (after each M-step
    the biases are moved there, the exact maximum along that direction). So values are "what the
    precise annotators say on average", and values in two components are not corrected relative
    to each other.

    E-step: :math:`z_i \sim N(m_i, v_i)`, :math:`v_i = 1/\sum_r \tau_{w_r}`,
    :math:`m_i = v_i \sum_r \tau_{w_r} (y_r - b_{w_r})`. M-step, with :math:`r = y - m_i`:
    :math:`b_w = \sum r / (n_w + a)`,
    :math:`\tau_w = (n_w + a) / (\sum [(r - b_w)^2 + v_i] + a b_w^2 + a s_0)`. One pass over row
    blocks of the answers builds two sparse items x annotators matrices (each answer, and each answer
    less its item's mean); each iteration is four sparse products with them, never a loop over items.
    The objective never increases (``loss_history_``).

    Parameters
    ----------
    prior : float, default=2.0
        Weight ``a > 0`` of the Normal-Gamma prior, in virtual answers per annotator. Without a
        prior the likelihood can grow without bound as one annotator's precision does (an
        annotator whose bias absorbs its few answers' errors), so ``a`` must be positive.
    max_iter : int, default=200
        Most EM iterations.
    tol : float, default=1e-8
        Converged when the objective (per answer) falls by less than ``tol`` in one iteration.
    item_col, annotator_col, value_col : str
        The columns of the answer table.
    duplicates : {"keep", "last", "mean"}, default="keep"
        Several answers of one annotator on one item: each is an answer (``keep``, as
        ``labelwise.aggregate``'s estimators), only the last in row order (``last``), or their
        mean, as one answer (``mean``). ``n_duplicates_`` counts them either way.

    Attributes
    ----------
    values_ : pandas.Series
        Posterior mean :math:`m_i` of each item's truth (index ``item``, sorted): the
        precision-weighted mean of its answers less their annotators' biases.
    std_ : pandas.Series
        Posterior sd :math:`\sqrt{v_i}` given the fitted biases and precisions.
    n_answers_, annotator_n_answers_ : pandas.Series
        Answers per item and per annotator.
    annotator_n_items_ : pandas.Series
        Per annotator, the items it answered that hold two answers or more: the items its bias and
        precision rest on. An annotator answering one such item once gets a bias of about
        :math:`1/(1+a)` of its answer's deviation from the item's value (a third at ``prior=2``) and a
        sd of the order of :math:`\sqrt{s_0}`, the prior's: a guess from one answer, not a measured
        bias (``labelwise aggregate-numbers`` writes this count as annotators.csv's ``n_items``).
    annotator_bias_ : pandas.Series
        :math:`b_w` (index ``annotator``): how much the annotator's answers exceed the truth on average.
    annotator_sd_ : pandas.Series
        Noise sd :math:`1/\sqrt{\tau_w}` of the annotator's answers around truth plus bias.
    n_items_, n_annotators_ : int
    n_components_ : int
        Connected components of the item-annotator graph (biases are centred in each).
    n_duplicates_, n_duplicates_dropped_ : int
        As in :class:`NumericMean`.
    prior_scale_ : float
        :math:`s_0`.
    n_iter_ : int
        EM iterations taken.
    converged_ : bool
    loss_history_ : list of float
        Negative log posterior per answer at the start and after each iteration (non-increasing).

    References
    ----------
    .. [1] V. C. Raykar, S. Yu, L. H. Zhao, G. H. Valadez, C. Florin, L. Bogoni and L. Moy,
       "Learning from crowds", JMLR 11 (2010), 1297-1322 (section 4, regression).
    .. [2] Y. E. Kara, G. Genc, O. Aran and L. Akarun, "Modeling annotator behaviors for crowd
       labeling", Neurocomputing 160 (2015), 141-156.
    .. [3] P. Welinder and P. Perona, "Online crowdsourcing: rating annotators and obtaining
       cost-effective labels", CVPR Workshops (2010).
    .. [4] K. P. Murphy, "Conjugate Bayesian analysis of the Gaussian distribution", technical
       report (2007) (the Normal-Gamma prior).
    .. [5] A. P. Dempster, N. M. Laird and D. B. Rubin, "Maximum likelihood from incomplete data via
       the EM algorithm", J. R. Statist. Soc. B 39 (1977), 1-38.

    Examples
    --------
    >>> import pandas as pd
    >>> from labelwise.aggregate import BiasPrecision
    >>> answers = pd.DataFrame({"item": [1, 1, 1, 2, 2, 2], "annotator": list("abcabc"),
    ...                         "value": [10.0, 12.0, 10.5, 20.0, 22.0, 19.5]})
    >>> est = BiasPrecision().fit(answers)
    >>> bool(est.annotator_bias_["b"] > est.annotator_bias_["a"])
    True
    """

    def __init__(
        self,
        prior: float = 2.0,
        max_iter: int = 200,
        tol: float = 1e-8,
        item_col: str = "item",
        annotator_col: str = "annotator",
        value_col: str = "value",
        duplicates: str = "keep",
    ) -> None:
        super().__init__(item_col, annotator_col, value_col, duplicates)
        self.prior = prior
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, answers: pd.DataFrame) -> BiasPrecision:
        """Fit on a table with one numeric answer per row; returns ``self``."""
        prior = _check_prior(self.prior)
        max_iter = check_positive_int("max_iter", self.max_iter)
        check_tol(self.tol)
        data = self._encode(answers)
        res = bias_precision_em(data, prior=prior, max_iter=max_iter, tol=float(self.tol))
        self._set_items(data, res.mean, np.sqrt(res.var))
        self.annotator_bias_ = pd.Series(res.bias, index=data.annotators, name="bias")
        self.annotator_sd_ = pd.Series(1.0 / np.sqrt(res.precision), index=data.annotators, name="sd")
        self.prior_scale_ = res.s0
        self.n_iter_ = res.n_iter
        self.converged_ = res.converged
        self.loss_history_ = [float(v) for v in res.losses]
        return self


class RobustBiasPrecision(BiasPrecision):
    r""":class:`BiasPrecision` with Student-t annotator noise: a wild answer is down-weighted, not
    taken as a sign that its annotator is noisy.

    Each answer's noise is Student t with ``df`` degrees of freedom and the annotator's scale
    :math:`1/\sqrt{\tau_w}`, written as the Gaussian scale mixture (Liu & Rubin 1995): answer
    :math:`r` has a latent weight :math:`u_r \sim \mathrm{Gamma}(\nu/2, \nu/2)` and Gaussian noise
    of precision :math:`\tau_w u_r`. The truths and weights are fitted by mean-field variational EM
    (coordinate ascent on the evidence lower bound): the truths' Gaussian posterior given the
    expected weights, the weights' Gamma posterior
    :math:`E[u_r] = (\nu + 1) / (\nu + \tau_w [(y_r - b_w - m_i)^2 + v_i])`, then
    :class:`BiasPrecision`'s M-step with each answer weighed by :math:`E[u_r]` (same prior, same
    centring of the biases), except that the prior's scale :math:`s_0` is robust: the square of
    1.4826 times the median distance of an answer to its item's mean (the pooled variance would let a
    few wild answers set every annotator's prior noise). It starts with no bias and precision
    :math:`1/s_0`. ``df=4`` is the robust
    default of Lange, Little & Taylor (1989); a large ``df`` gives :class:`BiasPrecision`. The
    sweeps are accelerated by SQUAREM [4]_, guarded by the lower bound (it never falls), with the
    weights and precisions extrapolated in log space.

    Parameters
    ----------
    df : float, default=4.0
        Degrees of freedom of the noise (> 0; smaller: heavier tails, wild answers weigh less).
    prior, max_iter, tol, item_col, annotator_col, value_col, duplicates
        As in :class:`BiasPrecision`.

    Attributes
    ----------
    values_, std_, n_answers_, annotator_n_answers_, annotator_n_items_, annotator_bias_, n_items_, n_annotators_,
    n_components_, prior_scale_, n_duplicates_, n_duplicates_dropped_
        As in :class:`BiasPrecision` (``std_`` given the final weights).
    annotator_sd_ : pandas.Series
        The annotator's noise scale :math:`1/\sqrt{\tau_w}` (its sd is larger by
        :math:`\sqrt{\nu / (\nu - 2)}` for :math:`\nu > 2`).
    answer_weight_ : numpy.ndarray
        :math:`E[u_r]` of each answer, by position of the input rows (``answer_weight_[i]`` is
        ``answers.iloc[i]``'s, whatever the table's index; near 1 for a typical answer, small for an
        outlier; NaN for a row that ``duplicates="last"`` or ``"mean"`` folded into a later one). A bare
        array, as scikit-learn's per-sample attributes; ``pd.Series(est.answer_weight_, index=answers.index)``
        keys it by the table's own ids.
    n_iter_, converged_ : int, bool
        Of the variational EM (``n_iter_``: coordinate-ascent sweeps, SQUAREM's included).
    loss_history_ : list of float
        Negative evidence lower bound per answer after the first sweep and each SQUAREM cycle
        (non-increasing).

    References
    ----------
    .. [1] C. Liu and D. B. Rubin, "ML estimation of the t distribution using EM and its extensions,
       ECM and ECME", Statistica Sinica 5 (1995), 19-39.
    .. [2] K. L. Lange, R. J. A. Little and J. M. G. Taylor, "Robust statistical modeling using the t
       distribution", J. Amer. Statist. Assoc. 84 (1989), 881-896.
    .. [3] V. C. Raykar et al., "Learning from crowds", JMLR 11 (2010), 1297-1322.
    .. [4] R. Varadhan and C. Roland, "Simple and Globally Convergent Methods for Accelerating the
       Convergence of Any EM Algorithm", Scandinavian Journal of Statistics 35(2), 335-353, 2008.
    """

    def __init__(
        self,
        df: float = 4.0,
        prior: float = 2.0,
        max_iter: int = 200,
        tol: float = 1e-8,
        item_col: str = "item",
        annotator_col: str = "annotator",
        value_col: str = "value",
        duplicates: str = "keep",
    ) -> None:
        super().__init__(prior, max_iter, tol, item_col, annotator_col, value_col, duplicates)
        self.df = df

    def fit(self, answers: pd.DataFrame) -> RobustBiasPrecision:
        """Fit on a table with one numeric answer per row; returns ``self``."""
        df = self.df
        if (
            isinstance(df, (bool, np.bool_))
            or not isinstance(df, (int, float, np.integer, np.floating))
            or not (np.isfinite(df) and df > 0)
        ):
            raise InvalidParameterError(f"df must be a finite number > 0 (degrees of freedom), got {df!r}")
        prior = _check_prior(self.prior)
        max_iter = check_positive_int("max_iter", self.max_iter)
        check_tol(self.tol)
        data = self._encode(answers)
        res = robust_em(data, df=float(df), prior=prior, max_iter=max_iter, tol=float(self.tol))
        self._set_items(data, res.mean, np.sqrt(res.var))
        self.annotator_bias_ = pd.Series(res.bias, index=data.annotators, name="bias")
        self.annotator_sd_ = pd.Series(1.0 / np.sqrt(res.precision), index=data.annotators, name="sd")
        self.answer_weight_ = res.weights
        if data.rows is not None:  # one weight per row of the table
            self.answer_weight_ = np.full(len(answers), np.nan)
            self.answer_weight_[data.rows] = res.weights
        self.prior_scale_ = res.s0
        self.n_iter_ = res.n_iter
        self.converged_ = res.converged
        self.loss_history_ = [float(v) for v in res.losses]
        return self


#: Command-line method names.
NUMERIC_METHODS = {
    "mean": NumericMean,
    "median": NumericMedian,
    "bias-precision": BiasPrecision,
    "robust": RobustBiasPrecision,
}
