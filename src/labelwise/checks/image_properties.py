"""``image_properties``: cleanvision's image issues, scored in one pass over blocks of images.

Nine issue types, each a score in [0, 1] (low is bad) and a flag, with cleanvision 0.3.7's default
thresholds (``ImagePropertyIssueManager.get_default_params`` and ``DuplicateIssueManager``):

============================  ==============================================  ==================
issue                         score                                           flagged when
============================  ==============================================  ==================
``dark``                      99th percentile of pixel brightness             score < 0.32
``light``                     1 - 5th percentile of pixel brightness          score < 0.05
``odd_aspect_ratio``          ``min(w / h, h / w)``                           score < 0.35
``low_information``           ``min(1, 0.1 x entropy in bits)``               score < 0.3
``blurry``                    ``min(1, b + s)``: ``b = 1 - exp(-0.01 x edge   score < 0.29
                              std)``; ``s = 1 - exp(-0.01 x grey histogram
                              std)``, set to 0 where ``s <= 0.18``
``grayscale``                 0 for a one-band image, else 1                  score 0
``odd_size``                  ``1 - |sqrt(wh) - mid| / gap``, clipped, with   score < 0.5 (< 1
                              the fences ``q1 - 3 IQR``, ``q3 + 3 IQR`` of    when every image
                              ``sqrt(wh)``: ``mid`` their centre, ``gap``     has one size)
                              their distance
``exact_duplicate``           ``1 / set size`` for an image with identical    in a set
                              pixels elsewhere, else 1
``near_duplicate``            ``1 / set size`` over images whose perceptual   in a set
                              hashes are within ``near_duplicate_distance``
                              bits (connected), sets equal to an exact set
                              left out
============================  ==============================================  ==================

The measurements behind the scores are in :mod:`labelwise.checks._image_scores`. Datalab (cleanlab
2.9.0) runs the same scores with one other default: ``low_information`` flagged below 0.15.
cleanvision's grayscale test reads the file's mode (``L`` only); here every one-band image (after
the conversions of :mod:`labelwise.io.images`) is grayscale.

References
----------
.. [1] cleanvision 0.3.7 (Cleanlab, Apache-2.0), ``issue_managers/image_property.py``.
.. [2] Zauner, C. (2010). Implementation and benchmarking of perceptual image hash functions.
   Master's thesis, Upper Austria University of Applied Sciences.
.. [3] Tukey, J. W. (1977). Exploratory Data Analysis. Addison-Wesley (the IQR fences).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .._progress import track
from .._validate.arguments import check_choice, check_positive_int
from ..errors import InvalidParameterError
from ..io.images import UNREADABLE, check_images, read_block
from ._image_scores import MEASURES, close_pairs, measure, perceptual_hashes

#: cleanvision's default thresholds (score below them: an issue); ``odd_size`` as described above.
THRESHOLDS = {
    "dark": 0.32,
    "light": 0.05,
    "odd_aspect_ratio": 0.35,
    "low_information": 0.3,
    "blurry": 0.29,
    "odd_size": 0.5,
}
ISSUES = (
    "dark",
    "light",
    "odd_aspect_ratio",
    "low_information",
    "blurry",
    "grayscale",
    "odd_size",
    "exact_duplicate",
    "near_duplicate",
)
#: Datalab's image-property scores (``DEFAULT_CLEANVISION_ISSUES``), the spurious-correlation check's inputs.
PROPERTY_ISSUES = ISSUES[:7]


@dataclass(frozen=True)
class ImageProperties:
    """Per-image measurements, scores and flags, and the duplicate sets (row numbers).

    ``measures``: :data:`~labelwise.checks._image_scores.MEASURES` per row (NaN for an unreadable
    row); ``scores`` ``<issue>_score`` and ``flags`` ``is_<issue>_issue`` per row, for the issues
    of :data:`ISSUES` (an unreadable row: NaN scores, no flag); ``exact_duplicate_sets`` and
    ``near_duplicate_sets``, each set's rows in order, sets by their first row; ``hashes`` the
    64-bit perceptual hashes; ``unreadable`` row -> reason (``unreadable="flag"``).
    """

    measures: pd.DataFrame
    scores: pd.DataFrame
    flags: pd.DataFrame
    exact_duplicate_sets: list[list[int]]
    near_duplicate_sets: list[list[int]]
    hashes: np.ndarray
    thresholds: dict[str, float]
    unreadable: dict[int, str] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """One row per image: measures, then each issue's flag and score."""
        parts = [self.measures]
        for issue in ISSUES:
            parts.append(self.flags[[f"is_{issue}_issue"]])
            parts.append(self.scores[[f"{issue}_score"]])
        frame = pd.concat(parts, axis=1)
        frame.insert(0, "readable", ~frame.index.isin(list(self.unreadable)))
        return frame


def image_properties(
    images: Any,
    *,
    block_size: int = 256,
    n_jobs: int = 1,
    root: str | Path | None = None,
    unreadable: str = "raise",
    thresholds: dict[str, float] | None = None,
    near_duplicate_distance: int = 0,
    iqr_factor: float = 3.0,
    verbose: bool | None = None,
) -> ImageProperties:
    """Score images for cleanvision's issues: dark, light, odd aspect ratio, low information,
    blurry, grayscale, odd size, exact and near duplicates (module docstring: the table).

    The images are read ``block_size`` at a time (``n_jobs`` threads): a block's pixels are
    measured and dropped before the next block is read; only a row of numbers, a 16-byte key and
    a 64-bit hash are kept per image. The scores of a block do not depend on the other blocks,
    except ``odd_size`` (the quartiles of every image's size) and the duplicate sets.

    Parameters
    ----------
    images : sequence of paths or pixel arrays, or array of shape (n, h, w[, c])
        One image per row (:mod:`labelwise.io.images`: modes and conversions).
    block_size : int, default 256
        Images read at a time.
    n_jobs : int, default 1
        Threads reading and measuring a block.
    root : path, optional
        Folder that relative paths are taken from (default: the working folder).
    unreadable : {"raise", "flag"}, default "raise"
        A path that cannot be read: an error naming the row and the path, or a row left unscored
        (NaN scores, no flag) and listed in ``unreadable``.
    thresholds : dict, optional
        Scores below which an image is flagged, by issue (keys of :data:`THRESHOLDS`), each in [0, 1].
    near_duplicate_distance : int, default 0
        Largest Hamming distance (of 64 bits) between near duplicates' perceptual hashes; 0 is cleanvision's
        rule. Up to 11, by multi-index hashing (Norouzi et al. 2012; :func:`._image_scores.close_pairs`).
    iqr_factor : float, default 3.0
        Width of the ``odd_size`` fences in interquartile ranges.
    verbose : bool, optional
        A progress bar over the blocks read; default (None): only when stderr is a terminal.

    Returns
    -------
    ImageProperties

    Examples
    --------
    >>> import numpy as np
    >>> from labelwise.checks import image_properties
    >>> rng = np.random.default_rng(0)
    >>> images = rng.integers(0, 256, size=(6, 32, 32, 3), dtype=np.uint8)
    >>> images[1] //= 8          # a dark image
    >>> images[5] = images[4]    # an exact duplicate
    >>> found = image_properties(images)
    >>> found.flags["is_dark_issue"].tolist()
    [False, True, False, False, False, False]
    >>> found.exact_duplicate_sets
    [[4, 5]]
    """
    items = check_images(images)
    block_size = check_positive_int("block_size", block_size)
    n_jobs = check_positive_int("n_jobs", n_jobs)
    check_choice("unreadable", unreadable, UNREADABLE)
    limits = _check_thresholds(thresholds)
    distance = _check_distance(near_duplicate_distance)
    if not (isinstance(iqr_factor, (int, float)) and np.isfinite(iqr_factor) and iqr_factor >= 0):
        raise InvalidParameterError(f"iqr_factor must be a finite number >= 0, got {iqr_factor!r}")
    n = len(items)
    rows = np.full((n, len(MEASURES)), np.nan)
    keys: list[bytes | None] = [None] * n
    hashes = np.zeros(n, dtype=np.uint64)
    reasons: dict[int, str] = {}
    folder = Path(root) if root is not None else None
    starts = range(0, n, block_size)
    for start in track(starts, total=len(starts), description=f"reading {n} images", verbose=verbose):
        stop = min(n, start + block_size)
        done, why = read_block(items, start, stop, root=folder, unreadable=unreadable, n_jobs=n_jobs, then=measure)
        read = [i for i, d in enumerate(done) if d is not None]
        for i in read:
            rows[start + i], keys[start + i] = done[i][0], done[i][1]
        hashes[[start + i for i in read]] = perceptual_hashes(np.array([done[i][2] for i in read]).reshape(-1, 32, 32))
        reasons.update({start + i: r for i, r in enumerate(why) if r})
    measures = pd.DataFrame(rows, columns=list(MEASURES))
    readable = np.array([k is not None for k in keys], dtype=bool)
    exact = _sets(pd.factorize(pd.Series(keys, dtype=object), use_na_sentinel=True)[0], readable)
    near = [s for s in _near_sets(hashes, readable, distance) if s not in exact]
    scores, flags, limits = _score(measures, readable, exact, near, limits, float(iqr_factor))
    return ImageProperties(measures, scores, flags, exact, near, hashes, limits, reasons)


def _check_thresholds(thresholds: Any) -> dict[str, float]:
    limits = dict(THRESHOLDS)
    if thresholds is None:
        return limits
    if not isinstance(thresholds, dict) or any(k not in THRESHOLDS for k in thresholds):
        got = list(thresholds) if isinstance(thresholds, dict) else type(thresholds).__name__
        raise InvalidParameterError(f"thresholds must be a dict with keys among {list(THRESHOLDS)}, got {got}")
    for key, value in thresholds.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise InvalidParameterError(f"thresholds[{key!r}] must be a number in [0, 1], got {value!r}")
        limits[key] = float(value)
    return limits


def _check_distance(distance: Any) -> int:
    if isinstance(distance, bool) or not isinstance(distance, (int, np.integer)) or not 0 <= distance <= 64:
        raise InvalidParameterError(f"near_duplicate_distance must be an integer in 0..64, got {distance!r}")
    return int(distance)


def _sets(codes: np.ndarray, readable: np.ndarray) -> list[list[int]]:
    """Rows sharing a code (readable rows only), sets of two or more, ordered by their first row."""
    rows = np.flatnonzero(readable & (codes >= 0))
    if not len(rows):
        return []
    order = rows[np.argsort(codes[rows], kind="stable")]
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    groups = [g.tolist() for g in np.split(order, bounds) if len(g) > 1]
    return sorted(groups, key=lambda g: g[0])


def _near_sets(
    hashes: np.ndarray,
    readable: np.ndarray,
    distance: int,
    pairs: Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]] = close_pairs,
) -> list[list[int]]:
    """Sets of images whose hashes are within ``distance`` bits, connected (single linkage).

    The close pairs of distinct hashes come from ``pairs`` (multi-index hashing, or every pair
    compared for a large ``distance``: :func:`._image_scores.close_pairs`).
    """
    unique, codes = np.unique(hashes, return_inverse=True)
    codes = np.where(readable, codes, -1)
    if distance == 0:
        return _sets(codes, readable)
    present = np.unique(codes[readable])
    a, b = pairs(unique[present], distance)
    m = len(present)
    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(m, m))
    _, component = connected_components(graph, directed=False)
    lookup = np.full(len(unique), -1)
    lookup[present] = component
    return _sets(np.where(readable, lookup[np.maximum(codes, 0)], -1), readable)


def _set_scores(sets: list[list[int]], n: int, readable: np.ndarray) -> np.ndarray:
    score = np.where(readable, 1.0, np.nan)
    for members in sets:
        score[members] = 1.0 / len(members)
    return score


def _score(
    measures: pd.DataFrame,
    readable: np.ndarray,
    exact: list[list[int]],
    near: list[list[int]],
    limits: dict[str, float],
    iqr_factor: float,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float]]:
    """Each issue's score and flag from the measurements (module docstring: the table)."""
    m = {name: measures[name].to_numpy() for name in MEASURES}
    blur = 1 - np.exp(-m["blurriness"] * 0.01)
    spread = 1 - np.exp(-m["blurriness_grayscale_std"] * 0.01)
    spread[spread <= 0.18] = 0
    w, h = m["width"], m["height"]
    scores = {
        "dark": m["brightness_perc_99"],
        "light": 1 - m["brightness_perc_5"],
        "odd_aspect_ratio": np.minimum(w / h, h / w),
        "low_information": np.minimum(1.0, 0.1 * m["entropy"]),
        "blurry": np.minimum(blur + spread, 1.0),
        "grayscale": np.where(readable, (m["bands"] != 1).astype(float), np.nan),
    }
    scores["odd_size"], size_limit = _odd_size(np.sqrt(w) * np.sqrt(h), readable, iqr_factor)
    if "odd_size" in limits and limits["odd_size"] == THRESHOLDS["odd_size"]:
        limits = {**limits, "odd_size": size_limit}  # cleanvision: 1.0 when every image has one size
    n = len(readable)
    flags = {issue: scores[issue] < limits[issue] for issue in THRESHOLDS}
    flags["grayscale"] = scores["grayscale"] == 0
    scores["exact_duplicate"] = _set_scores(exact, n, readable)
    scores["near_duplicate"] = _set_scores(near, n, readable)
    flags["exact_duplicate"] = scores["exact_duplicate"] < 1
    flags["near_duplicate"] = scores["near_duplicate"] < 1
    score_frame = pd.DataFrame({f"{issue}_score": scores[issue] for issue in ISSUES})
    flag_frame = pd.DataFrame({f"is_{issue}_issue": flags[issue] & readable for issue in ISSUES})
    return score_frame, flag_frame, limits


def _odd_size(size: np.ndarray, readable: np.ndarray, iqr_factor: float) -> tuple[np.ndarray, float]:
    """cleanvision's odd-size score and its threshold (0.5; 1.0 when the fences coincide)."""
    if not readable.any():
        return np.full(len(size), np.nan), 0.5
    q1, q3 = np.percentile(size[readable], [25, 75])
    low, high = q1 - iqr_factor * (q3 - q1), q3 + iqr_factor * (q3 - q1)
    mid, gap = (low + high) / 2, high - low
    norm, limit = (gap, 0.5) if gap > 0 else (mid, 1.0)
    return 1 - np.clip(np.abs(size - mid) / norm, 0, 1), limit
