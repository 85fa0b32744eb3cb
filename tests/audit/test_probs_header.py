"""Probabilities as a DataFrame whose header names the classes: matched to the labels by name, not position."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import labelwise as lw
from labelwise.errors import LabelwiseError

N = 60
Y = np.arange(N) % 3
NAMES = np.array(["cat", "dog", "fox"])
_RNG = np.random.default_rng(0)
PROBS = _RNG.dirichlet(np.ones(3), size=N) * 0.2
PROBS[np.arange(N), Y] += 0.8


def _reordered(order: list[int]) -> pd.DataFrame:
    """PROBS as a DataFrame with its columns in ``order``, each named by its class."""
    return pd.DataFrame(PROBS[:, order], columns=NAMES[order])


class TestFindLabelIssuesHeader:
    def test_a_header_in_another_order_than_sorted_is_read_by_name(self):
        """Columns named fox, dog, cat give the issues of the sorted array, not 60 false flags."""
        labels = pd.Series(NAMES[Y])
        expected = lw.find_label_issues(labels, PROBS)
        got = lw.find_label_issues(labels, _reordered([2, 1, 0]))
        np.testing.assert_array_equal(got.is_issue, expected.is_issue)
        np.testing.assert_allclose(got.label_quality, expected.label_quality)
        assert list(got.suggested_label[:3]) == ["cat", "dog", "fox"]

    def test_an_aggregators_probas_in_a_categoricals_order_audit_its_own_labels_cleanly(self):
        """MajorityVote's probas_ of an ordered categorical (columns fox, dog, cat) flag none of its labels."""
        answers = pd.DataFrame(
            {
                "item": np.repeat(np.arange(20), 3),
                "annotator": np.tile(["a", "b", "c"], 20),
                "label": pd.Categorical(NAMES[np.repeat(np.arange(20) % 3, 3)], categories=["fox", "dog", "cat"]),
            }
        )
        agg = lw.aggregate.MajorityVote().fit(answers)
        assert list(agg.probas_.columns) == ["fox", "dog", "cat"]
        result = lw.find_label_issues(agg.labels_, agg.probas_)
        assert not result.is_issue.any()

    def test_integer_labels_meet_a_header_of_integers_by_value(self):
        """Integer labels beside columns named 2, 1, 0 are read by name and keep their integer type."""
        probs = pd.DataFrame(PROBS[:, [2, 1, 0]], columns=pd.Index([2, 1, 0]))
        got = lw.find_label_issues(Y, probs)
        assert not got.is_issue.any()
        assert got.suggested_label.dtype.kind == "i"

    def test_classes_given_put_the_named_columns_in_their_order(self):
        """classes=['cat', 'dog', 'fox'] beside a header fox, dog, cat reorders the columns to match."""
        labels = NAMES[Y]
        got = lw.find_label_issues(labels, _reordered([2, 1, 0]), classes=["cat", "dog", "fox"])
        assert not got.is_issue.any()

    def test_a_header_naming_other_classes_than_the_labels_is_an_error_naming_them(self):
        """A header cat, dog, cow beside labels with fox names fox as naming no column."""
        probs = pd.DataFrame(PROBS, columns=["cat", "dog", "cow"])
        with pytest.raises(LabelwiseError, match=r"labels hold \['fox'\] that no column names"):
            lw.find_label_issues(NAMES[Y], probs)

    def test_a_header_naming_no_label_keeps_its_column_order(self):
        """Columns p0, p1, p2 are taken by position, as an array is."""
        probs = pd.DataFrame(PROBS, columns=["p0", "p1", "p2"])
        np.testing.assert_array_equal(
            lw.find_label_issues(NAMES[Y], probs).is_issue, lw.find_label_issues(NAMES[Y], PROBS).is_issue
        )

    def test_a_header_naming_a_class_absent_from_the_labels_takes_it_as_a_class(self):
        """A fourth column 'ant' no label has is a class of its own: no 'pass classes=' error."""
        probs = pd.DataFrame(np.hstack([PROBS * 0.99, np.full((N, 1), 0.01)]), columns=["cat", "dog", "fox", "ant"])
        with pytest.warns(lw.errors.LabelwiseWarning, match="no examples"):
            got = lw.find_label_issues(NAMES[Y], probs)
        assert list(got.classes) == ["cat", "dog", "fox", "ant"]

    def test_a_header_naming_a_class_twice_is_an_error_naming_it(self):
        """Columns cat, dog, cat: which column is cat is unknown, so an error names the repeated name."""
        probs = pd.DataFrame(PROBS, columns=["cat", "dog", "cat"])
        with pytest.raises(LabelwiseError, match=r"each must be named once; \['cat'\] repeat"):
            lw.find_label_issues(NAMES[Y], probs)


class TestLabelQualityScoresHeader:
    def test_a_header_in_another_order_than_sorted_is_read_by_name(self):
        """Scores from columns fox, dog, cat equal those of the sorted array."""
        np.testing.assert_allclose(
            lw.label_quality_scores(NAMES[Y], _reordered([1, 2, 0])), lw.label_quality_scores(NAMES[Y], PROBS)
        )
