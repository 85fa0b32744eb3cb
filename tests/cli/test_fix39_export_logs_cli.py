"""``labelwise export`` to ``clean.csv`` then ``clean.parquet``: each keeps its own change log (one
``clean.changes.csv`` for both refused the second export), by the rule ``export_cleaned`` uses."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.report import load_audit
from labelwise.review import DecisionStore, export_cleaned
from labelwise.review._export_paths import change_log_path
from tests.report.fake_outputs import write_audit


def _reviewed(tmp_path):
    out = write_audit(tmp_path / "out", kind="pixels", n=60, noise=0.25)
    a, b = load_audit(out).flagged["row"].tolist()[:2]
    store = DecisionStore(out / "review.sqlite")
    store.record(a, "relabel", version=0, reviewer="ann", label=2)
    store.record(b, "exclude", version=0, reviewer="ann")
    return out


def test_csv_then_parquet_exports_both_succeed_with_their_own_logs(tmp_path):
    out = _reviewed(tmp_path)
    for name in ("clean.csv", "clean.parquet", "clean.tsv"):
        res = CliRunner().invoke(main, ["export", str(out), "--out", str(tmp_path / name)])
        assert res.exit_code == 0, res.output
    logs = ["clean.changes.csv", "clean.parquet.changes.csv", "clean.tsv.changes.csv"]
    assert sorted(p.name for p in tmp_path.glob("*.changes.csv")) == sorted(logs)
    first = pd.read_csv(tmp_path / logs[0])
    for log in logs[1:]:
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / log), first)
    assert len(pd.read_parquet(tmp_path / "clean.parquet")) == len(pd.read_csv(tmp_path / "clean.csv")) == 59


def test_the_function_and_the_command_name_the_log_by_one_rule(tmp_path):
    out = _reviewed(tmp_path)
    res = export_cleaned(out, tmp_path / "api.parquet")
    assert res.log_path == change_log_path(Path(tmp_path / "api.parquet")) == tmp_path / "api.parquet.changes.csv"
    cli = CliRunner().invoke(main, ["export", str(out), "--out", str(tmp_path / "cli.parquet")])
    assert f"wrote {tmp_path / 'cli.parquet.changes.csv'}" in " ".join(cli.output.split())
    assert change_log_path(Path("x/CLEAN.CSV")) == Path("x/CLEAN.changes.csv")
