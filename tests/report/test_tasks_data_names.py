"""``data_names``: the data columns shown beside a report's own columns get names no other column has."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from labelwise.report._tasks._common import data_names

_NAMES = st.lists(st.sampled_from(["row", "data_row", "data_data_row", "x", "score", "id"]), unique=True)


@given(data=_NAMES, own=_NAMES)
def test_shown_names_are_all_distinct_and_each_renamed_one_ends_in_its_name(data, own):
    renamed = data_names(data, own)
    shown = [*own, *(renamed.get(c, c) for c in data)]
    assert len(shown) == len(set(shown))
    assert all(c in renamed for c in data if c in own)  # a taken name is never shown twice
    assert all(renamed[c].endswith(c) for c in renamed)  # the data's name stays readable: data_<name>


def test_a_data_column_row_is_shown_as_data_row():
    assert data_names(["row", "x"], ["row", "given"]) == {"row": "data_row"}
