"""When a loss-monitored EM has converged: one test for the in-memory and the distributed fits."""

from __future__ import annotations

import warnings
from typing import Any

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


def warn_not_converged(model: Any, change: float, tol: float, monitor: str = "loss", *, stacklevel: int = 4) -> None:
    """The :class:`~labelwise.errors.LabelwiseWarning` of ``model``'s run that reached ``max_iter`` before
    ``change`` (the loss's last fall, or the parameters' last move) fell below ``tol``."""
    warnings.warn(
        LabelwiseWarning(
            f"{type(model).__name__} did not converge in max_iter={model.max_iter} iterations (last "
            f"{'loss decrease' if monitor == 'loss' else 'change'} {change:.3g} >= tol={tol}); raise max_iter"
        ),
        stacklevel=stacklevel + 1,
    )
