"""A labeler's repeated votes on an item count once, by a rule that does not depend on the row order:
the pair's most frequent label, no vote (an abstain) where labels tie. Session 37 kept the last row
of each pair, so shuffling the rows of a long table changed which vote the label models read."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise import weak
from labelwise.errors import LabelwiseWarning
from labelwise.weak import as_votes


def _frame(rows):
    return pd.DataFrame(rows, columns=["item", "labeler", "label"])


def _read(frame: pd.DataFrame) -> pd.DataFrame:
    """The votes the label matrix holds, as a sorted long table (the repeat warning silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LabelwiseWarning)
        votes = as_votes(frame)
    return votes.to_frame().sort_values(["item", "labeler"]).reset_index(drop=True)


class TestRule:
    def test_the_most_frequent_label_of_a_pair_counts_whatever_comes_last(self):
        """x, y, x from one labeler on one item is x, though y or x may come last; said in a warning."""
        rows = [(0, "a", "x"), (0, "a", "y"), (0, "a", "x"), (0, "b", "y"), (1, "a", "y")]
        for order in ([0, 1, 2, 3, 4], [0, 3, 2, 4, 1], [4, 3, 2, 0, 1]):
            with pytest.warns(LabelwiseWarning, match=r"most frequent label") as caught:
                got = as_votes(_frame([rows[i] for i in order])).to_frame()
            assert got[(got["item"] == 0) & (got["labeler"] == "a")]["label"].tolist() == ["x"]
            assert "2 repeated vote(s) of a labeler on an item (1 pair(s), 1 with different labels)" in str(
                caught[0].message
            )

    def test_labels_that_tie_are_no_vote(self):
        """x then y (once each) is an abstain in the matrix: neither order is meaningful."""
        with pytest.warns(LabelwiseWarning, match=r"as no vote where labels tie \(1 pair"):
            votes = as_votes(_frame([(0, "a", "x"), (0, "a", "y"), (0, "b", "y"), (1, "a", "x")]))
        assert votes.matrix().tolist() == [[-1, 1], [0, -1]]
        assert votes.items.tolist() == [0, 1]  # the item stays, voted on by b

    def test_identical_repeats_are_one_vote(self):
        """The same vote said twice counts once (no tie to break)."""
        with pytest.warns(LabelwiseWarning, match=r"\(1 pair\(s\), 0 with different labels\)"):
            votes = as_votes(_frame([(0, "a", "x"), (0, "a", "x"), (1, "a", "y")]))
        assert votes.to_frame()["label"].tolist() == ["x", "y"]

    def test_the_label_model_reads_the_rule_s_votes(self):
        """LabelModel fits the resolved table exactly as the table without the tied pairs (bit for bit:
        the same matrix); the later rows do not win."""
        rng = np.random.default_rng(5)
        y = rng.integers(0, 2, 300)
        rows = [(i, f"w{j}", int(y[i] if rng.random() < 0.8 else 1 - y[i])) for i in range(300) for j in range(4)]
        conflicted = [(i, "w0", 1 - rows[4 * i][2]) for i in range(0, 300, 7)]  # ties: w0 abstains there
        clean = [r for r in rows if not (r[1] == "w0" and r[0] % 7 == 0)]
        with pytest.warns(LabelwiseWarning):
            got = weak.LabelModel().fit(_frame(rows + conflicted))
        want = weak.LabelModel().fit(_frame(clean))
        pd.testing.assert_frame_equal(got.probas_, want.probas_)


@st.composite
def _tables(draw):
    """A long table of 2-6 items x 1-3 labelers, every pair voted 1-4 times from 3 labels, with at
    least one pair of two different labels and one single vote; and a permutation of its rows."""
    n_items, n_labelers = draw(st.integers(2, 6)), draw(st.integers(1, 3))
    rows = []
    for i in range(n_items):
        for j in range(n_labelers):
            for label in draw(st.lists(st.sampled_from("xyz"), min_size=0, max_size=4)):
                rows.append((i, f"l{j}", label))
    rows += [(0, "l0", "x"), (0, "l0", "y"), (1, "solo", "z")]  # a conflict; a vote that stays
    order = draw(st.permutations(range(len(rows))))
    return _frame(rows), list(order)


class TestRowOrder:
    @settings(max_examples=60, deadline=None)
    @given(_tables())
    def test_the_votes_read_do_not_depend_on_the_row_order(self, case):
        """Any permutation of the rows gives the same (item, labeler, label) votes, and each is the pair's
        unique most frequent label."""
        frame, order = case
        got = _read(frame)
        pd.testing.assert_frame_equal(_read(frame.iloc[order].reset_index(drop=True)), got)
        counts = frame.groupby(["item", "labeler"])["label"].value_counts()
        for (item, labeler), label in zip(zip(got["item"], got["labeler"], strict=True), got["label"], strict=True):
            pair = counts.loc[(item, labeler)]
            assert pair[label] == pair.max() and (pair == pair.max()).sum() == 1
