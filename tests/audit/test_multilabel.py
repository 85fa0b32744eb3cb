"""Tests of labelwise.audit.multilabel."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise as lw
from labelwise.audit import multilabel
from labelwise.errors import (
    InvalidLabelsError,
    InvalidParameterError,
    InvalidProbabilitiesError,
    LabelwiseError,
    ShapeMismatchError,
)

from ._tasks_data import multilabel_case


class TestAgreesWithBinaryConfidentLearning:
    def test_each_column_equals_find_label_issues_on_the_binary_problem(self):
        """Per tag, the flags are exactly labelwise.find_label_issues on [1 - p, p]."""
        _, noisy, probs = multilabel_case(seed=1)
        res = multilabel.find_label_issues(noisy.labels, probs)
        for k in range(probs.shape[1]):
            binary = np.column_stack([1 - probs[:, k], probs[:, k]])
            ref = lw.find_label_issues(noisy.labels[:, k].astype(int), binary)
            np.testing.assert_array_equal(res.is_issue[:, k], ref.is_issue, err_msg=f"class {k}")

    @pytest.mark.parametrize("seed", [0, 3])
    def test_flagged_pairs_equal_cleanlabs_per_class_issues(self, seed):
        """cleanlab's find_multilabel_issues_per_class (same algorithm) flags the same pairs."""
        filt = pytest.importorskip("cleanlab.multilabel_classification.filter")
        _, noisy, probs = multilabel_case(seed=seed)
        res = multilabel.find_label_issues(noisy.labels, probs)
        tags = [np.flatnonzero(r).tolist() for r in noisy.labels]
        per_class = filt.find_multilabel_issues_per_class(labels=tags, pred_probs=probs)
        theirs = np.asarray(per_class).reshape(probs.shape)
        np.testing.assert_array_equal(res.is_issue, theirs)
        theirs_examples = filt.find_label_issues(labels=tags, pred_probs=probs)
        np.testing.assert_array_equal(res.is_example_issue, theirs_examples)


class TestQuality:
    def test_finds_most_dropped_tags_with_high_precision(self):
        """On simulated noise, flagged pairs are mostly true flips and most flips are found."""
        _, noisy, probs = multilabel_case(n=2000, seed=2)
        res = multilabel.find_label_issues(noisy.labels, probs)
        hits = (res.is_issue & noisy.is_flipped).sum()
        assert hits / res.is_issue.sum() > 0.7
        assert hits / noisy.is_flipped.sum() > 0.5

    def test_missing_rate_exceeds_spurious_rate_when_tags_are_dropped(self):
        """Dropping positives shows up as missing (not spurious) in the per-class summary."""
        _, noisy, probs = multilabel_case(n=3000, seed=4, drop=0.3, add=0.0)
        res = multilabel.find_label_issues(noisy.labels, probs)
        summary = res.class_summary
        assert (summary.n_missing_flagged > summary.n_spurious_flagged).all()
        assert res.missing_rate.mean() > 0.03
        assert res.spurious_rate.mean() < res.missing_rate.mean()


class TestResult:
    def test_string_tags_round_trip_through_to_frame(self):
        """Tag lists as 'a|b' strings come back in given/suggested/missing columns."""
        probs = np.array([[0.9, 0.1], [0.95, 0.9]] + [[0.9, 0.1]] * 10 + [[0.1, 0.9]] * 10)
        tags = ["cat", "cat"] + ["cat"] * 10 + ["dog"] * 10
        res = multilabel.find_label_issues(tags, probs, classes=["cat", "dog"])
        frame = res.to_frame()
        first = frame.iloc[0]
        assert first.row == 1 and first.missing_tags == "dog" and first.suggested_tags == "cat|dog"
        assert list(frame.columns) == [
            "row",
            "given_tags",
            "suggested_tags",
            "missing_tags",
            "spurious_tags",
            "label_quality",
            "is_issue",
        ]
        assert res.summary()["n_missing"] == 1

    def test_confused_pairs_count_swaps_on_the_same_example(self):
        """A row with one spurious and one missing tag adds one (given, missing) pair."""
        probs = np.array([[0.05, 0.95]] + [[0.9, 0.1]] * 10 + [[0.1, 0.9]] * 10)
        labels = np.array([[1, 0]] + [[1, 0]] * 10 + [[0, 1]] * 10)
        res = multilabel.find_label_issues(labels, probs, classes=["a", "b"])
        pairs = res.confused_pairs()
        assert pairs.iloc[0].tolist() == ["a", "b", 1]


class TestInvariants:
    @settings(max_examples=15, deadline=None)
    @given(seed=st.integers(0, 10_000))
    def test_permuting_rows_permutes_flags(self, seed):
        """Flags follow the rows when rows are shuffled."""
        _, noisy, probs = multilabel_case(n=300, k=3, seed=seed % 50)
        perm = np.random.default_rng(seed).permutation(300)
        a = multilabel.find_label_issues(noisy.labels, probs)
        b = multilabel.find_label_issues(noisy.labels[perm], probs[perm])
        np.testing.assert_array_equal(a.is_issue[perm], b.is_issue)

    def test_permuting_classes_permutes_flags(self):
        """Renaming/reordering tags reorders the flag columns only."""
        _, noisy, probs = multilabel_case(seed=7)
        perm = np.array([3, 0, 4, 1, 2])
        a = multilabel.find_label_issues(noisy.labels, probs)
        b = multilabel.find_label_issues(noisy.labels[:, perm], probs[:, perm])
        np.testing.assert_array_equal(a.is_issue[:, perm], b.is_issue)

    def test_block_size_does_not_change_the_answer(self, monkeypatch):
        """Tiny row blocks give the same flags as the default blocks."""
        import labelwise._chunks as chunks  # row_blocks reads BLOCK_ELEMENTS from here

        _, noisy, probs = multilabel_case(seed=8)
        a = multilabel.find_label_issues(noisy.labels, probs)
        monkeypatch.setattr(chunks, "BLOCK_ELEMENTS", 7)
        b = multilabel.find_label_issues(noisy.labels, probs)
        np.testing.assert_array_equal(a.is_issue, b.is_issue)
        np.testing.assert_allclose(a.example_quality, b.example_quality)


class TestBadInput:
    def test_unknown_tag_is_named(self):
        """A tag outside classes raises InvalidLabelsError naming the row and tag."""
        with pytest.raises(InvalidLabelsError, match="row 1 has the unknown tag 'cow'"):
            multilabel.find_label_issues([["cat"], ["cow"]], np.full((2, 2), 0.5), classes=["cat", "dog"])

    def test_shape_mismatch(self):
        """Different numbers of columns raise ShapeMismatchError."""
        with pytest.raises(ShapeMismatchError, match="3 columns but probs has 2"):
            multilabel.find_label_issues(np.zeros((4, 3)), np.full((4, 2), 0.5))

    def test_probability_out_of_range(self):
        """Values above 1 name the row and column."""
        probs = np.full((3, 2), 0.5)
        probs[2, 1] = 1.5
        with pytest.raises(InvalidProbabilitiesError, match="row 2 column 1"):
            multilabel.find_label_issues(np.zeros((3, 2)), probs)

    def test_non_binary_matrix(self):
        """A label matrix with a 2 in it is rejected."""
        with pytest.raises(LabelwiseError, match="only 0 and 1"):
            multilabel.find_label_issues(np.array([[0, 2], [1, 0]]), np.full((2, 2), 0.5))

    def test_repeated_class_name_is_named(self):
        """classes=['a', 'a', 'b'] was reported as an 'unknown tag' of the third class."""
        with pytest.raises(InvalidLabelsError, match="classes must name each column once, got 'a'"):
            multilabel.find_label_issues(["a|b", "c"], np.full((2, 3), 0.5), classes=["a", "a", "b"])

    def test_classes_as_one_string_is_refused(self):
        """classes='abc' named the columns a, b and c letter by letter (and 'ab' tags became unknown)."""
        with pytest.raises(InvalidParameterError, match="classes must be a list of tag names .* single string 'abc'"):
            multilabel.find_label_issues(np.zeros((2, 3)), np.full((2, 3), 0.5), classes="abc")

    def test_classes_of_another_length_than_the_matrix(self):
        """A 0/1 matrix of 3 columns with 2 class names was pandas' 'All arrays must be of the same length'."""
        with pytest.raises(ShapeMismatchError, match="classes must name each of the 3 columns of labels, got 2"):
            multilabel.find_label_issues(np.zeros((4, 3), int), np.full((4, 3), 0.5), classes=["a", "b"])


class TestDigitTagStrings:
    def test_digit_strings_are_column_numbers_beyond_ten_classes(self):
        """'3|10' from a CSV: tags were sorted as text ('10' before '2'), so columns 2..11 were misread."""
        rng = np.random.default_rng(4)
        truth = rng.random((150, 12)) < 0.3
        probs = np.clip(np.where(truth, 0.9, 0.1) + rng.normal(0, 0.03, truth.shape), 0.01, 0.99)
        as_text = ["|".join(str(j) for j in np.flatnonzero(r)) or np.nan for r in truth]
        got = multilabel.find_label_issues(as_text, probs)
        ref = multilabel.find_label_issues(truth.astype(int), probs)
        assert got.classes.tolist() == list(range(12))
        np.testing.assert_array_equal(got.is_issue, ref.is_issue)
        assert not got.is_issue.any()

    def test_tags_that_are_digits_but_not_decimal_stay_names(self):
        """'²' passes str.isdigit but int('²') fails: only decimal strings are read as column numbers."""
        matrix, classes = multilabel.encode_multilabel(["²|1", "1"])
        assert classes.tolist() == ["1", "²"]
        assert matrix.tolist() == [[True, True], [True, False]]
