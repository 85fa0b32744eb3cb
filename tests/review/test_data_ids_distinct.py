"""The id column's cells all distinct (:func:`labelwise.review._data_ids._all_distinct`): pandas texts held by
pyarrow are sorted and compared with their neighbours instead of hashed, with the same answer."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.review._data_ids import _all_distinct


class TestAllDistinct:
    @settings(max_examples=120, deadline=None)
    @given(cells=st.lists(st.text(alphabet="ab é\x00", max_size=3), max_size=12))
    def test_texts_held_by_pyarrow_give_the_hashed_answer(self, cells):
        """Any texts (empty, repeated, a NUL, accents), in pyarrow's and in Python's string storage and as objects:
        the answer of hashing each cell's text."""
        expected = pd.Series(cells, dtype=object).astype(str).is_unique
        for dtype in (pd.StringDtype("pyarrow", na_value=float("nan")), pd.StringDtype("python"), object):
            assert _all_distinct(pd.Series(cells, dtype=dtype)) == expected

    def test_numbers_are_compared_as_their_texts(self):
        """Integers and floats go through their texts, as before (``1`` and ``1.0`` differ)."""
        assert _all_distinct(pd.Series([1, 2, 3])) and not _all_distinct(pd.Series([1, 2, 1]))
        assert _all_distinct(pd.Series([1, 1.0], dtype=object))
