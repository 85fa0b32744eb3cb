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


def test_the_refusal_to_overwrite_names_the_option_not_the_functions_parameter(tmp_path):
    """The message said "pass force=True (--force)": the command line has only --force."""
    out, a, b = _reviewed(tmp_path)
    target = tmp_path / "cleaned.csv"
    target.write_text("mine")
    again = CliRunner().invoke(main, ["export", str(out), "--out", str(target)])
    assert again.exit_code == 2 and "already exists; pass --force to overwrite it" in again.output
    assert "force=True" not in again.output


def test_export_never_writes_over_the_audit_folders_own_files(tmp_path):
    """--out OUT_DIR/issues.csv --force replaced the audit's issues.csv with the cleaned table: the folder could
    no longer be read (report, review, a second export failed). Refused now, even with --force, for --out and
    --label-studio, and nothing is written."""
    out, a, b = _reviewed(tmp_path)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    for args in (["--out", str(out / "issues.csv")], ["--label-studio", str(out / "summary.json")]):
        result = CliRunner().invoke(main, ["export", str(out), *args, "--force"])
        assert result.exit_code == 2, result.output
        assert "is the audit folder's own" in result.output and result.output.startswith(f"error: {args[0]} ")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


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


def _regression_audit(tmp_path):
    import numpy as np

    from labelwise.review.tasks import load_task_audit

    rng = np.random.default_rng(1)
    y = rng.normal(size=40)
    pred = y + rng.normal(0, 0.1, 40)
    y[3] += 4
    pd.DataFrame({"id": range(40), "price": y}).to_csv(tmp_path / "d.csv", index=False)
    np.save(tmp_path / "pred.npy", pred)
    out = tmp_path / "out"
    args = ["audit", str(tmp_path / "d.csv"), "--task", "regression", "--label", "price"]
    res = CliRunner().invoke(main, [*args, "--predictions", str(tmp_path / "pred.npy"), "--out", str(out)])
    assert res.exit_code == 0, res.output
    units = load_task_audit(out)[0].issues
    store = DecisionStore(out / "review.sqlite", n_examples=int(units["row"].max()) + 1)
    store.bind_audit(units)
    store.record(3, "exclude", version=0, reviewer="ann")
    store.record(5, "keep", version=0, reviewer="ann")
    return out, store


def test_export_of_a_regression_audit_writes_the_table_without_the_excluded_row(tmp_path):
    """The regression audit of the issue: export no longer fails on a missing 'rank', it drops row 3 and logs both."""
    out, _ = _regression_audit(tmp_path)
    result = CliRunner().invoke(main, ["export", str(out), "--out", str(tmp_path / "clean.csv")])
    assert result.exit_code == 0, result.output
    assert "regression audit, 39 rows: 1 removed for 1 excluded, 1 kept as given" in result.output
    original = pd.read_csv(tmp_path / "d.csv")
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "clean.csv"), original.drop(index=3).reset_index(drop=True))
    assert pd.read_csv(tmp_path / "clean.changes.csv")["row"].tolist() == [3, 5]
    again = CliRunner().invoke(main, ["export", str(out), "--out", str(tmp_path / "clean.csv")])
    assert again.exit_code == 2 and "already exists" in again.output


def test_task_audit_refusals_are_one_line(tmp_path):
    """--label-studio and a relabel decision on a task audit: exit 2, one line naming what and why, nothing written."""
    out, store = _regression_audit(tmp_path)
    target = tmp_path / "clean.csv"
    result = CliRunner().invoke(
        main, ["export", str(out), "--out", str(target), "--label-studio", str(tmp_path / "t.json")]
    )
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert (
        "--label-studio applies to classification audits only" in result.output and "regression audit" in result.output
    )
    store.record(7, "relabel", version=0, reviewer="ann", label=1.5)
    result = CliRunner().invoke(main, ["export", str(out), "--out", str(target)])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert "'relabel' decision on row 7" in result.output and "kept or excluded" in result.output
    assert not target.exists() and not (tmp_path / "clean.changes.csv").exists()


def test_export_of_a_token_audit_needs_a_conll_target(tmp_path):
    """A token audit's cleaned data is a CoNLL file: --out x.csv is refused naming the suffixes, --out x.conll works."""
    import numpy as np

    text = "EU B-ORG\nrejects O\n\nPeter B-PER\nspoke O\n"
    (tmp_path / "c.conll").write_text(text)
    np.save(tmp_path / "p.npy", np.array([[0.9, 0.05, 0.05], [0.05, 0.05, 0.9], [0.05, 0.9, 0.05], [0.05, 0.05, 0.9]]))
    out = tmp_path / "out"
    args = ["audit", str(tmp_path / "c.conll"), "--task", "token", "--probs", str(tmp_path / "p.npy")]
    assert CliRunner().invoke(main, [*args, "--out", str(out)]).exit_code == 0
    DecisionStore(out / "review.sqlite").record(2, "exclude", version=0, reviewer="ann")
    bad = CliRunner().invoke(main, ["export", str(out), "--out", str(tmp_path / "c.csv")])
    assert bad.exit_code == 2 and "--out must end in one of ['.bio'" in bad.output
    ok = CliRunner().invoke(main, ["export", str(out), "--out", str(tmp_path / "clean.conll")])
    assert ok.exit_code == 0, ok.output
    assert "token audit, 1 sentences: 1 removed for 1 excluded" in ok.output
    assert (tmp_path / "clean.conll").read_text() == "EU B-ORG\nrejects O\n\n"
