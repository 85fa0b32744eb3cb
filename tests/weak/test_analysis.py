"""Tests of weak.analysis against Snorkel's documented LFAnalysis definitions, on hand-computed cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from labelwise.errors import AnnotationError, InvalidParameterError, LabelwiseWarning, ShapeMismatchError
from labelwise.weak import LabelModel, analysis, lf_statistics

# Snorkel's LFAnalysis docs example shape: 4 items, 3 LFs, -1 = abstain
L = np.array([[0, 0, -1], [-1, 1, 0], [1, -1, -1], [0, 0, 1]])
GOLD = np.array([0, 1, 1, 1])


class TestAnalysis:
    def test_coverage_overlaps_conflicts_match_hand_computation(self):
        """Coverage, overlaps and conflicts are the fractions Snorkel's LFAnalysis defines."""
        frame = analysis(L)
        # lf_0 votes on items 0, 2, 3; lf_1 on 0, 1, 3; lf_2 on 1, 3
        np.testing.assert_allclose(frame["coverage"], [3 / 4, 3 / 4, 2 / 4])
        # overlaps: items where another LF also votes: lf_0 {0, 3}; lf_1 {0, 1, 3}; lf_2 {1, 3}
        np.testing.assert_allclose(frame["overlaps"], [2 / 4, 3 / 4, 2 / 4])
        # conflicts: another LF votes a different class: item 1 (lf_1=1 vs lf_2=0), item 3 (0, 0 vs 1)
        np.testing.assert_allclose(frame["conflicts"], [1 / 4, 2 / 4, 2 / 4])
        assert frame["polarity"].tolist() == [[0, 1], [0, 1], [0, 1]]

    def test_gold_gives_correct_incorrect_and_empirical_accuracy(self):
        """With gold labels: correct and incorrect vote counts and their ratio."""
        frame = analysis(L, gold=GOLD)
        assert frame["correct"].tolist() == [2, 2, 1]
        assert frame["incorrect"].tolist() == [1, 1, 1]
        np.testing.assert_allclose(frame["empirical_accuracy"], [2 / 3, 2 / 3, 1 / 2])

    def test_gold_series_may_cover_some_items_only(self):
        """A gold Series indexed by item scores only the items it has."""
        frame = analysis(L, gold=pd.Series({0: 0, 1: 1}))
        assert frame["correct"].tolist() == [1, 2, 0]
        assert frame["incorrect"].tolist() == [0, 0, 1]
        only_first = analysis(L, gold=pd.Series({0: 0}))
        assert np.isnan(only_first["empirical_accuracy"].iloc[2])  # lf_2 never votes on item 0

    def test_model_adds_estimated_accuracy(self):
        """A fitted label model adds its estimated accuracy per labeler."""
        frame = analysis(L, model=LabelModel().fit(L))
        assert frame["estimated_accuracy"].between(0, 1).all()

    def test_gold_of_wrong_length_is_an_error(self):
        """Gold must have one label per item."""
        with pytest.raises(ShapeMismatchError, match="length 4"):
            analysis(L, gold=[0, 1])

    def test_gold_class_no_labeler_voted_counts_votes_as_incorrect_with_a_warning(self):
        """A gold class that no labeler voted (7 here) is named in a warning, and the votes on
        its item are all incorrect; the other items score as before."""
        with pytest.warns(LabelwiseWarning, match=r"1 class\(es\) that no labeler voted \(\[7\]\)"):
            frame = analysis(L, gold=[7, 1, 1, 1])
        assert frame["correct"].tolist() == [1, 1, 1]  # item 0's two votes for 0 are lost
        assert frame["incorrect"].tolist() == [2, 2, 1]

    def test_unvoted_gold_class_scores_alike_for_integer_and_string_votes(self):
        """A gold class that nobody votes scores the same for integer and string votes (integer
        votes name the classes 0..max, strings only those voted)."""
        names = np.array(["a", "b", "c"], dtype=object)
        table = pd.DataFrame(
            [(i, f"lf_{j}", L[i, j]) for i in range(4) for j in range(3) if L[i, j] >= 0],
            columns=["item", "labeler", "label"],
        )
        gold = pd.Series([0, 1, 1, 2], index=range(4))
        with pytest.warns(LabelwiseWarning, match="no labeler voted"):  # classes 0, 1: 2 is above them
            integer = analysis(table, gold)
        with pytest.warns(LabelwiseWarning, match="no labeler voted"):
            strings = analysis(table.assign(label=names[table["label"].to_numpy()]), gold.map(dict(enumerate(names))))
        pd.testing.assert_frame_equal(integer.drop(columns="polarity"), strings.drop(columns="polarity"))

    def test_gold_naming_no_class_is_an_error(self):
        """Gold that names none of the votes' classes (a mismatch, not an unvoted class) is refused."""
        with pytest.raises(InvalidParameterError, match="item 0 has 'x'"):
            analysis(L, gold=["x", "y", "y", "y"])

    def test_all_abstain_matrix_is_an_error(self):
        """A matrix where every labeler abstains everywhere is rejected."""
        with pytest.raises(AnnotationError, match="every labeler abstained"):
            analysis(np.full((3, 2), -1))

    @settings(max_examples=30, deadline=None)
    @given(arrays(np.int64, st.tuples(st.integers(1, 40), st.integers(1, 5)), elements=st.integers(-1, 2)))
    def test_statistics_are_block_size_and_row_order_invariant(self, matrix):
        """Row blocks and row order do not change the statistics (and they match a direct computation)."""
        stats = lf_statistics(matrix, 3)
        voted = matrix >= 0
        n_votes = voted.sum(axis=1)
        np.testing.assert_allclose(stats["coverage"], voted.mean(axis=0))
        np.testing.assert_allclose(stats["overlaps"], (voted & (n_votes >= 2)[:, None]).mean(axis=0))
        conflict = np.array(
            [
                [
                    voted[i, j] and any(voted[i, t] and matrix[i, t] != matrix[i, j] for t in range(matrix.shape[1]))
                    for j in range(matrix.shape[1])
                ]
                for i in range(matrix.shape[0])
            ]
        )
        np.testing.assert_allclose(stats["conflicts"], conflict.mean(axis=0))
        flipped = lf_statistics(matrix[::-1], 3)
        for key in stats:
            np.testing.assert_allclose(stats[key], flipped[key])
        small = lf_statistics(matrix, 3, block_size=3)
        for key in stats:
            np.testing.assert_allclose(stats[key], small[key])
