"""``--force`` and the earlier run's ``report.html``: main kept a labelwise report beside the new files of
``aggregate``, ``audit`` (in memory or at scale) and every other command but ``weak`` (a user then opened a
page of another run). Now it goes with the earlier run's files once the new ones are in place, one notice
says what was removed and that ``labelwise report OUT`` writes this run's; a failing run removes nothing,
and a ``report.html`` that is not labelwise's (or ``review.sqlite``) is the user's and is kept."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import labelwise.io.atomic as atomic
from labelwise.cli import main
from labelwise.cli._out_folder import OUTPUTS
from labelwise.cli._stale_report import earlier_report, removed_notice
from labelwise.report._destination import TITLE_MARK
from tests.cli.test_out_folder import _earlier_run, _FailingOs

#: The head of a page written by ``labelwise report`` (what marks a report as labelwise's).
A_REPORT = f"<!doctype html><html><head>{TITLE_MARK} of an earlier run</title></head></html>".encode()


def _said(result) -> str:
    return "".join(result.output.split())  # rich wraps long paths anywhere


@pytest.mark.parametrize("command", sorted(OUTPUTS))
def test_force_removes_the_earlier_labelwise_report_and_says_so(command, tmp_path, monkeypatch):
    """Every command with an --out folder: the earlier run's labelwise report.html is removed, with one notice
    naming it and `labelwise report OUT`; the user's notes.txt and review.sqlite are kept byte for byte."""
    argv, out, _ = _earlier_run(command, tmp_path, monkeypatch)
    argv = [arg for arg in argv if arg != "--quiet"]  # a spec run quietly: the notice is on stdout
    (out / "report.html").write_bytes(A_REPORT)
    kept = {name: (out / name).read_bytes() for name in ("notes.txt", "review.sqlite")}
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 0, result.output
    assert not (out / "report.html").exists()
    assert {name: (out / name).read_bytes() for name in kept} == kept
    said = _said(result)
    assert said.count("--forceremoved") == 1 and "report.html" in said and "stale.csv" in said
    assert f"`labelwisereport{out}`".replace(" ", "") in said


@pytest.mark.parametrize("command", sorted(OUTPUTS))
def test_a_force_run_failing_midway_keeps_the_earlier_report(command, tmp_path, monkeypatch):
    """Every command: a --force run whose second file fails to write leaves the earlier report (and every
    other file) byte for byte, and says nothing of a removal."""
    argv, out, _ = _earlier_run(command, tmp_path, monkeypatch)
    (out / "report.html").write_bytes(A_REPORT)
    before = {str(p.relative_to(out)): p.read_bytes() if p.is_file() else None for p in out.rglob("*")}
    monkeypatch.setattr(atomic, "os", _FailingOs())
    result = CliRunner().invoke(main, argv)
    monkeypatch.setattr(atomic, "os", os)
    assert result.exit_code == 2, result.output
    assert {str(p.relative_to(out)): p.read_bytes() if p.is_file() else None for p in out.rglob("*")} == before
    assert "removed" not in result.output


def _iris_like(tmp_path):
    """A 60-row table with given probabilities, and the same labels as .npy (for an audit at scale)."""
    rng = np.random.default_rng(0)
    labels = np.tile([0, 1], 30)
    pd.DataFrame({"x": rng.normal(size=60), "y": labels}).to_csv(tmp_path / "data.csv", index=False)
    np.save(tmp_path / "p.npy", rng.dirichlet(np.ones(2), 60))
    np.save(tmp_path / "y.npy", labels)
    return tmp_path / "data.csv", tmp_path / "p.npy", tmp_path / "y.npy"


def _answers(tmp_path):
    rng = np.random.default_rng(1)
    rows = [(i, a, int(rng.integers(0, 3))) for i in range(40) for a in range(4)]
    pd.DataFrame(rows, columns=["item", "annotator", "label"]).to_csv(tmp_path / "answers.csv", index=False)
    return tmp_path / "answers.csv"


def _runs(kind, tmp_path):
    """Two argvs of ``kind`` into ``tmp_path/out``: a first run, and a --force run with other options."""
    out = tmp_path / "out"
    if kind == "aggregate":
        first = ["aggregate", str(_answers(tmp_path)), "--method", "majority-vote", "--out", str(out)]
        return first, [*first[:2], "--method", "dawid-skene", "--out", str(out), "--force"]
    data, probs, labels = _iris_like(tmp_path)
    in_memory = ["audit", str(data), "--label", "y", "--probs", str(probs), "--out", str(out)]
    if kind == "audit":
        return in_memory, [*in_memory, "--filter-by", "both", "--force"]
    return in_memory, ["audit", "--probs", str(probs), "--labels", str(labels), "--out", str(out), "--force"]


@pytest.mark.parametrize("kind", ["aggregate", "audit", "audit at scale"])
def test_the_report_labelwise_report_wrote_goes_with_the_run_it_describes(kind, tmp_path):
    """aggregate, audit in memory, audit at scale after one in memory: the page `labelwise report OUT` wrote
    for the first run is removed by the --force run (main kept it), the notice says how to write this run's,
    and `labelwise report OUT` then writes it."""
    first, again = _runs(kind, tmp_path)
    out = tmp_path / "out"
    assert CliRunner().invoke(main, first).exit_code == 0
    reported = CliRunner().invoke(main, ["report", str(out)])
    assert reported.exit_code == 0, reported.output
    assert (out / "report.html").is_file()
    result = CliRunner().invoke(main, again)
    assert result.exit_code == 0, result.output
    assert not (out / "report.html").exists()
    assert "report.htmldescribedthatrun" in _said(result)
    if kind == "audit at scale":  # the in-memory audit's table goes too, named in the same notice
        assert not (out / "issues.csv").exists() and "issues.csv" in _said(result)
    rebuilt = CliRunner().invoke(main, ["report", str(out)])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert (out / "report.html").is_file()


@pytest.mark.parametrize("kind", ["aggregate", "audit", "audit at scale"])
def test_a_report_html_of_the_users_own_is_kept(kind, tmp_path):
    """A report.html that is not labelwise's is the user's: kept by the --force run, and not named."""
    first, again = _runs(kind, tmp_path)
    out = tmp_path / "out"
    assert CliRunner().invoke(main, first).exit_code == 0
    (out / "report.html").write_text("<html><title>my notes</title></html>", encoding="utf-8")
    result = CliRunner().invoke(main, again)
    assert result.exit_code == 0, result.output
    assert (out / "report.html").read_text(encoding="utf-8") == "<html><title>my notes</title></html>"
    assert "report.html" not in result.output


def test_audit_report_with_force_writes_this_runs_report_and_names_no_removal(tmp_path):
    """`audit --report --force` over a reported audit: the earlier page is replaced by this run's, so the
    notice (when any) does not say report.html was removed."""
    first, again = _runs("audit", tmp_path)
    out = tmp_path / "out"
    assert CliRunner().invoke(main, [*first, "--report"]).exit_code == 0
    before = (out / "report.html").read_bytes()
    result = CliRunner().invoke(main, [*again, "--report"])
    assert result.exit_code == 0, result.output
    assert (out / "report.html").is_file() and (out / "report.html").read_bytes() != before
    assert "report.htmldescribedthatrun" not in _said(result)


def test_quiet_removes_the_report_and_prints_nothing(tmp_path):
    """--quiet: the stale report goes all the same, and the notice (stdout) is not printed."""
    first, again = _runs("audit", tmp_path)
    out = tmp_path / "out"
    assert CliRunner().invoke(main, [*first, "--report"]).exit_code == 0
    result = CliRunner().invoke(main, [*again, "--quiet"])
    assert result.exit_code == 0, result.output
    assert not (out / "report.html").exists() and "removed" not in result.output


class TestHelpers:
    def test_no_earlier_run_no_report_superseded(self, tmp_path):
        """Without an earlier run's outputs (no summary.json) a labelwise report.html is not the run's: kept."""
        (tmp_path / "report.html").write_bytes(A_REPORT)
        assert earlier_report(tmp_path, []) == []
        assert earlier_report(tmp_path, [tmp_path / "summary.json"]) == [tmp_path / "report.html"]

    def test_a_report_given_as_an_input_is_never_superseded(self, tmp_path):
        (tmp_path / "report.html").write_bytes(A_REPORT)
        inputs = {(tmp_path / "report.html").resolve()}
        assert earlier_report(tmp_path, [tmp_path / "summary.json"], inputs) == []

    def test_the_notice_names_only_what_is_gone(self, tmp_path):
        """Files still there (rewritten by the run) are not named; the report hint only when it went."""
        (tmp_path / "summary.json").write_text("{}")
        superseded = [tmp_path / "summary.json", tmp_path / "probs.npy"]
        notice = removed_notice(tmp_path, superseded)
        assert notice is not None and "probs.npy" in notice and "summary.json" not in notice
        assert "labelwise report" not in notice
        assert "labelwise report" in (removed_notice(tmp_path, [tmp_path / "report.html"]) or "")
        assert removed_notice(tmp_path, [tmp_path / "summary.json"]) is None
