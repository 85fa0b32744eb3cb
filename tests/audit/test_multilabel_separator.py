"""``find_label_issues(..., tag_separator=...)``: string tags split at any separator, written back with it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from labelwise._tag_cells import split_tags
from labelwise.audit import multilabel
from labelwise.errors import InvalidLabelsError, InvalidParameterError


def _case(seed: int = 0):
    rng = np.random.default_rng(seed)
    truth = rng.random((200, 3)) < 0.4
    probs = np.clip(np.where(truth, 0.9, 0.1) + rng.normal(0, 0.05, truth.shape), 0.01, 0.99)
    given = truth.copy()
    given[:10, 1] = ~given[:10, 1]
    return given, probs


class TestSeparator:
    @pytest.mark.parametrize("sep", [";", "//", "+"])
    def test_any_separator_gives_the_results_of_the_bar(self, sep):
        """Tags joined by sep and read with tag_separator=sep: the flags and frame of '|', joined by sep."""
        given, probs = _case()
        bar = multilabel.find_label_issues(["|".join(BAR[r]) for r in given], probs)
        other = multilabel.find_label_issues([sep.join(OTHER[r]) for r in given], probs, tag_separator=sep)
        np.testing.assert_array_equal(other.is_issue, bar.is_issue)
        assert other.classes.tolist() == ["dog", "owl", "x|y"]  # a tag holding '|', once '|' is no separator
        frame, expected = other.to_frame(), bar.to_frame()
        for column in ("given_tags", "suggested_tags", "missing_tags", "spurious_tags"):
            assert frame[column].tolist() == [_respelled(c, sep) for c in expected[column]]

    def test_the_default_separator_still_splits_at_the_bar(self):
        """No tag_separator: 'cat|dog' is two tags."""
        given, probs = _case()
        names = np.array(["cat", "dog", "owl"])
        result = multilabel.find_label_issues(["|".join(names[r]) for r in given], probs)
        assert result.classes.tolist() == ["cat", "dog", "owl"] and result.tag_separator == "|"

    def test_digit_tags_split_at_the_separator_are_column_numbers(self):
        """'0;2' with ';' is columns 0 and 2, as '0|2' is with '|'."""
        given, probs = _case()
        cells = [";".join(str(j) for j in np.flatnonzero(r)) for r in given]
        result = multilabel.find_label_issues(cells, probs, tag_separator=";")
        assert result.classes.tolist() == [0, 1, 2]
        np.testing.assert_array_equal(result.given, given)

    @pytest.mark.parametrize("sep", ["", " ; ", 1])
    def test_a_bad_separator_is_named(self, sep):
        """An empty, spaced or non-text separator: an error naming tag_separator."""
        given, probs = _case()
        with pytest.raises(InvalidParameterError, match="tag_separator must be a non-empty string"):
            multilabel.find_label_issues(given, probs, tag_separator=sep)


#: The tags of the '|' run, and of the other separator's run ('x|y' where '|' cannot hold it).
BAR, OTHER = np.array(["x_y", "dog", "owl"]), np.array(["x|y", "dog", "owl"])


def _respelled(cell: str, sep: str) -> str:
    """A cell of the '|' run as the other run writes it: 'x_y' is 'x|y', tags joined by ``sep``."""
    return sep.join(t.replace("x_y", "x|y") for t in cell.split("|")) if cell else ""


class TestTagListsWrittenBack:
    @settings(max_examples=40, deadline=None)
    @given(
        names=st.lists(st.text(alphabet="ab:| ", min_size=1, max_size=3), min_size=1, max_size=4, unique=True),
        sep=st.sampled_from(["|", ";", "::"]),
        seed=st.integers(0, 10_000),
    )
    @example(names=["a|b", "c"], sep="|", seed=0)  # to_frame wrote 'a|b|c': three tags (props38)
    @example(names=["a:", "b"], sep="::", seed=0)  # 'a:::b' reads 'a' and ':b'
    @example(names=[" a", "b"], sep="|", seed=0)  # reads 'a'
    def test_to_frame_cells_read_back_as_the_given_and_suggested_tags(self, names, sep, seed):
        """Tags given as lists (JSON Lines, Parquet, Python): each tag cell of ``to_frame`` split at
        ``tag_separator`` gives back that row's given and suggested tags, or the audit refuses the
        tags before anything is written, naming ``labels``."""
        rng = np.random.default_rng(seed)
        given = rng.random((30, len(names))) < 0.5
        probs = np.clip(np.where(given, 0.8, 0.2) + rng.normal(0, 0.3, given.shape), 0, 1)
        rows = [[names[j] for j in np.flatnonzero(r)] for r in given]
        try:
            res = multilabel.find_label_issues(rows, probs, classes=names, tag_separator=sep)
        except InvalidLabelsError as err:
            assert str(err).startswith("classes name the tag ")
            assert any(split_tags(f"x{sep}{t}{sep}x", sep) != ["x", t, "x"] for t in names)
            return
        frame = res.to_frame()
        for col, mask in (("given_tags", res.given), ("suggested_tags", res.suggested)):
            read = [split_tags(cell, sep) for cell in frame[col]]
            assert read == [[names[j] for j in np.flatnonzero(mask[r])] for r in frame["row"]]

    def test_a_tag_holding_the_separator_is_named_without_classes(self):
        """Tags found in the lists (no ``classes``): the error names ``labels`` and the tag."""
        probs = np.full((4, 2), 0.5)
        expected = r"^labels use the tag 'a\|b', which a cell joined by '\|' would read back as \['a', 'b'\]"
        with pytest.raises(InvalidLabelsError, match=expected):
            multilabel.find_label_issues([["a|b", "c"], ["c"], [], ["a|b"]], probs)
