"""Each labeler's confusion model chosen by BIC: a full confusion matrix, a class-conditional
accuracy with its errors spread evenly, or one accuracy (the label model's missing-abstain fit).

Dawid and Skene give every labeler a full confusion matrix, ``K(K−1)`` free numbers; Snorkel's
label model on crowds and the "one-coin" model of the crowdsourcing literature use fewer. A
labeler with a few dozen votes cannot pin down ``K(K−1)`` numbers, and a crowd of many such
labelers is where the smaller models' peers win. Here the model order is chosen per labeler, as
structural EM chooses a network's families (Friedman 1997, 1998): under the fitted posterior,
each labeler's expected vote counts given the class score each of the three forms by its
maximised expected log-likelihood less BIC's penalty (Schwarz 1978), ``½ · parameters · log n_j``
with ``n_j`` the labeler's votes; the best form is kept (the smaller on a tie) and EM is run
again with those forms, until they stop changing.

The three forms of ``P(λ_j = a | Y = y, λ_j votes)``:

* ``full``: free, ``K(K−1)`` parameters;
* ``accuracy``: ``α_y`` when ``a = y``, ``(1 − α_y)/(K − 1)`` otherwise, ``K`` parameters (for
  ``K = 2`` the same model as ``full``);
* ``one-coin``: one ``α`` for every class, 1 parameter.

With a Dirichlet prior of pseudo-counts ``A[a, y]`` the constrained MAP M-step is the ML
estimate of the counts plus ``A``: ``α_y = (C + A)[y, y] / Σ_a (C + A)[a, y]`` and, for one coin,
``α = Σ_y (C + A)[y, y] / Σ_{a, y} (C + A)[a, y]`` (the Dirichlet's density restricted to the
smaller model), so EM still raises the same log posterior.

References
----------
A. P. Dawid and A. M. Skene, "Maximum likelihood estimation of observer error-rates using the EM
algorithm", Applied Statistics 28(1), 20-28, 1979.
G. Schwarz, "Estimating the dimension of a model", Annals of Statistics 6(2), 461-464, 1978.
N. Friedman, "Learning belief networks in the presence of missing values and hidden variables",
ICML 1997; "The Bayesian structural EM algorithm", UAI 1998.
Y. Zhang, X. Chen, D. Zhou and M. I. Jordan, "Spectral methods meet EM: a provably optimal
algorithm for crowdsourcing", NeurIPS 2014 (the one-coin model).
A. Ratner et al., "Training complex models with multi-task weak supervision", AAAI 2019.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import xlogy

__all__ = ["ENABLED", "MAX_ROUNDS", "ORDER_NAMES", "ModelOrders", "choose_orders", "refit_orders"]

#: Whether the missing-abstain MAP fit chooses each labeler's model order (dev switch).
ENABLED = False
#: Structural EM rounds at most (a choice, then EM with it).
MAX_ROUNDS = 3
#: Names of the forms, by code.
ORDER_NAMES = ("full", "accuracy", "one-coin")
#: Relative BIC difference under which two forms tie (the smaller one is kept).
TIE_RTOL = 1e-9


@dataclass(frozen=True)
class ModelOrders:
    """The constrained labelers: each one's ``K`` vote columns (vote ``a`` in column ``a``) in the
    group outcome space, and its form (1: accuracy, 2: one coin); labelers left out keep ``full``."""

    columns: np.ndarray
    order: np.ndarray

    def same(self, other: ModelOrders | None) -> bool:
        """Whether ``other`` constrains the same labelers in the same way."""
        return (
            other is not None
            and np.array_equal(self.columns, other.columns)
            and np.array_equal(self.order, other.order)
        )

    def apply(self, cond: np.ndarray, votes: np.ndarray) -> None:
        """Overwrite the constrained labelers' rows of ``cond`` (votes given voting, outcome columns x
        classes) with the constrained estimate from ``votes`` (data plus prior pseudo-counts)."""
        if not len(self.order):
            return
        v = votes[self.columns]  # (labelers, given a, true y)
        k = v.shape[1]
        diag = np.diagonal(v, axis1=1, axis2=2)  # (labelers, y)
        total = v.sum(axis=1)
        coin = (self.order == 2)[:, None]
        num = np.where(coin, diag.sum(axis=1, keepdims=True), diag)
        den = np.where(coin, total.sum(axis=1, keepdims=True), total)
        acc = np.divide(num, den, out=np.full(num.shape, 1.0 / k), where=den > 0)
        out = np.repeat(((1.0 - acc) / (k - 1))[:, None, :], k, axis=1)
        idx = np.arange(k)
        out[:, idx, idx] = acc
        cond[self.columns] = out


def _vote_columns(groups: Sequence[Sequence[int]], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the singleton groups and their vote columns (groups' columns are contiguous, the
    first being the all-abstain outcome)."""
    sizes = np.array([(k + 1) ** len(g) for g in groups], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    single = np.flatnonzero(sizes == k + 1)
    return single, starts[single][:, None] + 1 + np.arange(k)[None, :]


def choose_orders(counts: np.ndarray, groups: Sequence[Sequence[int]], k: int) -> ModelOrders:
    """Each single labeler's form by BIC on its expected vote counts ``counts`` (outcome columns x
    classes, the posterior's ``Σ_i T[i, y] λ_i``, no prior): the smallest of
    ``−2 ℓ + parameters · log n_j``, the smaller form on a tie."""
    _, columns = _vote_columns(groups, k)
    d = counts[columns]  # (labelers, a, y)
    total = d.sum(axis=1)  # (labelers, y)
    n = total.sum(axis=1)
    diag = np.diagonal(d, axis1=1, axis2=2)
    off = total - diag
    full = xlogy(d, np.divide(d, total[:, None, :], out=np.zeros_like(d), where=total[:, None, :] > 0)).sum(axis=(1, 2))
    acc = np.divide(diag, total, out=np.zeros_like(diag), where=total > 0)
    per_class = (xlogy(diag, acc) + xlogy(off, (1.0 - acc) / (k - 1))).sum(axis=1)
    one = np.divide(diag.sum(axis=1), n, out=np.zeros_like(n), where=n > 0)
    coin = xlogy(diag.sum(axis=1), one) + xlogy(off.sum(axis=1), (1.0 - one) / (k - 1))
    log_n = np.log(np.maximum(n, 1.0))
    bic = np.stack([-2 * full + k * (k - 1) * log_n, -2 * per_class + k * log_n, -2 * coin + log_n], axis=1)
    best = bic.min(axis=1, keepdims=True)
    within = bic <= best + TIE_RTOL * np.maximum(np.abs(best), 1.0)
    order = 2 - np.argmax(within[:, ::-1], axis=1)  # the smallest form among the best
    keep = order > 0
    return ModelOrders(columns[keep], order[keep])


def refit_orders(
    run: Any,
    counts: Callable[[np.ndarray], np.ndarray],
    fit: Callable[[Any, ModelOrders], Any],
    groups: Sequence[Sequence[int]],
    k: int,
) -> tuple[Any, ModelOrders | None]:
    """Structural EM from a fitted ``run``: choose the forms under its posterior
    (:func:`choose_orders` of ``counts(run.post)``), refit with them (``fit(run, orders)``: EM from
    ``run``'s posterior), and again until the forms repeat or :data:`MAX_ROUNDS`. Returns the last
    run and its forms (None: every labeler kept ``full`` and ``run`` is returned as it was)."""
    orders: ModelOrders | None = None
    for _ in range(MAX_ROUNDS):
        new = choose_orders(counts(run.post), groups, k)
        if new.same(orders) or (orders is None and not len(new.order)):
            break
        orders = new
        run = fit(run, orders)
    return run, orders
