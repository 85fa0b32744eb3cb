"""``labelwise aggregate --format votes`` reads a votes file's ids by the long table's rule (one rule,
in ``io``): the same answers give the same output files from a votes file (CSV or JSON Lines) and from
the long table of them; main kept every votes field as text, so item ``10`` came before ``2``."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.io import read_annotations

#: (item, sample, answer) rows; the long table has the sample as its annotator.
ROWS = {
    "numbers": [(10, 0, "a"), (2, 0, "b"), (2, 1, "b"), (10, 1, "a"), (3, 10, "a"), (3, 2, "b"), (3, 0, "b")],
    "zero-padded": [("007", 0, "a"), (7, 0, "b"), (10, 1, "a"), (2, 1, "b"), (7, 1, "b"), (2, 0, "b")],
    "number answers": [(10, 0, 3), (2, 0, 10), (2, 1, 10), (10, 1, 2), (10, 2, 2)],
}


def _write(folder, rows):
    folder.mkdir()
    (folder / "long.csv").write_text("item,annotator,label\n" + "".join(f"{i},{s},{a}\n" for i, s, a in rows))
    (folder / "votes.csv").write_text("item,sample,answer\n" + "".join(f"{i},{s},{a}\n" for i, s, a in rows))
    (folder / "votes.jsonl").write_text(
        "".join(json.dumps({"item": i, "sample": s, "answer": a}) + "\n" for i, s, a in rows)
    )
    return folder


def _outputs(out):
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file() and p.name != "summary.json"}


@pytest.mark.parametrize("case", sorted(ROWS))
def test_votes_file_gives_the_long_tables_output_files(tmp_path, case):
    """labels.csv and annotators.csv from a votes CSV or JSON Lines file are byte for byte the long table's."""
    folder = _write(tmp_path / "in", ROWS[case])
    outs = {}
    for name, options in (
        ("long.csv", []),
        ("votes.csv", ["--format", "votes"]),
        ("votes.jsonl", ["--format", "votes"]),
    ):
        out = tmp_path / name.replace(".", "-")
        args = ["aggregate", str(folder / name), "--out", str(out), "--method", "majority-vote", "--quiet", *options]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        outs[name] = _outputs(out)
    assert outs["votes.csv"] == outs["long.csv"]
    assert outs["votes.jsonl"] == outs["long.csv"]


def test_votes_items_2_and_10_in_number_order(tmp_path):
    """Item 2 comes before item 10 in labels.csv, and sample 2 before sample 10 in annotators.csv."""
    folder = _write(tmp_path / "in", ROWS["numbers"])
    out = tmp_path / "out"
    args = ["aggregate", str(folder / "votes.csv"), "--format", "votes", "--out", str(out), "--quiet"]
    assert CliRunner().invoke(main, [*args, "--method", "majority-vote"]).exit_code == 0
    items = [line.split(",")[0] for line in (out / "labels.csv").read_text().splitlines()[1:]]
    annotators = [line.split(",")[0] for line in (out / "annotators.csv").read_text().splitlines()[1:]]
    assert items == ["2", "3", "10"]
    assert annotators == ["0", "1", "2", "10"]


def test_zero_padded_item_stays_apart_from_its_number(tmp_path):
    """``007`` and ``7`` stay two items, written as the file writes them (the text, as a long table keeps it)."""
    folder = _write(tmp_path / "in", ROWS["zero-padded"])
    for name in ("votes.csv", "votes.jsonl"):
        answers = read_annotations(folder / name, "votes").answers
        assert sorted(answers["item"].unique()) == ["007", "10", "2", "7"], name


def test_votes_answers_read_as_the_long_tables(tmp_path):
    """read_annotations' votes answers equal the long table's, dtypes included (integer items and labels)."""
    folder = _write(tmp_path / "in", ROWS["number answers"])
    long = read_annotations(folder / "long.csv").answers
    for name in ("votes.csv", "votes.jsonl"):
        votes = read_annotations(folder / name, "votes").answers
        assert votes["item"].dtype.kind == "i" and votes["label"].dtype.kind == "i", name
        assert votes.equals(long), (name, votes, long)
