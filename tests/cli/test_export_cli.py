"""Tests of ``labelwise export``."""

from __future__ import annotations

import json

import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.report import load_audit
from labelwise.review import DecisionStore
from tests.report.fake_outputs import write_audit


def _reviewed(tmp_path):
    out = write_audit(tmp_path / "out", kind="pixels", n=60, noise=0.25)
    a, b = load_audit(out).flagged["row"].tolist()[:2]
    store = DecisionStore(out / "review.sqlite")
    store.record(a, "relabel", version=0, reviewer="ann", label=2)
    store.record(b, "exclude", version=0, reviewer="ann")
    return out, a, b


def test_export_writes_cleaned_table_log_and_label_studio_file(tmp_path):
    """--out and --label-studio write the cleaned table, its change log and the tasks file."""
    out, a, b = _reviewed(tmp_path)
    target = tmp_path / "cleaned.csv"
    ls = tmp_path / "tasks.json"
    result = CliRunner().invoke(main, ["export", str(out), "--out", str(target), "--label-studio", str(ls)])
    assert result.exit_code == 0, result.output
    assert "1 relabelled, 1 excluded" in result.output
    cleaned = pd.read_csv(target)
    assert len(cleaned) == 59 and (tmp_path / "cleaned.changes.csv").is_file()
    assert len(json.loads(ls.read_text())) == len(load_audit(out).flagged)


def test_export_refuses_to_overwrite_unless_forced(tmp_path):
    """A second export to the same file fails with exit 2 until --force is given."""
    out, a, b = _reviewed(tmp_path)
    target = tmp_path / "cleaned.csv"
    assert CliRunner().invoke(main, ["export", str(out), "--out", str(target)]).exit_code == 0
    again = CliRunner().invoke(main, ["export", str(out), "--out", str(target)])
    assert again.exit_code == 2 and "already exists" in again.output
    forced = CliRunner().invoke(main, ["export", str(out), "--out", str(target), "--force", "--mark-excluded"])
    assert forced.exit_code == 0, forced.output
    assert len(pd.read_csv(target)) == 60


def test_export_needs_an_output(tmp_path):
    """Without --out or --label-studio the command says what it needs."""
    out, _, _ = _reviewed(tmp_path)
    result = CliRunner().invoke(main, ["export", str(out)])
    assert result.exit_code == 2 and "--out" in result.output


def test_a_bad_label_studio_target_writes_nothing(tmp_path):
    """--label-studio tasks.csv was refused only after the cleaned table and its log were written (and named 'out')."""
    out, _, _ = _reviewed(tmp_path)
    target = tmp_path / "cleaned.parquet"
    result = CliRunner().invoke(
        main, ["export", str(out), "--out", str(target), "--label-studio", str(tmp_path / "t.csv")]
    )
    assert result.exit_code == 2 and "--label-studio must end in one of ['.json']" in result.output
    assert not target.exists() and not (tmp_path / "cleaned.changes.csv").exists()


def test_an_existing_label_studio_file_stops_the_export_before_it_writes(tmp_path):
    """An existing tasks file (no --force) is found before --out is written, so a rerun is not blocked by a half export."""
    out, _, _ = _reviewed(tmp_path)
    (tmp_path / "t.json").write_text("[]")
    result = CliRunner().invoke(
        main, ["export", str(out), "--out", str(tmp_path / "c.csv"), "--label-studio", str(tmp_path / "t.json")]
    )
    assert result.exit_code == 2 and f"--label-studio {str(tmp_path / 't.json')!r} already exists" in result.output
    assert not (tmp_path / "c.csv").exists() and (tmp_path / "t.json").read_text() == "[]"
