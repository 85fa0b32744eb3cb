"""``labelwise aggregate`` refuses an item or annotator id of a JSON Lines input written as a number
and as text (``2`` and ``"2"``): two items to pandas, which labels.csv would write as two rows ``2``."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from labelwise.cli import main


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


@pytest.mark.parametrize(
    ("rows", "options", "named", "output"),
    [
        (
            [{"item": 2, "annotator": "a", "label": "x"}, {"item": "2", "annotator": "b", "label": "y"}],
            [],
            "--item-column column 'item'",
            "labels.csv",
        ),
        (
            [{"id": 2, "annotator": "a", "label": "x"}, {"id": "2", "annotator": "b", "label": "y"}],
            ["--item-column", "id"],
            "--item-column column 'id'",
            "labels.csv",
        ),
        (
            [{"item": "p", "annotator": 7, "label": "x"}, {"item": "q", "annotator": "7", "label": "y"}],
            [],
            "--annotator-column column 'annotator'",
            "annotators.csv",
        ),
    ],
)
def test_aggregate_refuses_an_id_written_as_a_number_and_as_text(tmp_path, rows, options, named, output):
    """The option and column, both values with their types and rows, and the output are named; nothing is written."""
    path = _jsonl(tmp_path / "answers.jsonl", rows)
    out = tmp_path / "o"
    result = CliRunner().invoke(main, ["aggregate", str(path), "--out", str(out), *options])
    assert result.exit_code != 0
    message = " ".join(result.output.split())
    assert named in message
    assert "(int, row 0)" in message and "(str, row 1)" in message
    assert output in message
    assert not out.exists() or not any(out.iterdir())


def test_aggregate_keeps_ids_written_one_way(tmp_path):
    """Numbers alone (or text alone) are one id each: 2 answers on item 2 make one row."""
    rows = [{"item": 2, "annotator": "a", "label": "x"}, {"item": 2, "annotator": "b", "label": "x"}]
    path = _jsonl(tmp_path / "answers.jsonl", rows)
    result = CliRunner().invoke(main, ["aggregate", str(path), "--out", str(tmp_path / "o"), "--quiet"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o" / "labels.csv").read_text().count("\n2,") == 1


def test_aggregate_random_state_has_a_help_text():
    result = CliRunner().invoke(main, ["aggregate", "--help"])
    block = " ".join(result.output.split("--random-state", 1)[1].split()[:8])
    assert "Seed" in block
