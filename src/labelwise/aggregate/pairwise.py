"""Aggregate pairwise comparisons ("which of the two is better?") into one score per item.

:class:`BradleyTerry` fits the Bradley-Terry model by Hunter's MM algorithm, with a Gamma prior on
the strengths (Caron & Doucet) so that items that never win or never lose still get a finite score;
:class:`NoisyBradleyTerry` adds each annotator's reliability and left/right position bias
(Bugakova et al.). Both take a long table with one row per comparison (``left``, ``right``,
``winner`` and, for the noisy model, ``annotator``). Ties are not supported: a row without a winner
is refused, naming the row.

Scores are comparable only within one connected component of the comparison graph (items linked
when they were compared): between two components no comparison says which is stronger. The fitted
``components_`` says which items are in which component, and a warning is raised when there are
several.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from .._caller import warn_at_caller
from .._validate.arguments import check_positive_int
from ..errors import InvalidParameterError, LabelwiseWarning
from ._base import check_tol
from ._multilabel_blocks import is_dask_frame
from ._pairwise_blocks import encode_pair_blocks
from ._pairwise_data import EncodedPairs, encode_pairs, ford_condition, never_lost_or_won
from ._pairwise_fit import bradley_terry_mm, noisy_bradley_terry

__all__ = ["BradleyTerry", "NoisyBradleyTerry", "PAIRWISE_METHODS"]


def _check_prior(prior: Any) -> float:
    if isinstance(prior, (bool, np.bool_)) or not isinstance(prior, (int, float, np.integer, np.floating)):
        raise InvalidParameterError(f"prior must be a finite number >= 0, got {prior!r}")
    if not (np.isfinite(prior) and prior >= 0):
        raise InvalidParameterError(f"prior must be a finite number >= 0, got {prior!r}")
    return float(prior)


class _PairwiseAggregator(BaseEstimator):
    """Shared parameters, checks and fitted attributes of the pairwise models."""

    _needs_annotator = False

    def __init__(
        self,
        prior: float = 1.0,
        max_iter: int = 1000,
        tol: float = 1e-7,
        left_col: str = "left",
        right_col: str = "right",
        winner_col: str = "winner",
    ) -> None:
        self.prior = prior
        self.max_iter = max_iter
        self.tol = tol
        self.left_col = left_col
        self.right_col = right_col
        self.winner_col = winner_col

    def _encode(self, pairs: Any) -> EncodedPairs:
        prior = _check_prior(self.prior)
        check_positive_int("max_iter", self.max_iter)
        check_tol(self.tol)
        annotator_col = getattr(self, "annotator_col", None)
        if self._needs_annotator and annotator_col is None:
            raise InvalidParameterError(
                f"annotator_col must name the annotator column for {type(self).__name__}, got None"
            )
        encode = encode_pair_blocks if is_dask_frame(pairs) else encode_pairs  # dask: partition by partition
        enc = encode(
            pairs,
            left_col=self.left_col,
            right_col=self.right_col,
            winner_col=self.winner_col,
            annotator_col=annotator_col if self._needs_annotator else None,
        )
        if prior == 0 and not ford_condition(enc):
            never_lost, never_won = never_lost_or_won(enc)
            examples = []
            if never_lost:
                examples.append(f"never lost: {[str(v) for v in never_lost]}")
            if never_won:
                examples.append(f"never won: {[str(v) for v in never_won]}")
            detail = f" ({'; '.join(examples)})" if examples else ""
            raise InvalidParameterError(
                "prior must be > 0 for these comparisons: prior=0 asks for the maximum-likelihood strengths, "
                "which do not exist here: "
                "some group of items beats the rest of its component in every comparison between them (Ford's "
                f"condition fails){detail}; give prior > 0 (e.g. prior=1) for finite scores"
            )
        return enc

    def _set_common(self, enc: EncodedPairs, theta: np.ndarray, n_iter: int, converged: bool, losses: list) -> None:
        index = enc.items.copy()
        index.name = "item"
        self.scores_ = pd.Series(theta, index=index, name="score")
        self.components_ = pd.Series(enc.component, index=index, name="component")
        self.n_components_ = enc.n_components
        order = np.lexsort((-theta, enc.component))  # components in turn, strongest first
        self.ranking_ = index[order]
        rank = np.empty(len(theta), dtype=np.int64)
        component, score = enc.component[order], theta[order]
        starts = np.searchsorted(component, np.arange(enc.n_components))
        place = np.arange(len(theta)) - starts[component] + 1
        new = np.r_[True, (component[1:] != component[:-1]) | (score[1:] != score[:-1])]
        rank[order] = place[np.maximum.accumulate(np.where(new, np.arange(len(theta)), 0))]  # a tie: its best place
        self.rank_ = pd.Series(rank, index=index, name="rank")
        self.n_items_ = enc.n_items
        self.n_comparisons_ = len(enc.left)
        self.n_iter_ = int(n_iter)
        self.converged_ = bool(converged)
        self.loss_history_ = [float(v) for v in losses]
        if enc.n_components > 1:
            sizes = np.bincount(enc.component)
            warn_at_caller(
                LabelwiseWarning(
                    f"the comparisons form {enc.n_components} separate groups of items (connected components of sizes "
                    f"{sizes[:5].tolist()}{'...' if len(sizes) > 5 else ''}): no comparison links two groups, so scores "
                    "are comparable only within one group (components_ says which item is in which)"
                )
            )

    def fit_predict(self, pairs: pd.DataFrame) -> pd.Series:
        """Fit and return ``scores_``."""
        return self.fit(pairs).scores_

    def to_frame(self) -> pd.DataFrame:
        """One row per item in ``ranking_`` order: ``score``, ``rank`` (within its component), ``component``."""
        frame = pd.DataFrame({"score": self.scores_, "rank": self.rank_, "component": self.components_})
        return frame.loc[self.ranking_]


class BradleyTerry(_PairwiseAggregator):
    r"""Bradley-Terry scores from pairwise comparisons, by the MM algorithm, with a Gamma prior.

    Item ``i`` beats item ``j`` with probability :math:`\lambda_i / (\lambda_i + \lambda_j)`
    (Bradley & Terry 1952). The strengths maximise the log posterior
    :math:`\sum_i w_i \log\lambda_i - \sum_{i<j} n_{ij} \log(\lambda_i + \lambda_j)
    + \sum_i (a \log\lambda_i - a\lambda_i)`, with :math:`w_i` the wins of ``i``, :math:`n_{ij}`
    the comparisons of ``i`` and ``j`` and :math:`a` = ``prior``: the log density of a
    Gamma(1 + a, a) prior on each strength, whose mode is 1 (Caron & Doucet 2012). Hunter's (2004)
    minorise-maximise step, eq. (3.6) with the prior's terms added, is
    :math:`\lambda_i \leftarrow (a + w_i) / (a + \sum_j n_{ij} / (\lambda_i + \lambda_j))`:
    ``bincount`` passes over the distinct compared pairs, never a loop over items. With ``a > 0``
    each step is followed by the exact maximisation over a common factor of each component's
    strengths (the likelihood sees only ratios; the prior's terms are largest when they average 1),
    which removes MM's slow drift along that direction.

    ``prior=0`` is the maximum-likelihood estimate of the paper. It exists only when, in every
    component of the comparison graph, no group of items wins all its comparisons with the rest
    (Ford 1957); otherwise (an item that never lost, say) the fit is refused, naming such items.
    A ``prior > 0`` gives every item a finite score: it acts as ``prior`` virtual wins and a
    penalty pulling strengths towards 1, and matters less the more comparisons an item has.

    Parameters
    ----------
    prior : float, default=1.0
        Weight ``a >= 0`` of the Gamma(1 + a, a) prior on the strengths; 0 for the maximum likelihood.
    max_iter : int, default=1000
        Most MM steps.
    tol : float, default=1e-7
        Converged when no log-strength changes by ``tol`` or more in one step.
    left_col, right_col, winner_col : str
        Columns of the two items and the winner (equal to one of the two). Other columns (an
        annotator's) are not read.

    Attributes
    ----------
    scores_ : pandas.Series
        Log-strength :math:`\log\lambda_i` of each item (index ``item``, sorted). The difference of
        two scores is the log-odds that one beats the other. With ``prior=0`` the scores of each
        component are centred on 0 (only differences are identified).
    ranking_ : pandas.Index
        Items by component (largest first), strongest first within each.
    rank_ : pandas.Series
        Rank of each item within its component (1 = strongest); items of exactly equal score share
        the best rank of their tie (1, 1, 3), as nothing in the data orders them.
    components_ : pandas.Series
        Connected component of each item (0 is the largest); scores compare only within one.
    n_components_, n_items_, n_comparisons_ : int
    n_iter_ : int
        MM steps taken.
    converged_ : bool
        Whether the change fell below ``tol`` within ``max_iter`` steps.
    loss_history_ : list of float
        Negative log posterior per comparison after each step (non-increasing).

    References
    ----------
    .. [1] R. A. Bradley and M. E. Terry, "Rank analysis of incomplete block designs: I. The method
       of paired comparisons", Biometrika 39 (1952), 324-345.
    .. [2] D. R. Hunter, "MM algorithms for generalized Bradley-Terry models", Ann. Statist. 32(1)
       (2004), 384-406.
    .. [3] F. Caron and A. Doucet, "Efficient Bayesian inference for generalized Bradley-Terry
       models", J. Comput. Graph. Statist. 21(1) (2012), 174-196.
    .. [4] L. R. Ford, "Solution of a ranking problem from binary comparisons", Amer. Math. Monthly
       64(8) (1957), 28-33.

    Examples
    --------
    >>> import pandas as pd
    >>> from labelwise.aggregate import BradleyTerry
    >>> pairs = pd.DataFrame({"left": ["a", "a", "b", "b"], "right": ["b", "c", "c", "a"],
    ...                       "winner": ["a", "a", "b", "a"]})
    >>> list(BradleyTerry().fit(pairs).ranking_)
    ['a', 'b', 'c']
    """

    def fit(self, pairs: pd.DataFrame) -> BradleyTerry:
        """Fit on a table with one row per comparison; returns ``self``."""
        enc = self._encode(pairs)
        res = bradley_terry_mm(enc, prior=float(self.prior), max_iter=int(self.max_iter), tol=float(self.tol))
        self._set_common(enc, res.theta, res.n_iter, res.converged, res.losses)
        return self


class NoisyBradleyTerry(_PairwiseAggregator):
    r"""Bradley-Terry scores with each annotator's reliability and position bias (noisy BT).

    The model of Bugakova et al. (2019), the one crowd-kit's ``NoisyBradleyTerry`` implements: an
    answer of annotator ``w`` on ``(left, right)`` picks ``left`` with probability
    :math:`\rho_w \sigma(s_l - s_r) + (1 - \rho_w) \sigma(q_w)`. With probability
    :math:`\rho_w` (the reliability) the annotator follows the items' log-strengths ``s``; otherwise
    it answers at random with its own bias :math:`\sigma(q_w)` towards the left item. Spammers get
    a reliability near 0 and their answers weigh little; a position-biased annotator is recognised
    by its bias, not mistaken for information about the items.

    The parameters maximise the log-likelihood plus the same Gamma(1 + a, a) prior on
    :math:`e^{s_i}` as :class:`BradleyTerry` (so that a fully reliable crowd gives Bradley-Terry's
    scores) and a logistic prior of weight ``a`` on the reliability and bias logits (one virtual
    answer each way), by L-BFGS-B with the analytic gradient, started from Bradley-Terry's
    scores. crowd-kit instead regularises the strengths towards a free virtual item with weight
    1e-5 and starts from random values. Without a prior the likelihood may be largest at an
    infinite strength (a mixture stays bounded), so strengths are kept within +-30 and the logits
    within +-12.

    Parameters
    ----------
    prior : float, default=1.0
        Prior weight ``a >= 0`` (0: the likelihood alone, refused when Ford's condition fails).
    max_iter : int, default=1000
        Most L-BFGS-B iterations.
    tol : float, default=1e-7
        L-BFGS-B's ``ftol`` and ``gtol`` (relative loss change, largest gradient entry).
    left_col, right_col, winner_col, annotator_col : str
        The columns (``annotator_col`` is required, default ``"annotator"``).

    Attributes
    ----------
    scores_, ranking_, rank_, components_, n_components_, n_items_, n_comparisons_
        As in :class:`BradleyTerry`.
    annotator_skill_ : pandas.Series
        Reliability :math:`\rho_w` of each annotator (index ``annotator``).
    annotator_bias_ : pandas.Series
        Probability :math:`\sigma(q_w)` that the annotator picks the left item when not following
        the strengths.
    n_iter_, converged_ : int, bool
        L-BFGS-B's iterations and whether it reported success.
    loss_history_ : list of float
        Negative log posterior per comparison after each iteration.

    References
    ----------
    .. [1] N. Bugakova, V. Fedorova, G. Gusev and A. Drutsa, "Aggregation of pairwise comparisons
       with reduction of biases", NeurIPS 2019 Workshop on Human-Centric Machine Learning,
       arXiv:1906.03711.
    .. [2] D. R. Hunter, "MM algorithms for generalized Bradley-Terry models", Ann. Statist. 32(1)
       (2004), 384-406 (the starting point).
    .. [3] F. Caron and A. Doucet, "Efficient Bayesian inference for generalized Bradley-Terry
       models", J. Comput. Graph. Statist. 21(1) (2012), 174-196 (the prior).
    """

    _needs_annotator = True

    def __init__(
        self,
        prior: float = 1.0,
        max_iter: int = 1000,
        tol: float = 1e-7,
        left_col: str = "left",
        right_col: str = "right",
        winner_col: str = "winner",
        annotator_col: str | None = "annotator",
    ) -> None:
        super().__init__(prior, max_iter, tol, left_col, right_col, winner_col)
        self.annotator_col = annotator_col

    def fit(self, pairs: pd.DataFrame) -> NoisyBradleyTerry:
        """Fit on a table with one row per comparison and its annotator; returns ``self``."""
        enc = self._encode(pairs)
        prior, max_iter, tol = float(self.prior), int(self.max_iter), float(self.tol)
        start = bradley_terry_mm(enc, prior=prior or 1.0, max_iter=max_iter, tol=1e-6)
        res = noisy_bradley_terry(enc, prior=prior, max_iter=max_iter, tol=tol, theta0=start.theta)
        self._set_common(enc, res.theta, res.n_iter, res.converged, res.losses)
        annotators = pd.Index(enc.annotators, name="annotator")
        self.annotator_skill_ = pd.Series(1.0 / (1.0 + np.exp(-res.reliability_logit)), index=annotators, name="skill")
        self.annotator_bias_ = pd.Series(1.0 / (1.0 + np.exp(-res.bias_logit)), index=annotators, name="left_bias")
        return self


#: Command-line method names.
PAIRWISE_METHODS = {"bt": BradleyTerry, "noisy-bt": NoisyBradleyTerry}
