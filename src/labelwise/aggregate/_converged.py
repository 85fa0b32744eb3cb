"""When a loss-monitored EM has converged: one test for the in-memory and the distributed fits."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._caller import warn_at_caller
from .._validate.arguments import show
from ..errors import LabelwiseWarning

#: A loss decrease of at most this fraction of the loss (of 1 for a smaller loss) is rounding, not
#: progress. The loss is a mean over items whose last bits depend on the order of its sum (a
#: distributed fit adds partitions' sums), so at EM's fixed point a decrease that is 0 in exact
#: arithmetic comes out a few ulps either side of 0: ``decrease < tol`` with ``tol=0`` stopped
#: Dawid-Skene at iteration 40 in memory and 59 on two partitions. A ``tol`` below it acts as it.
#: Small enough that GLAD's slow descent at ``tol=0`` still reaches crowd-kit's fixed point (1e-12
#: stops it short); the rounding of a mean over a million items or more can exceed it.
LOSS_TIE_RTOL = 1e-13


def loss_settled(decrease: float, loss: float, tol: float) -> bool:
    """Whether EM has converged: the loss fell by less than ``tol`` or by no more than its rounding
    (:data:`LOSS_TIE_RTOL`). The one test of every loss-monitored EM loop, in memory and on dask."""
    return bool(decrease < tol or decrease <= LOSS_TIE_RTOL * max(1.0, abs(loss)))


def warn_not_converged(model: Any, change: float, tol: float, monitor: str = "loss") -> None:
    """The :class:`~labelwise.errors.LabelwiseWarning` of ``model``'s run that reached ``max_iter`` before
    ``change`` (the loss's last fall, or the parameters' last move) fell below ``tol``, at the line that
    called labelwise (:func:`~labelwise._caller.warn_at_caller`)."""
    warn_at_caller(
        LabelwiseWarning(
            f"{type(model).__name__} did not converge in max_iter={model.max_iter} iterations (last "
            f"{'loss decrease' if monitor == 'loss' else 'change'} {change:.3g} >= tol={tol}); raise max_iter"
        )
    )


def warn_after_guard(model: Any, moved: np.ndarray, classes: Any, change: float) -> None:
    """``DawidSkene``'s warning once its relabelling guard has run, in memory and on Dask (one text, one order).

    A fallback to majority vote (``moved``: the relabelled class codes, non-empty) is said with whether EM had
    converged, and without advising a larger ``max_iter``: a longer run ends in the same permutation. Otherwise a run
    that stopped at ``max_iter`` gets :func:`warn_not_converged`. Both at the line that called labelwise.

    Parameters
    ----------
    model : DawidSkene
        The fitted estimator (``converged_``, ``max_iter`` and ``tol`` are read).
    moved : ndarray of int
        The guard's relabelled class codes (empty when it kept EM's answer).
    classes : array-like
        The class values, by code.
    change : float
        EM's last loss decrease.
    """
    if len(moved):
        warn_at_caller(
            LabelwiseWarning(
                f"DawidSkene's EM relabelled {len(moved)} class(es) (e.g. {show(classes[moved[0]])}: most items "
                "whose majority vote it is got another single label), a permutation of the classes; falling back "
                "to majority vote (fallback_='majority-vote'). With one answer per item the model is not "
                "identified; otherwise a larger prior_strength may avoid it"
                + ("" if model.converged_ else f" (EM had stopped at max_iter={model.max_iter} unconverged)")
            )
        )
    elif not model.converged_:
        warn_not_converged(model, change, model.tol)
