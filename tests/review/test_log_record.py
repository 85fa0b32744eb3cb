"""``evaluate --corrections``' check that a change log is current works wherever the export went: each export
writes ``<log>.review.json`` beside its log, naming the ``review.sqlite`` it read (absolute and relative to the
log). Before, only a log beside ``review.sqlite`` was checked; one exported to another folder, or whose export
folder was moved, was scored in silence however stale. Where the database cannot be found, the line says so and why."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.errors import InvalidParameterError
from labelwise.review import DecisionStore, export_cleaned
from labelwise.review._log_state import stale_log_line
from tests.review._ids_audit import audit_with_decisions


def _exported_elsewhere(tmp_path):
    """The audit folder (two decisions) and its export into ``exports/``, away from ``review.sqlite``."""
    out = audit_with_decisions(tmp_path)
    (tmp_path / "exports").mkdir()
    export_cleaned(out, tmp_path / "exports" / "clean.csv")
    return out, tmp_path / "exports" / "clean.changes.csv"


class TestTheRecord:
    def test_the_export_writes_a_record_naming_the_review_database(self, tmp_path):
        """``clean.changes.review.json`` names the audit folder's review.sqlite, absolute and relative."""
        out, log = _exported_elsewhere(tmp_path)
        record = json.loads((log.parent / "clean.changes.review.json").read_text(encoding="utf-8"))
        assert record["review_database"] == str((out / "review.sqlite").resolve())
        assert record["relative"] == "../audit/review.sqlite" and record["log"] == "clean.changes.csv"

    def test_a_file_of_the_users_at_the_records_place_is_refused_before_any_write(self, tmp_path):
        """A file that is not a record where the record would go: refused, nothing written, the file kept."""
        out = audit_with_decisions(tmp_path)
        (tmp_path / "clean.changes.review.json").write_text("my notes")
        with pytest.raises(InvalidParameterError, match=r"clean\.changes\.review\.json', which exists and is not one"):
            export_cleaned(out, tmp_path / "clean.csv")
        assert not (tmp_path / "clean.csv").exists() and not (tmp_path / "clean.changes.csv").exists()
        assert (tmp_path / "clean.changes.review.json").read_text() == "my notes"

    def test_an_earlier_record_is_replaced_with_force(self, tmp_path):
        """Exporting again over an earlier export (``force``) rewrites its record too, whatever it holds."""
        out, log = _exported_elsewhere(tmp_path)
        (log.parent / "clean.changes.review.json").write_text("damaged")
        export_cleaned(out, tmp_path / "exports" / "clean.csv", force=True)
        assert (
            json.loads((log.parent / "clean.changes.review.json").read_text(encoding="utf-8"))["log"]
            == "clean.changes.csv"
        )


class TestALogAwayFromTheReview:
    def test_a_log_exported_to_another_folder_is_named_stale(self, tmp_path):
        """The review went on after an export to another folder: the line names the database the record gives
        and the export to run again from the audit folder."""
        out, log = _exported_elsewhere(tmp_path)
        DecisionStore(out / "review.sqlite").record(3, "exclude", version=0, reviewer="ann")
        line = stale_log_line(log)
        assert line is not None and "is older than the review" in line and "(1 new, the latest at" in line
        assert str((out / "review.sqlite").resolve()) in line
        assert f"labelwise export {out.resolve()} --out {log.parent / 'clean.csv'} --force" in line

    def test_a_moved_export_folder_is_still_checked(self, tmp_path):
        """The export folder moved elsewhere: the record's absolute path still finds the database."""
        out, log = _exported_elsewhere(tmp_path)
        (tmp_path / "far").mkdir()
        moved = shutil.move(str(log.parent), str(tmp_path / "far" / "kept"))
        DecisionStore(out / "review.sqlite").record(3, "exclude", version=0, reviewer="ann")
        line = stale_log_line(f"{moved}/clean.changes.csv")
        assert line is not None and "(1 new, the latest at" in line

    def test_the_audit_and_export_moved_together_are_checked_by_the_relative_path(self, tmp_path):
        """The whole project moved (audit and export folders side by side): the relative path finds it."""
        (tmp_path / "project").mkdir()
        out, log = _exported_elsewhere(tmp_path / "project")
        DecisionStore(out / "review.sqlite").record(7, "clear", version=1, reviewer="ann")
        shutil.move(str(tmp_path / "project"), str(tmp_path / "moved"))
        line = stale_log_line(tmp_path / "moved" / "exports" / "clean.changes.csv")
        assert line is not None and "(1 undone)" in line
        assert f"{(tmp_path / 'moved' / 'audit' / 'review.sqlite').resolve()}' holds" in line

    def test_a_log_whose_review_cannot_be_found_says_why(self, tmp_path):
        """No record (an older export, the log copied alone), or a record of a database that is gone: the line
        says the log cannot be checked, and why."""
        out, log = _exported_elsewhere(tmp_path)
        (tmp_path / "alone").mkdir()
        shutil.copy(log, tmp_path / "alone" / "clean.changes.csv")
        line = stale_log_line(tmp_path / "alone" / "clean.changes.csv")
        assert line is not None and line.startswith("cannot tell whether the change log")
        assert "no review.sqlite beside it and no record of the review it was exported from" in line
        shutil.rmtree(out)
        line = stale_log_line(log)
        assert line is not None and "is gone: moved or removed" in line and "review.sqlite" in line

    def test_a_corrections_table_that_is_no_change_log_gets_no_line(self, tmp_path):
        """A table of corrections without ``version`` (not a labelwise log) is not judged."""
        pd.DataFrame({"row": [1], "action": ["exclude"]}).to_csv(tmp_path / "fix.csv", index=False)
        assert stale_log_line(tmp_path / "fix.csv") is None


class TestEvaluateWarns:
    def test_evaluate_warns_on_a_stale_log_in_a_moved_export_folder(self, tmp_path):
        """``evaluate --corrections`` of a moved export folder warns that its log is older than the review."""
        out, log = _exported_elsewhere(tmp_path)
        moved = tmp_path / "moved"
        shutil.move(str(log.parent), str(moved))
        DecisionStore(out / "review.sqlite").record(3, "exclude", version=0, reviewer="ann")
        data = pd.read_csv(tmp_path / "data.csv", dtype=str)
        data[["label"]].to_csv(tmp_path / "test.csv", index=False)
        (tmp_path / "preds").mkdir()
        data[["label"]].rename(columns={"label": "pred"}).to_csv(tmp_path / "preds" / "m.csv", index=False)
        args = [
            "evaluate",
            str(tmp_path / "preds"),
            "--labels",
            str(tmp_path / "test.csv"),
            "--corrections",
            str(moved),
        ]
        res = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "ev")])
        assert res.exit_code == 0, res.output
        text = " ".join(res.output.split())
        assert "is older than the review" in text and "(1 new, the latest at" in text


class TestTaskAndAggregationExports:
    def test_a_task_audits_export_writes_the_record(self, tmp_path):
        """A multi-label audit's export records its review database too."""
        from scipy.special import expit

        rng = np.random.default_rng(0)
        tags = rng.random((30, 2)) < 0.5
        names = np.array(["cat", "dog"])
        pd.DataFrame({"tags": ["|".join(names[r]) for r in tags]}).to_csv(tmp_path / "d.csv", index=False)
        np.save(tmp_path / "p.npy", expit(rng.normal(0, 1, (30, 2)) + 2 * tags))
        args = ["audit", str(tmp_path / "d.csv"), "--task", "multilabel", "--label", "tags"]
        res = CliRunner().invoke(main, [*args, "--probs", str(tmp_path / "p.npy"), "--out", str(tmp_path / "o")])
        assert res.exit_code == 0, res.output
        DecisionStore(tmp_path / "o" / "review.sqlite").record(0, "exclude", version=0, reviewer="ann")
        export_cleaned(tmp_path / "o", tmp_path / "clean.csv")
        record = json.loads((tmp_path / "clean.changes.review.json").read_text(encoding="utf-8"))
        assert record["review_database"] == str((tmp_path / "o" / "review.sqlite").resolve())
        DecisionStore(tmp_path / "o" / "review.sqlite").record(1, "exclude", version=0, reviewer="ann")
        assert "(1 new" in (stale_log_line(tmp_path / "clean.changes.csv") or "")
