"""A change log that carries the data's ids (``labelwise export``'s, after ``row``) is matched to the test
items by id when the test labels come with that column: the log's rows are the audited table's, which is
rarely the test set (its ``split == "test"`` rows) nor in its order (session 47's walk)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.errors import InvalidLabelsError
from labelwise.evaluate import corrections_from_changes, read_corrections

#: An audited table of 8 rows, ids as text; the test set is 4 of them, in another order.
AUDITED = pd.DataFrame({"id": [f"{i:03d}" for i in range(8)], "label": list("aabbabab")})
TEST = AUDITED.iloc[[6, 1, 4, 3]].reset_index(drop=True)  # ids 006, 001, 004, 003


def _log(path, rows, actions, labels):
    """A change log as ``labelwise export`` writes it: row, id, action, new_label..."""
    ids = AUDITED["id"].to_numpy()[rows]
    pd.DataFrame({"row": rows, "id": ids, "action": actions, "new_label": labels}).to_csv(path, index=False)


class TestMatchById:
    def test_entries_land_on_the_test_items_of_their_id(self, tmp_path):
        """Row 4 of the audited table (id 004) is item 2 of the test set, whatever the row numbers say."""
        _log(tmp_path / "cleaned.changes.csv", [4, 3], ["relabel", "exclude"], ["b", None])
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # every entry is a test item's: no warning
            res = read_corrections(tmp_path, TEST["label"].to_numpy(), ids=TEST)
        assert list(res.corrected) == ["a", "a", "b", None]

    def test_ids_are_compared_as_written(self, tmp_path):
        """``007`` in the log is not the test item ``7``: no id matches, so the log is refused."""
        pd.DataFrame({"row": [0], "id": ["007"], "action": ["relabel"], "new_label": ["b"]}).to_csv(
            tmp_path / "log.changes.csv", index=False
        )
        test = pd.DataFrame({"id": ["7", "8"], "label": ["a", "a"]})
        with pytest.raises(InvalidLabelsError, match=r"none of its ids is a test item's: '007'"):
            read_corrections(tmp_path / "log.changes.csv", test["label"].to_numpy(), ids=test)

    def test_entries_outside_the_test_set_are_left_out_with_a_warning_naming_them(self, tmp_path):
        """Corrections of audited rows that are not test items (the train split) are dropped, named."""
        _log(tmp_path / "cleaned.changes.csv", [0, 6, 2], ["relabel", "relabel", "exclude"], ["b", "b", None])
        with pytest.warns(UserWarning, match=r"2 of 3 corrections name ids that are not test items \('000' \(line 2\)"):
            res = read_corrections(tmp_path, TEST["label"].to_numpy(), ids=TEST)
        assert list(res.corrected) == ["b", "a", "a", "b"]

    def test_a_log_of_other_data_is_refused_naming_ids_of_both(self, tmp_path):
        """No id of the log is a test item's: refused, with a few ids of the log and of the test set."""
        pd.DataFrame(
            {"row": [0, 1], "id": ["x1", "x2"], "action": ["relabel", "keep"], "new_label": ["b", "a"]}
        ).to_csv(tmp_path / "cleaned.changes.csv", index=False)
        with pytest.raises(InvalidLabelsError, match=r"'x1', 'x2' in .*; '006', '001', '004', '003' in the test set"):
            read_corrections(tmp_path, TEST["label"].to_numpy(), ids=TEST)

    def test_repeated_test_ids_are_refused(self):
        """Two test items of one id: which one a correction names is unknown, so it is an error."""
        changes = pd.DataFrame({"row": [0], "id": ["a"], "action": ["relabel"], "new_label": ["y"]})
        with pytest.raises(InvalidLabelsError, match=r"must be distinct, 'a' names the items 0 and 2"):
            corrections_from_changes(changes, np.array(["x", "x", "x"], dtype=object), ids=["a", "b", "a"])

    def test_without_ids_the_row_is_the_position_as_before(self, tmp_path):
        """No ``ids`` (or a test table without the log's id column): rows are positions, as before."""
        _log(tmp_path / "cleaned.changes.csv", [2], ["relabel"], ["b"])
        given = np.array(["a", "a", "a"], dtype=object)
        assert list(read_corrections(tmp_path, given).corrected) == ["a", "a", "b"]
        other = pd.DataFrame({"key": ["p", "q", "r"]})
        assert list(read_corrections(tmp_path, given, ids=other).corrected) == ["a", "a", "b"]

    def test_an_aggregations_item_column_is_its_id(self):
        """An aggregation's log (``row, item, action...``) matches by ``item``."""
        changes = pd.DataFrame({"row": [5], "item": ["q07"], "action": ["relabel"], "new_label": ["dog"]})
        res = corrections_from_changes(changes, np.array(["cat", "cat"], dtype=object), ids=["q03", "q07"])
        assert list(res.corrected) == ["cat", "dog"]


class TestEvaluateCommandById:
    def test_evaluate_matches_a_labels_table_by_the_logs_id_column(self, tmp_path):
        """``--labels test.csv`` with the id column: the log's row 4 corrects the test item of id 004."""
        _log(tmp_path / "cleaned.changes.csv", [4], ["relabel"], ["b"])
        TEST.to_csv(tmp_path / "test.csv", index=False)
        (tmp_path / "preds").mkdir()
        pd.DataFrame({"pred": ["a", "a", "b", "b"]}).to_csv(tmp_path / "preds" / "m.csv", index=False)
        res = CliRunner().invoke(
            main,
            [
                "evaluate",
                str(tmp_path / "preds"),
                "--labels",
                str(tmp_path / "test.csv"),
                "--label-column",
                "label",
                "--corrections",
                str(tmp_path),
                "--out",
                str(tmp_path / "ev"),
            ],
        )
        assert res.exit_code == 0, res.output
        table = pd.read_csv(tmp_path / "ev" / "table.csv")
        assert table["original"].iloc[0] == pytest.approx(0.75)  # b at item 2 is wrong on the given a
        assert table["corrected"].iloc[0] == pytest.approx(1.0)  # and right once 004 is relabelled b
