"""Corrections from a review change log, a file of fixed labels, and per-item human counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.errors import DataFileError, InvalidLabelsError, MissingColumnError
from labelwise.evaluate import (
    corrections_from_changes,
    corrections_from_counts,
    read_corrections,
)


def _changes():
    return pd.DataFrame(
        {
            "row": [1, 3, 4],
            "action": ["relabel", "exclude", "keep"],
            "new_label": ["dog", None, "cat"],
        }
    )


class TestChanges:
    def test_relabel_exclude_keep(self):
        """relabel sets the new label, exclude gives None, keep leaves the given label."""
        given = np.array(["cat", "cat", "dog", "dog", "cat"], dtype=object)
        res = corrections_from_changes(_changes(), given)
        assert list(res.corrected) == ["cat", "dog", "dog", None, "cat"]

    def test_row_outside_the_test_set(self):
        """A correction for an item not in the test set names the row."""
        ch = pd.DataFrame({"row": [7], "action": ["relabel"], "new_label": ["dog"]})
        with pytest.raises(InvalidLabelsError, match="not in the test set: row 7"):
            corrections_from_changes(ch, np.array(["cat"] * 5, dtype=object))

    def test_integer_labels_read_back_from_csv(self, tmp_path):
        """A review folder's cleaned.changes.csv with numeric labels gives int labels."""
        pd.DataFrame({"row": [0, 2], "action": ["relabel", "relabel"], "new_label": [3, 1]}).to_csv(
            tmp_path / "cleaned.changes.csv", index=False
        )
        res = read_corrections(tmp_path, np.array([0, 0, 0]))
        assert list(res.corrected) == [3, 0, 1]

    def test_fixed_label_table_and_npy(self, tmp_path):
        """A row,label table relabels listed rows (empty label excludes); a .npy is taken whole."""
        pd.DataFrame({"row": [0, 1], "label": [2, None]}).to_csv(tmp_path / "fix.csv", index=False)
        assert list(read_corrections(tmp_path / "fix.csv", np.array([0, 0, 0])).corrected) == [2, None, 0]
        np.save(tmp_path / "fix.npy", np.array([1, 1, 1]))
        assert list(read_corrections(tmp_path / "fix.npy", np.array([0, 0, 0])).corrected) == [1, 1, 1]

    def test_number_beside_an_empty_cell_is_the_text_label_it_spells(self, tmp_path):
        """Text labels '0'..'9' (an .npy of str) with a row,label CSV whose empty cell excludes a row: the
        column is read as floats and 5.0 became the label '5.0', a class of its own (every fix wrong)."""
        pd.DataFrame({"row": [0, 1, 2], "label": [5, None, 12]}).to_csv(tmp_path / "fix.csv", index=False)
        given = np.array(["0", "3", "7", "5"])
        assert list(read_corrections(tmp_path / "fix.csv", given).corrected) == ["5", None, "12", "5"]
        pd.DataFrame({"row": [0], "label": [2.5]}).to_csv(tmp_path / "half.csv", index=False)
        assert list(read_corrections(tmp_path / "half.csv", given).corrected) == ["2.5", "3", "7", "5"]

    def test_missing_folder_file_and_columns(self, tmp_path):
        """A folder without the change log, or a table without row/label, is a clear error."""
        with pytest.raises(DataFileError, match="cleaned.changes.csv"):
            read_corrections(tmp_path, [0, 1])
        pd.DataFrame({"x": [1]}).to_csv(tmp_path / "bad.csv", index=False)
        with pytest.raises(MissingColumnError, match="'row' and 'label'"):
            read_corrections(tmp_path / "bad.csv", [0, 1])


class TestCounts:
    def test_plurality_with_ties_keeping_the_given_label(self):
        """The plurality wins; a tie that includes the given label keeps it; no votes excludes."""
        counts = np.array([[3, 1, 0], [1, 4, 0], [2, 2, 0], [0, 0, 0]])
        res = corrections_from_counts(counts, [0, 0, 1, 2])
        assert list(res.corrected) == [0, 1, 1, None]
        np.testing.assert_allclose(res.soft_labels[1], [0.2, 0.8, 0.0])
        np.testing.assert_allclose(res.soft_labels[3], [0, 0, 1])

    def test_counts_rows_must_match(self):
        """Counts for a different number of items are refused."""
        with pytest.raises(Exception, match="one row per test item"):
            corrections_from_counts(np.ones((2, 3)), [0, 1, 2])

    def test_counts_that_are_not_numbers_are_named(self):
        """Text in the vote counts was numpy's 'could not convert string to float' ValueError."""
        from labelwise.errors import InvalidParameterError

        with pytest.raises(InvalidParameterError, match="counts must hold numbers of votes .* 'a'"):
            corrections_from_counts(np.array([["a", "b"]]), [0])

    def test_text_labels_name_the_count_columns_in_sorted_order(self):
        """Given 'no'/'yes' with two count columns was 'given must be one of the classes' (classes were 0, 1)."""
        counts = np.array([[1, 2], [3, 0], [0, 2]])
        fix = corrections_from_counts(counts, np.array(["no", "yes", "no"]))
        assert fix.corrected.tolist() == ["yes", "no", "yes"]
        ref = corrections_from_counts(counts, np.array(["no", "yes", "no"]), classes=["no", "yes"])
        np.testing.assert_array_equal(fix.soft_labels, ref.soft_labels)
        with pytest.raises(InvalidLabelsError, match="2 distinct labels but counts has 3 columns: pass classes="):
            corrections_from_counts(np.ones((2, 3)), np.array(["no", "yes"]))
