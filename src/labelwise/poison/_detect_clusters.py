"""Activation clustering (Chen et al. 2019): per class, reduce the representations, split them in
two with k-means, and call the smaller cluster poisoned when the paper's analysis says so."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import (
    check_choice,
    check_fraction,
    check_positive,
    check_positive_int,
    seed_from,
    show,
)
from .._validate.labels import check_same_length
from ..errors import InvalidParameterError
from ._common import row_index
from ._detect_cluster_checks import distance_verdicts, reclassify
from ._detect_common import check_features, skip_small_classes, top_directions
from ._detect_lloyd import RowReduced, reduce_rows
from ._detect_passes import cluster_sums, prepare
from ._detect_result import PoisonDetection
from ._detect_slabs import group_rows
from ._names import ANALYSES, REDUCTIONS

DISTANCES = ("distance", "distance-reduced")


def class_bases(values: np.ndarray, vectors: np.ndarray, n_rows: int, d: int, params: dict) -> np.ndarray:
    """The basis a class's centred rows are projected on, shape (d, 1 + m): first the top principal
    direction (the split's starting point), then the reduction: the top ``n_components``
    directions (divided by their standard deviations for ``"ica"``, a direction of no variance
    left out as a zero column), or the identity where the features have no more columns than
    that (no reduction, as ART)."""
    n_components = params["n_components"]
    if d <= n_components:
        return np.hstack([vectors[:, :1], np.eye(d)])
    basis = vectors.copy()
    if params["reduce"] == "ica":
        keep = values > values[0] * 1e-12
        basis[:, keep] /= np.sqrt(values[keep] / n_rows)
        basis[:, ~keep] = 0.0
    return np.hstack([vectors[:, :1], basis])


def split_1d(values: np.ndarray) -> np.ndarray | None:
    """The exact two-means split of one-dimensional values (the best cut of the sorted values by
    prefix sums), as a 0/1 array; None when all values are equal."""
    order = np.argsort(values, kind="stable")
    v = values[order]
    n = len(v)
    cuts = np.flatnonzero(v[1:] > v[:-1])  # left part = v[: cut + 1]
    if cuts.size == 0:
        return None
    prefix = np.cumsum(v)
    n_left = cuts + 1.0
    s_left = prefix[cuts]
    s_right = prefix[-1] - s_left
    gain = s_left**2 / n_left + s_right**2 / (n - n_left)
    cut = v[cuts[int(np.argmax(gain))]]
    return (values > cut).astype(np.int64)


def silhouette_rows_of(clusters: np.ndarray, max_rows: int, seed: int | None) -> np.ndarray:
    """The positions (ascending) of a class's rows its silhouette is computed on: all of them, or for
    a class of more than ``max_rows`` rows a sample of that many drawn from each cluster in
    proportion (one at least), with a generator seeded by ``seed`` and the class's size, so the
    draw does not depend on the order of the classes."""
    if len(clusters) <= max_rows:
        return np.arange(len(clusters))
    rng = np.random.default_rng(None if seed is None else [seed, len(clusters)])
    members = [np.flatnonzero(clusters == c) for c in (0, 1)]
    small = max(1, round(max_rows * len(members[1]) / len(clusters)))
    picks = [rng.choice(members[0], max_rows - small, replace=False), rng.choice(members[1], small, replace=False)]
    return np.sort(np.concatenate(picks))


def silhouette(R: Any, k: int, clusters: np.ndarray, max_rows: int, seed: int | None) -> float:
    """Mean silhouette coefficient (scikit-learn's) of class ``k``'s split (``clusters``, its rows'
    in row order) on its reduced rows ``R`` (:func:`reduced`), exact up to ``max_rows`` rows, else
    on the sample of :func:`silhouette_rows_of`; only those rows are read."""
    from sklearn.metrics import silhouette_score

    at = silhouette_rows_of(clusters, max_rows, seed)
    return float(silhouette_score(R.sample(k, at), clusters[at]))


def judge_class(assign: np.ndarray, params: dict, score: Any) -> tuple[bool, dict]:
    """One class's split (``assign``, cluster 1 the smaller): whether the analysis calls cluster 1
    poisoned, and the class's ``smaller_share`` and ``silhouette`` (NaN unless computed by
    ``score()``). The distance analyses judge all classes together later (False here)."""
    sizes = np.bincount(assign, minlength=2)
    share = sizes[1] / len(assign)
    details: dict[str, Any] = {"smaller_share": float(share), "silhouette": np.nan}
    if sizes[1] == 0 or params["analysis"] in DISTANCES:
        return False, details
    if params["analysis"] == "smaller":
        return bool(sizes[1] < sizes[0]), details
    suspicious = bool(share < params["size_threshold"])
    if params["analysis"] == "silhouette":
        details["silhouette"] = score()
        suspicious = suspicious and details["silhouette"] > params["silhouette_threshold"]
    return suspicious, details


def reduced(chunks: Any, arrays: list, groups: Any, means: np.ndarray, bases: np.ndarray) -> Any:
    """Every row centred on its class mean and projected on its class's ``bases`` (one pass over the
    features), kept where the features are: grouped by class in memory or in a temporary file
    (:func:`~labelwise.poison._detect_slabs.group_rows`), on the workers for Dask
    (:class:`~labelwise.poison._detect_lloyd.RowReduced`)."""
    if chunks.use_dask:
        return RowReduced(chunks, reduce_rows(chunks, arrays, means, bases), arrays[1], groups.rows)
    return group_rows(chunks, arrays, groups.rows, means, bases)


def split_classes(R: Any, groups: Any, usable: np.ndarray) -> np.ndarray:
    """Every usable class's 2-means on its reduced rows ``R`` from the exact 1-D split of its first
    reduced column (the top principal direction), cluster 1 the smaller; -1 for the rows of other
    classes (a class without a split keeps one cluster)."""
    starts = {}
    for k in np.flatnonzero(usable).tolist():
        split = split_1d(R.first(k))
        if split is not None:
            starts[k] = split.astype(np.int8)
    found = R.two_means(starts)
    clusters = np.full(len(groups.codes), -1, dtype=np.int64)
    for k in np.flatnonzero(usable).tolist():
        part = found[k].astype(np.int64) if k in found else np.zeros(len(groups.rows[k]), dtype=np.int64)
        clusters[groups.rows[k]] = 1 - part if 2 * part.sum() > len(part) else part
    return clusters


def reduced_centres(R: Any, groups: Any, clusters: np.ndarray, means: np.ndarray, m: int) -> dict:
    """ART's centres for ``"distance-reduced"``: the medians of each class's own reduction and of its
    clusters (a cluster without rows takes the class's), exact over row blocks; unreduced features
    (no more than ``m`` columns) are not centred in ART: the class mean is added back."""
    found = R.medians(clusters, groups.codes, len(groups.classes))
    out = {}
    for k in np.flatnonzero(np.bincount(groups.codes[clusters >= 0], minlength=len(groups.classes))).tolist():
        shift = means[k] if len(means[k]) <= m else 0.0
        halves = np.where(np.isnan(found[k, 1:]), found[k, 0], found[k, 1:])
        out[k] = (found[k, 0] + shift, halves + shift)
    return out


def _stack_centres(centres: dict, K: int) -> tuple[np.ndarray, np.ndarray]:
    """The classes' centres (K, m) and their clusters' (K, 2, m), zero-padded to one width ``m``
    (ICA may keep fewer dimensions in one class); zeros for a skipped class."""
    m = max(len(c[0]) for c in centres.values())
    class_c, cluster_c = np.zeros((K, m)), np.zeros((K, 2, m))
    for k, (centre, halves) in centres.items():
        class_c[k, : len(centre)] = centre
        cluster_c[k, :, : len(centre)] = halves
    return class_c, cluster_c


def _reclassify(estimator, X, groups, clusters, verdicts, flagged, threshold, records) -> None:
    """Exclusionary reclassification of the flagged clusters: unflag the legitimate ones (in
    ``flagged``) and add ``reclassify_score`` and ``source_class`` to the class records."""
    pairs = [(k, c) for k, c in zip(*np.nonzero(verdicts), strict=True) if np.any(clusters[groups.rows[k]] == c)]
    for record in records:
        record.update(reclassify_score=np.nan, source_class=None)
    if not pairs or flagged.all():
        return
    suspicious = [(int(k), groups.rows[k][clusters[groups.rows[k]] == c]) for k, c in pairs]
    results = reclassify(estimator, X, groups.codes, len(groups.classes), suspicious, flagged, threshold)
    for (k, rows), (legitimate, score, source) in zip(suspicious, results, strict=True):
        record = records[k]
        if not score >= record["reclassify_score"]:  # NaN at first: the lowest score is kept
            record["reclassify_score"] = score
            record["source_class"] = None if legitimate else groups.classes[source]
        if legitimate:
            flagged[rows] = False


def activation_clustering(
    features,
    labels,
    *,
    n_components: int = 10,
    reduce: str = "ica",
    analysis: str = "relative-size",
    size_threshold: float = 0.35,
    silhouette_threshold: float = 0.1,
    silhouette_rows: int = 5000,
    estimator=None,
    X=None,
    reclassify_threshold: float = 1.0,
    random_state=None,
    block_size: int | None = None,
) -> PoisonDetection:
    """Flag the rows of a class's smaller activation cluster when it looks poisoned.

    Chen et al. observe that a backdoor's poisoned rows, labelled as the target class, activate
    the network differently from the class's own rows: split in two, a poisoned class's
    representations separate into the clean rows and a small poisoned cluster, while a clean
    class splits into two halves of comparable size. For each class: centre the rows, reduce them
    to ``n_components`` dimensions, run 2-means, then decide which cluster (if any) is poisoned:

    - ``"relative-size"`` (the paper's relative size comparison; default): the smaller cluster
      when it holds less than ``size_threshold`` of the class;
    - ``"silhouette"`` (the paper's silhouette analysis): as relative size, and only when the mean
      silhouette of the split exceeds ``silhouette_threshold`` (the two clusters are real);
    - ``"smaller"`` (ART's default analysis): always the smaller cluster (a tie flags none);
    - ``"distance"`` (ART's distance analysis, in a space the classes share): a cluster is poisoned
      when it lies nearer another class's centre than its own class's centre, while the class's
      other cluster lies farther from that class's centre than from its own (poison taken from a
      source class sits near that class). Centres are means of the features (one pass);
    - ``"distance-reduced"`` (ART's exactly): the same test on medians of each class's *own*
      reduction (ART's ``analyze_by_distance``), where the classes' coordinates are in different
      bases; kept to reproduce ART. Either may flag both clusters of a class.

    With an ``estimator``, *exclusionary reclassification* (Chen et al.) then gives the
    flagged clusters a second opinion: a clone fitted on the rows not flagged predicts each
    flagged cluster; with ``l`` of its rows predicted as their label and ``p`` as the most frequent
    other class, the cluster is legitimate (unflagged) when ``p = 0`` or ``l / p`` exceeds
    ``reclassify_threshold``; else it stays flagged and that other class is its suspected source.

    Parameters
    ----------
    features : array-like of shape (n, d)
        The representation of every training row (penultimate-layer activations, an embedding).
        Also a ``np.memmap``, the path of a ``.npy`` file (opened memory-mapped) or a Dask array
        (one column chunk): read in passes over row blocks, all classes at once (moments, then
        the reduction; ``"distance"`` one more), never copied whole. The reduced rows
        (``n x (n_components + 1)`` float64) are kept where the features are: grouped by class,
        in memory for a numpy array, in an unnamed temporary file (in ``TMPDIR``, removed after)
        for a memory map or ``.npy`` path; in row order on the workers for Dask. The 2-means and
        the medians read them by row blocks.
    labels : array-like of shape (n,)
        The training labels (any hashable values).
    n_components : int, default 10
        Dimensions kept (the paper's 10). Features with no more columns are clustered as they are;
        ``params["n_components"]`` records the dimensions kept, ``min(n_components, d)``.
    reduce : {"ica", "pca"}, default "ica"
        ``"ica"`` (the paper's independent component analysis): the top principal components
        whitened. FastICA's output is that whitened projection turned by an orthogonal matrix, and
        k-means and the silhouette use Euclidean distances, which the turn leaves unchanged, so the
        clusters are FastICA's without its iterations. ``"pca"``: the principal components
        unwhitened (ART's default).
    analysis : {"relative-size", "silhouette", "smaller", "distance", "distance-reduced"}, default "relative-size"
        How the poisoned cluster is chosen (above).
    size_threshold : float, default 0.35
        A cluster with a smaller share of its class is suspicious; in (0, 0.5]. The paper's 0.35
        (ART's too; ART rounds the share to two decimals first, labelwise does not).
    silhouette_threshold : float, default 0.1
        ``"silhouette"`` only: the mean silhouette above which the split is real; in (-1, 1).
    estimator : scikit-learn classifier, optional
        Enables exclusionary reclassification; cloned and fitted once on the unflagged rows of
        ``X`` (ART fits its classifier's ``clone_for_refitting`` the same way).
    X : array-like of shape (n, p), optional
        The model's inputs for reclassification, one row per row of ``features``; default
        ``features`` (a model on the representation). Needs ``estimator``.
    reclassify_threshold : float, default 1.0
        ``l / p`` above which a flagged cluster is legitimate (ART's ``ex_re_threshold``), > 0. At
        1, a cluster is legitimate when more of its rows are predicted as their label than as any
        other class.
    silhouette_rows : int, default 5000
        ``"silhouette"`` only: a class of at most this many rows is scored exactly (its reduced
        rows read back); a larger one on a sample of this many rows (each cluster in proportion,
        one row at least), drawn with ``random_state`` (the only random step; the sample depends
        on row order, the rest does not). The silhouette needs every pairwise distance, so an
        exact score over blocks would take ``n^2`` work per class; ART 1.20.1 scores the whole
        class in memory (scikit-learn's ``silhouette_score`` without ``sample_size``).
    random_state : None, int or numpy Generator
    block_size : int, optional
        Rows per block of a numpy array or memory map (default about 4 million values per block);
        a Dask array is read by its partitions. The clusters do not depend on it beyond rounding.

    Returns
    -------
    PoisonDetection
        ``scores`` (one minus the share of its class in the row's cluster: rows of small clusters
        score high), ``is_flagged``, ``clusters`` (0 the larger, 1 the smaller) and ``per_class``
        (rows, ``smaller_share``, ``silhouette`` where computed, ``flagged``; with an estimator
        also ``reclassify_score``, the lowest ``l / p`` of the class's flagged clusters, and
        ``source_class``, that cluster's suspected source, when it stays flagged).

    Raises
    ------
    ShapeMismatchError, InvalidParameterError
        ``features`` not 2-D or not finite, lengths differing, a parameter out of range.
    TooFewExamplesError
        No class has three rows. A smaller class is skipped with a
        :class:`~labelwise.errors.LabelwiseWarning` (its rows are not flagged, their score is NaN).

    Notes
    -----
    The reduction is fitted on block statistics: each class's mean and scatter matrix are merged
    block by block (Chan, Golub & LeVeque's pairwise update), its principal directions are the
    scatter's eigenvectors, and the whitening divides by their standard deviations; FastICA's
    rotation needs no more (above), so nothing is fitted on the rows themselves.
    The 2-means starts from the exact two-means split of the rows' projections on the top
    principal direction and runs Lloyd's iterations until no row moves, each class over its own
    contiguous slab of the reduced rows by blocks (the classes on threads; for Dask, every class
    at once, one pass over the partitions per iteration): no random restarts, so the clusters do
    not depend on row order, a seed or the blocks (which change only the order of the centres'
    floating-point sums; a row's side is summed column by column, the same whatever its block). ``"distance-reduced"``'s medians
    are exact over blocks too (radix selection, eight passes). ART's ``ActivationDefence`` runs scikit-learn's
    ``KMeans`` unseeded. The defaults match ART's ``detect_poison(reduce="FastICA",
    cluster_analysis="relative-size")``; ART's own default (``"PCA"``, ``"smaller"``) flags the
    smaller half of every class, poisoned or not.

    Long because of this docstring (three analyses and two reductions to explain); the body checks
    the arguments and hands each class to :func:`split_class`.

    References
    ----------
    .. [1] B. Chen, W. Carvalho, N. Baracaldo, H. Ludwig, B. Edwards, T. Lee, I. Molloy and
       B. Srivastava, "Detecting Backdoor Attacks on Deep Neural Networks by Activation
       Clustering", AAAI Workshop on Artificial Intelligence Safety (SafeAI), 2019.

    Examples
    --------
    >>> import numpy as np
    >>> import labelwise as lw
    >>> rng = np.random.default_rng(0)
    >>> features = rng.normal(size=(300, 20))
    >>> labels = np.repeat([0, 1, 2], 100)
    >>> features[:15] += 5.0  # fifteen rows of class 0 sit apart
    >>> found = lw.poison.activation_clustering(features, labels)
    >>> found.flagged_indices.tolist() == list(range(15))
    True
    """
    n_components = check_positive_int("n_components", n_components)
    reduce = check_choice("reduce", reduce, REDUCTIONS)
    analysis = check_choice("analysis", analysis, ANALYSES)
    size_threshold = check_fraction("size_threshold", size_threshold, high=0.5, closed_low=False, closed_high=True)
    silhouette_threshold = check_fraction("silhouette_threshold", silhouette_threshold, low=-1.0, closed_low=False)
    silhouette_rows = check_positive_int("silhouette_rows", silhouette_rows, minimum=3)
    seed = seed_from(random_state)
    params = {
        "n_components": n_components,
        "reduce": reduce,
        "analysis": analysis,
        "size_threshold": size_threshold,
        "silhouette_threshold": silhouette_threshold,
    }
    reclassify_threshold = check_positive("reclassify_threshold", reclassify_threshold)
    if estimator is not None and not (hasattr(estimator, "fit") and hasattr(estimator, "predict")):
        raise InvalidParameterError(f"estimator must be a classifier with fit and predict, got {show(estimator)}")
    if X is not None and estimator is None:
        raise InvalidParameterError("X (the model's inputs) is read only with an estimator, got X without one")
    F, groups, chunks, arrays, (counts, means, scatters) = prepare(features, labels, block_size)
    inputs = F if X is None else check_features(X, name="X")
    check_same_length("features", F, "X", inputs)
    usable = skip_small_classes(groups, 3, "activation_clustering")
    n, K, d = F.shape[0], len(groups.classes), F.shape[1]
    params["n_components"] = min(n_components, d)  # the dimensions kept: no reduction with d or fewer features
    bases = np.zeros((K, d, 1 + min(n_components, d)))
    for k in np.flatnonzero(usable).tolist():
        values, vectors = top_directions(scatters[k], min(n_components, d))
        bases[k] = class_bases(values, vectors, len(groups.rows[k]), d, params)
    R = reduced(chunks, arrays, groups, means, bases)  # (n, 1 + m): kept where the features are
    clusters = split_classes(R, groups, usable)
    scores = np.full(n, np.nan)
    verdicts = np.zeros((K, 2), dtype=bool)
    records = []
    for k, rows in enumerate(groups.rows):
        records.append({"class": groups.classes[k], "rows": len(rows), "smaller_share": np.nan, "silhouette": np.nan})
        if usable[k]:
            assign = clusters[rows]

            def score(k: int = k, assign: np.ndarray = assign) -> float:
                return silhouette(R, k, assign, silhouette_rows, seed)

            verdicts[k, 1], details = judge_class(assign, params, score)
            scores[rows] = np.where(assign == 1, 1.0 - details["smaller_share"], details["smaller_share"])
            records[-1].update(details)
    if analysis == "distance-reduced":
        centres = reduced_centres(R, groups, clusters, means, min(n_components, d))
    if analysis == "distance":  # means of the features in a space the classes share: one more pass
        sums = cluster_sums(chunks, arrays, clusters, K)
        sizes = np.stack([np.bincount(groups.codes[clusters == c], minlength=K) for c in (0, 1)], axis=1)
        halves = np.where(sizes[:, :, None] > 0, sums / np.maximum(sizes, 1)[:, :, None], means[:, None, :])
        centres = {k: (means[k], halves[k]) for k in np.flatnonzero(usable).tolist()}
    if analysis in DISTANCES:
        verdicts = distance_verdicts(*_stack_centres(centres, K), usable)
    flagged = np.zeros(n, dtype=bool)
    used = clusters >= 0
    flagged[used] = verdicts[groups.codes[used], clusters[used]]
    if estimator is not None:
        params["reclassify_threshold"] = reclassify_threshold
        _reclassify(estimator, inputs, groups, clusters, verdicts, flagged, reclassify_threshold, records)
    for k, record in enumerate(records):
        record["flagged"] = int(flagged[groups.rows[k]].sum())
    per_class = pd.DataFrame.from_records(records)
    if estimator is not None:  # class names as given, not floats beside None
        per_class["source_class"] = pd.Series([r["source_class"] for r in records], dtype=object)
    return PoisonDetection(
        "activation_clustering",
        scores,
        flagged,
        groups.classes,
        groups.codes,
        per_class,
        params,
        clusters,
        index=row_index(features, labels),
    )
