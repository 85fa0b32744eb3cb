"""A residual scale that varies with the prediction, estimated out-of-sample and robustly.

Rows are put in order of their prediction and split into ``n_bins`` bins of equal count. In each
bin the residuals' location is their median and their scale the median absolute deviation (MAD)
around it, rescaled by ``1 / Phi^{-1}(3/4)`` to estimate a Gaussian standard deviation
(Rousseeuw & Croux, 1993; Hampel, 1974). The rows are cross-fitted in two halves (alternate
positions in prediction order, copies of a row kept together): each half's location and scale come
from the *other* half's bins, so a wrong target (or its copy) never widens its own scale. Each
half's bin statistics are placed at the bins' median prediction and linearly interpolated, so the
scale is a smooth function of the prediction. Everything depends on the rows only through the
order of (prediction, residual), so permuting rows permutes the result (copies included), and
shifting or scaling ``y`` and the predictions together shifts the location and scales the scale.
"""

from __future__ import annotations

import numpy as np

__all__ = ["MAD_TO_SD", "local_location_scale", "robust_location_scale"]

#: 1 / Phi^{-1}(3/4): the MAD of a Gaussian times this is its standard deviation.
MAD_TO_SD = 1.482602218505602
_MIN_PER_BIN = 50


def robust_location_scale(x: np.ndarray) -> tuple[float, float]:
    """Median of ``x`` and its MAD around it times :data:`MAD_TO_SD` (a Gaussian's standard deviation)."""
    loc = float(np.median(x))
    return loc, MAD_TO_SD * float(np.median(np.abs(x - loc)))


def _bin_stats(pred: np.ndarray, res: np.ndarray, n_bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per bin (equal counts, ``pred`` sorted): median prediction, median residual, MAD * MAD_TO_SD."""
    edges = np.linspace(0, pred.size, n_bins + 1).round().astype(np.int64)
    centre = np.empty(n_bins)
    loc = np.empty(n_bins)
    scale = np.empty(n_bins)
    for b in range(n_bins):
        p, r = pred[edges[b] : edges[b + 1]], res[edges[b] : edges[b + 1]]
        centre[b] = np.median(p)
        loc[b], scale[b] = robust_location_scale(r)
    return centre, loc, scale


def _interp(x: np.ndarray, centre: np.ndarray, values: np.ndarray) -> np.ndarray:
    # Bins whose median predictions tie (many equal predictions) are merged by np.interp's
    # requirement of increasing abscissae: keep the first of each run of equal centres.
    keep = np.r_[True, np.diff(centre) > 0]
    return np.interp(x, centre[keep], values[keep])


def _halves(p_sorted: np.ndarray, r_sorted: np.ndarray) -> np.ndarray:
    """Cross-fitting half (0 or 1) of each row in (prediction, residual) order: runs of equal rows
    alternate, so copies of a row share a half (and a score) and distinct rows alternate."""
    new_run = np.r_[True, (np.diff(p_sorted) != 0) | (np.diff(r_sorted) != 0)]
    return (np.cumsum(new_run) - 1) % 2


def local_location_scale(
    residual: np.ndarray, prediction: np.ndarray, n_bins: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-sample robust location and scale of ``residual`` as functions of ``prediction``.

    Parameters
    ----------
    residual, prediction : ndarray of float, shape (n,)
    n_bins : int, optional
        Bins of equal count per half; default ``clip(n // 1000, 1, 20)`` (so at least about 500
        rows per bin and half, which keeps the MAD's relative standard error near 5%).

    Returns
    -------
    location, scale : ndarray of float, shape (n,)
        ``scale`` estimates the standard deviation of clean residuals near each prediction; it is
        floored at a tenth of the global robust scale (never 0 where residuals tie).

    References
    ----------
    .. [1] Rousseeuw, P. J., & Croux, C. (1993). Alternatives to the Median Absolute Deviation.
       Journal of the American Statistical Association 88(424), 1273-1283.
    .. [2] Hampel, F. R. (1974). The Influence Curve and Its Role in Robust Estimation. Journal of
       the American Statistical Association 69(346), 383-393.
    """
    n = residual.size
    order = np.lexsort((residual, prediction))
    p_sorted, r_sorted = prediction[order], residual[order]
    global_scale = robust_location_scale(residual)[1]
    floor = 0.1 * global_scale + 1e-12 * (1.0 + float(np.max(np.abs(residual))))
    if n_bins is None:
        n_bins = int(np.clip(n // 1000, 1, 20))
    halves = _halves(p_sorted, r_sorted)
    sizes = np.bincount(halves, minlength=2)
    n_bins = max(1, min(n_bins, int(sizes.min()) // _MIN_PER_BIN))
    loc_sorted = np.empty(n)
    scale_sorted = np.empty(n)
    for half in (0, 1):
        mine = halves == half
        # one group of equal rows only (every row alike): its own statistics are all there is
        other = ~mine if sizes.min() else np.ones(n, dtype=bool)
        centre, loc, scale = _bin_stats(p_sorted[other], r_sorted[other], n_bins)
        loc_sorted[mine] = _interp(p_sorted[mine], centre, loc)
        scale_sorted[mine] = _interp(p_sorted[mine], centre, scale)
    location = np.empty(n)
    out_scale = np.empty(n)
    location[order] = loc_sorted
    out_scale[order] = np.maximum(scale_sorted, floor)
    return location, out_scale
