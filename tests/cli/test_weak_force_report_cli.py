"""``labelwise weak --force`` into a folder that ``labelwise report`` wrote a page for: the page described the
run being replaced, and main kept it beside the new files (a user then opened stale figures). Now it goes with
the earlier run's files, once the new ones are in place; a failing run, or a report.html that is not labelwise's,
keeps it."""

from __future__ import annotations

from click.testing import CliRunner

from labelwise.cli import main
from tests.report._views39_folders import WEAK_DATA, WEAK_LFS


def _weak(root, *extra):
    (root / "lfs.py").write_text(WEAK_LFS, encoding="utf-8")
    (root / "data.csv").write_text(WEAK_DATA, encoding="utf-8")
    args = ["weak", str(root / "lfs.py"), str(root / "data.csv"), "--text-column", "body", "--id-column", "id"]
    return CliRunner().invoke(main, [*args, "--out", str(root / "out"), *extra])


def _reported(root):
    """A weak run with gold, and its report page in the folder."""
    assert _weak(root, "--gold-column", "gold").exit_code == 0
    result = CliRunner().invoke(main, ["report", str(root / "out")])
    assert result.exit_code == 0, result.output
    assert (root / "out" / "report.html").is_file()
    return root / "out" / "report.html"


def test_force_removes_the_earlier_runs_report_and_says_so(tmp_path):
    """A --force run (here without gold, another model) removes report.html and says how to write this run's."""
    report = _reported(tmp_path)
    result = _weak(tmp_path, "--model", "dawid-skene", "--force")
    assert result.exit_code == 0, result.output
    assert not report.exists()
    said = " ".join(result.output.split()).replace(" ", "")
    assert "report.htmldescribedthatrun" in said and f"labelwisereport{tmp_path / 'out'}".replace(" ", "") in said
    assert {p.name for p in (tmp_path / "out").iterdir()} == {
        "labels.csv",
        "votes.csv",
        "analysis.csv",
        "labelers.json",
        "summary.json",
    }


def test_a_force_run_that_fails_keeps_the_report(tmp_path):
    """A run that fails (a class outside --classes) before its files are in place removes nothing."""
    report = _reported(tmp_path)
    before = report.read_bytes()
    result = _weak(tmp_path, "--classes", "ham,eggs", "--force")
    assert result.exit_code != 0
    assert report.read_bytes() == before


def test_a_report_html_of_the_users_own_is_kept(tmp_path):
    """A report.html that is not a labelwise report is the user's: kept, and no notice."""
    assert _weak(tmp_path).exit_code == 0
    mine = tmp_path / "out" / "report.html"
    mine.write_text("<html><title>my notes</title></html>", encoding="utf-8")
    result = _weak(tmp_path, "--force")
    assert result.exit_code == 0, result.output
    assert mine.read_text(encoding="utf-8") == "<html><title>my notes</title></html>"
    assert "report.html" not in result.output
