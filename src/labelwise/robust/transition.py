"""The noise transition matrix ``T[i, j] = P(noisy label j | true label i)``: estimate it, check it.

Loss correction (:class:`~labelwise.robust.ForwardCorrection`) and importance reweighting
(:class:`~labelwise.robust.ImportanceReweighting`) need ``T``. Rows are indexed by the true class
and sum to 1; this is the transpose of :attr:`labelwise.audit.LabelIssues.noise_matrix`
(``P(given=i | true=j)``, columns summing to 1).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._anchor import anchor_rows, normalise_rows
from .._validate.arguments import check_choice, check_fraction
from .._validate.probabilities import check_probs
from ..audit import find_label_issues
from ..errors import InvalidParameterError, InvalidProbabilitiesError
from ._names import TRANSITION_METHODS

__all__ = ["TRANSITION_METHODS", "check_transition", "estimate_transition"]


#: Rows of a given ``T`` must sum to 1 within this tolerance.
ROW_SUM_ATOL = 1e-4
#: A ``T`` whose condition number exceeds this counts as not invertible.
MAX_CONDITION = 1e8


def estimate_transition(
    probs: Any,
    labels: Any = None,
    *,
    method: str = "anchor",
    percentile: float = 97.0,
    classes: Any = None,
) -> np.ndarray:
    """Estimate the noise transition matrix ``T[i, j] = P(ỹ=j | y*=i)`` from predicted probabilities.

    ``method="anchor"`` (Patrini et al. [1]_, Sec. 4, their estimator of Eq. 12-13): an *anchor
    point* of class ``i`` is an example that surely belongs to ``i``; then its noisy-class
    posterior is row ``i`` of ``T``, ``p(ỹ=j | x̄_i) = T[i, j]``. The anchor is the example with the
    highest ``p̂(ỹ=i | x)``; since the largest values are often outliers, the paper takes the
    largest below the ``percentile``-th percentile of the column (97 in their experiments;
    ``percentile=100`` takes the maximum). Examples tied at that value are averaged. Needs no
    labels; for two classes this is Liu & Tao's [2]_ estimator of the flip rates
    (``ρ_{-y} = min_x p̂(ỹ=y | x)``).

    ``method="confident_joint"``: the noise matrix of confident learning (Northcutt et al. [3]_,
    :func:`labelwise.find_label_issues`), transposed: ``T[i, j] = Q̂(ỹ=j, y*=i) / Σ_j Q̂(ỹ=j, y*=i)``
    from the calibrated confident joint. Needs ``labels``.

    Parameters
    ----------
    probs : array-like of shape (n_samples, n_classes)
        Out-of-fold predicted probabilities of the noisy labels (e.g. from
        :func:`labelwise.out_of_fold_probs`), rows summing to 1.
    labels : array-like of shape (n_samples,), optional
        The given (noisy) labels; required by ``method="confident_joint"``, ignored by ``"anchor"``.
    method : {"anchor", "confident_joint"}, default "anchor"
    percentile : float in (0, 100], default 97
        The anchor rule's percentile (``method="anchor"``).
    classes : sequence, optional
        The class of each column of ``probs`` (for string ``labels``; see :func:`labelwise.find_label_issues`).

    Returns
    -------
    ndarray of shape (n_classes, n_classes)
        ``T``, rows (true class) summing to 1, classes in the order of the columns of ``probs``.

    References
    ----------
    .. [1] Patrini, G., Rozza, A., Menon, A. K., Nock, R. and Qu, L. (2017). "Making Deep Neural
       Networks Robust to Label Noise: a Loss Correction Approach". CVPR 2017, 1944-1952.
    .. [2] Liu, T. and Tao, D. (2016). "Classification with Noisy Labels by Importance
       Reweighting". IEEE TPAMI 38(3), 447-461.
    .. [3] Northcutt, C. G., Jiang, L. and Chuang, I. L. (2021). "Confident Learning: Estimating
       Uncertainty in Dataset Labels". JAIR 70, 1373-1411.

    Examples
    --------
    >>> import numpy as np
    >>> from labelwise.robust import estimate_transition
    >>> probs = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.2, 0.8]])
    >>> estimate_transition(probs, percentile=100).round(2).tolist()
    [[0.9, 0.1], [0.2, 0.8]]
    """
    check_choice("method", method, TRANSITION_METHODS)
    if method == "confident_joint":
        if labels is None:
            raise InvalidParameterError("labels must be given for method='confident_joint', got None")
        issues = find_label_issues(labels, probs, classes=classes)
        return normalise_rows(np.asarray(issues.noise_matrix, dtype=np.float64).T)
    pct = check_fraction("percentile", percentile, low=0.0, high=100.0, closed_low=False, closed_high=True)
    arr = check_probs(probs, name="probs")
    arr = np.asarray(arr)
    if pct >= 100.0:
        cut = np.full(arr.shape[1], np.inf)
    else:
        cut = np.percentile(arr, pct, axis=0, method="higher")
        # a column whose values all reach the cut has no value below it: use its maximum then
        cut = np.where(arr.min(axis=0) >= cut, np.inf, cut)
    return normalise_rows(anchor_rows(arr, cut))


def check_transition(
    transition: Any, n_classes: int, *, name: str = "transition", invertible: bool = False
) -> np.ndarray:
    """Return ``transition`` as a float ``(n_classes, n_classes)`` array, checked.

    Raises :class:`~labelwise.errors.InvalidProbabilitiesError` naming ``name`` unless it is square
    with one row and column per class, finite, non-negative, with rows summing to 1 (within
    1e-4; rows are then renormalised), and, with ``invertible``, well-conditioned enough to invert.
    """
    try:
        arr = np.array(transition, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidProbabilitiesError(
            f"{name} must be a numeric matrix of shape ({n_classes}, {n_classes}), got {type(transition).__name__}"
        ) from None
    if arr.shape != (n_classes, n_classes):
        raise InvalidProbabilitiesError(
            f"{name} must have shape ({n_classes}, {n_classes}) (one row and column per class), got shape {arr.shape}"
        )
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise InvalidProbabilitiesError(
            f"{name} must hold finite probabilities >= 0, got {arr[i, j]!r} at row {i}, column {j}"
        )
    sums = arr.sum(axis=1)
    off = np.flatnonzero(np.abs(sums - 1.0) > ROW_SUM_ATOL)
    if off.size:
        raise InvalidProbabilitiesError(
            f"{name} must have rows summing to 1 (T[i, j] = P(noisy j | true i)), row {off[0]} sums to "
            f"{sums[off[0]]:.6g}"
        )
    arr /= sums[:, None]
    if invertible:
        condition = np.linalg.cond(arr)
        if not np.isfinite(condition) or condition > MAX_CONDITION:
            raise InvalidProbabilitiesError(
                f"{name} must be invertible (condition number <= {MAX_CONDITION:g}), got condition number "
                f"{condition:.3g}; a class whose noisy labels look like another's cannot be corrected"
            )
    return arr
