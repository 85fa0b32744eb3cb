"""`labelwise weak`: ids, gold labels and --classes kept as written where a number parser would merge two."""

from __future__ import annotations

import json

import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main

LFS = """
from labelwise.weak import labeling_function

@labeling_function()
def link(row):
    return "01" if "http" in row.text else None

@labeling_function()
def short(row):
    return "1" if len(row.text) < 8 else None
"""


def _run(tmp_path, data, *options):
    (tmp_path / "lfs.py").write_text(LFS)
    (tmp_path / "data.csv").write_text(data)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["weak", str(tmp_path / "lfs.py"), str(tmp_path / "data.csv"), "--out", str(out), "--quiet", *options]
    )
    return result, out


class TestWeakTextIds:
    def test_ids_007_and_7_are_two_items(self, tmp_path):
        """--id-column values 007 and 7 (1.0 and 1) are four items, not a duplicate id."""
        data = "id,body\n007,see http://x\n7,hi mom\n1.0,go http://y\n1,ok\n"
        result, out = _run(tmp_path, data, "--text-column", "body", "--id-column", "id")
        assert result.exit_code == 0, result.output
        labels = pd.read_csv(out / "labels.csv", dtype={"item": str})
        assert labels["item"].tolist() == ["007", "7", "1.0", "1"]

    def test_gold_labels_01_and_1_are_two_classes(self, tmp_path):
        """--gold-column labels 01 and 1 match the functions' votes 01 and 1: every vote is correct."""
        data = "body,gold\nsee http://x,01\nhi mom,1\ngo http://y,01\nok,1\n"
        result, out = _run(tmp_path, data, "--text-column", "body", "--gold-column", "gold")
        assert result.exit_code == 0, result.output
        table = pd.read_csv(out / "analysis.csv").set_index("labeler")
        assert table["correct"].tolist() == [2, 2]
        assert table["incorrect"].tolist() == [0, 0]
        assert json.loads((out / "summary.json").read_text())["accuracy_on_covered_gold"] == 1.0

    def test_classes_01_and_1_are_two_classes(self, tmp_path):
        """--classes 01,1 names two classes (it was read as the integer 1 twice)."""
        data = "body\nsee http://x\nhi mom\n"
        result, out = _run(tmp_path, data, "--text-column", "body", "--classes", "01,1")
        assert result.exit_code == 0, result.output
        assert json.loads((out / "summary.json").read_text())["classes"] == ["01", "1"]

    def test_repeated_class_names_the_option(self, tmp_path):
        """A class given twice is an error about --classes, not the API's classes=."""
        result, _ = _run(tmp_path, "body\nsee http://x\n", "--text-column", "body", "--classes", "01,01")
        assert result.exit_code != 0
        assert "--classes must be distinct" in result.output

    def test_gold_outside_the_classes_names_the_option(self, tmp_path):
        """Gold labels that name no voted class are an error about --gold-column."""
        data = "body,gold\nsee http://x,a\nhi mom,b\n"
        result, _ = _run(tmp_path, data, "--text-column", "body", "--gold-column", "gold")
        assert result.exit_code != 0
        assert "--gold-column must name the votes' classes" in result.output

    def test_integer_gold_matches_functions_voting_text(self, tmp_path):
        """Gold 0/1 (read as integers) and functions voting "0"/"1" (text) are the same classes."""
        lfs = LFS.replace('"01"', '"0"')
        (tmp_path / "lfs.py").write_text(lfs)
        (tmp_path / "data.csv").write_text("body,gold\nsee http://x,0\nhi mom,1\n")
        out = tmp_path / "out"
        args = ["weak", str(tmp_path / "lfs.py"), str(tmp_path / "data.csv"), "--out", str(out), "--quiet"]
        result = CliRunner().invoke(main, [*args, "--text-column", "body", "--gold-column", "gold"])
        assert result.exit_code == 0, result.output
        table = pd.read_csv(out / "analysis.csv").set_index("labeler")
        assert table["correct"].tolist() == [1, 1] and table["incorrect"].tolist() == [0, 0]
        assert json.loads((out / "summary.json").read_text())["accuracy_on_covered_gold"] == 1.0

    def test_missing_id_is_refused_naming_its_row(self, tmp_path):
        """A row without an --id-column id is an error naming the row (it was an item '' and made the
        other ids floats, 1.0 and 2.0, in labels.csv)."""
        data = "id,body\n1,see http://x\n2,hi mom\n,go http://y\n"
        result, out = _run(tmp_path, data, "--text-column", "body", "--id-column", "id")
        assert result.exit_code != 0
        assert "--id-column 'id' must hold a unique id on every row, got a missing id (row 2)" in result.output
        assert not out.exists()

    def test_repeated_id_is_named(self, tmp_path):
        """A repeated --id-column id is named in the error, with its row."""
        data = "id,body\n1,see http://x\n7,hi mom\n7,go http://y\n"
        result, _ = _run(tmp_path, data, "--text-column", "body", "--id-column", "id")
        assert result.exit_code != 0
        assert "got 7 twice (row 2)" in result.output
