"""Renaming the classes of ``semi.SelfTrainer`` renames its pseudo-labels and nothing else (session 39).

props38 wrote down that no property checked it. Classes are renamed by a bijection onto integers
whose sorted order is not the codes' (so ``classes_``, the probability columns, the per-class
thresholds and the safeguard's stratified folds all see the classes in another order); the base
model (GaussianNB on continuous features) treats classes alike.
"""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn.naive_bayes import GaussianNB

from labelwise.semi import SelfTrainer

from .test_self_trainer_properties import semi_data

SETTINGS = settings(max_examples=20, deadline=None)
RULES = st.sampled_from(
    [
        {"selection": "threshold", "threshold": 0.8},
        {"selection": "k_best"},
        {"selection": "class_balanced"},
        {"selection": "curriculum"},
        {"selection": "adaptive"},
        {"selection": "adaptive", "adaptive_thresholds": "freematch"},
        {"selection": "adaptive", "adaptive_thresholds": "softmatch"},
        {"selection": "llkd", "teacher": GaussianNB()},
        {"selection": "threshold", "threshold": 0.8, "safeguard": "cv", "random_state": 0},
        {"selection": "class_balanced", "recheck": True, "unlabeled_weight": 0.5},
        {"selection": "adaptive", "prior_correction": True},
        {"selection": "adaptive", "adaptive_thresholds": "softmatch", "prior_correction": True},
    ]
)


def _renamed_thresholds(value, order: np.ndarray):
    """A round's per-class thresholds in the renamed run's ``classes_`` order (scalars unchanged; a dict's
    per-class lists too)."""
    if isinstance(value, dict):
        return {key: _renamed_thresholds(v, order) for key, v in value.items()}
    arr = np.asarray(value, dtype=np.float64) if value is not None else None
    return value if arr is None or arr.ndim == 0 else arr[order]


def _close(a, b) -> None:
    """Thresholds as ``history_`` rounds them (4 digits): equal up to one unit of the last digit."""
    if isinstance(b, dict):
        assert a.keys() == b.keys()
        for key in b:
            _close(a[key], b[key])
    elif b is None:
        assert a is None
    else:
        np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=0, atol=1.01e-4)


@SETTINGS
@given(data=semi_data(), rule=RULES, names=st.permutations([40, 7, -3]))
def test_renaming_classes_renames_the_pseudo_labels_and_nothing_else(data, rule, names):
    """Class c renamed names[c]: the renamed transduction_, classes_ and predictions; the same rounds,
    confidences, history and termination; predict_proba's columns and the thresholds follow classes_."""
    X, y, _ = data
    k = int(y.max()) + 1
    sigma = np.array(names[:k])
    assume(list(sigma) != sorted(sigma))
    ref = SelfTrainer(GaussianNB(), **rule).fit(X, y)
    got = SelfTrainer(GaussianNB(), **rule).fit(X, np.where(y >= 0, sigma[np.maximum(y, 0)], -1))
    np.testing.assert_array_equal(got.transduction_, np.where(ref.transduction_ >= 0, sigma[ref.transduction_], -1))
    np.testing.assert_array_equal(got.classes_, np.sort(sigma))
    np.testing.assert_array_equal(got.labeled_iter_, ref.labeled_iter_)
    # GaussianNB normalises its class columns in classes_ order: the sums differ in the last bits
    np.testing.assert_allclose(got.pseudo_confidence_, ref.pseudo_confidence_, rtol=1e-12, atol=0)
    assert (got.n_iter_, got.termination_condition_) == (ref.n_iter_, ref.termination_condition_)
    counts = ["round", "n_pseudo", "n_added", "n_removed", "n_relabeled"]
    assert got.history_[counts].equals(ref.history_[counts])
    order = np.argsort(sigma)  # renamed column j holds the reference's class order[j]
    for a, b in zip(got.history_["thresholds"], ref.history_["thresholds"], strict=True):
        _close(a, _renamed_thresholds(b, order))
    np.testing.assert_array_equal(got.predict(X), sigma[ref.predict(X)])
    np.testing.assert_allclose(got.predict_proba(X), ref.predict_proba(X)[:, order], rtol=1e-12, atol=1e-15)
