"""Change logs naming items outside the test set or one item twice (session 41)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import InvalidLabelsError
from labelwise.evaluate import corrections_from_changes, read_corrections


class TestRowsOutsideTheTestSet:
    def test_all_outside_rows_are_named_with_their_lines(self):
        """Rows 9, -1 and 7 of a 5-item test set are all named, with the count, not only the first (a row 2.5:
        tests/evaluate/test_corrections_row_cells.py)."""
        ch = pd.DataFrame({"row": [1, 9, -1, 7], "action": "relabel", "new_label": ["dog"] * 4})
        with pytest.raises(InvalidLabelsError, match=r"3 corrections .* row 9 \(line 3\), row -1 \(line 4\), row 7"):
            corrections_from_changes(ch, np.array(["cat"] * 5, dtype=object))


class TestOneItemTwice:
    def test_relabel_then_exclude_is_refused(self, tmp_path):
        """A row relabelled on one line and excluded on another: which one counts was the order of the lines."""
        (tmp_path / "fix.csv").write_text("row,label\n3,dog\n0,dog\n3,\n")
        with pytest.raises(InvalidLabelsError, match=r"row 3 is set to 'dog' \(line 2\) and to None \(line 4\)"):
            read_corrections(tmp_path / "fix.csv", np.array(["cat"] * 5, dtype=object))

    def test_keep_after_relabel_is_refused(self):
        """keep (the given label) and relabel (another) for one row disagree."""
        ch = pd.DataFrame({"row": [2, 2], "action": ["relabel", "keep"], "new_label": ["dog", None]})
        with pytest.raises(InvalidLabelsError, match="row 2 is set to 'dog'"):
            corrections_from_changes(ch, np.array(["cat"] * 4, dtype=object))

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.tuples(st.integers(0, 5), st.sampled_from(["a", "b", None])), min_size=1, max_size=12))
    def test_a_log_is_accepted_iff_no_row_gets_two_values_and_line_order_does_not_matter(self, lines):
        """Accepted exactly when every row gets one value; then the result does not depend on the line order."""
        g = np.array(["a"] * 6, dtype=object)
        ch = pd.DataFrame(
            {
                "row": [r for r, _ in lines],
                "action": ["exclude" if v is None else "relabel" for _, v in lines],
                "new_label": [v for _, v in lines],
            }
        )
        values: dict[int, set] = {}
        for r, v in lines:
            values.setdefault(r, set()).add(v)
        if any(len(v) > 1 for v in values.values()):
            with pytest.raises(InvalidLabelsError, match="must correct each test item once"):
                corrections_from_changes(ch, g)
            return
        forward = corrections_from_changes(ch, g).corrected
        backward = corrections_from_changes(ch.iloc[::-1].reset_index(drop=True), g).corrected
        assert list(forward) == list(backward)
        assert [forward[r] for r in values] == [next(iter(v)) for v in values.values()]
