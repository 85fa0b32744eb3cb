"""LabelModel.score matches a gold Series indexed 0..n-1 to integer items by item, not by position."""

from __future__ import annotations

import pandas as pd
import pytest

from labelwise.weak import LabelModel, as_votes

# items 2, 0, 1, 3 in the order of first appearance
LONG = pd.DataFrame(
    {
        "item": [2, 2, 2, 0, 0, 0, 1, 1, 1, 3, 3, 3],
        "labeler": ["a", "b", "c"] * 4,
        "label": ["x", "x", "x", "y", "y", "y", "x", "x", "y", "y", "y", "y"],
    }
)
GOLD = pd.Series(["y", "x", "x", "y"])  # made from a list: index 0..4, the items' own numbers


class TestScoreIndex:
    def test_gold_series_of_item_numbers_is_matched_by_item(self):
        """Items first seen in the order 2, 0, 1, 3 are scored against gold[2], gold[0], ... (all right;
        by position item 2 met gold[0] and the accuracy was 0.5)."""
        votes = as_votes(LONG)
        model = LabelModel().fit(votes)
        assert list(votes.items) == [2, 0, 1, 3]
        assert model.score(votes, GOLD)["accuracy"] == pytest.approx(1.0)

    def test_gold_series_covering_more_rows_than_voted_items(self):
        """A gold Series of every row (0..n-1) scores the items that have votes, by item."""
        votes = as_votes(LONG)
        model = LabelModel().fit(votes)
        assert model.score(votes, pd.concat([GOLD, pd.Series(["x"], index=[4])]))["accuracy"] == pytest.approx(1.0)

    def test_gold_list_is_still_read_by_position(self):
        """A plain list has no items: one label per item, in the votes' item order."""
        votes = as_votes(LONG)
        model = LabelModel().fit(votes)
        assert model.score(votes, ["x", "y", "x", "y"])["accuracy"] == pytest.approx(1.0)
