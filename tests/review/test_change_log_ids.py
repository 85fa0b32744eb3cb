"""The review's records (the change log of ``labelwise export``, the Label Studio tasks) carry the data's id
as written beside the row, so that a user joins them back to the table by id (session 47's walk: they
carried the row number only, which joins the wrong rows of a re-sorted table)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.io import read_annotations
from labelwise.io.outputs import load_audit
from labelwise.review import DecisionStore, cleaned_table, export_cleaned, label_studio_tasks
from tests.review._ids_audit import audit_with_decisions as _audit


class TestChangeLogIds:
    def test_change_log_has_the_zero_padded_id_right_after_the_row(self, tmp_path):
        """An id column of ``007``-style texts is in the log as written, beside the row, under its own name."""
        out = _audit(tmp_path)
        res = export_cleaned(out, tmp_path / "clean.csv")
        log = pd.read_csv(res.log_path, dtype=str)
        assert list(log.columns[:3]) == ["row", "id", "action"]
        assert log[["row", "id"]].values.tolist() == [["7", "007"], ["12", "012"]]
        assert res.id_column == "id"

    @pytest.mark.parametrize("ids", [[f"é-{i}" for i in range(30)], [f"k{i}x" for i in range(30)]])
    def test_text_and_unicode_ids_are_carried_as_written(self, tmp_path, ids):
        """Text ids (unicode too) under another column name (``sample_id``) reach the log unchanged."""
        out = _audit(tmp_path, {"sample_id": ids})
        _, changes = cleaned_table(out)
        assert changes["sample_id"].tolist() == [ids[7], ids[12]]

    def test_data_without_an_id_column_logs_by_row_and_the_command_says_so(self, tmp_path):
        """No id column: the log is as before and ``export`` says the row is the id."""
        out = _audit(tmp_path, {"n_words": [5 + i % 4 for i in range(30)]})
        res = CliRunner().invoke(main, ["export", str(out), "--out", str(tmp_path / "clean.csv")])
        assert res.exit_code == 0, res.output
        assert list(pd.read_csv(tmp_path / "clean.changes.csv").columns[:2]) == ["row", "action"]
        assert "named by row only: the data has no id column" in " ".join(res.output.split())

    def test_export_line_names_the_id_column(self, tmp_path):
        """``labelwise export`` says which column of the log holds the data's ids."""
        out = _audit(tmp_path)
        res = CliRunner().invoke(main, ["export", str(out), "--out", str(tmp_path / "clean.csv")])
        assert res.exit_code == 0, res.output
        assert "its id in the column 'id'" in " ".join(res.output.split())

    def test_a_repeated_id_is_no_id_column(self, tmp_path):
        """A column called ``id`` that repeats a value names no single row: the log names rows only."""
        out = _audit(tmp_path, {"id": [f"{i % 10:03d}" for i in range(30)]})
        _, changes = cleaned_table(out)
        assert "id" not in changes.columns

    def test_a_column_ending_in_underscore_id_is_the_id(self, tmp_path):
        """An audit without column roles (``--probs``) takes a column named ``*_id`` with distinct values."""
        out = _audit(tmp_path, {"reviewer_id": [f"r{i}" for i in range(30)]})
        _, changes = cleaned_table(out)
        assert changes["reviewer_id"].tolist() == ["r7", "r12"]

    def test_id_column_named_like_a_record_key_gets_a_data_prefix(self):
        """An id column called ``row`` (or ``version``) does not overwrite the record's own key."""
        from labelwise.review._data_ids import id_key
        from labelwise.review.export import LOG_COLUMNS

        assert id_key("row", LOG_COLUMNS) == "data_row"
        assert id_key("id", LOG_COLUMNS) == "id"


class TestDataIdsRule:
    def test_identifier_of_the_audits_column_roles_when_no_id_name_is_unique(self, tmp_path):
        """A column the audit dropped as an identifier (``column_roles``) is the id when the column named
        ``*_id`` repeats values."""
        from labelwise.review._data_ids import data_ids

        out = _audit(tmp_path, {"user_id": [f"u{i % 3}" for i in range(30)], "key": [f"k{i}" for i in range(30)]})
        audit = load_audit(out)
        summary = dict(audit.summary, column_roles={"key": {"role": "identifier", "reason": "all distinct"}})
        audit = type(audit)(**{**audit.__dict__, "summary": summary})
        name, ids = data_ids(audit)
        assert name == "key" and ids is not None and ids.iloc[7] == "k7"
        named = type(audit)(**{**audit.__dict__, "data": audit.data.assign(user_id=[f"u{i}" for i in range(30)])})
        assert data_ids(named)[0] == "user_id"  # a unique column named like an id comes first


class TestLabelStudioIds:
    def test_tasks_carry_the_id_and_aggregate_reads_it_back_as_written(self, tmp_path):
        """Each task's data holds the id as written; answers on the tasks, read with ``--item-column id``,
        name the items ``007`` (the round trip Label Studio -> ``labelwise aggregate``)."""
        out = _audit(tmp_path)
        tasks = label_studio_tasks(out, scope="all")
        by_row = {t["data"]["row"]: t["data"]["id"] for t in tasks}
        assert by_row[7] == "007" and by_row[0] == "000"
        for i, task in enumerate(tasks):  # two annotators answer each task, as Label Studio exports them
            task["id"] = 1000 + i
            choice = task["predictions"][0]["result"]
            task["annotations"] = [{"completed_by": who, "result": choice} for who in (1, 2)]
        (tmp_path / "ls.json").write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
        answers = read_annotations(tmp_path / "ls.json", item_column="id").answers
        assert "007" in set(answers["item"].astype(str)) and "7" not in set(answers["item"].astype(str))


class TestTaskAuditLogIds:
    def test_a_regression_audits_log_carries_the_id_as_written(self, tmp_path):
        """``audit --task regression`` of a table with ids ``007``...: the export's log has them after ``row``."""
        from labelwise.review.tasks import load_task_audit
        from tests.report.test_tasks import _audit as task_audit

        rng = np.random.default_rng(1)
        y = rng.normal(size=40)
        pred = y + rng.normal(0, 0.1, 40)
        pd.DataFrame({"id": [f"{i:03d}" for i in range(40)], "size": rng.integers(1, 9, 40), "price": y}).to_csv(
            tmp_path / "d.csv", index=False
        )
        np.save(tmp_path / "pred.npy", pred)
        args = ("--task", "regression", "--label", "price", "--predictions", tmp_path / "pred.npy")
        out = task_audit(tmp_path, tmp_path / "d.csv", *args)
        units = load_task_audit(out)[0].issues
        store = DecisionStore(out / "review.sqlite", n_examples=40)
        store.bind_audit(units)
        store.record(7, "exclude", version=0, reviewer="ann")
        res = export_cleaned(out, tmp_path / "clean.csv")
        log = pd.read_csv(res.log_path, dtype=str)
        assert list(log.columns[:3]) == ["row", "id", "action"]
        assert log[["row", "id"]].values.tolist() == [["7", "007"]]
