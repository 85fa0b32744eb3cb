"""score_predictions matches a pandas preds (and probs) to a y Series by index, as pandas and labelwise.evaluate
do (pair46: main read them by position, scoring each prediction against another item's label)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.errors import ShapeMismatchError
from labelwise.weak import score_predictions

ITEMS = [f"q{i}" for i in range(8)]
Y = pd.Series([0, 1, 1, 0, 1, 0, 0, 1], index=ITEMS)


def test_reordered_preds_are_matched_by_index():
    """Predictions equal to the gold, in another item order, score accuracy 1.0 (main: 0.0)."""
    preds = Y.iloc[[7, 6, 5, 4, 3, 2, 1, 0]]
    assert score_predictions(Y, preds) == {"accuracy": 1.0}


def test_reordered_probs_are_matched_by_index():
    """Probabilities in another item order give the roc_auc of the aligned ones."""
    p = np.linspace(0.1, 0.9, 8)[np.argsort(np.argsort(Y.to_numpy(), kind="stable"), kind="stable")]
    probs = pd.DataFrame({0: 1 - p, 1: p}, index=ITEMS)
    preds = (probs[1] > 0.5).astype(int)
    want = score_predictions(Y, preds, probs, metrics=["roc_auc"])
    order = [3, 1, 4, 0, 6, 2, 7, 5]
    assert score_predictions(Y, preds.iloc[order], probs.iloc[order], metrics=["roc_auc"]) == want


def test_preds_of_other_keys_are_refused():
    """A preds Series naming items y lacks is an error naming preds and the key, as in labelwise.evaluate."""
    with pytest.raises(ShapeMismatchError, match=r"^preds must have one row per index key of y.*'q0'"):
        score_predictions(Y, pd.Series(Y.to_numpy(), index=[f"r{i}" for i in range(8)]))


def test_arrays_are_paired_by_position():
    """Arrays (and a Series beside an array) are read by position, as before."""
    assert score_predictions(Y.to_numpy(), Y.iloc[::-1]) == {"accuracy": 0.0}  # every item paired with its mirror
