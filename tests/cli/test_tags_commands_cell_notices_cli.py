"""``train-tags`` and ``aggregate-tags`` give audit's notices on tag cells read otherwise than written
(``cli._tag_cell_notices``): an empty tag between separators, tags joined by another separator than
``--tag-separator``, a null cell of a JSON Lines file; each naming the command's own option."""

from __future__ import annotations

import json

from click.testing import CliRunner

from labelwise.cli import main


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_aggregate_tags_says_cells_joined_by_another_separator_and_empty_tags(tmp_path):
    rows = ["item,annotator,tags", "1,a,cat|dog", "1,b,cat;dog", "2,a,cat||dog", "2,b,dog", "3,a,cat", "3,b,cat"]
    (tmp_path / "answers.csv").write_text("\n".join(rows) + "\n")
    out = tmp_path / "o"
    result = CliRunner().invoke(main, ["aggregate-tags", str(tmp_path / "answers.csv"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    said = _one_line(result.output)
    assert "notice: 1 cell(s) of --tags-column column 'tags' hold tags joined by ';'" in said
    assert "notice: 1 cell(s) of --tags-column column 'tags' hold an empty tag between separators" in said
    notices = json.loads((out / "summary.json").read_text())["notices"]
    assert len(notices) == 2 and all(n.startswith("1 cell(s) of --tags-column column 'tags'") for n in notices)


def test_aggregate_tags_says_null_cells_of_a_json_lines_file(tmp_path):
    rows = [
        {"item": 1, "annotator": "a", "tags": "cat"},
        {"item": 1, "annotator": "b", "tags": None},
        {"item": 2, "annotator": "a", "tags": "dog"},
        {"item": 2, "annotator": "b", "tags": "dog"},
    ]
    path = tmp_path / "answers.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "o"
    result = CliRunner().invoke(main, ["aggregate-tags", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    said = _one_line(result.output)
    assert "1 cell(s) of --tags-column column 'tags' are null in the JSON file" in said
    assert "(the first: row 1 (line 2))" in said and "leave them out of ANSWERS" in said


def test_aggregate_tags_says_nothing_on_clean_cells(tmp_path):
    rows = ["item,annotator,tags", "1,a,cat|dog", "1,b,cat", "2,a,dog", "2,b,dog"]
    (tmp_path / "answers.csv").write_text("\n".join(rows) + "\n")
    out = tmp_path / "o"
    result = CliRunner().invoke(main, ["aggregate-tags", str(tmp_path / "answers.csv"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "notice" not in result.output
    assert json.loads((out / "summary.json").read_text())["notices"] == []


def test_train_tags_says_cells_joined_by_another_separator(tmp_path):
    tags = ["cat|dog", "cat;dog", "cat||dog", "dog", "cat", "cat", "dog", "cat|dog", "cat", "dog", "cat", "dog"]
    lines = ["x,tags", *(f"{i},{t}" for i, t in enumerate(tags))]
    (tmp_path / "data.csv").write_text("\n".join(lines) + "\n")
    out = tmp_path / "o"
    args = ["train-tags", str(tmp_path / "data.csv"), "--label", "tags", "--cv", "2", "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    said = _one_line(result.output)
    assert "1 cell(s) of --label column 'tags' hold tags joined by ';'" in said
    assert "1 cell(s) of --label column 'tags' hold an empty tag between separators" in said
    notices = json.loads((out / "summary.json").read_text())["notices"]
    assert any("joined by ';'" in n for n in notices) and any("empty tag" in n for n in notices)
