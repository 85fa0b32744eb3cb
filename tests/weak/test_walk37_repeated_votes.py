"""A long votes table with a labeler's repeated vote on an item (session 37's walk).

The label matrix holds one cell per (item, labeler), so ``LabelModel`` and ``analysis`` kept the
last vote while ``DawidSkeneLabelModel`` counted both, and nothing said so. Since session 38 (cli38)
every consumer reads one vote per pair: the most frequent label, none where labels tie.
"""

from __future__ import annotations

import pandas as pd
import pytest

from labelwise import weak
from labelwise.errors import LabelwiseWarning

ROWS = [
    (0, "a", "x"),
    (0, "b", "x"),
    (1, "a", "y"),
    (1, "b", "y"),
    (2, "a", "x"),
    (2, "b", "y"),
    (3, "a", "y"),
    (3, "c", "y"),
    (4, "b", "x"),
    (4, "c", "x"),
]
REPEATS = [(0, "a", "y"), (4, "c", "x")]  # one vote changed, one said twice


def _frame(rows):
    return pd.DataFrame(rows, columns=["item", "labeler", "label"])


def _one_per_pair():
    """The table as the label matrix reads it: labeler a's two votes on item 0 tie (an abstain), c's
    twice-said vote on item 4 counts once."""
    return _frame([r for r in ROWS if r[:2] != (0, "a")])


class TestRepeatedVotes:
    def test_a_repeated_vote_is_said_naming_the_labeler_the_item_and_both_votes(self):
        """The warning names the count, the first repeated pair and its two votes with their rows."""
        with pytest.warns(LabelwiseWarning, match="2 repeated vote") as caught:
            weak.analysis(_frame(ROWS + REPEATS))
        said = str(caught[0].message)
        assert "labeler 'a' on item 0 voted 'x' (row 0) and 'y' (row 10)" in said

    def test_analysis_counts_the_vote_the_label_model_reads(self):
        """Coverage, conflicts and the correct / incorrect counts against gold are those of the table
        with one vote per pair (a tie: none), and the repeat is said."""
        gold = pd.Series(["x", "y", "y", "y", "x"])
        with pytest.warns(LabelwiseWarning):
            got = weak.analysis(_frame(ROWS + REPEATS), gold=gold)
        want = weak.analysis(_one_per_pair(), gold=gold)
        pd.testing.assert_frame_equal(got.sort_index(), want.sort_index())
        assert got.loc["a", ["correct", "incorrect"]].tolist() == [2, 1]

    def test_dawid_skene_label_model_weighs_one_vote_per_pair(self):
        """DawidSkeneLabelModel counted the repeated votes twice; it now fits the table the matrix holds."""
        with pytest.warns(LabelwiseWarning):
            got = weak.DawidSkeneLabelModel(max_iter=50).fit(_frame(ROWS + REPEATS))
        want = weak.DawidSkeneLabelModel(max_iter=50).fit(_one_per_pair())
        pd.testing.assert_frame_equal(got.probas_, want.probas_.loc[got.probas_.index])
        assert got.confusion_.tolist() == want.confusion_.tolist()

    def test_a_table_without_repeats_is_read_without_a_warning(self):
        """No warning where every (item, labeler) votes once (the warning is not a constant)."""
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("error", LabelwiseWarning)
            weak.LabelModel().fit(_frame(ROWS))
