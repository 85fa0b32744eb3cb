"""Tests of ``labelwise report``."""

from __future__ import annotations

from click.testing import CliRunner

from labelwise.cli import main
from tests.report.fake_outputs import write_audit


def test_report_writes_html_and_prints_its_path(tmp_path):
    """The command writes OUT_DIR/report.html and prints where."""
    out = write_audit(tmp_path / "out", kind="features", n=40, noise=0.3)
    result = CliRunner().invoke(main, ["report", str(out), "--top", "5"])
    assert result.exit_code == 0, result.output
    assert (out / "report.html").is_file() and "report.html" in result.output
    assert (out / "report.html").read_text().count('class="example"') == 5


def test_report_custom_out(tmp_path):
    """--out writes the report elsewhere."""
    out = write_audit(tmp_path / "out", kind="features", n=40, noise=0.3)
    target = tmp_path / "elsewhere" / "r.html"
    result = CliRunner().invoke(main, ["report", str(out), "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert target.is_file() and not (out / "report.html").exists()


def test_report_on_a_folder_without_outputs_is_one_error_line(tmp_path):
    """A folder that is not an output gives one error line and exit status 2."""
    result = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip().startswith("error:") and "neither an audit output" in result.output


def test_report_never_writes_over_a_file_that_is_not_a_report(tmp_path):
    """--out naming the user's own file replaced it with the report; now exit 2 naming --out, the file intact."""
    out = write_audit(tmp_path / "out", kind="features", n=40, noise=0.3)
    mine = tmp_path / "notes.html"
    mine.write_text("<html>my notes</html>")
    result = CliRunner().invoke(main, ["report", str(out), "--out", str(mine)])
    assert result.exit_code == 2, result.output
    assert "--out" in result.output and "is not a labelwise report" in result.output
    assert mine.read_text() == "<html>my notes</html>"


def test_a_foreign_default_report_names_out_dir_not_an_option_never_given(tmp_path):
    """OUT_DIR/report.html being the user's file was refused as "--out ... already exists" though no --out was
    given; the message now names OUT_DIR and suggests --out."""
    out = write_audit(tmp_path / "out", kind="features", n=40, noise=0.3)
    (out / "report.html").write_text("<html>mine</html>")
    result = CliRunner().invoke(main, ["report", str(out)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: OUT_DIR ") and "pass --out to write the report" in result.output
    assert (out / "report.html").read_text() == "<html>mine</html>"


def test_report_rewrites_an_earlier_report(tmp_path):
    """An earlier report (default path or --out) is rewritten, as every run rewrites report.html."""
    out = write_audit(tmp_path / "out", kind="features", n=40, noise=0.3)
    target = tmp_path / "r.html"
    for args in (["report", str(out)], ["report", str(out), "--out", str(target)]):
        for _ in range(2):
            result = CliRunner().invoke(main, args)
            assert result.exit_code == 0, result.output
    assert (out / "report.html").read_text().count('class="example"') > 0 and target.is_file()
