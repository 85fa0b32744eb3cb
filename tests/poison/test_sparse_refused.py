"""A sparse X is refused by name, with the way out, by every attack, defence and robustness_curve."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from labelwise import poison
from labelwise.errors import InvalidParameterError

DENSE_HINT = r"X must be a dense array, got a sparse csr_matrix of shape \(60, 2\).*X\.toarray\(\)"


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 30)
    return rng.normal(size=(60, 2)) + 2.0 * y[:, None], y


@pytest.mark.parametrize("attack", ["random_flips", "farthest_first", "topk_sv", "alfa", "lfa"])
def test_every_attack_refuses_a_sparse_X_saying_to_densify_it(attack):
    """An attack given a csr_matrix says X must be dense and how to get there (main: 'a numeric 2-D array')."""
    X, y = _data()
    with pytest.raises(InvalidParameterError, match=DENSE_HINT):
        getattr(poison, attack)(sp.csr_matrix(X), y, 0.1, random_state=0)


@pytest.mark.parametrize(
    "defence",
    [
        poison.LNSVC(),
        poison.CurieSVC(),
        poison.LabelSanitizedSVC(),
        poison.GraphSanitizedSVC(),
        poison.FloralSVC(n_rounds=5),
        poison.AuditThenTrain(cv=2),
    ],
    ids=lambda d: type(d).__name__,
)
def test_every_defence_refuses_a_sparse_X_in_fit_and_predict(defence):
    """fit and predict raise a labelwise error for a sparse X (main: scikit-learn's raw TypeError)."""
    X, y = _data()
    with pytest.raises(InvalidParameterError, match=DENSE_HINT):
        defence.fit(sp.csr_matrix(X), y)
    defence.fit(X, y)
    with pytest.raises(InvalidParameterError, match=DENSE_HINT):
        defence.predict(sp.csr_matrix(X))


def test_robustness_curve_refuses_a_sparse_X():
    """robustness_curve names X as the sparse input before any split or fit."""
    X, y = _data()
    with pytest.raises(InvalidParameterError, match=DENSE_HINT):
        poison.robustness_curve(["svc"], sp.csr_matrix(X), y, attacks=["random"], budgets=[0.1], seeds=1)


@pytest.mark.parametrize("detector", ["spectral_signatures", "activation_clustering"])
def test_the_representation_detectors_refuse_sparse_features_as_sparse(detector):
    """A csr_matrix of features is named as sparse (main: 'must be a 2-D array ... got 0-D with shape ()')."""
    X, y = _data()
    with pytest.raises(InvalidParameterError, match=r"features must be a dense array, got a sparse csr_matrix"):
        getattr(poison, detector)(sp.csr_matrix(X), y)


def test_roni_and_provenance_refuse_a_sparse_X_as_sparse():
    """The model-based detectors say X is sparse, not that it is 0-D."""
    from sklearn.linear_model import LogisticRegression

    X, y = _data()
    with pytest.raises(InvalidParameterError, match=DENSE_HINT):
        poison.roni(sp.csr_matrix(X), y, estimator=LogisticRegression(), X_valid=X, y_valid=y, random_state=0)
    sources = np.array(["a", "b", "c"])[np.arange(60) % 3]
    with pytest.raises(InvalidParameterError, match=DENSE_HINT):
        poison.provenance(sp.csr_matrix(X), y, sources, estimator=LogisticRegression(), random_state=0)
