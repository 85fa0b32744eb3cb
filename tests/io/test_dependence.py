"""``summary.json``'s dependent annotators read by ``load_aggregate`` (``labelwise.io.dependence``).

On main ``AggregateOutput`` had neither ``dependent_pairs`` nor ``dependent_rings``: what
``labelwise aggregate`` wrote there (sessions 15 and 43) was read by no reader.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from labelwise.io.dependence import PAIR_COLUMNS, dependent_pairs_of, dependent_rings_of
from labelwise.io.outputs import load_aggregate

PAIR = {"annotator_a": "a1", "annotator_b": "a2", "n_shared": 80.0, "agreements": 70.0, "expected": 41.5, "z": 6.2}


class TestDependentPairsOf:
    @pytest.mark.parametrize("summary", [{}, {"dependent_pairs": None}, {"dependent_pairs": []}])
    def test_no_pairs_when_absent_null_or_empty(self, summary):
        """A folder written before the field, a method without the check, no pair found: no rows, same columns."""
        frame = dependent_pairs_of(summary)
        assert list(frame.columns) == list(PAIR_COLUMNS) and frame.empty

    def test_reads_each_pair_names_as_text(self):
        """Each entry is a row; integer annotator names become text, as annotators.csv is read."""
        frame = dependent_pairs_of({"dependent_pairs": [PAIR, {**PAIR, "annotator_a": 3, "annotator_b": 7}]})
        assert frame["annotator_a"].tolist() == ["a1", "3"] and frame["annotator_b"].tolist() == ["a2", "7"]
        assert frame["z"].tolist() == [6.2, 6.2] and frame["n_shared"].dtype == np.float64

    def test_entries_without_both_names_are_left_out(self):
        """An edited file's entries that are not an object naming both annotators are dropped, a missing
        number is NaN."""
        raw = [PAIR, "a1,a2", {"annotator_a": "x"}, {"annotator_a": "x", "annotator_b": True}, {**PAIR, "z": "?"}]
        frame = dependent_pairs_of({"dependent_pairs": raw})
        assert len(frame) == 2 and np.isnan(frame["z"].iloc[1])

    @given(st.lists(st.tuples(st.text(min_size=1), st.text(min_size=1), st.floats(allow_nan=False)), max_size=8))
    def test_any_names_round_trip_through_json(self, pairs):
        """Any names (markup, quotes, unicode) come back as written, one row per pair."""
        summary = {"dependent_pairs": [{**PAIR, "annotator_a": a, "annotator_b": b, "z": z} for a, b, z in pairs]}
        frame = dependent_pairs_of(json.loads(json.dumps(summary)))
        assert list(zip(frame["annotator_a"], frame["annotator_b"], frame["z"], strict=True)) == pairs


class TestDependentRingsOf:
    @pytest.mark.parametrize("summary", [{}, {"dependent_rings": None}, {"dependent_rings": "a,b"}])
    def test_no_rings_when_absent_or_null(self, summary):
        """No field, ``null`` or a value that is not a list: no rings."""
        assert dependent_rings_of(summary) == []

    def test_each_ring_s_accounts_as_text_bad_entries_left_out(self):
        """Rings in the file's order, members as text; an empty ring or one of non-names is dropped."""
        raw = [["a", "a_copy1", 5], [], "x", [["nested"]], ["b", "c", "d"]]
        assert dependent_rings_of({"dependent_rings": raw}) == [["a", "a_copy1", "5"], ["b", "c", "d"]]


def _folder(tmp_path, summary: dict | None):
    pd.DataFrame({"item": ["q1", "q2"], "label": ["x", "y"]}).to_csv(tmp_path / "labels.csv", index=False)
    pd.DataFrame({"annotator": ["a1", "a2"]}).to_csv(tmp_path / "annotators.csv", index=False)
    if summary is not None:
        (tmp_path / "summary.json").write_text(json.dumps(summary))
    return tmp_path


class TestLoadAggregate:
    def test_reads_the_dependent_pairs_and_rings(self, tmp_path):
        """``load_aggregate`` gives summary.json's dependent pairs (a table) and copy rings."""
        agg = load_aggregate(_folder(tmp_path, {"method": "dawid-skene", "dependent_pairs": [PAIR],
                                                "dependent_rings": [["a1", "a2", "a3"]]}))  # fmt: skip
        assert agg.dependent_pairs[["annotator_a", "annotator_b"]].values.tolist() == [["a1", "a2"]]
        assert agg.dependent_rings == [["a1", "a2", "a3"]]

    @pytest.mark.parametrize(
        "summary", [None, {"method": "majority"}, {"dependent_pairs": None, "dependent_rings": None}]
    )
    def test_an_older_folder_or_another_method_loads_with_none(self, tmp_path, summary):
        """No summary.json, one without the fields (older runs), or the ``null`` of a method without the
        check: the folder loads, with no pairs and no rings."""
        agg = load_aggregate(_folder(tmp_path, summary))
        assert agg.dependent_pairs.empty and agg.dependent_rings == []


class TestCopyMarks:
    def test_a_ring_s_accounts_and_a_pair_s_members_are_marked(self):
        """A ring's accounts say their ring and its size, a pair's members outside a ring their partners."""
        from labelwise.io.dependence import copy_marks

        pairs = dependent_pairs_of({"dependent_pairs": [PAIR, {**PAIR, "annotator_a": "r1", "annotator_b": "r2"}]})
        marks = copy_marks(pairs, [["r1", "r2", "r3"]])
        assert marks == {
            "r1": "copy ring 1 of 3 accounts",
            "r2": "copy ring 1 of 3 accounts",
            "r3": "copy ring 1 of 3 accounts",
            "a1": "dependent on a2",
            "a2": "dependent on a1",
        }

    def test_the_review_and_the_report_mark_with_this_one_function(self):
        """The review's cards and the report's annotator table use the same words: one function."""
        from labelwise.io.dependence import copy_marks
        from labelwise.report._dependence import copy_marks as report_marks
        from labelwise.review.crowd import copy_marks as review_marks

        assert review_marks is copy_marks and report_marks is copy_marks
