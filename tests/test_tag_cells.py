"""``labelwise._tag_cells``: the one split and join of tag cells, and the check of a separator."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from labelwise._tag_cells import check_separator, join_tags, split_tags
from labelwise.errors import InvalidLabelsError, InvalidParameterError

#: Tags without surrounding spaces, free to hold '|' and ';'.
TAG = st.text(alphabet="ab|;c d_", min_size=1, max_size=6).map(str.strip).filter(bool)


class TestSplitTags:
    def test_splits_strips_and_drops_blanks(self):
        """' cat | dog||' is cat and dog."""
        assert split_tags(" cat | dog||") == ["cat", "dog"]

    def test_another_separator_keeps_the_default_one_inside_a_tag(self):
        """With ';', 'a|b;c' is the tags 'a|b' and 'c'."""
        assert split_tags("a|b;c", ";") == ["a|b", "c"]

    def test_a_separator_of_several_characters(self):
        """' // ' reads 'x//y' as x and y."""
        assert split_tags("x//y", "//") == ["x", "y"]

    def test_no_separator_reads_the_text_as_one_tag(self):
        """None: the whole text as written, one tag; blank: none."""
        assert split_tags("a|b ", None) == ["a|b "] and split_tags("  ", None) == []

    @given(tags=st.lists(TAG, max_size=5), sep=st.sampled_from(["|", ";", "//", "::"]))
    def test_join_then_split_gives_the_tags_back(self, tags, sep):
        """Any tags without the separator: split(join(tags, sep), sep) == tags, for every separator alike."""
        tags = [t for t in tags if sep not in t]
        assert split_tags(join_tags(tags, sep), sep) == tags

    @given(tags=st.lists(TAG.filter(lambda t: "|" not in t and ";" not in t), max_size=5))
    def test_the_separator_does_not_change_the_tags(self, tags):
        """A cell written with ';' read with ';' gives what it gives written with '|' read with '|'."""
        assert split_tags(join_tags(tags, ";"), ";") == split_tags(join_tags(tags, "|"), "|")

    @given(
        tags=st.lists(st.text(alphabet="a:/| ;", max_size=4), max_size=4),
        sep=st.sampled_from(["|", ";", "//", "::", ":/:", "a:"]),
    )
    @example(tags=["a:", "b"], sep="::")  # written 'a:::b', read 'a' and ':b' (props38)
    @example(tags=["R&D|ops", "sales"], sep="|")
    @example(tags=[" a"], sep="|")
    @example(tags=["a", ""], sep=";")
    def test_any_tags_read_back_as_written_or_are_refused(self, tags, sep):
        """Whatever the tags (blank, spaced, holding the separator or the start of a longer one), a
        joined cell splits back into exactly them, or ``join_tags`` refuses it naming the tag: a
        table never reads back other tags than were written. Each refused list holds a tag that
        does not read back from some cell (the refusal is not broader than that)."""
        try:
            cell = join_tags(tags, sep)
        except InvalidLabelsError as err:
            assert str(err).startswith("tags hold the tag ")
            assert any(split_tags(f"x{sep}{t}{sep}x", sep) != ["x", t, "x"] for t in tags)
        else:
            assert split_tags(cell, sep) == tags


class TestCheckSeparator:
    @pytest.mark.parametrize("value", ["", "  ", " | ", "| ", 3, None])
    def test_empty_spaced_or_not_text_is_refused_naming_the_parameter(self, value):
        """The error names the parameter, what it must be and the value."""
        with pytest.raises(InvalidParameterError, match=r"--sep must be a non-empty string without surrounding"):
            check_separator(value, "--sep")

    def test_none_only_where_allowed(self):
        """none=True lets None through (the aggregator's 'a string is one tag')."""
        assert check_separator(None, none=True) is None and check_separator(";") == ";"
