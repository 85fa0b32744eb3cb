"""The screen of every command outside a terminal: lines as long as they are, unless ``COLUMNS`` says."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.cli._common import UNWRAPPED_WIDTH, console, print_frame

TFS = """
from labelwise.weak import transformation_function

@transformation_function()
def shout(row):
    row.text = row.text.upper()
    return row
"""


@pytest.fixture()
def augment_argv(tmp_path):
    """``labelwise augment`` into a folder whose path is longer than 80 characters."""
    (tmp_path / "tfs.py").write_text(TFS)
    pd.DataFrame({"text": ["hi", "yo"]}).to_csv(tmp_path / "data.csv", index=False)
    out = tmp_path / ("a-folder-name-long-enough-to-pass-eighty-columns-" * 2)
    return ["augment", str(tmp_path / "tfs.py"), str(tmp_path / "data.csv"), "--out", str(out)], out


def test_a_command_piped_prints_a_long_line_whole_and_columns_wraps_it(augment_argv):
    """Not a terminal (CliRunner, like a pipe or a CI log): the 'wrote ...' sentence is one line; with
    COLUMNS=60 every line fits in 60 columns and the sentence is wrapped."""
    argv, out = augment_argv
    wide = CliRunner(env={"COLUMNS": None}).invoke(main, argv)
    assert wide.exit_code == 0, wide.output
    sentence = f"2 rows -> 4 rows (2 transformed copies); wrote {out / 'augmented.csv'}, {out / 'summary.json'}"
    assert sentence in wide.stdout.splitlines()
    narrow = CliRunner(env={"COLUMNS": "60"}).invoke(main, [*argv, "--force"])
    assert narrow.exit_code == 0, narrow.output
    lines = narrow.stdout.splitlines()
    assert len(lines) > 1 and max(map(len, lines)) <= 60
    assert "".join(narrow.stdout.split()) == "".join(sentence.split())


def test_a_wide_table_keeps_its_natural_width_outside_a_terminal(capsys, monkeypatch):
    """print_frame of a 150-character cell: one row of the table, nothing folded; COLUMNS=60 makes the
    console 60 columns wide, as rich reads it."""
    monkeypatch.delenv("COLUMNS", raising=False)
    cell = "x" * 150
    print_frame(pd.DataFrame({"text": [cell], "score": [0.5]}), title="a wide table")
    printed = capsys.readouterr().out
    assert any(cell in line and "0.5000" in line for line in printed.splitlines())
    assert console().width == UNWRAPPED_WIDTH
    monkeypatch.setenv("COLUMNS", "60")
    assert console().width == 60


def test_a_title_wider_than_its_table_is_one_line_outside_a_terminal(capsys, monkeypatch):
    """A two-column table under a 70-character title: the title is one line, not wrapped to the table."""
    monkeypatch.delenv("COLUMNS", raising=False)
    title = "least accurate annotators (estimated) (10 of 12; all in confusions.csv)"
    print_frame(pd.DataFrame({"annotator": ["w1"], "accuracy": [0.5]}), title=title)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == title and "│ w1" in "\n".join(lines[1:])
