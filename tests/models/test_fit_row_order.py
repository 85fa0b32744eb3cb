"""The default model's three candidates pair X and y by position in ``fit``; a y (or sample_weight) Series
holding X's rows in another order is refused (shapes47: main fitted every row on another row's label)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.errors import InvalidParameterError
from labelwise.models import SubsampledExtraTrees
from labelwise.models._forward import ForwardLogistic
from labelwise.models._knn import CappedNeighbors

N = 60
CANDIDATES = [
    pytest.param(lambda: SubsampledExtraTrees(n_estimators=5, random_state=0), id="SubsampledExtraTrees"),
    pytest.param(lambda: ForwardLogistic(), id="ForwardLogistic"),
    pytest.param(lambda: CappedNeighbors(n_neighbors=5), id="CappedNeighbors"),
]


def _data() -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(0)
    y = np.arange(N) % 2
    X = pd.DataFrame(rng.normal(size=(N, 2)) + 3 * y[:, None], columns=["a", "b"], index=np.arange(100, 100 + N))
    return X, pd.Series(y, index=X.index)


def _shuffled(s: pd.Series) -> pd.Series:
    return s.iloc[np.random.default_rng(1).permutation(len(s))]


@pytest.mark.parametrize("make", CANDIDATES)
def test_fit_refuses_y_listing_x_rows_in_another_order(make):
    """fit(X, y) with y's index a permutation of X's: an error naming y and the reindex that fixes it."""
    X, y = _data()
    with pytest.raises(InvalidParameterError, match=r"^y must list the rows in the order of X's index.*\.fit.*y\.reindex\(X\.index\)"):  # fmt: skip
        make().fit(X, _shuffled(y))


@pytest.mark.parametrize("make", CANDIDATES)
def test_fit_reads_a_reset_index_by_position(make):
    """y on another index (reset) is paired by position, as scikit-learn pairs it: the same model as arrays give."""
    X, y = _data()
    a = make().fit(X, y.reset_index(drop=True)).predict_proba(X.to_numpy())
    b = make().fit(X.to_numpy(), y.to_numpy()).predict_proba(X.to_numpy())
    np.testing.assert_allclose(a, b)


def test_subsampled_trees_refuse_reordered_sample_weight():
    """SubsampledExtraTrees.fit names sample_weight when it is the Series in another order."""
    X, y = _data()
    weight = pd.Series(np.linspace(0.5, 1.5, N), index=X.index)
    with pytest.raises(InvalidParameterError, match=r"^sample_weight must list the rows in the order of X's index"):
        SubsampledExtraTrees(n_estimators=5, random_state=0).fit(X, y, sample_weight=_shuffled(weight))
