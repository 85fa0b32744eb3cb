"""End-to-end tests of `labelwise weak` and of `labelwise aggregate --format votes`."""

from __future__ import annotations

import json
import re
import sys

import numpy as np
import pandas as pd
import pytest
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
        assert labels.columns.tolist() == ["item", "label", "confidence", "n_votes", "prob_ham", "prob_spam"]
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

    def test_writes_each_functions_confusion_matrix_to_labelers_json(self, tmp_path):
        """labelers.json holds the annotator view: estimated accuracy and a confusion matrix per function."""
        lfs, data = _files(tmp_path)
        out = tmp_path / "out"
        args = ["weak", lfs, data, "--text-column", "body", "--id-column", "id", "--out", str(out), "--quiet"]
        result = CliRunner().invoke(main, [*args, "--model", "dawid-skene"])
        assert result.exit_code == 0, result.output
        view = json.loads((out / "labelers.json").read_text())
        assert view["classes"] == ["ham", "spam"] and view["model"] == "dawid-skene"
        assert [r["labeler"] for r in view["labelers"]] == ["has_link", "short", "money"]
        analysis = pd.read_csv(out / "analysis.csv").set_index("labeler")
        for record in view["labelers"]:
            confusion = np.array(record["confusion"])
            assert confusion.shape == (2, 2) and np.allclose(confusion.sum(axis=1), 1.0)
            assert record["estimated_accuracy"] == pytest.approx(analysis.loc[record["labeler"], "estimated_accuracy"])

    def test_a_failed_rerun_keeps_the_previous_outputs_and_a_rerun_replaces_them(self, tmp_path):
        """A rerun without --force is refused; one with it that fails leaves every file of the last run as it
        was; one that succeeds leaves no temporary file."""
        lfs, data = _files(tmp_path)
        out = tmp_path / "out"
        args = ["weak", lfs, data, "--text-column", "body", "--out", str(out), "--quiet"]
        assert CliRunner().invoke(main, args).exit_code == 0
        before = {p.name: p.read_bytes() for p in out.iterdir()}
        assert set(before) == {"labels.csv", "votes.csv", "analysis.csv", "labelers.json", "summary.json"}
        refused = CliRunner().invoke(main, args)
        assert refused.exit_code == 2 and "--force" in refused.output
        args.append("--force")
        (tmp_path / "lfs.py").write_text(LFS + "\n@labeling_function()\ndef boom(row):\n    return 1 / 0\n")
        failed = CliRunner().invoke(main, args)
        assert failed.exit_code == 2 and "'boom' raised ZeroDivisionError" in failed.output
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before
        (tmp_path / "lfs.py").write_text(LFS)
        assert CliRunner().invoke(main, [*args, "--model", "dawid-skene"]).exit_code == 0
        assert sorted(p.name for p in out.iterdir()) == sorted(before)
        assert json.loads((out / "summary.json").read_text())["model"] == "dawid-skene"

    @pytest.mark.parametrize(
        ("source", "message"),
        [
            ("lfs = 3\n", "lfs must be a list of labeling functions, got int"),
            (
                "from labelwise.weak import labeling_function\nlfs = labeling_function(lambda r: None)\n",
                "lfs must be a list of labeling functions, got LabelingFunction",
            ),
            ("lfs = [print, 2]\n", "lfs\\[1\\] must be a labeling function \\(or a function\\), got int 2"),
        ],
    )
    def test_an_lfs_that_is_not_a_list_of_functions_names_the_file(self, tmp_path, source, message):
        """lfs = 3 or a single function ended in a traceback (exit 1); an int in the list did not name the file."""
        lfs, data = _files(tmp_path, lfs=source)
        result = CliRunner().invoke(main, ["weak", lfs, data, "--out", str(tmp_path / "o")])
        assert result.exit_code == 2, result.output
        assert re.search(rf"LFS file '.*lfs.py': {message}", result.output)

    def test_a_function_bound_to_a_second_name_is_applied_once(self, tmp_path):
        """BEST = has_link at module level made 'has_link' a duplicate name (exit 2); it is one function."""
        lfs, data = _files(tmp_path, lfs=LFS + "\nBEST = has_link\n")
        out = tmp_path / "o"
        result = CliRunner().invoke(main, ["weak", lfs, data, "--text-column", "body", "--out", str(out), "--quiet"])
        assert result.exit_code == 0, result.output
        assert pd.read_csv(out / "analysis.csv")["labeler"].tolist() == ["has_link", "short", "money"]

    def test_the_lfs_file_may_import_a_module_beside_it(self, tmp_path):
        """from kb import WORDS in rules/lfs.py failed (ModuleNotFoundError) unless rules/ was on sys.path."""
        rules = tmp_path / "rules"
        rules.mkdir()
        (rules / "kb_weak_test.py").write_text('SPAM_WORDS = ["http", "$"]\n')
        (rules / "lfs.py").write_text(
            "from labelwise.weak import labeling_function\nfrom kb_weak_test import SPAM_WORDS\n\n"
            "@labeling_function()\ndef kw(row):\n    return 'spam' if any(w in row.text for w in SPAM_WORDS) else None\n"
        )
        (tmp_path / "data.csv").write_text(DATA)
        out = tmp_path / "o"
        args = ["weak", str(rules / "lfs.py"), str(tmp_path / "data.csv"), "--text-column", "body", "--out", str(out)]
        result = CliRunner().invoke(main, [*args, "--classes", "ham,spam", "--quiet"])
        assert result.exit_code == 0, result.output
        assert json.loads((out / "summary.json").read_text())["n_votes"] == 3
        assert str(rules) not in sys.path

    def test_votes_of_one_class_ask_for_classes(self, tmp_path):
        """Rules voting only 'spam' were told to pass labels=[...] (a Python parameter); the command names --classes."""
        lfs, data = _files(tmp_path, lfs=LFS.split("@labeling_function(vectorized=True)")[0])
        args = ["weak", lfs, data, "--text-column", "body", "--out", str(tmp_path / "o"), "--quiet"]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2 and "voted one class only (['spam'])" in result.output
        assert "--classes" in result.output
        assert CliRunner().invoke(main, [*args, "--classes", "ham,spam"]).exit_code == 0

    def test_a_text_column_beside_an_existing_text_column_is_an_error(self, tmp_path):
        """Renaming --text-column body to text beside a 'text' column made two 'text' columns and a confusing error."""
        lfs, data = _files(tmp_path, data="id,text,body\n1,a,http://x\n2,b,hi\n")
        result = CliRunner().invoke(main, ["weak", lfs, data, "--text-column", "body", "--out", str(tmp_path / "o")])
        assert result.exit_code == 2 and "already has a column named 'text'" in result.output

    def test_one_column_for_two_options_is_an_error(self, tmp_path):
        """--gold-column equal to --text-column took the text away from the functions (AttributeError on row 0)."""
        lfs, data = _files(tmp_path)
        args = ["weak", lfs, data, "--text-column", "body", "--gold-column", "body", "--out", str(tmp_path / "o")]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2
        assert "--text-column and --gold-column must name different columns, both name 'body'" in result.output


class TestAggregateVotes:
    def test_a_list_as_answer_names_the_line(self, tmp_path):
        """A JSON list as an answer is an error naming the file and the line (it was a TypeError traceback)."""
        path = tmp_path / "samples.jsonl"
        path.write_text(
            '{"item": "q1", "sample": 1, "answer": "A"}\n{"item": "q1", "sample": 2, "answer": ["A", "B"]}\n'
        )
        result = CliRunner().invoke(main, ["aggregate", str(path), "--format", "votes", "--out", str(tmp_path / "o")])
        assert result.exit_code == 2
        assert "line 2 has a list as its 'answer' (['A', 'B']), expected a single value" in result.output

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

    @pytest.mark.parametrize(
        ("field", "fmt", "method"),
        [("sample", "votes", "majority-vote"), ("sample", "auto", "majority-vote"), ("prompt", "votes", "dawid-skene")],
    )
    def test_sample_numbers_as_annotators_default_to_majority_vote(self, tmp_path, field, fmt, method):
        """Without --method, a votes file whose annotators are sample numbers gets self-consistency's majority
        vote, with a notice; prompts (or models) stay annotators for Dawid-Skene."""
        records = [{"item": f"q{i}", field: s, "answer": "AB"[(i * s) % 3 == 1]} for i in range(12) for s in range(4)]
        path = tmp_path / "samples.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in records))
        out = tmp_path / "agg"
        result = CliRunner().invoke(main, ["aggregate", str(path), "--format", fmt, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert json.loads((out / "summary.json").read_text())["method"] == method
        said = " ".join(result.output.split())
        assert ("notice: the annotators are the votes file's sample numbers" in said) == (field == "sample")


class TestNeverVotedFunction:
    @pytest.mark.parametrize("model", ["dawid-skene", "label-model"])
    def test_its_estimated_accuracy_is_empty_and_a_notice_says_so(self, tmp_path, model):
        """A function that never votes: empty in analysis.csv, null in labelers.json, named in a notice."""
        lfs = LFS + '\n@labeling_function()\ndef never(row):\n    return "spam" if "@@@" in row.text else None\n'
        lfs_path, data = _files(tmp_path, lfs=lfs)
        out = tmp_path / "out"
        args = ["weak", lfs_path, data, "--text-column", "body", "--id-column", "id", "--model", model]
        result = CliRunner().invoke(main, [*args, "--out", str(out)])
        assert result.exit_code == 0, result.output
        table = pd.read_csv(out / "analysis.csv").set_index("labeler")
        assert np.isnan(table.loc["never", "estimated_accuracy"])
        assert table.drop(index="never")["estimated_accuracy"].notna().all()
        entry = {e["labeler"]: e for e in json.loads((out / "labelers.json").read_text())["labelers"]}
        assert entry["never"]["estimated_accuracy"] is None
        said = " ".join(result.output.split())
        assert "notice: 1 labeling function(s) never voted (never): no estimated accuracy" in said


READS_HELD_BACK = """
from labelwise.weak import labeling_function

@labeling_function()
def by_field(row):
    return "spam" if str(getattr(row, FIELD)).startswith("w") else None
"""


@pytest.mark.parametrize(
    ("field", "options", "said"),
    [
        ("id", ["--id-column", "id"], "--id-column 'id' gives the items, not a field of the rows"),
        ("gold", ["--gold-column", "gold"], "--gold-column 'gold' is kept from the functions"),
        ("body", ["--text-column", "body"], "--text-column 'body' is given to the functions as row.text"),
    ],
)
def test_a_function_reading_a_column_the_command_keeps_is_told_why(tmp_path, field, options, said):
    """A function that reads the --id-column, --gold-column or renamed --text-column column gets an
    error saying why the rows lack it (it listed the fields only)."""
    lfs, data = _files(tmp_path, lfs=READS_HELD_BACK.replace("FIELD", repr(field)))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["weak", str(lfs), str(data), *options, "--out", str(out)])
    assert result.exit_code != 0
    text = " ".join(result.output.split())
    assert f"has no attribute '{field}'" in text and said in text
    assert not out.exists()
