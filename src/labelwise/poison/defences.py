"""Baseline defences against label poisoning: LN-SVM, Curie, kNN label sanitisation, graph islands.

``AuditThenTrain`` lives in :mod:`labelwise.poison.audit_then_train` and is re-exported here.

All are scikit-learn classifiers around an RBF SVC (``C=10``, the FLORAL paper's Moon setting, and
``gamma="scale"``, scikit-learn's and the attacks' default, by default), so that the defences are
compared on the same model. The paper's Moon runs pass ``gamma=0.5``, about what ``"scale"`` gives
on those two standardised features.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from sklearn.cluster import DBSCAN
from sklearn.neighbors import NearestNeighbors
from sklearn.svm import SVC

from .._caller import warn_at_caller
from .._validate.arguments import check_fraction, check_positive, check_positive_int
from .._validate.labels import _as_1d, check_same_length
from ..errors import InvalidParameterError, LabelwiseWarning
from ._common import check_X, rbf_kernel, resolve_gamma
from ._estimators import _DefenceClassifier, _SVCMixin
from .audit_then_train import AuditThenTrain

__all__ = [
    "LNSVC",
    "CurieSVC",
    "LabelSanitizedSVC",
    "GraphSanitizedSVC",
    "AuditThenTrain",
    "sanitize_labels",
    "sanitize_islands",
    "curie_filter",
]


def _fit_sanitised(est: Any, X: np.ndarray, codes: np.ndarray, new: np.ndarray) -> Any:
    """Fit ``est``'s SVC on the sanitised codes ``new`` and set ``labels_`` and ``n_relabelled_``.

    A sanitisation that leaves fewer than two classes (tiny data) is rejected with a warning: the
    SVC is then trained on the labels as given.
    """
    if np.unique(new).size < 2 <= np.unique(codes).size:
        warn_at_caller(
            LabelwiseWarning("label sanitisation would leave a single class; training on the labels as given")
        )
        new = codes
    est.labels_ = est.classes_[new]
    est.n_relabelled_ = int((new != codes).sum())
    return est._fit_svc(X, new)


class LNSVC(_SVCMixin, _DefenceClassifier):
    """LN-SVM: an RBF SVM with the kernel correction for adversarial label noise.

    If each label is flipped with probability ``mu``, the expected kernel matrix of the label-
    weighted problem shrinks off the diagonal: ``K' = K * M`` with ``M_ii = 1`` and
    ``M_ij = 1 - 4 mu (1 - mu)``. Training on ``K'`` enlarges the diagonal relative to the rest,
    which acts as extra, noise-aware regularisation. Test kernels use the off-diagonal factor.

    Parameters
    ----------
    C : float, default=10
    gamma : float or {"scale", "auto"}, default="scale"
        RBF kernel width; ``"scale"`` is ``1 / (n_features * X.var())``, as scikit-learn's SVC.
    mu : float in [0, 0.5), default=0.1
        The assumed label-flip probability.

    Attributes
    ----------
    svc_ : sklearn.svm.SVC on the corrected, precomputed kernel.
    X_fit_ : ndarray, the training features (needed for test kernels).

    References
    ----------
    .. [1] Biggio, B., Nelson, B. & Laskov, P., "Support Vector Machines Under Adversarial Label
       Noise", ACML 2011, JMLR W&CP 20, pp. 97-112.
    """

    def __init__(self, C: float = 10.0, gamma: Any = "scale", mu: float = 0.1):
        self.C = C
        self.gamma = gamma
        self.mu = mu

    def _factor(self) -> float:
        mu = check_fraction("mu", self.mu, closed_high=True)
        if mu >= 0.5:
            raise InvalidParameterError(f"mu must be in [0, 0.5), got {self.mu!r}")
        return 1.0 - 4.0 * mu * (1.0 - mu)

    def fit(self, X: Any, y: Any, **fit_params: Any) -> LNSVC:
        """Fit an SVC on the noise-corrected kernel."""
        self._refuse_fit_params(fit_params)
        factor = self._factor()
        X, codes = self._validate_fit(X, y)
        self.gamma_ = resolve_gamma(self.gamma, X)
        K = rbf_kernel(X, X, self.gamma_) * factor
        K[np.diag_indices_from(K)] = 1.0  # diagonal uncorrected: K_ii * 1
        self.X_fit_ = X
        self.svc_ = SVC(C=check_positive("C", self.C), kernel="precomputed").fit(K, self.classes_[codes])
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """Decision scores using the corrected test kernel."""
        X = self._validate_predict(X)
        return self.svc_.decision_function(rbf_kernel(X, self.X_fit_, self.gamma_) * self._factor())


def _check_X_codes(X: Any, codes: Any) -> tuple[np.ndarray, np.ndarray]:
    """The building blocks' inputs: a finite 2-D ``X`` and one class code ``0..K-1`` per row."""
    X = check_X(X)
    codes = _as_1d(codes, "codes")
    check_same_length("codes", codes, "X", X)
    if codes.size == 0 or codes.dtype.kind not in "iu" or codes.min() < 0:
        raise InvalidParameterError(f"codes must be class codes 0..K-1 (integers >= 0), got dtype {codes.dtype}")
    return X, codes


def _dbscan_groups(X: np.ndarray, eps: float, min_samples: int) -> np.ndarray:
    """DBSCAN's clusters (noise ``-1``) with every border point in the cluster of its nearest core point.

    DBSCAN hands a border point within ``eps`` of two clusters' core points to the cluster it expands
    first, so which one depends on the order of the rows (Ester et al. 1996, lemma 2's remark; Schubert
    et al., "DBSCAN Revisited, Revisited", ACM TODS 42 (2017)); the nearest core point does not.
    """
    fit = DBSCAN(eps=eps, min_samples=min_samples).fit(X)
    groups = fit.labels_.copy()
    core = fit.core_sample_indices_
    is_core = np.zeros(len(groups), dtype=bool)
    is_core[core] = True
    border = np.flatnonzero((groups >= 0) & ~is_core)
    if border.size:
        nearest = NearestNeighbors(n_neighbors=1).fit(X[core]).kneighbors(X[border], return_distance=False)[:, 0]
        groups[border] = groups[core[nearest]]
    return groups


def curie_filter(
    X: Any, codes: np.ndarray, *, eps: float = 0.5, min_samples: int = 5, label_weight: float = 0.5, theta: float = 1.0
) -> np.ndarray:
    """Curie's keep-mask: drop points far from their cluster in (features, weighted label) space.

    Points are clustered by DBSCAN on the features (its noise points form one more group). Each
    point's label, one-hot times ``label_weight``, is appended to its features, and its mean
    distance to the other members of its group is standardised (z-score over all points).
    Points with a z-score above ``theta`` (a label unlike their neighbours') are dropped.
    """
    eps = check_positive("eps", eps)
    min_samples = check_positive_int("min_samples", min_samples)
    label_weight = check_positive("label_weight", label_weight)
    if isinstance(theta, bool) or not isinstance(theta, numbers.Real) or not np.isfinite(theta):
        raise InvalidParameterError(f"theta must be a finite number, got {theta!r}")
    X, codes = _check_X_codes(X, codes)
    n = X.shape[0]
    k = int(codes.max()) + 1
    groups = _dbscan_groups(X, eps, min_samples)
    aug = np.hstack([X, np.eye(k)[codes] * label_weight])
    mean_dist = np.zeros(n)
    for gid in np.unique(groups):  # a loop over clusters
        members = np.flatnonzero(groups == gid)
        if members.size < 2:
            continue
        A = aug[members]
        sq = (A * A).sum(1)[:, None] - 2 * A @ A.T + (A * A).sum(1)[None, :]
        d = np.sqrt(np.maximum(sq, 0.0))
        mean_dist[members] = d.sum(axis=1) / (members.size - 1)
    sd = mean_dist.std()
    z = (mean_dist - mean_dist.mean()) / sd if sd > 0 else np.zeros(n)
    return z <= theta


class CurieSVC(_SVCMixin, _DefenceClassifier):
    """Curie: filter suspected poison by cluster-wise distance in (features, label) space, then fit.

    Parameters
    ----------
    C, gamma : RBF SVC parameters.
    eps, min_samples : DBSCAN parameters of the clustering step.
    label_weight : float, default=0.5
        Weight of the (one-hot) label appended to the features.
    theta : float, default=1.0
        z-score threshold: points whose mean in-cluster distance is more than ``theta`` standard
        deviations above average are dropped.

    Attributes
    ----------
    kept_ : ndarray of bool, the training points kept.
    svc_ : the fitted SVC.

    References
    ----------
    .. [1] Laishram, R. & Phoha, V. V., "Curie: A method for protecting SVM Classifier from
       Poisoning Attack", arXiv:1606.01584 (2016).
    """

    def __init__(
        self,
        C: float = 10.0,
        gamma: Any = "scale",
        eps: float = 0.5,
        min_samples: int = 5,
        label_weight: float = 0.5,
        theta: float = 1.0,
    ):
        self.C = C
        self.gamma = gamma
        self.eps = eps
        self.min_samples = min_samples
        self.label_weight = label_weight
        self.theta = theta

    def fit(self, X: Any, y: Any, **fit_params: Any) -> CurieSVC:
        """Drop suspected poison with Curie's filter (which checks the parameters), then fit the SVC on the rest."""
        self._refuse_fit_params(fit_params)
        X, codes = self._validate_fit(X, y)
        self.kept_ = curie_filter(
            X, codes, eps=self.eps, min_samples=self.min_samples, label_weight=self.label_weight, theta=self.theta
        )
        return self._fit_svc(X, codes, self.kept_)


def sanitize_labels(
    X: Any, codes: np.ndarray, *, n_neighbors: int = 10, eta: float = 0.5, n_classes: int | None = None
) -> np.ndarray:
    """kNN label sanitisation: relabel each point to its neighbours' majority when that majority
    holds at least a fraction ``eta`` of its ``n_neighbors`` nearest neighbours (itself excluded).

    One pass over the data, every point judged on the given labels (vectorised). Paudice et al.
    (2018, Algorithm 1; see :class:`LabelSanitizedSVC`) relabel to "the most common label" and do
    not define a tie: here a tie for the most votes is no majority and the point keeps its label,
    so the answer does not depend on which class has the lower code.
    """
    n_neighbors = check_positive_int("n_neighbors", n_neighbors)
    eta = check_fraction("eta", eta, closed_low=False, closed_high=True)
    X, codes = _check_X_codes(X, codes)
    n = X.shape[0]
    k = min(n_neighbors, n - 1)
    n_classes = int(codes.max()) + 1 if n_classes is None else check_positive_int("n_classes", n_classes)
    nbrs = NearestNeighbors(n_neighbors=k + 1).fit(X).kneighbors(X, return_distance=False)
    # Drop the point itself (normally first; with duplicates it may appear later or not at all).
    self_col = nbrs == np.arange(n)[:, None]
    no_self = ~self_col.any(axis=1)
    self_col[no_self, -1] = True
    nbrs = nbrs[~self_col].reshape(n, k)
    counts = np.zeros((n, n_classes))
    np.add.at(counts, (np.repeat(np.arange(n), k), codes[nbrs].ravel()), 1.0)
    top = counts.argmax(axis=1)
    most = counts.max(axis=1)
    unique_top = (counts == most[:, None]).sum(axis=1) == 1
    return np.where(unique_top & (most / k >= eta), top, codes)


class LabelSanitizedSVC(_SVCMixin, _DefenceClassifier):
    """LS-SVM: relabel by kNN majority (label sanitisation), then fit an RBF SVC.

    Parameters
    ----------
    C, gamma : RBF SVC parameters.
    n_neighbors : int, default=10
    eta : float in (0, 1], default=0.5
        Relabel a point when its neighbours' most common label holds at least this fraction.

    Attributes
    ----------
    labels_ : ndarray, the sanitised training labels.
    n_relabelled_ : int
    svc_ : the fitted SVC.

    References
    ----------
    .. [1] Paudice, A., Muñoz-González, L. & Lupu, E. C., "Label Sanitization against Label
       Flipping Poisoning Attacks", ECML PKDD Workshops 2018, LNCS 11329, pp. 5-15.
    """

    def __init__(self, C: float = 10.0, gamma: Any = "scale", n_neighbors: int = 10, eta: float = 0.5):
        self.C = C
        self.gamma = gamma
        self.n_neighbors = n_neighbors
        self.eta = eta

    def fit(self, X: Any, y: Any, **fit_params: Any) -> LabelSanitizedSVC:
        """Sanitise the labels with kNN (which checks the parameters), then fit the SVC."""
        self._refuse_fit_params(fit_params)
        X, codes = self._validate_fit(X, y)
        new = sanitize_labels(X, codes, n_neighbors=self.n_neighbors, eta=self.eta, n_classes=self.classes_.size)
        return _fit_sanitised(self, X, codes, new)


def sanitize_islands(
    X: Any,
    codes: np.ndarray,
    *,
    n_neighbors: int = 5,
    max_island: float = 0.5,
    min_island: int = 3,
    max_rounds: int = 3,
) -> np.ndarray:
    """Relabel *islands*: groups of same-label points cut off from the bulk of their class.

    Build the symmetrised ``n_neighbors``-nearest-neighbour graph and keep only edges between
    points with the same label; its connected components are the label's regions. A class's
    largest region is its bulk; a region of that class with at least ``min_island`` points and
    fewer than ``max_island`` times the bulk's size is an island, and all its points take the
    label most common among its graph neighbours that lie in a large region of another class
    (an island bordered by no large region keeps its label, and so does one whose most common
    bordering label ties between classes, so the answer does not depend on which class has the
    lower code). Repeated until nothing changes (at most ``max_rounds``). Returns the new label
    codes.

    Label-flipping attacks that flip whole regions (ALFA, farthest-first, FLORAL's top-k
    attacker, LFA) leave such islands: each flipped region is locally consistent, which defeats
    kNN sanitisation, but it is not connected to the rest of the class it was flipped to.
    Isolated single points (``min_island``) are left alone, since in clean data they are usually
    genuine outliers. A class that truly has several separate modes of very different size is
    the failure case: its small modes look like islands.
    """
    n_neighbors = check_positive_int("n_neighbors", n_neighbors)
    max_island = check_fraction("max_island", max_island, closed_low=False, closed_high=True)
    min_island = check_positive_int("min_island", min_island)
    max_rounds = check_positive_int("max_rounds", max_rounds)
    X, codes = _check_X_codes(X, codes)
    n = X.shape[0]
    k = min(n_neighbors, n - 1)
    nbrs = NearestNeighbors(n_neighbors=k + 1).fit(X).kneighbors(X, return_distance=False)
    rows = np.repeat(np.arange(n), k + 1)
    cols = nbrs.ravel()
    off = rows != cols
    rows, cols = rows[off], cols[off]
    codes = codes.copy()
    n_classes = int(codes.max()) + 1
    for _ in range(max_rounds):  # a loop over rounds; each round is vectorised
        same = codes[rows] == codes[cols]
        graph = sp.coo_matrix((np.ones(int(same.sum())), (rows[same], cols[same])), shape=(n, n))
        n_comp, comp = connected_components(graph, directed=False)
        size = np.bincount(comp, minlength=n_comp)
        comp_class = np.zeros(n_comp, dtype=np.int64)
        comp_class[comp] = codes
        bulk = np.zeros(n_classes)
        np.maximum.at(bulk, comp_class, size)
        small = size < max_island * bulk[comp_class]
        island = (size >= min_island) & small
        # Votes of each island's outside neighbours (both edge directions: the graph is symmetric).
        # Only neighbours in a large region of their own class vote: a genuine fragment of a class
        # cut off by scattered (randomly flipped) points borders only small regions, and keeps
        # its label; a flipped region borders the bulk of its true class.
        r2, c2 = np.concatenate([rows, cols]), np.concatenate([cols, rows])
        edge = island[comp[r2]] & (comp[c2] != comp[r2]) & ~small[comp[c2]]
        if not edge.any():
            break
        votes = np.zeros((n_comp, n_classes))
        np.add.at(votes, (comp[r2[edge]], codes[c2[edge]]), 1.0)
        has_votes = votes.sum(axis=1) > 0
        target = votes.argmax(axis=1)
        unique_top = (votes == votes.max(axis=1, keepdims=True)).sum(axis=1) == 1
        move = island & has_votes & unique_top & (target != comp_class)
        if not move.any():
            break
        relabel = move[comp]
        codes[relabel] = target[comp[relabel]]
    return codes


class GraphSanitizedSVC(_SVCMixin, _DefenceClassifier):
    """Relabel islands of the kNN graph (see :func:`sanitize_islands`), then fit an RBF SVC.

    labelwise's own defence (no paper): a connectivity version of kNN label sanitisation
    [1]_ aimed at attacks that flip whole regions rather than single points.

    Parameters
    ----------
    C, gamma : RBF SVC parameters.
    n_neighbors : int, default=5
        Neighbours per point in the graph (small keeps separate regions separate).
    max_island : float in (0, 1], default=0.5
        A region is an island when smaller than this fraction of its class's largest region.
    min_island : int, default=3
        Smaller regions (single outliers) are left alone.
    max_rounds : int, default=3

    Attributes
    ----------
    labels_ : ndarray, the sanitised training labels.
    n_relabelled_ : int
    svc_ : the fitted SVC.

    References
    ----------
    .. [1] Paudice, A., Muñoz-González, L. & Lupu, E. C., "Label Sanitization against Label
       Flipping Poisoning Attacks", ECML PKDD Workshops 2018.
    """

    def __init__(
        self,
        C: float = 10.0,
        gamma: Any = "scale",
        n_neighbors: int = 5,
        max_island: float = 0.5,
        min_island: int = 3,
        max_rounds: int = 3,
    ):
        self.C = C
        self.gamma = gamma
        self.n_neighbors = n_neighbors
        self.max_island = max_island
        self.min_island = min_island
        self.max_rounds = max_rounds

    def fit(self, X: Any, y: Any, **fit_params: Any) -> GraphSanitizedSVC:
        """Relabel islands (which checks the parameters), then fit the SVC."""
        self._refuse_fit_params(fit_params)
        X, codes = self._validate_fit(X, y)
        islands = sanitize_islands(
            X,
            codes,
            n_neighbors=self.n_neighbors,
            max_island=self.max_island,
            min_island=self.min_island,
            max_rounds=self.max_rounds,
        )
        return _fit_sanitised(self, X, codes, islands)
