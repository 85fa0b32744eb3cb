"""Tests of weak._votes: the dense matrix view of a long vote table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import InvalidLabelsError
from labelwise.weak import as_votes


class TestVotesMatrix:
    @settings(max_examples=30, deadline=None)
    @given(seed=st.integers(0, 10_000), coverage=st.floats(0.0, 1.0))
    def test_long_table_with_names_gives_the_matrix_back(self, seed, coverage):
        """A long table with string items, labelers and classes, rows shuffled: matrix() is the votes."""
        rng = np.random.default_rng(seed)
        codes = np.where(rng.random((30, 4)) < coverage, rng.integers(0, 3, (30, 4)), -1)
        codes[0] = [0, 1, 2, -1]  # a long table holds only voted items and seen labels: vote on each
        items = np.array([f"item{i:02d}" for i in range(30)])
        labelers, classes = ["zeta", "alpha", "mid", "beta"], np.array(["cat", "dog", "eel"])
        r, c = np.nonzero(codes >= 0)
        order = rng.permutation(len(r))
        table = pd.DataFrame(
            {"item": items[r][order], "labeler": np.array(labelers)[c][order], "label": classes[codes[r, c]][order]}
        )
        votes = as_votes(table)
        got = votes.matrix()
        for i, item in enumerate(votes.items):
            for j, name in enumerate(votes.labelers):
                want = codes[int(item[4:]), labelers.index(name)]
                assert got[i, j] == (-1 if want < 0 else list(votes.classes).index(classes[want]))


class TestPositions:
    @settings(max_examples=50, deadline=None)
    @given(
        start=st.integers(-20, 20),
        stop=st.integers(-40, 40),
        step=st.integers(-4, 4).filter(bool),
        values=st.lists(st.integers(-50, 50), max_size=30),
    )
    def test_integers_on_a_range_index_are_their_positions(self, start, stop, step, values):
        """Integer items on a RangeIndex get the positions get_indexer gives (-1 when absent)."""
        from labelwise.weak._votes import _positions

        index = pd.RangeIndex(start, stop, step)
        got = _positions(index, pd.Series(values, dtype=np.int64))
        np.testing.assert_array_equal(got, index.get_indexer(pd.Index(values, dtype=np.int64)))


class TestErrorRows:
    def test_a_list_is_named_by_the_row_of_the_votes_frame(self):
        """Rows without a label are dropped before encoding, yet the error names the frame's own row
        (on main the row among the labelled ones: 1) and its index label, parameter and value type."""
        table = pd.DataFrame(
            {"item": [0, 1, 2, 3], "labeler": [0, 1, 0, 1], "label": [None, "a", ["x"], "b"]}, index=list("pqrs")
        )
        with pytest.raises(
            InvalidLabelsError,
            match=r"votes column 'label' must hold hashable labels \(text, numbers\), row 2 \(index 'r'\) is list \['x'\]$",
        ):
            as_votes(table)

    def test_an_undeclared_label_is_named_by_the_row_of_the_votes_frame(self):
        """A label outside ``classes`` after a dropped unlabelled row: the frame's own row (on main 1)."""
        table = pd.DataFrame({"item": [0, 1, 2], "labeler": [0, 1, 0], "label": [None, "a", "z"]})
        with pytest.raises(InvalidLabelsError, match=r"classes \['a', 'b'\]; row 2 \(item 2, labeler 0\) has 'z'$"):
            as_votes(table, classes=["a", "b"])
