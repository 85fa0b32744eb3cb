"""Activation clustering's second opinions on a class's two clusters: the distance analysis (ART's)
and exclusionary reclassification (Chen et al. 2019)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import clone

from .._chunks import row_blocks


def distance_verdicts(class_centres: np.ndarray, cluster_centres: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """Which clusters the distance analysis calls poisoned, shape (K, 2).

    Cluster ``c`` of class ``i`` is poisoned when, for some other class ``k``, it lies closer to
    ``k``'s centre than to its own class's, while the other cluster of ``i`` lies farther from ``k``'s
    centre than from its own class's (ART's ``analyze_by_distance``: poison from a source class ``k``
    sits nearer ``k`` than the clean rows do). ``class_centres`` (K, m), ``cluster_centres``
    (K, 2, m); classes not ``usable`` neither judge nor are judged."""
    K = len(class_centres)
    verdicts = np.zeros((K, 2), dtype=bool)
    ok = np.flatnonzero(usable)
    if ok.size < 2:
        return verdicts
    # own[i, c] = |cluster c of i - centre of i|; other[i, c, k] = |cluster c of i - centre of k|
    own = np.linalg.norm(cluster_centres[ok] - class_centres[ok, None, :], axis=2)
    other = np.linalg.norm(cluster_centres[ok, :, None, :] - class_centres[None, None, ok, :], axis=3)
    closer = other < own[:, :, None]
    farther = other > own[:, :, None]
    not_self = ~np.eye(ok.size, dtype=bool)[:, None, :]
    verdicts[ok, 0] = np.any(closer[:, 0] & farther[:, 1] & not_self[:, 0], axis=1)
    verdicts[ok, 1] = np.any(closer[:, 1] & farther[:, 0] & not_self[:, 0], axis=1)
    return verdicts


def reclassify(
    estimator: Any,
    X: Any,
    codes: np.ndarray,
    n_classes: int,
    suspicious: list[tuple[int, np.ndarray]],
    flagged: np.ndarray,
    threshold: float,
) -> list[tuple[bool, float, int]]:
    """Exclusionary reclassification: fit a clone of ``estimator`` on the rows not ``flagged``, then
    predict each suspicious cluster (``(class, rows)``). With ``l`` its rows predicted as their label
    and ``p`` those predicted as the most frequent other class, the cluster is legitimate when
    ``p == 0`` or ``l / p > threshold``. Returns ``(legitimate, l / p, most frequent other class)``
    per cluster (``inf`` and -1 when ``p == 0``)."""
    keep = np.flatnonzero(~flagged)
    model = clone(estimator).fit(np.asarray(X[keep], dtype=np.float64), codes[keep])
    out = []
    for k, rows in suspicious:
        counts = np.zeros(n_classes, dtype=np.int64)
        for part in row_blocks(len(rows), X.shape[1]):
            predicted = np.asarray(model.predict(np.asarray(X[rows[part]], dtype=np.float64)), dtype=np.int64)
            counts += np.bincount(predicted, minlength=n_classes)
        own = counts[k]
        counts[k] = -1
        source = int(np.argmax(counts))
        p = int(counts[source])
        if p <= 0:
            out.append((True, float("inf"), -1))
        else:
            out.append((own / p > threshold, own / p, source))
    return out
