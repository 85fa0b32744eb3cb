"""A labels Series holding X's rows in another order is refused by the poison attacks and detectors (fix43a).

They pair ``X`` and ``labels`` by position (scikit-learn's ``fit(X, y)`` convention, and their
results are by position); an index of other values is still read by position.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import labelwise as lw
from labelwise._validate.row_order import check_row_order
from labelwise.errors import InvalidParameterError

N = 60


def _frame() -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(0)
    y = np.arange(N) % 2
    X = pd.DataFrame(rng.normal(size=(N, 3)) + y[:, None], columns=["a", "b", "c"], index=np.arange(100, 100 + N))
    return X, pd.Series(y, index=X.index, name="label")


def _shuffled(s: pd.Series) -> pd.Series:
    return s.iloc[np.random.default_rng(1).permutation(len(s))]


CALLS = {
    "random_flips": lambda X, y: lw.poison.random_flips(X, y, 0.1, random_state=0),
    "farthest_first": lambda X, y: lw.poison.farthest_first(X, y, 0.1),
    "alfa": lambda X, y: lw.poison.alfa(X, y, 0.1, random_state=0),
    "spectral_signatures": lambda X, y: lw.poison.spectral_signatures(X, y),
    "activation_clustering": lambda X, y: lw.poison.activation_clustering(X, y),
    "roni": lambda X, y: lw.poison.roni(
        X, y, estimator=LogisticRegression(), X_valid=X.to_numpy()[:20], y_valid=y.to_numpy()[:20], random_state=0
    ),
    "provenance": lambda X, y: lw.poison.provenance(
        X, y, np.arange(N) % 3, estimator=LogisticRegression(), random_state=0
    ),
}


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_reordered_labels_series_is_refused(call):
    """Labels with X's index keys in another order: an error naming labels, the first position and the fix."""
    X, y = _frame()
    with pytest.raises(
        InvalidParameterError, match=r"^labels must list the rows in the order of (X's|features') index"
    ):
        call(X, _shuffled(y))


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_labels_on_another_index_are_read_by_position(call):
    """Labels whose index was reset (other keys) pair by position, as scikit-learn does."""
    X, y = _frame()
    call(X, y.reset_index(drop=True))


def test_reordered_then_reindexed_gives_the_aligned_result():
    """The message's fix (labels.reindex(X.index)) gives the same attack as labels in X's order."""
    X, y = _frame()
    with pytest.raises(InvalidParameterError, match=r"pass labels\.reindex\(X\.index\)"):
        lw.poison.farthest_first(X, _shuffled(y), 0.1)
    fixed = lw.poison.farthest_first(X, _shuffled(y).reindex(X.index), 0.1)
    np.testing.assert_array_equal(fixed.labels, lw.poison.farthest_first(X, y, 0.1).labels)


def test_backdoor_and_its_success_rate_refuse_reordered_labels():
    """backdoor (labels) and attack_success_rate (y_test) refuse a reordered Series."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.random((N, 16)), index=np.arange(100, 100 + N))
    y = pd.Series(np.arange(N) % 2, index=X.index)
    with pytest.raises(InvalidParameterError, match=r"^labels must list the rows"):
        lw.poison.backdoor(X, _shuffled(y), 0.1, target=1, image_shape=(4, 4), random_state=0)
    model = LogisticRegression().fit(X.to_numpy(), y.to_numpy())
    with pytest.raises(InvalidParameterError, match=r"^y_test must list the rows in the order of X_test's index"):
        lw.poison.attack_success_rate(model, X, _shuffled(y), target=1, image_shape=(4, 4))


def test_robustness_curve_refuses_reordered_y():
    """robustness_curve names y."""
    X, y = _frame()
    with pytest.raises(InvalidParameterError, match=r"^y must list the rows in the order of X's index"):
        lw.poison.robustness_curve(["svm"], X, _shuffled(y), attacks=["random"], budgets=[0.1], seeds=1)


class TestCheckRowOrder:
    def test_names_first_position_and_keys(self):
        """The message names the first position where the orders differ and both keys there."""
        X = pd.DataFrame({"a": [1, 2, 3]}, index=["x", "y", "z"])
        with pytest.raises(InvalidParameterError, match=r"position 1 is index 'z', X's position 1 is 'y'"):
            check_row_order(X, "X", "they", labels=pd.Series([0, 1, 0], index=["x", "z", "y"]))

    def test_arrays_and_same_order_pass(self):
        """Arrays, the same index, another length and a repeated index are left to the other checks."""
        X = pd.DataFrame({"a": [1, 2, 3]}, index=["x", "y", "z"])
        check_row_order(X, "X", "they", labels=np.array([0, 1, 0]))
        check_row_order(X, "X", "they", labels=pd.Series([0, 1, 0], index=["x", "y", "z"]))
        check_row_order(X, "X", "they", labels=pd.Series([0, 1], index=["y", "x"]))
        check_row_order(X, "X", "they", labels=pd.Series([0, 1, 0], index=["x", "x", "z"]))
        check_row_order(X.to_numpy(), "X", "they", labels=pd.Series([0, 1, 0], index=["z", "y", "x"]))
