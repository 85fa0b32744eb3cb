"""``weak.analysis`` on a long table of votes, and gold given twice for an item (weakwalk50).

A long table (``labelwise weak``'s ``votes.csv`` read back) holds only the items some function voted on:
its coverage, overlaps and conflicts were shares of those, above the Votes' (Snorkel's) in silence.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from labelwise import weak
from labelwise.errors import LabelwiseWarning, ShapeMismatchError
from tests.weak._spam_lfs import has_link, short


@pytest.fixture
def applied():
    """Eight messages, two of which no function votes on, their gold labels and the Votes."""
    frame = pd.DataFrame(
        {
            "text": [
                "win http://a",
                "hi there",
                "cheap http://b",
                "ok",
                "see you at noon",
                "see you",
                "lunch at one?",
                "x",
            ]
        },
        index=[f"m{i}" for i in range(8)],
    )
    gold = pd.Series(["spam", "ham", "spam", "ham", "ham", "ham", "ham", "ham"], index=frame.index)
    return frame, gold, weak.apply([has_link, short], frame)


class TestAnalysisOfALongTable:
    def test_items_give_the_shares_of_the_votes_analysis(self, applied):
        """analysis(table, items=df.index) equals analysis(Votes): rows nobody voted on count."""
        frame, gold, votes = applied
        table = votes.to_frame()
        pd.testing.assert_frame_equal(
            weak.analysis(table, gold=gold, items=frame.index), weak.analysis(votes, gold=gold)
        )
        assert weak.analysis(table, items=frame.index)["coverage"].tolist() == [2 / 8, 4 / 8]

    def test_gold_naming_items_the_table_lacks_warns_with_the_fix(self, applied):
        """Without items, gold naming the two unvoted items gives a warning naming items=."""
        _, gold, votes = applied
        with pytest.warns(LabelwiseWarning, match=r"gold names 2 item\(s\) that have no vote.*6 items.*items="):
            weak.analysis(votes.to_frame(), gold=gold)

    def test_no_warning_for_votes_or_when_gold_names_only_voted_items(self, applied):
        """The Votes themselves, or gold on voted items only, give no such warning."""
        _, gold, votes = applied
        with warnings.catch_warnings():
            warnings.simplefilter("error", LabelwiseWarning)
            weak.analysis(votes, gold=gold)
            weak.analysis(votes.to_frame(), gold=gold.iloc[:4])

    def test_items_missing_a_voted_item_is_an_error_naming_it(self, applied):
        """items that leave out a voted item are refused, naming it."""
        frame, _, votes = applied
        with pytest.raises(ShapeMismatchError, match=r"items must hold every voted item.*'m0'"):
            weak.analysis(votes.to_frame(), items=frame.index[1:])

    def test_repeated_items_are_an_error(self, applied):
        """items naming an item twice are refused."""
        frame, _, votes = applied
        with pytest.raises(ShapeMismatchError, match=r"items must name each item once, got 'm1'"):
            weak.analysis(votes, items=list(frame.index) + ["m1"])


class TestGoldGivenTwiceForAnItem:
    def test_a_gold_series_with_a_repeated_index_is_an_error_naming_it(self, applied):
        """gold whose index holds an item twice is refused by name, not by pandas' reindex."""
        _, gold, votes = applied
        twice = pd.concat([gold, gold.iloc[[2]]])
        with pytest.raises(ShapeMismatchError, match=r"gold must give each item one label, its index holds 'm2'"):
            weak.analysis(votes, gold=twice)

    def test_lf_empirical_probs_names_it_too(self, applied):
        """lf_empirical_probs reads gold by the same rule."""
        _, gold, votes = applied
        with pytest.raises(ShapeMismatchError, match="gold must give each item one label"):
            weak.lf_empirical_probs(votes, pd.concat([gold, gold.iloc[[0]]]))
        assert np.isfinite(weak.lf_empirical_probs(votes, gold)[0]).all()
