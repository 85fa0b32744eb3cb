"""Extremely randomised trees on subsamples drawn without replacement, with out-of-bag probabilities.

References
----------
.. [1] Geurts, Ernst & Wehenkel, "Extremely randomized trees", Machine Learning 63, 2006 (the
   trees: at each node, one random cut point per candidate feature, the best of them kept).
.. [2] Breiman, "Random Forests", Machine Learning 45, 2001, Section 3.1 (out-of-bag estimates).
.. [3] Bühlmann & Yu, "Analyzing bagging", Annals of Statistics 30(4), 2002 (subagging: bagging
   with subsamples drawn without replacement).
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.tree import ExtraTreeClassifier
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from .._validate.nan_features import naming_nan_in
from .._validate.row_order import RowOrderScore, check_row_order
from ..errors import InvalidParameterError


class SubsampledExtraTrees(RowOrderScore, ClassifierMixin, BaseEstimator):
    """Subagged extremely randomised trees: each tree grown on a random share of the rows.

    Every tree is one of Geurts et al.'s extremely randomised trees [1]_ (scikit-learn's
    :class:`~sklearn.tree.ExtraTreeClassifier`), grown on ``max_samples`` of the rows drawn
    *without* replacement (subagging [3]_) rather than on a bootstrap sample. Predicted
    probabilities average the trees' leaf class frequencies, as a random forest does.

    With ``oob_score=True`` each row's out-of-bag probabilities average only the trees whose
    subsample left it out (Breiman's out-of-bag estimate [2]_), so no row's own label shapes
    them. With ``max_samples=0.5`` a row is out of bag in half of the trees, where a bootstrap
    sample of all rows leaves it out of about 37% of them: the out-of-bag estimate averages more
    trees for the same number grown, and each tree is grown on fewer rows.

    Parameters
    ----------
    n_estimators : int, default 100
        Trees.
    max_samples : float in (0, 1), default 0.5
        Share of the rows each tree is grown on (at least one row, and at least one left out).
    min_samples_leaf : int, default 2
        Fewest rows in a leaf.
    max_features : {"sqrt", "log2"}, int, float or None, default "sqrt"
        Features drawn at each node (as for scikit-learn's trees).
    oob_score : bool, default False
        Compute ``oob_decision_function_`` and ``oob_score_`` (accuracy of its argmax).
    random_state : int or None, default None
        Seed of the subsamples and of the trees.

    Attributes
    ----------
    classes_ : ndarray
        The classes, sorted.
    estimators_ : list of ExtraTreeClassifier
        The fitted trees.
    samples_ : list of ndarray
        Each tree's training rows (sorted; drawn again from the generator's stored state when
        asked for, so that a large table's subsamples are not kept).
    oob_decision_function_ : ndarray of shape (n_samples, n_classes)
        Out-of-bag probabilities (NaN for a row that no tree left out); with ``oob_score``.
    oob_score_ : float
        Accuracy of the out-of-bag prediction on the rows that have one; with ``oob_score``.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> X, y = load_iris(return_X_y=True)
    >>> model = SubsampledExtraTrees(n_estimators=20, oob_score=True, random_state=0).fit(X, y)
    >>> model.oob_decision_function_.shape
    (150, 3)
    """

    def __init__(
        self,
        n_estimators: int = 100,
        max_samples: float = 0.5,
        min_samples_leaf: int = 2,
        max_features: Any = "sqrt",
        oob_score: bool = False,
        random_state: int | None = None,
    ) -> None:
        self.n_estimators = n_estimators
        self.max_samples = max_samples
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.oob_score = oob_score
        self.random_state = random_state

    def __sklearn_tags__(self):  # noqa: D105 - scikit-learn's tags: sparse input is accepted
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _check_params(self) -> None:
        if isinstance(self.n_estimators, bool) or not isinstance(self.n_estimators, int | np.integer):
            raise InvalidParameterError(f"n_estimators must be a positive int, got {self.n_estimators!r}")
        if self.n_estimators < 1:
            raise InvalidParameterError(f"n_estimators must be a positive int, got {self.n_estimators!r}")
        share = self.max_samples
        if isinstance(share, bool) or not isinstance(share, float | int | np.floating) or not 0 < share < 1:
            raise InvalidParameterError(f"max_samples must be a share of the rows in (0, 1), got {share!r}")

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> SubsampledExtraTrees:
        """Grow the trees, each on its own subsample of the rows (``sample_weight`` weighs the rows in it)."""
        self._check_params()
        check_row_order(X, "X", f"{type(self).__name__}.fit", y=y, sample_weight=sample_weight)
        with naming_nan_in(X, self):
            X, y = validate_data(self, X, y, accept_sparse="csc", dtype=np.float32)
        row_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        check_classification_targets(y)
        self.classes_, codes = np.unique(y, return_inverse=True)
        n = X.shape[0]
        if n < 2:
            raise InvalidParameterError(f"X must have at least 2 rows to subsample, got {n} sample")
        if sp.issparse(X):
            X = X.tocsc()
            X.sort_indices()
            X.indices, X.indptr = X.indices.astype(np.intc), X.indptr.astype(np.intc)
            rows_x = X.tocsr()  # the trees predict on row slices, in CSR
        else:
            X = np.ascontiguousarray(X)
            rows_x = X
        take = min(max(int(round(self.max_samples * n)), 1), n - 1)
        self._draws = (np.random.default_rng(self.random_state).bit_generator.state, n, take)
        # Zero-weight rows are left out of the tree (as for a forest's bootstrap counts); every tree
        # sees all classes among its labels, so each tree's probabilities have every class's column.
        target = codes.astype(np.float64)
        k = self.classes_.shape[0]
        oob_sum = np.zeros((n, k)) if self.oob_score else None
        self.estimators_ = []
        compact = not sp.issparse(X) and isinstance(self.min_samples_leaf, numbers.Integral)
        for seed, order in self._subsamples():
            inside = np.zeros(n, dtype=bool)
            inside[order[:take]] = True
            tree = ExtraTreeClassifier(
                min_samples_leaf=self.min_samples_leaf, max_features=self.max_features, random_state=int(seed)
            )
            _grow(tree, X, codes, target, row_weight, inside, k, compact)
            self.estimators_.append(tree)
            if oob_sum is not None:
                left_out = np.flatnonzero(~inside)  # ascending: the rows are read in memory order
                oob_sum[left_out] += tree.predict_proba(rows_x[left_out], check_input=False)
        if oob_sum is not None:
            totals = oob_sum.sum(axis=1, keepdims=True)
            with np.errstate(invalid="ignore", divide="ignore"):
                self.oob_decision_function_ = oob_sum / totals
            scored = totals[:, 0] > 0
            self.oob_score_ = float((self.oob_decision_function_[scored].argmax(axis=1) == codes[scored]).mean())
        return self

    def _subsamples(self) -> Iterator[tuple[int, np.ndarray]]:
        """Each tree's seed and row order (its first ``take`` rows are its subsample), drawn anew."""
        state, n, _ = self._draws
        rng = np.random.default_rng()
        rng.bit_generator.state = state
        for seed in rng.integers(0, np.iinfo(np.int32).max, self.n_estimators):
            yield int(seed), rng.permutation(n)

    @property
    def samples_(self) -> list[np.ndarray]:
        """Each tree's training rows, sorted (drawn again from the stored generator state, not kept)."""
        check_is_fitted(self, "estimators_")
        take = self._draws[2]
        return [np.sort(order[:take]) for _, order in self._subsamples()]

    def predict_proba(self, X: Any) -> np.ndarray:
        """Mean of the trees' class probabilities (columns in ``classes_`` order)."""
        check_is_fitted(self, "estimators_")
        with naming_nan_in(X, self):
            X = validate_data(self, X, accept_sparse="csr", dtype=np.float32, reset=False)
        if sp.issparse(X):
            X = X.tocsr()
            X.indices, X.indptr = X.indices.astype(np.intc), X.indptr.astype(np.intc)
        else:
            X = np.ascontiguousarray(X)
        total = np.zeros((X.shape[0], self.classes_.shape[0]))
        for tree in self.estimators_:
            total += tree.predict_proba(X, check_input=False)
        return total / len(self.estimators_)

    def predict(self, X: Any) -> np.ndarray:
        """The class of highest mean probability."""
        check_is_fitted(self, "estimators_")
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def _grow(
    tree: Any,
    X: Any,
    codes: np.ndarray,
    target: np.ndarray,
    row_weight: np.ndarray,
    inside: np.ndarray,
    k: int,
    compact: bool,
) -> None:
    """Grow ``tree`` on the rows of ``X`` marked ``inside``, weighted by ``row_weight``.

    scikit-learn's tree builder leaves out the rows of zero weight and takes the others in row
    order, so growing on all rows with weight zero outside the subsample and growing on the
    subsample's rows alone (in row order, same weights) give the same tree, split for split. The
    second (``compact``, for a dense ``X``) reads half the memory; it is used only where it cannot
    differ: every class among the subsample's labels (the tree's classes come from its labels)
    and ``min_samples_leaf`` a count (a share would be of the rows given).
    """
    rows = np.flatnonzero(inside)
    if compact and np.bincount(codes[rows], minlength=k).all():
        tree.fit(X[rows], target[rows], sample_weight=row_weight[rows], check_input=False)
        return
    weight = np.zeros(X.shape[0])
    weight[rows] = row_weight[rows]
    tree.fit(X, target, sample_weight=weight, check_input=False)
