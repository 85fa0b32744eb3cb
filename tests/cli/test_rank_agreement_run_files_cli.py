"""``labelwise rank-agreement`` reads RUN_DIR's run files by suffix and lists the other files it leaves."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from labelwise.cli import main

pytest.importorskip("ir_measures")


def _inputs(tmp_path, n_runs=3):
    rng = np.random.default_rng(0)
    (tmp_path / "runs").mkdir()
    for s in range(n_runs):
        lines = [f"{q} Q0 d{d} {r + 1} {10 - r} s{s}" for q in (1, 2) for r, d in enumerate(rng.permutation(5))]
        (tmp_path / "runs" / (f"s{s}.run" if s else f"s{s}")).write_text("\n".join(lines) + "\n")
    for name, top in (("a.qrels", 2), ("b.qrels", 3)):
        (tmp_path / name).write_text("".join(f"{q} 0 d{d} {int(d < top)}\n" for q in (1, 2) for d in range(5)))
    args = ["rank-agreement", str(tmp_path / "runs"), "--qrels", str(tmp_path / "a.qrels"), "--qrels"]
    return [*args, str(tmp_path / "b.qrels"), "--n-boot", "5", "--out", str(tmp_path / "o")]


def test_other_files_of_run_dir_are_not_read_and_are_listed(tmp_path):
    """A README.md and a notes.csv beside three runs: main read them as runs (a parse error naming README.md);
    now the three runs are the systems and the two files are named on screen."""
    args = _inputs(tmp_path)
    (tmp_path / "runs" / "README.md").write_text("# my runs\nthree BM25 variants\n")
    (tmp_path / "runs" / "notes.csv").write_text("run,comment\ns0,baseline\n")
    res = CliRunner().invoke(main, args, env={"COLUMNS": "1000"})
    assert res.exit_code == 0, res.output
    assert "RUN_DIR: 2 file(s) not read as runs (by suffix): README.md, notes.csv" in res.output
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["n_systems"] == 3


def test_too_few_runs_names_the_files_not_read(tmp_path):
    args = _inputs(tmp_path, n_runs=2)
    (tmp_path / "runs" / "README.md").write_text("# notes\n")
    res = CliRunner().invoke(main, args, env={"COLUMNS": "1000"})
    assert res.exit_code != 0
    output = " ".join(res.output.split())
    assert "at least 3 run files" in output and "got 2: s0, s1.run (not runs, not read: README.md)" in output, output
    assert not (tmp_path / "o").exists()


def test_help_says_which_files_are_runs():
    res = CliRunner().invoke(main, ["rank-agreement", "--help"], env={"COLUMNS": "1000"})
    assert ".run, .txt, .trec or without a suffix" in " ".join(res.output.split())


def test_the_help_suffixes_are_the_readers():
    """The command's light copy of the suffixes is the reader's list."""
    from labelwise.cli.rank_agreement import _SUFFIXES
    from labelwise.evaluate.trec import RUN_SUFFIXES

    assert _SUFFIXES == ", ".join(s for s in RUN_SUFFIXES if s)


def test_a_readme_without_a_suffix_is_skipped_and_listed(tmp_path):
    """A README and NOTES without a suffix beside three runs are not read as runs (main: a parse error naming
    README), and are listed apart from the files left out by suffix."""
    args = _inputs(tmp_path)
    (tmp_path / "runs" / "README").write_text("# my runs\nthree BM25 variants\n")
    (tmp_path / "runs" / "NOTES").write_text("s0 is the baseline\n")
    (tmp_path / "runs" / "notes.csv").write_text("run,comment\ns0,baseline\n")
    res = CliRunner().invoke(main, args, env={"COLUMNS": "1000"})
    assert res.exit_code == 0, res.output
    output = " ".join(res.output.split())
    assert "RUN_DIR: 1 file(s) not read as runs (by suffix): notes.csv" in output
    assert (
        "RUN_DIR: 2 file(s) without a suffix not read as runs (the first line is not a run line "
        "'qid Q0 docno rank score tag'): NOTES, README"
    ) in output
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["n_systems"] == 3
