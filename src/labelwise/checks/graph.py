"""``NeighborGraph``: the k nearest neighbours of every row, built once and shared by every check.

Exact search multiplies blocks of query rows by the whole feature matrix (BLAS), so memory holds
one ``block x n`` slab at a time, never an ``n x n`` matrix. Squared euclidean distances come from
``||a||^2 + ||b||^2 - 2 a.b`` in float32; the ``2k`` best candidates of each row (with the near-ties
at the cut) are then re-scored exactly in float64 from the differences, and sorted by (distance,
index); a row whose candidates cannot be shown to hold its true nearest rows (more near-ties within
the float32 error than the cap keeps: tightly packed rows, many copies) has every row that may be
nearer re-scored (:mod:`labelwise.checks._exact_select`). So rounding in the product never decides
the result, which is the float64 brute force's over the float32 rows, ties broken by the lower row
index.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from .._binary_scale import binary_magnitude, spread
from .._validate.arguments import check_choice, check_positive_int
from ..errors import InvalidParameterError, TooFewExamplesError
from ._exact_select import RESCORE_ROWS, block_best, search_shift, shifted_rows, sq_distances_between, sq_norms32
from ._graph_record import GraphSearch, load_graph, save_graph, searched
from ._index_extras import index_available, require_index, warn_fallback

METRICS = ("euclidean", "cosine")
METHODS = ("exact", "approximate", "auto")
#: Approximate indexes: k-means cells compared by matrix products, grouped ("cells") or with every
#: row filed in its nearest cells' lists ("spill"; both need no extra), hnswlib on float32 rows,
#: faiss's HNSW on 16- or 8-bit rows; "auto" picks one by the number of rows (``AUTO_INDEXES``).
#: Column scalings of a standardised graph: z-scores, the fenced range (``_scaling.fenced_range``), or
#: one common scale for every column (``_scaling.common_scale``).
SCALINGS = ("zscore", "fenced", "common")
INDEXES = ("auto", "cells", "spill", "hnswlib", "faiss-fp16", "faiss-sq8")
#: Indexes that need no extra (numpy only).
BUILTIN_INDEXES = ("cells", "spill")
#: ``index="auto"`` by the number of rows: ``(least rows, index)`` in increasing order, the last entry
#: whose least rows is at most n. The spill lists (their spill growing with n, ``_spill.SPILL_BY_ROWS``)
#: from 100,000 rows: there (three dev sets) and at 300,000 and 1,000,000 rows (the dev set of few
#: large clusters, where both lose recall with n) they kept hnswlib's recall@10 at the same n for
#: less CPU (``benchmarks/dev_spill_scale.py``, RESULTS.md, issue 11, session 10); hnswlib below,
#: where they were not measured against it.
AUTO_INDEXES: tuple[tuple[int, str], ...] = ((0, "hnswlib"), (100_000, "spill"))
#: ``index="auto"``'s index when the one in ``AUTO_INDEXES`` needs an extra that is not installed:
#: on dev data the cells matched hnswlib's recall up to 300,000 rows in less time, but at 1,000,000
#: rows of the low-rank dev set their recall@10 fell to 0.95 (hnswlib 0.98; RESULTS.md, issue 11,
#: session 5).
AUTO_FALLBACK = "cells"
#: ``method="auto"`` searches exactly below this many rows (chosen by measurement, see RESULTS.md).
AUTO_EXACT_MAX_ROWS = 5_000
#: Elements of the ``block x n`` distance slab held at once (float32 + int64 argpartition).
BLOCK_ELEMENTS = 1 << 23


class GraphShape:
    """``n`` and ``k`` of a graph from its ``indices`` (numpy or dask), for the graph classes."""

    indices: Any

    @property
    def n(self) -> int:
        """Number of rows."""
        return int(self.indices.shape[0])

    @property
    def k(self) -> int:
        """Neighbours per row."""
        return int(self.indices.shape[1])


@dataclass(frozen=True)
class NeighborGraph(GraphShape):
    """The ``k`` nearest other rows of every row, nearest first.

    Attributes
    ----------
    indices : ndarray of int64, shape (n, k)
        Row numbers of the neighbours (a row is never its own neighbour).
    distances : ndarray of float32, shape (n, k)
        Euclidean distance (on standardised features when ``standardized``) or cosine distance
        ``1 - cos``, non-decreasing along each row.
    metric : {"euclidean", "cosine"}
    standardized : bool
        Whether the features' columns were centred and scaled before the search.
    method : {"exact", "approximate"}
        How the neighbours were found.
    scaling : {"zscore", "fenced", "common"}
        How the columns were scaled when ``standardized``: to unit variance, by the fenced range, or
        by one scale common to every column (their relative units kept).
    search : GraphSearch or None
        Which search ran, with its settings, and why ``index="auto"`` fell back
        (:class:`~labelwise.checks._graph_record.GraphSearch`); None for a graph made by hand or
        loaded from a file of an earlier labelwise.
    """

    indices: np.ndarray = field(repr=False)
    distances: np.ndarray = field(repr=False)
    metric: str = "euclidean"
    standardized: bool = True
    method: str = "exact"
    scaling: str = "zscore"
    search: GraphSearch | None = None

    @classmethod
    def build(
        cls,
        features: Any,
        *,
        k: int = 10,
        metric: str = "euclidean",
        standardize: bool | None = None,
        method: str = "auto",
        block_size: int | None = None,
        random_state: int = 0,
        index: str = "auto",
        scaling: str = "zscore",
    ) -> NeighborGraph:
        """Find the ``k`` nearest neighbours of every row of ``features``.

        Parameters
        ----------
        features : array-like of shape (n, d)
            Finite numbers.
        k : int, default 10
            Neighbours per row; must be below ``n``.
        metric : {"euclidean", "cosine"}, default "euclidean"
            Cosine distance is computed on unit-normalised rows.
        standardize : bool, optional
            Centre and scale every column to unit variance first (default: True for euclidean,
            False for cosine). Constant columns are left at zero.
        method : {"auto", "exact", "approximate"}, default "auto"
            ``"approximate"`` uses the approximate ``index``; ``"auto"`` is exact up to
            ``AUTO_EXACT_MAX_ROWS`` rows and approximate above.
        block_size : int, optional
            Query rows per block of the exact search (default: as many as fit a slab of
            ``BLOCK_ELEMENTS``). The result does not depend on it.
        random_state : int
            Seed of the approximate index (k-means cells, hnswlib; faiss uses its own fixed seed).
            The exact search and the cells give the same graph on every run; an HNSW index
            (hnswlib, faiss) built on several threads does not, whatever the seed: rows are
            inserted in an order the threads decide, so a few rows' neighbours may differ
            between runs.
        index : {"auto", "cells", "spill", "hnswlib", "faiss-fp16", "faiss-sq8"}, default "auto"
            The approximate index: ``"cells"``, k-means cells whose rows are compared with the
            rows of their nearest cells by matrix products (no extra needed, no index kept);
            ``"spill"``, k-means cells whose lists hold every row among whose nearest cells
            (12 to 24 of them, more for more rows) they are, each row compared with its own
            cell's list by one matrix product per cell (no extra needed, no index kept, the same
            graph on every run); ``"hnswlib"``, an HNSW index on float32 rows (``ann`` extra);
            faiss's HNSW on 16- or 8-bit rows (needs ``faiss-cpu``; less memory, see RESULTS.md).
            ``"auto"``: by the number of rows (``AUTO_INDEXES``): hnswlib below 100,000 rows
            (the cells when hnswlib is not installed), the spill lists from 100,000 rows.
            Candidates are re-scored exactly in every case.
        scaling : {"zscore", "fenced", "common"}, default "zscore"
            How ``standardize`` scales the centred columns: by their standard deviation, by
            their range over the rows inside Tukey's far-out fence of a robust row norm
            (:func:`labelwise.checks._scaling.fenced_range`; for the label graph), or all by one
            scale, keeping their relative units (:func:`labelwise.checks._scaling.common_scale`).
        """
        check_choice("metric", metric, METRICS)
        check_choice("method", method, METHODS)
        check_choice("index", index, INDEXES)
        check_choice("scaling", scaling, SCALINGS)
        require_index(index, method)
        X = _as_float_matrix(features)
        n = X.shape[0]
        k = check_positive_int("k", k)
        if k >= n:
            raise TooFewExamplesError(f"k must be less than the number of rows ({n}), got k={k}")
        standardize = (metric == "euclidean") if standardize is None else bool(standardize)
        view = StandardizedRows.fit(X, metric=metric, standardize=standardize)
        if standardize and scaling != "zscore":
            from ._scaling import rescaled

            view = rescaled(view, scaling)
        return cls._search(
            view,
            k=k,
            metric=metric,
            method=method,
            block_size=block_size,
            random_state=random_state,
            index=index,
            standardized=standardize,
            scaling=scaling if standardize else "zscore",
        )

    @classmethod
    def _search(
        cls,
        view: StandardizedRows,
        *,
        k: int,
        metric: str,
        method: str,
        block_size: int | None = None,
        random_state: int = 0,
        index: str = "auto",
        standardized: bool = True,
        scaling: str = "zscore",
    ) -> NeighborGraph:
        """:meth:`build`'s search on rows already centred and scaled (``view``), the options checked."""
        n = view.shape[0]
        asked, fallback = {"method": method, "index": index}, None
        if index == "auto":  # the fallback is said (and recorded) where the search will use an index
            index, fallback = _auto_choice(n, method == "approximate" or (method == "auto" and n > AUTO_EXACT_MAX_ROWS))
        if method == "auto":
            method = "approximate" if n > AUTO_EXACT_MAX_ROWS and _ann_available(index) else "exact"
        audit: dict[str, Any] | None = None
        if method == "exact":
            idx, sq = exact_knn(view.materialize(), k, block_size=block_size)
        else:
            from ._ann import approximate_knn
            from ._graph_audit import audited

            idx, sq = approximate_knn(view, k, random_state=random_state, index=index)  # no standardised copy
            idx, sq, audit = audited(view, idx, sq, k, random_state=random_state)
        dist = _to_metric(sq, metric)
        del sq
        idx = idx.astype(np.int64, copy=False)
        ran = index if method == "approximate" else "exact"
        record = searched(ran, n, k, random_state=random_state, requested=asked, fallback=fallback)
        if audit is not None:
            record = replace(record, audit=audit)
        return cls(idx, dist, metric, standardized, method, scaling, record)

    def save(self, path: str | os.PathLike) -> Path:
        """Write the graph, its search record included, to an ``.npz`` file atomically."""
        return save_graph(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> NeighborGraph:
        """Read a graph written by :meth:`save` (by an earlier labelwise too: ``search`` is then None)."""
        return load_graph(cls, path)


def auto_index(n: int, *, warn: bool = False) -> str:
    """The approximate index ``index="auto"`` uses for ``n`` rows (``AUTO_INDEXES``, ``AUTO_FALLBACK``);
    ``warn``: a :class:`~labelwise.errors.LabelwiseWarning` when it is the fallback."""
    return _auto_choice(n, warn)[0]


def _auto_choice(n: int, warn: bool) -> tuple[str, str | None]:
    """:func:`auto_index`'s index, and the fallback's warning when it is the fallback and ``warn``."""
    name = [index for least, index in AUTO_INDEXES if least <= n][-1]
    if _ann_available(name):
        return name, None
    return AUTO_FALLBACK, warn_fallback(name, f"the k-means cells ({AUTO_FALLBACK!r})", n) if warn else None


def _ann_available(index: str = "hnswlib") -> bool:
    return index_available(index)


def _as_float_matrix(features: Any) -> np.ndarray:
    X = np.asarray(features)
    if X.dtype.kind not in "fiub":
        raise InvalidParameterError(f"features must be a numeric matrix, got dtype {X.dtype}")
    if X.ndim != 2:
        raise InvalidParameterError(f"features must be 2-D (n_rows, n_features), got shape {X.shape}")
    return X if X.dtype.kind == "f" else X.astype(np.float64)


@dataclass(frozen=True)
class StandardizedRows:
    """A read-only view of ``X`` standardised (and/or unit rows for cosine) as float32, row by row.

    ``view[rows]`` computes only the rows asked for, so the approximate search never holds a
    standardised copy of the whole matrix; :meth:`materialize` writes the copy (exact search).
    Every row is computed the same way in both cases, so the values do not depend on the path.
    """

    X: np.ndarray = field(repr=False)
    mean: np.ndarray = field(repr=False)
    scale: np.ndarray = field(repr=False)
    cosine: bool = False

    @classmethod
    def fit(cls, X: np.ndarray, *, metric: str, standardize: bool) -> StandardizedRows:
        """Column means and standard deviations by row blocks (zero-variance columns kept at zero).

        The squared deviations are summed on each column divided by the power of two at its largest
        absolute value (:mod:`labelwise._binary_scale`), so columns of ``1e200`` or ``1e-200`` get
        finite, right scales; on other columns the division is exact and changes nothing.
        """
        n, d = X.shape
        mean, scale = np.zeros(d), np.ones(d)
        if standardize:
            step = _row_step(d)
            total, peak = np.zeros(d), np.zeros(d)
            for s in range(0, n, step):
                with np.errstate(over="ignore"):  # a sum past the float range is redone below
                    total += X[s : s + step].sum(axis=0, dtype=np.float64)
                peak = np.maximum(peak, np.maximum(X[s : s + step].max(axis=0), -X[s : s + step].min(axis=0)))
            p = binary_magnitude(peak)
            mean = total / n
            if not np.isfinite(mean).all():  # sums past the float range: the mean of the divided columns
                mean = sum((X[s : s + step] / p).sum(axis=0) for s in range(0, n, step)) / n * p
            sq, inv, centre = np.zeros(d), 1.0 / p, mean / p  # 1 / p: a power of two, exact
            for s in range(0, n, step):
                dev = X[s : s + step] * inv
                dev -= centre
                dev *= dev
                sq += dev.sum(axis=0)
            scale = spread(sq, n, p)
        return cls(X, mean, scale, metric == "cosine")

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.X.shape[0]), int(self.X.shape[1]))

    def __len__(self) -> int:
        return int(self.X.shape[0])

    def __getitem__(self, rows: Any) -> np.ndarray:
        block = (self.X[rows] - self.mean) / self.scale
        if self.cosine:
            norms = np.linalg.norm(block, axis=-1, keepdims=True)
            block = block / np.where(norms > 0, norms, 1.0)
        return block.astype(np.float32)

    def sq_distances(self, rows: np.ndarray, cand: np.ndarray) -> np.ndarray:
        """Float64 squared distances from row ``rows[i]`` to the rows ``cand[i]`` in the standardised space.

        Euclidean: from the raw differences divided by the scale (one pass, no rounding of the
        standardised values to float32); cosine: between the unit rows.
        """
        if self.cosine:
            return sq_distances_between(self, self, cand, rows)
        inv = 1.0 / self.scale
        d2 = np.empty(cand.shape, dtype=np.float64)
        for s in range(0, len(rows), RESCORE_ROWS):
            q, part = self.X[rows[s : s + RESCORE_ROWS]], cand[s : s + RESCORE_ROWS]
            for j in range(cand.shape[1]):
                diff = np.subtract(self.X[part[:, j]], q, dtype=np.float64)
                diff *= inv
                d2[s : s + RESCORE_ROWS, j] = np.einsum("ij,ij->i", diff, diff)
        return d2

    def materialize(self) -> np.ndarray:
        """The whole standardised matrix (float32), written by row blocks."""
        n, d = self.shape
        Z = np.empty((n, d), dtype=np.float32)
        step = _row_step(d)
        for s in range(0, n, step):
            Z[s : s + step] = self[s : s + step]
        return Z


def _row_step(d: int) -> int:
    return max(1, (1 << 20) // max(d, 1))


def prepare_features(X: np.ndarray, *, metric: str, standardize: bool) -> np.ndarray:
    """Float32 copy of ``X``: standardised (column means and variances by row blocks) and/or unit rows."""
    return StandardizedRows.fit(X, metric=metric, standardize=standardize).materialize()


def exact_knn(Z: np.ndarray, k: int, *, block_size: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Exact k nearest neighbours by blocked matrix products; returns indices and squared distances.

    Each block of query rows is one pass: a ``block x n`` float32 slab of ``||b||^2 - 2ab``, the
    ``min(2k, n-1)`` smallest per row by ``argpartition``, their exact float64 squared distances,
    then the ``k`` best sorted by (distance, index). A row whose ``k``-th best is not clearly below
    the cut (within the products' float32 error bound) takes the near-ties at the cut too and,
    where those overflowed the candidates' cap, every row whose float32 value is within the error
    bound of the ``k``-th best (:func:`~labelwise.checks._exact_select.exact_best`), so the
    result is float64 brute force's over the float32 rows of ``Z``, by (distance, index), whatever
    ``block_size``. Above 165 dimensions, rows with a large common offset have their products taken
    after subtracting the column mean (:func:`~labelwise.checks._exact_select.search_shift`: the
    error bound grows with the norms), and are still re-scored as given.
    """
    n = Z.shape[0]
    shift = search_shift(Z)
    Y = shifted_rows(Z, shift)  # the rows the products are taken of
    sq_norm = sq_norms32(Y)
    m = min(n - 1, 2 * k)
    top_norm = float(sq_norm.max())
    step = block_size or int(np.clip(BLOCK_ELEMENTS // n, 1, 4096))
    step = check_positive_int("block_size", step)
    indices = np.empty((n, k), dtype=np.int64)
    sqdist = np.empty((n, k), dtype=np.float64)
    # one slab for every block: a fresh 32 MB one per block was a new mapping each time (page faults)
    buffer = np.empty((min(step, n), n), dtype=np.float32)
    for s in range(0, n, step):
        e = min(n, s + step)
        norms = (sq_norm[s:e], sq_norm, top_norm)
        best = block_best(
            Y[s:e], Y, Z[s:e], Z, norms, k, m, np.arange(s, e), shifted=shift is not None, out=buffer[: e - s]
        )
        indices[s:e], sqdist[s:e] = best
    return indices, sqdist


def refine_candidates(Z: Any, rows: np.ndarray, cand: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact float64 squared distances from ``rows`` to their candidates; the ``k`` best by (distance, index).

    ``Z`` is the float32 matrix or a :class:`StandardizedRows` view of it (rows computed on demand).
    """
    d2 = Z.sq_distances(rows, cand) if isinstance(Z, StandardizedRows) else sq_distances_between(Z, Z, cand, rows)
    d2[(cand == rows[:, None]) | (cand < 0)] = np.inf
    order = np.lexsort((cand, d2), axis=1)[:, :k]
    return np.take_along_axis(cand, order, 1).astype(np.int64), np.take_along_axis(d2, order, 1)


def _to_metric(sq: np.ndarray, metric: str) -> np.ndarray:
    out = np.maximum(sq, 0.0)  # a new array of sq's dtype
    if metric == "cosine":  # unit rows: ||a - b||^2 = 2 (1 - cos)
        out /= 2.0
    else:
        np.sqrt(out, out=out)
    return out.astype(np.float32, copy=False)
