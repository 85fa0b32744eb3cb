"""weak.expand_soft_labels matches a label model's probas_ to a feature DataFrame by index."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.errors import ShapeMismatchError
from labelwise.weak import expand_soft_labels

PROBAS = pd.DataFrame({"ham": [0.9, 0.2, 0.6], "spam": [0.1, 0.8, 0.4]}, index=["m1", "m2", "m3"])
X = pd.DataFrame({"n_links": [0.0, 3.0, 1.0]}, index=["m1", "m2", "m3"])


def _weights_by_row(X2: pd.DataFrame, y: np.ndarray, w: np.ndarray) -> dict:
    return {(item, label): weight for item, label, weight in zip(X2.index, y, w, strict=True)}


class TestExpandSoftLabelsIndex:
    def test_reordered_features_keep_each_rows_own_probabilities(self):
        """Features in another row order get the probabilities of their own items, not of a position."""
        want = _weights_by_row(*expand_soft_labels(X, PROBAS))
        got = _weights_by_row(*expand_soft_labels(X.iloc[[2, 0, 1]], PROBAS))
        assert got == pytest.approx(want)

    def test_features_of_other_items_are_refused(self):
        """A feature frame indexed by other keys is an error naming probas and a missing key."""
        with pytest.raises(ShapeMismatchError, match=r"probas must have one row per index key of X.*'m9'"):
            expand_soft_labels(X.set_axis(["m1", "m2", "m9"]), PROBAS)

    def test_arrays_pair_rows_by_position(self):
        """Without two indexes to match, rows are paired by position as before."""
        X2, y, w = expand_soft_labels(X.to_numpy(), PROBAS)
        np.testing.assert_allclose(w, PROBAS.to_numpy().ravel())
        assert X2.shape == (6, 1)
