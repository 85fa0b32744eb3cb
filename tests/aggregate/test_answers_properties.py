"""Input properties of ``aggregate.encode_answers`` (every aggregation method's first step): a list
or dict in the item, annotator or label column (nested JSON read as a table), in any row, is refused
naming the column and the row, with or without a declared label set; the same table with that value
as a text is accepted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import MajorityVote, encode_answers
from labelwise.errors import LabelwiseError

SETTINGS = settings(max_examples=40, deadline=None)


@st.composite
def tables_with_a_nested_value(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(1, 30))
    table = pd.DataFrame(
        {"item": rng.integers(0, 8, n), "annotator": rng.integers(0, 4, n), "label": rng.integers(0, 3, n)}
    ).astype(object)
    col = draw(st.sampled_from(["item", "annotator", "label"]))
    row = draw(st.integers(0, n - 1))
    value = draw(st.sampled_from([[1, 2], [], {"a": 1}, [[0]]]))
    table.at[row, col] = value
    return table, col, row, value


class TestNestedValues:
    @SETTINGS
    @given(case=tables_with_a_nested_value(), declared=st.booleans())
    def test_encode_answers_names_the_column_and_row(self, case, declared):
        """``encode_answers`` and a method's ``fit``: an error naming the column and the row (on main
        pandas' "unhashable type: 'list'")."""
        table, col, row, value = case
        labels = [0, 1, 2] if declared else None
        with pytest.raises(LabelwiseError, match=rf"column '{col}' must hold hashable .* row {row} is"):
            encode_answers(table, labels=labels)
        with pytest.raises(LabelwiseError, match=rf"column '{col}'"):
            MajorityVote().fit(table)
        fixed = table.copy()
        fixed.at[row, col] = str(value)
        if not declared or col != "label":
            encode_answers(fixed, labels=labels)
