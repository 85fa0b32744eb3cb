"""A change log older than the review (decisions made after ``labelwise export``) is named, with the fix,
where it is read: ``evaluate --corrections`` used the stale corrections in silence (session 47's walk)."""

from __future__ import annotations

import warnings

import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.review import DecisionStore, export_cleaned
from tests.review._ids_audit import audit_with_decisions


def _exported(tmp_path):
    """The audit folder, its change log exported into it (as ``evaluate --corrections FOLDER`` reads it)."""
    out = audit_with_decisions(tmp_path)
    export_cleaned(out, out / "cleaned.csv")
    return out


def _evaluate(tmp_path, out):
    """``labelwise evaluate`` of one model on the audited labels, corrected by the folder's log."""
    data = pd.read_csv(tmp_path / "data.csv", dtype=str)
    data[["label"]].to_csv(tmp_path / "test.csv", index=False)
    (tmp_path / "preds").mkdir(exist_ok=True)
    data[["label"]].rename(columns={"label": "pred"}).to_csv(tmp_path / "preds" / "m.csv", index=False)
    args = ["evaluate", str(tmp_path / "preds"), "--labels", str(tmp_path / "test.csv"), "--corrections", str(out)]
    return CliRunner().invoke(main, [*args, "--out", str(tmp_path / "ev")])


class TestStaleLogLine:
    def test_a_log_written_after_the_last_decision_is_current(self, tmp_path):
        """Nothing decided since the export: no line."""
        from labelwise.review._log_state import stale_log_line

        out = _exported(tmp_path)
        assert stale_log_line(out / "cleaned.changes.csv") is None

    def test_new_changed_and_undone_decisions_are_counted_naming_both_files(self, tmp_path):
        """A new relabel, a changed one and an exclusion undone after the export: named, with the fix."""
        from labelwise.review._log_state import stale_log_line

        out = _exported(tmp_path)
        store = DecisionStore(out / "review.sqlite")
        store.record(3, "exclude", version=0, reviewer="ann")
        store.record(7, "keep", version=1, reviewer="ann")
        store.record(12, "clear", version=1, reviewer="ann")
        line = stale_log_line(out / "cleaned.changes.csv")
        assert line is not None
        assert "cleaned.changes.csv' is older than the review" in line and "review.sqlite' holds" in line
        assert "(1 new, 1 changed, 1 undone, the latest at 20" in line
        assert f"labelwise export {out} --out {out / 'cleaned.csv'} --force" in line

    def test_a_log_exported_elsewhere_and_current_gives_no_line(self, tmp_path):
        """A log exported to another folder, nothing decided since: its record finds the database, no line."""
        from labelwise.review._log_state import stale_log_line

        out = audit_with_decisions(tmp_path)
        export_cleaned(out, tmp_path / "clean.csv")
        assert stale_log_line(tmp_path / "clean.changes.csv") is None


class TestEvaluateSaysTheLogIsStale:
    def test_evaluate_warns_when_the_review_went_on_after_the_export(self, tmp_path):
        """``evaluate --corrections FOLDER`` warns, naming the log, the database and the export to run again."""
        out = _exported(tmp_path)
        DecisionStore(out / "review.sqlite").record(3, "exclude", version=0, reviewer="ann")
        res = _evaluate(tmp_path, out)
        assert res.exit_code == 0, res.output
        text = " ".join(res.output.split())
        assert "is older than the review" in text and "(1 new, the latest at" in text
        assert "--force` to write them again" in text

    def test_evaluate_is_silent_on_a_current_log(self, tmp_path):
        """The log as exported, nothing decided since: no warning."""
        out = _exported(tmp_path)
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)
            res = _evaluate(tmp_path, out)
        assert res.exit_code == 0, res.output
        assert "older than the review" not in res.output
