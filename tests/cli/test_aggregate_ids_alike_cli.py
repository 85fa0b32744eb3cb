"""``labelwise aggregate`` and an item or annotator id written as a number and as text (``2`` and
``"2"``): one id in a long JSON Lines table (read as its CSV), refused in an export (two items to
pandas, which labels.csv would write as two rows ``2``)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from labelwise.cli import main


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def test_aggregate_reads_long_table_ids_written_as_a_number_and_as_text_as_one(tmp_path):
    """A long JSON Lines table's ``2`` and ``"2"`` are one item (as in its CSV): one row 2 of labels.csv."""
    rows = [{"item": 2, "annotator": "a", "label": "x"}, {"item": "2", "annotator": 7, "label": "x"}]
    rows.append({"item": 3, "annotator": "7", "label": "y"})
    path = _jsonl(tmp_path / "answers.jsonl", rows)
    result = CliRunner().invoke(main, ["aggregate", str(path), "--out", str(tmp_path / "o"), "--quiet"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o" / "labels.csv").read_text().count("\n2,") == 1
    assert (tmp_path / "o" / "annotators.csv").read_text().count("\n7,") == 1


def test_aggregate_refuses_a_prodigy_id_written_as_a_number_and_as_text(tmp_path):
    """An export's ids are kept as the tool wrote them: ``2`` and ``"2"`` are refused, naming both."""
    base = {"text": "a", "_task_hash": 5, "_session_id": "s", "answer": "accept", "label": "POS"}
    rows = [{**base, "_input_hash": 2, "_annotator_id": "u1"}, {**base, "_input_hash": "2", "_annotator_id": "u2"}]
    path = _jsonl(tmp_path / "p.jsonl", rows)
    out = tmp_path / "o"
    options = ["--format", "prodigy", "--item-column", "_input_hash"]
    result = CliRunner().invoke(main, ["aggregate", str(path), "--out", str(out), *options])
    assert result.exit_code != 0
    message = " ".join(result.output.split())
    assert "--item-column column '_input_hash'" in message
    assert "(int, row 0)" in message and "(str, row 1)" in message and "labels.csv" in message
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
