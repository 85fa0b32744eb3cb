"""A 0/1 tag table given as a DataFrame (pd.get_dummies, a one-hot export). shapes47: main iterated the frame,
reading its column names as rows ("labels row 0 must be a list of tags, got 0", or 4 rows against 300)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.audit import multilabel
from labelwise.errors import InvalidLabelsError, ShapeMismatchError

TAGS = ["cat", "dog", "owl", "fox"]


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    truth = rng.random((200, len(TAGS))) < 0.3
    given = truth.copy()
    given[:10, 0] = ~given[:10, 0]
    probs = 1 / (1 + np.exp(-(np.where(truth, 2.5, -2.5) + rng.normal(0, 1, truth.shape))))
    return given, probs


def _same(got, ref) -> None:
    np.testing.assert_array_equal(got.is_issue, ref.is_issue)
    np.testing.assert_array_equal(got.classes, ref.classes)


@pytest.mark.parametrize("dtype", [bool, int, "boolean", "Int64"])
def test_a_frame_gives_the_result_of_its_matrix_with_its_columns_as_tags(dtype):
    """A DataFrame of 0/1 (numpy or nullable dtypes) is its matrix, its column names the tags."""
    given, probs = _data()
    got = multilabel.find_label_issues(pd.DataFrame(given, columns=TAGS).astype(dtype), probs)
    _same(got, multilabel.find_label_issues(given, probs, classes=TAGS))
    assert got.n_issues > 0


def test_columns_in_another_order_than_classes_are_matched_by_name():
    """classes name the columns of probs; the frame's columns, in another order, are put in that order."""
    given, probs = _data()
    frame = pd.DataFrame(given, columns=TAGS)[TAGS[::-1]]
    got = multilabel.find_label_issues(frame, probs, classes=TAGS)
    _same(got, multilabel.find_label_issues(given, probs, classes=TAGS))


def test_columns_that_are_not_the_classes_are_refused():
    """A frame whose columns are other tags than classes: an error naming the tag without a column."""
    given, probs = _data()
    frame = pd.DataFrame(given, columns=["cat", "dog", "owl", "bat"])
    with pytest.raises(ShapeMismatchError, match=r"^labels' columns must be the tags of classes.*no column for 'fox'"):
        multilabel.find_label_issues(frame, probs, classes=TAGS)


def test_a_missing_value_is_named_by_row_and_column():
    """A <NA> in a nullable 0/1 table: an error naming its row index and column."""
    given, probs = _data()
    frame = pd.DataFrame(given, columns=TAGS, index=np.arange(100, 300)).astype("Int64")
    frame.loc[117, "owl"] = pd.NA
    with pytest.raises(InvalidLabelsError, match=r"^labels must not contain missing values in a 0/1 table; row 117 column 'owl' is <NA>"):  # fmt: skip
        multilabel.find_label_issues(frame, probs)


def test_a_numbered_frame_is_read_as_its_array():
    """A frame built from an array (columns 0..K-1) gives the array's result, tags 0..K-1."""
    given, probs = _data()
    _same(multilabel.find_label_issues(pd.DataFrame(given), probs), multilabel.find_label_issues(given, probs))


class TestProbsHeader:
    """A probs DataFrame whose header names the tags is matched to them by name (main read it by position)."""

    def test_a_header_in_another_order_than_classes_is_matched_by_name(self):
        """probs' columns reversed, classes given: the result of probs in classes' order."""
        given, probs = _data()
        frame = pd.DataFrame(probs, columns=TAGS)[TAGS[::-1]]
        got = multilabel.find_label_issues(given, frame, classes=TAGS)
        _same(got, multilabel.find_label_issues(given, probs, classes=TAGS))

    def test_a_header_in_another_order_than_the_sorted_tags_is_matched_by_name(self):
        """Tags as "a|b" strings without classes (sorted tags): a header in another order is matched by name."""
        given, probs = _data()
        cells = ["|".join(np.array(TAGS)[row]) for row in given]
        frame = pd.DataFrame(probs, columns=TAGS)
        got = multilabel.find_label_issues(cells, frame)
        ref = multilabel.find_label_issues(given, probs, classes=TAGS)
        order = [TAGS.index(t) for t in got.classes]
        np.testing.assert_array_equal(got.is_issue, ref.is_issue[:, order])
        assert got.n_issues == ref.n_issues > 0

    def test_a_header_that_names_other_tags_is_refused(self):
        """A header naming some tags but not all: an error naming probs and the missing tag."""
        given, probs = _data()
        frame = pd.DataFrame(probs, columns=["cat", "dog", "owl", "bat"])
        with pytest.raises(ShapeMismatchError, match=r"^probs must have one column per class.*miss \['fox'\]"):
            multilabel.find_label_issues(given, frame, classes=TAGS)

    def test_a_header_of_other_names_keeps_the_column_order(self):
        """A header naming no tag (p0..p3) is read by position."""
        given, probs = _data()
        frame = pd.DataFrame(probs, columns=[f"p{j}" for j in range(len(TAGS))])
        _same(multilabel.find_label_issues(given, frame, classes=TAGS), multilabel.find_label_issues(given, probs, classes=TAGS))  # fmt: skip
