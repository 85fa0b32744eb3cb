"""``labelwise evaluate`` refuses an --out that is the PREDICTIONS folder (its tables would become models)."""

from __future__ import annotations

from click.testing import CliRunner

from labelwise.cli import main


def _inputs(tmp_path):
    (tmp_path / "preds").mkdir()
    (tmp_path / "preds" / "m1.csv").write_text("pred\nred fox\nblue jay\nred fox\nblue jay\n")
    (tmp_path / "preds" / "m2.csv").write_text("pred\nred fox\nred fox\nred fox\nblue jay\n")
    (tmp_path / "test.csv").write_text("label\nred fox\nblue jay\nred fox\nred fox\n")
    (tmp_path / "fix.csv").write_text("row,label\n3,blue jay\n")
    return ["evaluate", str(tmp_path / "preds"), "--labels", str(tmp_path / "test.csv")]


def test_out_equal_to_predictions_is_refused_and_writes_nothing(tmp_path):
    """--out PREDICTIONS wrote table.csv, curve.csv... beside the models, and the next evaluate on the folder failed
    reading crossovers.csv as a model; now it is an error naming --out, and the folder is left as it was."""
    args = [*_inputs(tmp_path), "--corrections", str(tmp_path / "fix.csv")]
    res = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "preds")])
    assert res.exit_code != 0
    assert "--out" in res.output and "is the PREDICTIONS folder" in res.output
    assert sorted(p.name for p in (tmp_path / "preds").iterdir()) == ["m1.csv", "m2.csv"]


def test_out_inside_predictions_is_not_read_as_models(tmp_path):
    """A folder inside PREDICTIONS is not read: a second run on the folder scores the same two models."""
    args = [*_inputs(tmp_path), "--corrections", str(tmp_path / "fix.csv")]
    for out in ("o1", "o2"):
        res = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "preds" / out)])
        assert res.exit_code == 0, res.output
    assert (tmp_path / "preds" / "o2" / "table.csv").read_text().count("\n") == 3
