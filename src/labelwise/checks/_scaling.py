"""Column scalings of the neighbour graph, and the labels' choice among them.

Every check's neighbour graph is euclidean on z-scored columns unless the labels say otherwise.
Z-scores give every column unit variance, so a near-constant or sparse column (an image's border
pixel, a rare indicator) weighs as much as an informative one. Two alternatives:

- the **common scale**: every centred column divided by one number (the root mean square of the
  columns' standard deviations), so the columns keep their relative units: the geometry of pixels,
  embeddings and other features measured in one unit, which z-scores distort;
- the **fenced range**: each column divided by its range (Milligan & Cooper 1988: range
  standardisation recovered clusters better than z-scores), taken over the rows inside Tukey's
  (1977) far-out fence of a robust row statistic, so that rows far out in many columns at once do
  not set the ranges while a single-column spike (a rare but real value) still does.

No column scale is right for every table, so the given labels decide
(:func:`choose_column_scaling`, :func:`choose_label_scaling`), by the leave-one-out k-NN agreement
that neighbourhood components analysis maximises (Goldberger et al. 2004), with a standard error
that accounts for the rows sharing neighbours (a dependency graph, Baldi & Rinott 1989; its plug-in
variance is Conley's 1999 estimator with a 0/1 kernel): z-scores unless the alternative's agreement
is higher by more than ``CHOICE_Z`` standard errors. The common scale, chosen this way, is the
shared graph's (``find_data_issues(scaling="auto")``, every check); the fenced range applies only to
the graph of the checks that read the labels with the graph (``label``, ``data_valuation``,
``underperforming_group``) when asked for (``label_scaling``; RESULTS.md, issue 11, sessions 13-15).

References
----------
Tukey, J. W. (1977). *Exploratory Data Analysis*. Addison-Wesley.
Milligan, G. W., & Cooper, M. C. (1988). A study of standardization of variables in cluster
analysis. Journal of Classification, 5, 181-204.
Rousseeuw, P. J., & Croux, C. (1993). Alternatives to the median absolute deviation. JASA, 88,
1273-1283.
Goldberger, J., Roweis, S., Hinton, G., & Salakhutdinov, R. (2004). Neighbourhood components
analysis. NIPS 17.
Baldi, P., & Rinott, Y. (1989). On normal approximations of distributions in terms of dependency
graphs. Annals of Probability, 17, 1646-1650.
Conley, T. G. (1999). GMM estimation with cross sectional dependence. Journal of Econometrics, 92,
1-45.
Chen, L. H. Y., & Shao, Q.-M. (2004). Normal approximation under local dependence. Annals of
Probability, 32, 1985-2028.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import sparse

from .._binary_scale import root_mean_square
from ..errors import InvalidParameterError
from ._exact_select import block_best, float32_product_tol, search_shift, shifted_rows, sq_norms32
from .graph import BLOCK_ELEMENTS, StandardizedRows, _row_step, exact_knn, refine_candidates

#: Values of ``find_data_issues(label_scaling=...)``.
LABEL_SCALINGS = ("auto", "zscore", "fenced")
#: Values of ``find_data_issues(scaling=...)`` (the shared graph's columns).
COLUMN_SCALINGS = ("auto", "zscore", "common")
#: Tukey's far-out fence: ``Q3 + FENCE * (Q3 - Q1)``.
FENCE = 3.0
#: Rows (a seeded subsample) on which the labels choose the label graph's scaling (``label_scaling="auto"``).
CHOICE_ROWS = 5_000
#: Rows on which the labels choose the shared graph's scaling (``scaling="auto"``, the default, so run
#: on every call): two exact k-NN searches among ``m`` rows cost ``O(m^2 d)``, a few hundredths of a
#: second at 1,000 rows whatever ``n``; fewer rows only make the test keep z-scores more often.
COLUMN_CHOICE_ROWS = 1_000
#: The one-sided 5% normal quantile: an alternative to z-scores is chosen only above it.
CHOICE_Z = 1.645
#: How the API names the options in its messages; the command line passes its flags instead.
OPTION_NAMES = {"scaling": "scaling", "label_scaling": "label_scaling", "metric": "metric"}


def check_scaling_options(
    scaling: str,
    label_scaling: str,
    *,
    metric: str,
    graph_given: bool = False,
    names: Mapping[str, str] | None = None,
) -> None:
    """Refuse a value or a combination of the scaling options that ``find_data_issues`` cannot run.

    One check for ``find_data_issues`` and ``labelwise audit`` (which calls it before training, so
    a bad combination fails before the model is fitted).

    Parameters
    ----------
    scaling : str
        The shared graph's column scaling, one of :data:`COLUMN_SCALINGS`.
    label_scaling : str
        The label graph's column scaling, one of :data:`LABEL_SCALINGS`.
    metric : str
        The neighbour search's distance; a scaling other than ``"auto"`` (shared graph) or
        ``"zscore"`` (label graph) rescales columns, so it needs ``"euclidean"``.
    graph_given : bool, default False
        Whether a graph was passed in (then nothing is rescaled here).
    names : mapping, optional
        The names to show for ``"scaling"``, ``"label_scaling"`` and ``"metric"`` (default
        :data:`OPTION_NAMES`); a name starting with ``-`` is a command-line flag, shown as
        ``--scaling common``, any other as ``scaling='common'``.

    Raises
    ------
    InvalidParameterError
        An unknown value; a scaling other than the default with a graph passed in or a metric
        other than euclidean; ``scaling="common"`` with ``label_scaling`` other than ``"zscore"``
        (the label graph's choice is made against z-scores).
    """
    shown = {**OPTION_NAMES, **(names or {})}

    def say(option: str, value: str) -> str:
        return f"{shown[option]} {value}" if shown[option].startswith("-") else f"{shown[option]}={value!r}"

    for option, value, allowed in (
        ("scaling", scaling, COLUMN_SCALINGS),
        ("label_scaling", label_scaling, LABEL_SCALINGS),
    ):
        if value not in allowed:
            raise InvalidParameterError(f"{shown[option]} must be one of {list(allowed)}, got {value!r}")
    got = "a graph passed in" if graph_given else say("metric", metric)
    needs = f"needs {say('metric', 'euclidean')} and the graph built here from features, got {got}"
    if scaling != "auto" and (graph_given or metric != "euclidean"):
        raise InvalidParameterError(f"{say('scaling', scaling)} {needs}")
    if scaling == "common" and label_scaling != "zscore":
        raise InvalidParameterError(
            f"{say('label_scaling', label_scaling)} builds its graph against z-scores: use it with "
            f"{say('scaling', 'auto')} or {say('scaling', 'zscore')}, got {say('scaling', scaling)}"
        )
    if label_scaling == "fenced" and (graph_given or metric != "euclidean"):
        raise InvalidParameterError(f"{say('label_scaling', label_scaling)} {needs}")


@dataclass(frozen=True)
class LabelScaling:
    """A graph's column scaling, and the evidence the choice rested on.

    Attributes
    ----------
    requested : {"auto", "zscore", "fenced", "common"}
    chosen : {"zscore", "fenced", "common"}
    reason : str
        Why: "requested", "no labels", "label_scaling given" or "labels' choice".
    statistic : float or None
        The mean agreement gain over its standard error (``auto`` only); the alternative above ``CHOICE_Z``.
    gain : float or None
        Mean over the subsample's rows of (share of the alternative graph's neighbours carrying the
        row's label) minus (the same share under z-scores).
    standard_error : float or None
        Of ``gain``, under the rows' shared neighbours (never below the independent-rows one).
    rows : int or None
        Rows the labels chose on.
    outside_fence : float or None
        Share of rows outside the fence (they do not set the column ranges).
    """

    requested: str
    chosen: str
    reason: str
    statistic: float | None = None
    gain: float | None = None
    standard_error: float | None = None
    rows: int | None = None
    outside_fence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return asdict(self)


def fenced_range(view: StandardizedRows) -> tuple[np.ndarray, float]:
    """Each column's range over the rows inside the fence (the divisor), and the share of rows outside.

    ``view`` holds the features with their z-score mean and scale. Per row, the z-scored norm
    without the row's largest column, ``t_i = sqrt(sum_j z_ij^2 - max_j z_ij^2)``; rows with
    ``t_i > Q3 + 3 (Q3 - Q1)`` are outside (quartiles: breakdown 25%, where a mean/sd fence is set
    by the rows it should exclude; Rousseeuw & Croux 1993). A column constant inside the fence
    keeps its full range; a constant column keeps divisor 1. Two passes by row blocks.
    """
    X, mean, scale = view.X, view.mean, view.scale
    n, d = X.shape
    step = _row_step(d)
    t = np.empty(n)
    for s in range(0, n, step):
        t[s : s + step] = fence_statistic(X[s : s + step], mean, scale)
    q1, q3 = np.quantile(t, [0.25, 0.75])
    inside = t <= q3 + FENCE * (q3 - q1)
    low, high = np.full(d, np.inf), np.full(d, -np.inf)
    low_in, high_in = low.copy(), high.copy()
    for s in range(0, n, step):
        block, keep = X[s : s + step], inside[s : s + step]
        low, high = np.minimum(low, block.min(axis=0)), np.maximum(high, block.max(axis=0))
        if keep.any():
            low_in = np.minimum(low_in, block[keep].min(axis=0))
            high_in = np.maximum(high_in, block[keep].max(axis=0))
    return fenced_divisors(low, high, low_in, high_in), float(1.0 - inside.mean())


def fence_statistic(block: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Each row's z-scored norm without its largest column, :func:`fenced_range`'s ``t`` (by row block)."""
    sq = ((block - mean) / scale) ** 2
    return np.sqrt(np.maximum(sq.sum(axis=1) - sq.max(axis=1), 0.0))


def fenced_divisors(low: np.ndarray, high: np.ndarray, low_in: np.ndarray, high_in: np.ndarray) -> np.ndarray:
    """Each column's divisor from its range (``low``, ``high``) and its range inside the fence: the
    inside range, else the full range for a column constant inside, else 1 for a constant column."""
    span = np.where(high_in - low_in > 0, high_in - low_in, high - low)
    return np.where(span > 0, span, 1.0)


def agreement_gain(near_other: np.ndarray, near_zscore: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Mean paired gain in leave-one-out k-NN label agreement (other scaling - zscore) and its standard error.

    Given the features, the labels are independent across rows. Row i's gain ``d_i`` depends only
    on the labels of ``L_i = {i} u (N_other(i) symmetric-difference N_zscore(i))`` (a neighbour in
    both lists cancels), so ``d_i`` and ``d_j`` are independent unless ``L_i`` and ``L_j`` meet: a
    dependency graph (Baldi & Rinott 1989), and ``Var(sum d)`` is the sum of ``Cov(d_i, d_j)`` over
    its edges. The plug-in ``sum e_i e_j`` over those pairs (``e = d - mean``; Conley 1999, a 0/1
    kernel) is used, but never below the independent rows' ``sum e_i^2``.
    """
    m = labels.shape[0]
    own = labels[:, None]
    d = (labels[near_other] == own).mean(axis=1) - (labels[near_zscore] == own).mean(axis=1)
    e = d - d.mean()
    only_f = ~(near_other[:, :, None] == near_zscore[:, None, :]).any(axis=2)
    only_z = ~(near_zscore[:, :, None] == near_other[:, None, :]).any(axis=2)
    rows = np.concatenate([np.arange(m), np.nonzero(only_f)[0], np.nonzero(only_z)[0]])
    cols = np.concatenate([np.arange(m), near_other[only_f], near_zscore[only_z]])
    member = sparse.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(m, m))
    meet = (member @ member.T).tocoo()  # entry (i, j) stored iff L_i and L_j meet (diagonal included)
    variance = max(float(np.sum(e[meet.row] * e[meet.col])), float(np.sum(e * e)))
    return float(d.mean()), float(np.sqrt(variance)) / m


def common_scale(zscore: StandardizedRows) -> StandardizedRows:
    """The columns of ``zscore`` centred and divided by one common scale, the root mean square of
    their standard deviations (their relative units kept; distances are the raw ones over that scale)."""
    common = root_mean_square(zscore.scale)  # scales of 1e200 would overflow their squares
    return StandardizedRows(zscore.X, zscore.mean, np.full(zscore.scale.shape[0], common), zscore.cosine)


def rescaled(zscore: StandardizedRows, scaling: str) -> StandardizedRows:
    """The rows of ``zscore`` (the columns' z-score fit) under ``scaling``: as they are for
    ``"zscore"``, :func:`common_scale` for ``"common"``, the fenced range (:func:`fenced_range`) for
    ``"fenced"``; a cosine view stays a cosine view."""
    if scaling == "common":
        return common_scale(zscore)
    if scaling == "fenced":
        return StandardizedRows(zscore.X, zscore.mean, fenced_range(zscore)[0], zscore.cosine)
    return zscore


def choose_column_scaling(zscore: StandardizedRows, labels: np.ndarray, k: int, random_state: int) -> LabelScaling:
    """The labels' choice for the shared graph: the common scale (:func:`common_scale`) only if its
    k-NN agreement gain over z-scores exceeds ``CHOICE_Z`` standard errors (:func:`labels_choice`)."""
    return labels_choice(zscore, common_scale(zscore), "common", labels, k, random_state, COLUMN_CHOICE_ROWS)


def choose_label_scaling(
    zscore: StandardizedRows, fenced: StandardizedRows, labels: np.ndarray, k: int, random_state: int
) -> LabelScaling:
    """The labels' choice for the label graph: the fenced range only if its k-NN agreement gain over
    z-scores exceeds ``CHOICE_Z`` standard errors (:func:`labels_choice`)."""
    return labels_choice(zscore, fenced, "fenced", labels, k, random_state, CHOICE_ROWS)


def labels_choice(
    zscore: StandardizedRows,
    other: StandardizedRows,
    name: str,
    labels: np.ndarray,
    k: int,
    random_state: int,
    max_rows: int,
) -> LabelScaling:
    """``name`` (the scaling of ``other``) only if its k-NN agreement gain over z-scores exceeds
    ``CHOICE_Z`` standard errors; else ``"zscore"``.

    On a subsample of at most ``max_rows`` rows drawn by ``random_state`` (all rows when there
    are no more), each scaling's exact ``k``-NN lists among the subsample's rows (the columns'
    centre and divisor from all rows), then :func:`agreement_gain`. With all rows (n <= max_rows)
    the choice does not depend on the rows' order, up to ties between equally distant neighbours
    (broken by row number); above, the subsample is drawn by position, so a reordering draws
    another subsample.
    """
    n = labels.shape[0]
    rows = np.sort(np.random.default_rng(random_state).choice(n, max_rows, replace=False)) if n > max_rows else None
    pick = slice(None) if rows is None else rows
    m = n if rows is None else max_rows
    k = min(k, m - 1)
    # the same lists either way; scikit-learn's fused search is cheaper on thousands of rows, while
    # on a thousand one blocked product is a few milliseconds and starts no thread pool of its own
    search = neighbour_lists if m > COLUMN_CHOICE_ROWS else (lambda Z, k: exact_knn(Z, k)[0])
    near_other = search(other[pick], k)
    near_z = search(zscore[pick], k)
    gain, se = agreement_gain(near_other, near_z, labels[pick])
    statistic = gain / se if se > 0 else 0.0
    return LabelScaling(
        requested="auto",
        chosen=name if statistic > CHOICE_Z else "zscore",
        reason="labels' choice",
        statistic=statistic,
        gain=gain,
        standard_error=se,
        rows=m,
    )


def neighbour_lists(Z: np.ndarray, k: int) -> np.ndarray:
    """``exact_knn(Z, k)[0]`` (the same lists), with a cheaper candidate step for unambiguous rows.

    Candidates: each row's ``2k + 1`` nearest rows by scikit-learn's brute-force search (a blocked
    product fused with the selection, on all cores), re-scored exactly as ``exact_knn`` does. A
    row whose exact ``k``-th distance lies below the candidates' largest by more than twice
    ``exact_knn``'s error bound ``tol`` has all its true nearest rows among them, so its list is
    ``exact_knn``'s; the other rows (near-ties at the cut, e.g. many duplicates) go through
    ``exact_knn``'s own exact selection (:func:`~labelwise.checks._exact_select.exact_best`).
    Above 165 dimensions, rows with a large common offset are shifted as ``exact_knn`` shifts them
    (:func:`~labelwise.checks._exact_select.search_shift`) for scikit-learn's search and the
    products, and ``tol`` is the shifted rows' (with the shift's rounding, which also bounds how
    far scikit-learn's distances between shifted rows are from the rows' own); the candidates are
    re-scored from the rows as given.
    """
    from sklearn.neighbors import NearestNeighbors

    n = Z.shape[0]
    m = min(n - 1, 2 * k)
    shift = search_shift(Z)
    Y = shifted_rows(Z, shift)  # the rows scikit-learn and the products see
    far, cand = NearestNeighbors(n_neighbors=m + 1, algorithm="brute").fit(Y).kneighbors(Y)
    rows = np.arange(n)
    idx, d2 = refine_candidates(Z, rows, cand.astype(np.int64), k)  # a row itself among them: dropped
    sq_norm = sq_norms32(Y)
    tol = float32_product_tol(sq_norm, sq_norm.max(), Z.shape[1], shifted=shift is not None)
    unsure = np.flatnonzero(~(d2[:, -1] < far[:, -1] ** 2 - 2.0 * tol))
    step = int(np.clip(BLOCK_ELEMENTS // n, 1, 4096))
    for s in range(0, unsure.size, step):
        part = unsure[s : s + step]
        norms = (sq_norm[part], sq_norm, sq_norm.max())
        idx[part] = block_best(Y[part], Y, Z[part], Z, norms, k, m, part, shifted=shift is not None)[0]
    return idx
