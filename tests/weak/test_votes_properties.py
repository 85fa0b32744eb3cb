"""Input properties of ``weak.as_votes`` and ``weak.self_consistency``: a list or dict in the item,
labeler or label column (nested JSON read as a table), in any row, is refused naming the column."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from labelwise.errors import LabelwiseError
from labelwise.weak import as_votes, self_consistency
from tests.aggregate.test_answers_properties import tables_with_a_nested_value

SETTINGS = settings(max_examples=40, deadline=None)


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
