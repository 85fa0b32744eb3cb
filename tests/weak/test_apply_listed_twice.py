"""One labeling function listed twice is told to be removed, not renamed (weakwalk50).

``weak.apply([has_link, other, has_link], df)`` said "rename one with @labeling_function(name=...)":
following it makes the copy a second function with the same votes, counted twice by the label model.
"""

from __future__ import annotations

import pandas as pd
import pytest

from labelwise import weak
from labelwise.errors import InvalidParameterError


@weak.labeling_function()
def has_link(row):
    return "spam" if "http" in row.text else None


@weak.labeling_function()
def short(row):
    return "ham" if len(row.text) < 5 else None


FRAME = pd.DataFrame({"text": ["http://a", "ok", "hello there"]})


class TestListedTwice:
    def test_the_same_function_twice_is_told_to_be_removed(self):
        """lfs[0] and lfs[2] being one function is said so, with no advice to rename it."""
        with pytest.raises(
            InvalidParameterError, match=r"lfs\[0\] and lfs\[2\] are the same labeling function 'has_link'.*remove one"
        ) as info:
            weak.apply([has_link, short, has_link], FRAME)
        assert "name=" not in str(info.value)

    def test_a_plain_function_listed_twice_is_said_so_too(self):
        """A plain function (wrapped by apply) listed twice gets the same words."""

        def plain(row):
            return None

        with pytest.raises(InvalidParameterError, match="are the same labeling function 'plain'"):
            weak.apply([plain, plain], FRAME)

    def test_two_functions_of_one_name_are_still_told_to_rename(self):
        """Two different functions sharing a name keep the rename advice."""
        other = weak.labeling_function(name="has_link")(lambda row: None)
        with pytest.raises(InvalidParameterError, match=r"must have unique names.*name=\.\.\."):
            weak.apply([has_link, other], FRAME)
