"""Spectral signatures (Tran, Li & Madry, NeurIPS 2018): per class, the top singular direction of
the centred representations, outlier score = squared projection on it, flag the top scores."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .._validate.arguments import check_fraction, check_positive
from ..errors import InvalidParameterError
from ._common import row_index
from ._detect_common import skip_small_classes, top_directions
from ._detect_passes import prepare, project
from ._detect_result import PoisonDetection

#: Classes with fewer rows are not scored. Two rows centred are ``r`` and ``-r``: the top direction
#: is theirs and their two scores are always equal, so nothing tells the poisoned one apart (the
#: paper's rule, the top ``1.5 eps`` share of ``n``, removes none of 2 rows; the quantile flagged both).
MIN_CLASS_ROWS = 3
TIED_PAIR = "two rows of a class always score alike: their centred representations are opposite"


def flag_count(n: int, share: float) -> int:
    """Rows at or above the ``1 - share`` quantile of ``n`` distinct scores (numpy's linear
    interpolation, as ART): about ``share * n``, at least one, fewer than ``n`` when ``share < 1``."""
    position = (n - 1) * (1.0 - share)
    return n - math.ceil(position - 1e-9)


def top_scores_mask(scores: np.ndarray, count: int) -> np.ndarray:
    """Rows whose score is at least the ``count``-th largest (ties at that score are all flagged,
    so the mask does not depend on row order)."""
    cutoff = np.partition(scores, len(scores) - count)[len(scores) - count]
    return scores >= cutoff


def spectral_signatures(
    features, labels, *, eps: float = 0.1, multiplier: float = 1.5, block_size: int | None = None
) -> PoisonDetection:
    """Flag rows whose representation lies far along their class's top singular direction.

    For each class :math:`c` with representations :math:`R_c` (one row per example), the rows are
    centred, :math:`v_c` is the top right singular vector of the centred matrix (the top eigenvector
    of the class's scatter matrix), and each row's outlier score is
    :math:`\\tau_i = ((R_i - \\hat R_c) \\cdot v_c)^2`. A backdoor's poisoned rows shift the
    class's representations along one direction, which becomes the top singular direction, so
    their scores are the largest. In each class the rows at or above the ``1 - multiplier * eps``
    quantile of the scores are flagged (the paper removes the top ``1.5 eps`` share).

    Parameters
    ----------
    features : array-like of shape (n, d)
        The representation of every training row (penultimate-layer activations, an embedding).
        Also a ``np.memmap``, the path of a ``.npy`` file (opened memory-mapped) or a Dask array
        (one column chunk): read in two passes over row blocks, all classes at once (moments,
        then scores), never copied whole.
    labels : array-like of shape (n,)
        The training labels (any hashable values), the poisoned ones included.
    eps : float, default 0.1
        The expected share of poisoned rows in a poisoned class, in (0, 0.5). The paper's
        experiments use 0.05 and 0.1 (ART's default, ``expected_pp_poison=0.33``, flags half of every
        class).
    multiplier : float, default 1.5
        The paper's safety factor: ``multiplier * eps`` of each class is flagged; must be positive
        with ``multiplier * eps < 1``.
    block_size : int, optional
        Rows per block of a numpy array or memory map (default about 4 million values per block);
        a Dask array is read by its partitions. The answer does not depend on it beyond rounding.

    Returns
    -------
    PoisonDetection
        ``scores`` (the squared projections; NaN in a skipped class), ``is_flagged`` and
        ``per_class`` (rows, rows flagged, the score cutoff, the share of the class's variance along
        its top direction).

    Raises
    ------
    ShapeMismatchError
        ``features`` is not 2-D, or its rows and ``labels`` differ in number.
    InvalidParameterError
        ``eps`` outside (0, 0.5), ``multiplier`` not positive or ``multiplier * eps >= 1``,
        features not finite.
    TooFewExamplesError
        No class has three rows. A class of one or two rows is skipped with a
        :class:`~labelwise.errors.LabelwiseWarning` (its rows are not flagged, their scores are
        NaN): two rows, centred, are opposite points, so their scores always tie and nothing tells
        a poisoned one from a clean one (the paper's rule removes the top ``1.5 eps`` share of a
        class, none of two rows; ART's quantile cutoff flags both). A class of identical rows has
        no direction: its scores are 0 and none is flagged. Rows tied at a class's cutoff score are
        all flagged.

    Notes
    -----
    ART 1.20.1's ``SpectralSignatureDefense`` projects the uncentred rows and takes the absolute
    value; that ranks rows differently from the paper's centred score unless a class's mean lies
    orthogonal to :math:`v_c`. labelwise follows the paper. The flag count is ART's (the quantile
    rule), the same rows where both rank alike.

    References
    ----------
    .. [1] B. Tran, J. Li and A. Madry, "Spectral Signatures in Backdoor Attacks", NeurIPS 2018.

    Examples
    --------
    >>> import numpy as np
    >>> import labelwise as lw
    >>> rng = np.random.default_rng(0)
    >>> features = rng.normal(size=(200, 5))
    >>> labels = np.repeat(["cat", "dog"], 100)
    >>> features[:8, 0] += 6.0  # eight "cat" rows carry a trigger along one direction
    >>> found = lw.poison.spectral_signatures(features, labels, eps=0.08)
    >>> bool(found.is_flagged[:8].all()), int(found.is_flagged.sum())
    (True, 24)
    """
    eps = check_fraction("eps", eps, low=0.0, high=0.5, closed_low=False)
    multiplier = check_positive("multiplier", multiplier)
    share = multiplier * eps
    if share >= 1.0:
        raise InvalidParameterError(f"multiplier * eps must be below 1 (the share of a class flagged), got {share:g}")
    X, groups, chunks, arrays, (_, means, scatters) = prepare(features, labels, block_size)
    usable = skip_small_classes(groups, MIN_CLASS_ROWS, "spectral_signatures", TIED_PAIR)
    K, d = len(groups.classes), X.shape[1]
    directions = np.zeros((K, d, 1))
    tops = np.zeros(K)
    for k in np.flatnonzero(usable).tolist():
        values, vectors = top_directions(scatters[k], 1)
        directions[k], tops[k] = vectors, values[0]
    scores = project(chunks, arrays, means, directions, squared=True)
    scores[~usable[groups.codes]] = np.nan
    flagged = np.zeros(X.shape[0], dtype=bool)
    records = []
    for k, rows in enumerate(groups.rows):
        record = {"class": groups.classes[k], "rows": len(rows), "flagged": 0, "cutoff": np.nan}
        record["top_variance_share"] = np.nan
        total = float(np.trace(scatters[k]))
        if usable[k] and total > 0:  # identical rows have no direction: nothing to flag
            class_scores = scores[rows]
            mask = top_scores_mask(class_scores, flag_count(len(rows), share))
            flagged[rows] = mask
            record["flagged"] = int(mask.sum())
            record["cutoff"] = float(class_scores[mask].min())
            record["top_variance_share"] = tops[k] / total
        records.append(record)
    per_class = pd.DataFrame.from_records(records)
    params = {"eps": eps, "multiplier": multiplier}
    return PoisonDetection(
        "spectral_signatures",
        scores,
        flagged,
        groups.classes,
        groups.codes,
        per_class,
        params,
        index=row_index(features, labels),
    )
