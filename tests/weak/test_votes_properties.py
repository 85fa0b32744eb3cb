"""Input properties of ``weak.as_votes`` and ``weak.self_consistency``: a list or dict in the item,
labeler or label column (nested JSON read as a table), in any row, is refused naming the column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import LabelwiseError
from labelwise.weak import as_votes, self_consistency

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
    @given(case=tables_with_a_nested_value())
    def test_weak_votes_and_self_consistency_name_the_column(self, case):
        """``as_votes`` (votes with an ``annotator`` column) and ``self_consistency`` name the column."""
        table, col, _, _ = case
        with pytest.raises(LabelwiseError, match=rf"column '{'labeler' if col == 'annotator' else col}'"):
            as_votes(table)
        if col != "annotator":  # self_consistency does not read the sample column
            with pytest.raises(LabelwiseError, match=rf"column '{col}'"):
                self_consistency(table)
