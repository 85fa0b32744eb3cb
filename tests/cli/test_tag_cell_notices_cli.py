"""``audit --task multilabel``'s notices on tag cells read otherwise than meant (``cli._tag_cell_notices``):
tags joined by another separator than ``--tag-separator``, and null cells of a Parquet or JSON file.
Spaces around the separator are stripped as documented (``a | b`` is ``a|b``), without a notice."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main


def _audit(tmp_path, data: str, n: int, k: int, *extra: str):
    np.save(tmp_path / "p.npy", np.random.default_rng(0).uniform(0.05, 0.95, (n, k)))
    args = [
        "audit",
        str(tmp_path / data),
        "--task",
        "multilabel",
        "--label",
        "tags",
        "--probs",
        str(tmp_path / "p.npy"),
    ]
    return CliRunner().invoke(main, [*args, *extra, "--out", str(tmp_path / "out")])


def _csv(tmp_path, cells: list[str], *extra: str, k: int = 2):
    """A CSV of ``cells`` (each quoted, so ',' stays in its cell)."""
    (tmp_path / "t.csv").write_text("tags,x\n" + "".join(f'"{c}",{i}\n' for i, c in enumerate(cells)))
    return _audit(tmp_path, "t.csv", len(cells), k, *extra)


def _said(result) -> str:
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def _notices(tmp_path) -> list[str]:
    return json.loads((tmp_path / "out" / "summary.json").read_text()).get("notices", [])


class TestAnotherSeparator:
    def test_tags_joined_by_a_semicolon_read_with_the_default_get_one_notice(self, tmp_path):
        """'a;b' beside cells 'a' and 'b', read with '|': one tag 'a;b' (3 columns of --probs fit), said."""
        said = _said(_csv(tmp_path, ["a", "a;b", "b", "a;b"] * 6, k=3))
        expected = (
            "notice: 12 cell(s) of --label column 'tags' hold tags joined by ';', not by the tag separator '|', and "
            "are read as one tag each (the first: row 1 (line 3), 'a;b' read as the tag 'a;b', where 'a', 'b' are "
            "tags of other cells); if ';' separates tags, pass --tag-separator ';'"
        )
        assert expected in said, said
        assert any("joined by ';'" in n for n in _notices(tmp_path))

    def test_the_default_separator_under_another_tag_separator_is_named(self, tmp_path):
        """``--tag-separator ';'`` on cells written 'a|b': the notice names '|' (the command's default)."""
        said = _said(_csv(tmp_path, ["a|b", "a", "b"] * 8, "--tag-separator", ";", k=3))
        assert "8 cell(s) of --label column 'tags' hold tags joined by '|', not by the tag separator ';'" in said
        assert "pass --tag-separator '|'" in said

    def test_tags_joined_by_commas_are_told_to_use_the_separator(self, tmp_path):
        """',' cannot be a --tag-separator: the notice says to rewrite the cells."""
        said = _said(_csv(tmp_path, ["a, b", "a", "b"] * 8, k=3))
        assert "hold tags joined by ','" in said
        assert "rewrite those cells with '|' between tags (',' cannot be a --tag-separator" in said

    def test_names_holding_a_separator_whose_parts_are_no_tags_say_nothing(self, tmp_path):
        """'R&D;ops' where neither 'R&D' nor 'ops' is a tag on its own: a name, no notice (a guard)."""
        result = _csv(tmp_path, ["R&D;ops", "sales", "R&D;ops|sales"] * 8)
        assert "notice" not in _said(result) and _notices(tmp_path) == []

    def test_spaces_around_the_separator_are_stripped_without_a_notice(self, tmp_path):
        """'a | b' is the tags a and b (docs/tasks.md: tags are stripped): given_tags 'a|b', nothing said."""
        result = _csv(tmp_path, ["a | b", "a", "b", " b |a "] * 6)
        assert "notice" not in _said(result)
        issues = pd.read_csv(tmp_path / "out" / "issues.csv", keep_default_na=False).sort_values("row")
        assert issues["given_tags"].tolist()[:4] == ["a|b", "a", "b", "a|b"]


class TestNullCellsOfTypedFiles:
    def test_a_null_tag_cell_of_a_parquet_file_gets_a_notice(self, tmp_path):
        """None in a Parquet text column: read as no tags, said with the count and the first row."""
        cells = ["a|b", "a", None, "b", "", None] + ["a"] * 18
        pd.DataFrame({"tags": cells, "x": range(24)}).to_parquet(tmp_path / "t.parquet")
        said = _said(_audit(tmp_path, "t.parquet", 24, 2))
        expected = (
            "notice: 2 cell(s) of --label column 'tags' are null in the Parquet file and are read as rows without "
            "tags (the first: row 2); no tags is written as an empty list or text, so if these rows were not "
            "labelled, leave them out of DATA"
        )
        assert expected in said, said
        assert any("are null in the Parquet file" in n for n in _notices(tmp_path))

    def test_a_null_tag_list_of_json_lines_names_its_line(self, tmp_path):
        """A JSON Lines null among tag lists: the row and its line (a blank line counted); [] says nothing."""
        rows = [["a", "b"], [], ["a"], None, ["b"]] + [["a"]] * 19
        lines = [json.dumps({"tags": tags, "x": i}) for i, tags in enumerate(rows)]
        (tmp_path / "t.jsonl").write_text("\n".join(lines[:2] + [""] + lines[2:]) + "\n")
        said = _said(_audit(tmp_path, "t.jsonl", 24, 2))
        assert "1 cell(s) of --label column 'tags' are null in the JSON file" in said, said
        assert "(the first: row 3 (line 5))" in said

    def test_empty_lists_and_texts_of_a_parquet_file_say_nothing(self, tmp_path):
        """[] and '' are rows without tags as written: no notice (a guard)."""
        pd.DataFrame({"tags": [["a"], [], ["b"]] * 8, "x": range(24)}).to_parquet(tmp_path / "l.parquet")
        assert "notice" not in _said(_audit(tmp_path, "l.parquet", 24, 2))
        pd.DataFrame({"tags": ["a", "", "b"] * 8, "x": range(24)}).to_parquet(tmp_path / "t.parquet")
        assert "notice" not in _said(_audit(tmp_path, "t.parquet", 24, 2, "--force"))


class TestCorruptSaysTheSame:
    """``corrupt --task multilabel`` reads the tag cells as the audit does, and says the same notices."""

    def _corrupt(self, tmp_path, data: str):
        argv = ["corrupt", str(tmp_path / data), "--task", "multilabel", "--label", "tags", "--rate", "0.1"]
        return CliRunner().invoke(main, [*argv, "--out", str(tmp_path / "noisy.csv")])

    def test_tags_joined_by_another_separator_are_said_and_kept_in_the_summary(self, tmp_path):
        cells = ["a", "a;b", "b"] * 8
        (tmp_path / "t.csv").write_text("tags,x\n" + "".join(f"{c},{i}\n" for i, c in enumerate(cells)))
        said = _said(self._corrupt(tmp_path, "t.csv"))
        assert "notice: 8 cell(s) of --label column 'tags' hold tags joined by ';'" in said, said
        summary = json.loads((tmp_path / "noisy.summary.json").read_text())
        assert any("joined by ';'" in n for n in summary["notices"])

    def test_a_null_tag_cell_of_a_parquet_file_is_said(self, tmp_path):
        pd.DataFrame({"tags": ["a|b", None, "b"] * 8, "x": range(24)}).to_parquet(tmp_path / "t.parquet")
        said = _said(self._corrupt(tmp_path, "t.parquet"))
        assert "8 cell(s) of --label column 'tags' are null in the Parquet file" in said, said
        assert "(the first: row 1)" in said
