"""End-to-end tests of `labelwise weak` and of `labelwise aggregate --format votes`."""

from __future__ import annotations

import json

import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main

LFS = """
from labelwise.weak import labeling_function

@labeling_function()
def has_link(row):
    return "spam" if "http" in row.text else None

@labeling_function(vectorized=True)
def short(df):
    return df.text.str.len().lt(12).map({True: "ham", False: None})

@labeling_function()
def money(row):
    return "spam" if "$" in row.text else None
"""

DATA = "id,body,gold\n1,win $ now http://x,spam\n2,hi mom,ham\n3,see http://y.com please,spam\n4,lunch today?,ham\n5,$$$ cash http://z,spam\n6,ok,ham\n"


def _files(tmp_path, lfs=LFS, data=DATA):
    (tmp_path / "lfs.py").write_text(lfs)
    (tmp_path / "data.csv").write_text(data)
    return str(tmp_path / "lfs.py"), str(tmp_path / "data.csv")


class TestWeakCommand:
    def test_writes_labels_analysis_votes_and_summary(self, tmp_path):
        """The command applies, analyses and aggregates, writing its four files."""
        lfs, data = _files(tmp_path)
        out = tmp_path / "out"
        result = CliRunner().invoke(
            main,
            [
                "weak",
                lfs,
                data,
                "--text-column",
                "body",
                "--id-column",
                "id",
                "--gold-column",
                "gold",
                "--out",
                str(out),
                "--quiet",
            ],
        )
        assert result.exit_code == 0, result.output
        labels = pd.read_csv(out / "labels.csv")
        assert labels.columns.tolist() == ["item", "label", "confidence", "n_votes", "p_ham", "p_spam"]
        assert labels.set_index("item").loc[[1, 3, 5], "label"].eq("spam").all()
        analysis = pd.read_csv(out / "analysis.csv").set_index("labeler")
        assert analysis.loc["has_link", "coverage"] == 0.5 and analysis.loc["has_link", "empirical_accuracy"] == 1.0
        summary = json.loads((out / "summary.json").read_text())
        assert summary["n_labelers"] == 3 and summary["classes"] == ["ham", "spam"]
        assert len(pd.read_csv(out / "votes.csv")) == summary["n_votes"] == 7

    def test_value_outside_classes_exits_2_naming_the_function(self, tmp_path):
        """A vote outside --classes is one error line and exit status 2."""
        lfs, data = _files(tmp_path)
        result = CliRunner().invoke(
            main,
            ["weak", lfs, data, "--text-column", "body", "--classes", "ham", "--out", str(tmp_path / "o"), "--quiet"],
        )
        assert result.exit_code == 2 and "'has_link' returned 'spam' on row 0" in result.output

    def test_file_without_labeling_functions_is_an_error(self, tmp_path):
        """A Python file that defines no labeling function is rejected."""
        lfs, data = _files(tmp_path, lfs="x = 1\n")
        result = CliRunner().invoke(main, ["weak", lfs, data, "--out", str(tmp_path / "o")])
        assert result.exit_code == 2 and "defines no labeling functions" in result.output

    def test_lfs_file_that_exits_on_import_is_an_error(self, tmp_path):
        """A module-level argparse / sys.exit in LFS ended the command with its own status and no message."""
        lfs, data = _files(tmp_path, lfs="import argparse\nargparse.ArgumentParser().parse_args(['--nope'])\n")
        result = CliRunner().invoke(main, ["weak", lfs, data, "--out", str(tmp_path / "o")])
        assert result.exit_code == 2 and "failed to import: SystemExit: 2" in result.output
        assert not (tmp_path / "o").exists()

    def test_missing_text_column_is_named(self, tmp_path):
        """--text-column must be a column of the data."""
        lfs, data = _files(tmp_path)
        result = CliRunner().invoke(main, ["weak", lfs, data, "--text-column", "nope", "--out", str(tmp_path / "o")])
        assert result.exit_code == 2 and "--text-column 'nope'" in result.output


class TestAggregateVotes:
    def test_aggregate_reads_votes_format(self, tmp_path):
        """labelwise aggregate samples.jsonl --format votes aggregates model samples."""
        records = [
            {"item": f"q{i}", "sample": s, "answer": "A" if s < 2 or i == 0 else "B"}
            for i in range(4)
            for s in range(3)
        ]
        path = tmp_path / "samples.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in records))
        out = tmp_path / "agg"
        result = CliRunner().invoke(
            main, ["aggregate", str(path), "--format", "votes", "--method", "majority-vote", "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        labels = pd.read_csv(out / "labels.csv")
        assert set(labels["label"]) == {"A"}
