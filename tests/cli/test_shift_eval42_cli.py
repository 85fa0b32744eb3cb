"""``labelwise shift``: a missing probability in a table names the file's line (session 42)."""

from __future__ import annotations

from click.testing import CliRunner

from labelwise.cli import main


def test_missing_probability_in_either_table_names_its_line(tmp_path):
    """main said "--train-probs must be finite (no NaN or inf), row 2 contains nan": row 2 is line 4 of the file."""
    good = "a,b\n0.8,0.2\n0.3,0.7\n0.6,0.4\n0.1,0.9\n"
    (tmp_path / "val.csv").write_text("a,b\n0.8,0.2\n0.3,0.7\n,0.4\n0.1,0.9\n")
    (tmp_path / "target.csv").write_text(good)
    (tmp_path / "y.csv").write_text("label\na\nb\na\nb\n")
    args = ["shift", "--train-labels", str(tmp_path / "y.csv"), "--n-boot", "0", "--out", str(tmp_path / "o")]
    res = CliRunner().invoke(
        main, [*args, "--train-probs", str(tmp_path / "val.csv"), "--target-probs", str(tmp_path / "target.csv")]
    )
    assert res.exit_code == 2 and "--train-probs file" in res.output, res.output
    assert "must be finite (no NaN or inf), row 2 (line 4) contains nan" in res.output, res.output
    (tmp_path / "t2.csv").write_text("a,b\n0.8,0.2\n\n\n0.3,0.7\n0.5,nan\n")
    res = CliRunner().invoke(
        main, [*args, "--train-probs", str(tmp_path / "target.csv"), "--target-probs", str(tmp_path / "t2.csv")]
    )
    assert res.exit_code == 2 and "--target-probs file" in res.output, res.output
    assert "row 2 (line 6) contains nan" in res.output, res.output
    assert not (tmp_path / "o").exists()
