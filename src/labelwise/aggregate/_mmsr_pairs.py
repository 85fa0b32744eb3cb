"""MMSR's annotator statistics on the pairs of annotators who share an item, never ``n_annotators**2``.

M-MSR reads the centred agreement matrix only where it is observed (pairs sharing an item) and its
sign step builds a graph with an edge per observed pair, so both run on a list of those pairs: the
memory grows with the co-labelled pairs (at most the sum over items of their answer count squared),
not with the square of the number of annotators. The pairs are kept in row-major order, the order
``numpy.nonzero`` gives on the dense matrices, so every sum is taken in the same order as on them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.linalg import eigh
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import eigsh

from ._answers import EncodedAnswers

__all__ = ["DENSE_SIGN_NODES", "AnnotatorPairs", "annotator_pairs", "answer_incidence", "bipartite_sides", "pair_signs"]

#: Graphs up to this many nodes take a dense eigendecomposition in the sign step, larger ones Lanczos
#: (ARPACK, from a fixed start): on the real crowd sets both give the same signs, Lanczos in a
#: fraction of the time past a few hundred nodes.
DENSE_SIGN_NODES = 300


@dataclass(frozen=True)
class AnnotatorPairs:
    """The ordered pairs ``(j, l)``, ``j != l``, of annotators who share at least one item.

    Attributes
    ----------
    n_annotators : int
        Annotators in all (those without a pair included).
    rows, cols : ndarray of int64, shape (n_pairs,)
        ``j`` and ``l``, sorted by ``j`` then ``l``; each unordered pair appears both ways.
    cov : ndarray of float64, shape (n_pairs,)
        The centred agreement :math:`C_{jl}` (see :func:`~labelwise.aggregate.mmsr.agreement_covariance`).
    common : ndarray of float64, shape (n_pairs,)
        The answer pairs of ``j`` and ``l`` on common items (each duplicate answer counts).
    """

    n_annotators: int
    rows: np.ndarray
    cols: np.ndarray
    cov: np.ndarray
    common: np.ndarray

    @property
    def upper(self) -> np.ndarray:
        """Mask of the pairs with ``j < l`` (each unordered pair once)."""
        return self.rows < self.cols

    def co_annotators(self) -> np.ndarray:
        """How many other annotators each annotator shares an item with."""
        return np.bincount(self.cols, minlength=self.n_annotators)


def _sorted_product(matrix: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, columns and values of ``matrix @ matrix.T`` in row-major order."""
    product = (matrix @ matrix.T).tocsr()
    product.sum_duplicates()
    product.sort_indices()
    rows = np.repeat(np.arange(product.shape[0], dtype=np.int64), np.diff(product.indptr))
    return rows, product.indices.astype(np.int64), product.data.astype(np.float64)


def answer_incidence(enc: EncodedAnswers) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """The answers as two 0/1 CSR matrices: annotator x item and annotator x (item, label) (column
    ``item * K + label``); their products with their transposes count, for every annotator pair,
    the answer pairs on common items and the agreeing ones."""
    k, n_ann = enc.n_classes, enc.n_annotators
    ann = np.asarray(enc.annotator_idx, dtype=np.int64)
    item = np.asarray(enc.item_idx, dtype=np.int64)
    ones = np.ones(ann.shape[0])
    by_item = sp.csr_matrix((ones, (ann, item)), shape=(n_ann, enc.n_items))
    cell = item * k + np.asarray(enc.label_idx, dtype=np.int64)
    by_cell = sp.csr_matrix((ones, (ann, cell)), shape=(n_ann, enc.n_items * k))
    return by_item, by_cell


def annotator_pairs(enc: EncodedAnswers) -> AnnotatorPairs:
    r"""The centred agreement :math:`C_{jl}` and shared answer count of every co-labelled pair.

    The same values as the off-diagonal nonzero entries of
    :func:`~labelwise.aggregate.mmsr.agreement_covariance`'s dense matrices, from the same two sparse
    products (answer pairs per annotator pair, agreeing answer pairs per annotator pair), kept
    sparse: :math:`C_{jl} = \frac{K}{K-1} a_{jl} - \frac{1}{K-1}` with :math:`a_{jl}` the share of
    the answer pairs of ``j`` and ``l`` on common items that agree.
    """
    k, n_ann = enc.n_classes, enc.n_annotators
    by_item, by_cell = answer_incidence(enc)
    rows, cols, common = _sorted_product(by_item)
    off = rows != cols
    rows, cols, common = rows[off], cols[off], common[off]
    a_rows, a_cols, agree_counts = _sorted_product(by_cell)
    # Agreeing pairs are a subset of the sharing pairs: place their counts by the pairs' keys.
    keys = rows * n_ann + cols
    a_keys = a_rows * n_ann + a_cols
    a_off = a_rows != a_cols
    agree = np.zeros_like(common)
    agree[np.searchsorted(keys, a_keys[a_off])] = agree_counts[a_off]
    rate = agree / common
    cov = (k * rate - 1.0) / (k - 1)
    return AnnotatorPairs(n_ann, rows, cols, cov, common)


def bipartite_sides(
    n_nodes: int, neg_i: np.ndarray, neg_j: np.ndarray, pos_i: np.ndarray, pos_j: np.ndarray
) -> np.ndarray:
    """Ma & Olshevsky's sign graph solved: the sign of each of ``n_nodes`` annotators.

    An edge joins each pair of negative covariance (``neg_i``, ``neg_j``); each positive pair
    (``pos_i``, ``pos_j``) is joined through a new node of its own. The signs of the eigenvector of
    the smallest eigenvalue of the symmetric normalised adjacency (the random walk's, times
    ``D^{1/2}``) split the graph into its two sides, and the sign that makes most of its
    annotators positive is taken. Each connected component is solved on its own: the paper's
    graph is connected, while here annotators sharing no item (or only pairs of covariance 0)
    fall into separate components, where the smallest eigenvalue is repeated and a solver's
    eigenvector could mix the components' vectors (a whole component then 0, or negative when a
    minority). A connected graph is solved as a whole, exactly as before.
    """
    m = pos_i.size
    aux = n_nodes + np.arange(m)
    src = np.concatenate([neg_i, pos_i, pos_j])
    dst = np.concatenate([neg_j, aux, aux])
    size = n_nodes + m
    adj = sp.coo_matrix((np.ones(src.size), (src, dst)), shape=(size, size)).tocsr()
    adj = adj + adj.T
    degree = np.asarray(adj.sum(axis=1)).ravel()
    live = degree > 0
    scale = np.zeros_like(degree)
    scale[live] = 1.0 / np.sqrt(degree[live])
    norm = (sp.diags(scale) @ adj @ sp.diags(scale)).tocsr()
    n_parts, part = connected_components(adj, directed=False)
    if n_parts == 1:
        return _oriented_side(_smallest_vector(norm), n_nodes)
    return _component_sides(norm, n_parts, part, n_nodes)


def _component_sides(norm: sp.csr_matrix, n_parts: int, part: np.ndarray, n_nodes: int) -> np.ndarray:
    """:func:`bipartite_sides` on each connected component (``part``, from scipy) of the graph on
    its own: its nodes in increasing order (its annotators, then its positive pairs' nodes), its
    entries of ``norm`` as they are. An annotator alone in its component (every covariance 0) gets 0."""
    coo = norm.tocoo()
    edge_order = np.argsort(part[coo.row], kind="stable")
    edge_bounds = np.searchsorted(part[coo.row][edge_order], np.arange(n_parts + 1))
    node_order = np.argsort(part, kind="stable")
    node_bounds = np.searchsorted(part[node_order], np.arange(n_parts + 1))
    local = np.empty(part.size, dtype=np.int64)  # each node's place in its component
    local[node_order] = np.arange(part.size) - node_bounds[part[node_order]]
    side = np.zeros(n_nodes)
    for c in range(n_parts):
        members = node_order[node_bounds[c] : node_bounds[c + 1]]
        if members.size < 2:
            continue
        edges = edge_order[edge_bounds[c] : edge_bounds[c + 1]]
        entries = (coo.data[edges], (local[coo.row[edges]], local[coo.col[edges]]))
        if members.size <= DENSE_SIGN_NODES:  # the dense path directly (a sparse matrix per part is slow)
            sub: np.ndarray | sp.csr_matrix = np.zeros((members.size, members.size))
            sub[entries[1]] = entries[0]
        else:
            sub = sp.csr_matrix(entries, shape=(members.size, members.size))
        nodes = members[members < n_nodes]
        side[nodes] = _oriented_side(_smallest_vector(sub), nodes.size)
    return side


def _smallest_vector(norm: np.ndarray | sp.csr_matrix) -> np.ndarray:
    """The eigenvector of the smallest eigenvalue of a symmetric matrix: dense up to
    :data:`DENSE_SIGN_NODES` nodes, Lanczos from a fixed start past it."""
    size = norm.shape[0]
    if size <= DENSE_SIGN_NODES:
        dense = norm if isinstance(norm, np.ndarray) else norm.toarray()
        return np.asarray(eigh(dense, subset_by_index=[0, 0])[1][:, 0])  # the smallest pair alone
    start = np.linspace(1.0, 2.0, size)  # fixed: the result does not depend on a random start
    return np.asarray(eigsh(sp.csc_matrix(norm), k=1, which="SA", v0=start)[1][:, 0])


def _oriented_side(vec: np.ndarray, n_nodes: int) -> np.ndarray:
    """The signs of the first ``n_nodes`` entries (0 within 1e-12 of 0), turned so most are positive."""
    side = np.sign(np.where(np.abs(vec[:n_nodes]) > 1e-12, vec[:n_nodes], 0.0))
    side *= 1.0 if side.sum() >= 0 else -1.0
    return side


def pair_signs(pairs: AnnotatorPairs) -> np.ndarray:
    """The sign of each annotator's skill from the signs of the observed covariances.

    :func:`~labelwise.aggregate.mmsr.sign_determination` on the pairs: the annotators with a pair,
    renumbered in order, and each unordered pair once (``j < l``) in row-major order, the order of
    the dense version's edges. Annotators without a pair get 0.
    """
    signs = np.zeros(pairs.n_annotators)
    valid = np.unique(pairs.rows)
    if valid.size == 0:
        return signs
    upper = pairs.upper
    i = np.searchsorted(valid, pairs.rows[upper])
    j = np.searchsorted(valid, pairs.cols[upper])
    cov = pairs.cov[upper]
    neg, pos = cov < 0, cov > 0
    signs[valid] = bipartite_sides(valid.size, i[neg], j[neg], i[pos], j[pos])
    return signs
