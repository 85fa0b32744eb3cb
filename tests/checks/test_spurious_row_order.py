"""spurious_correlations pairs properties with labels by position, as the other checks do; a labels Series
holding the properties' rows in another order is refused (pair46: main scored the properties against other
rows' labels)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.checks import spurious_correlations
from labelwise.errors import InvalidParameterError

N = 60


def _data() -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(0)
    labels = pd.Series(np.arange(N) % 2, index=np.arange(100, 100 + N))
    props = pd.DataFrame(
        {"brightness": labels.to_numpy() + rng.normal(0, 0.1, N), "noise": rng.normal(size=N)}, index=labels.index
    )
    return props, labels


def test_reordered_labels_are_refused_naming_the_fix():
    """Labels with the properties' index keys in another order: an error naming labels and the fix."""
    props, labels = _data()
    shuffled = labels.iloc[np.random.default_rng(1).permutation(N)]
    with pytest.raises(
        InvalidParameterError,
        match=r"^labels must list the rows in the order of properties' index.*"
        r"labels\.reindex\(properties\.index\)",
    ):
        spurious_correlations(props, shuffled, cv=3)


def test_labels_on_a_reset_index_are_read_by_position():
    """Labels indexed 0..n-1 beside properties indexed 100.. score as the aligned labels: brightness flagged."""
    props, labels = _data()
    got = spurious_correlations(props, labels.reset_index(drop=True), cv=3)
    pd.testing.assert_frame_equal(got, spurious_correlations(props, labels, cv=3))
    assert got.set_index("property").loc["brightness", "is_issue"]
