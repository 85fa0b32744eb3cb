"""instance_dependent_flips pairs labels with probs by position; a labels Series holding the probs frame's rows
in another order is refused (pair46: main weighed each row's flip by another row's probabilities)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.errors import InvalidParameterError
from labelwise.noise import instance_dependent_flips

N = 40


def _data() -> tuple[pd.Series, pd.DataFrame]:
    rng = np.random.default_rng(0)
    labels = pd.Series(np.arange(N) % 2, index=np.arange(100, 100 + N))
    p = rng.uniform(0.05, 0.95, N)
    return labels, pd.DataFrame({0: 1 - p, 1: p}, index=labels.index)


def test_reordered_labels_are_refused_naming_the_fix():
    """Labels with the probs' index keys in another order: an error naming labels and labels.reindex(probs.index)."""
    labels, probs = _data()
    shuffled = labels.iloc[np.random.default_rng(1).permutation(N)]
    with pytest.raises(
        InvalidParameterError,
        match=r"^labels must list the rows in the order of probs' index.*"
        r"noise generators.*labels\.reindex\(probs\.index\)",
    ):
        instance_dependent_flips(shuffled, probs, 0.2, random_state=0)


def test_labels_on_a_reset_index_are_read_by_position():
    """Labels indexed 0..n-1 beside probs indexed 100.. flip as the aligned labels do."""
    labels, probs = _data()
    a = instance_dependent_flips(labels.reset_index(drop=True), probs, 0.2, random_state=0)
    b = instance_dependent_flips(labels.to_numpy(), probs, 0.2, random_state=0)
    np.testing.assert_array_equal(np.asarray(a.labels), np.asarray(b.labels))
