"""``aggregate-tags ANSWERS.txt --tag-separator ";"`` on a ``;``-delimited table whose tag cells hold
``;``: refused naming the line and the ways out. pandas' header-only sniff shifted every line with
two tags (the annotators became the items and the tags the annotators) and the command wrote it."""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main


def _run(path, out):
    return CliRunner().invoke(main, ["aggregate-tags", str(path), "--tag-separator", ";", "--out", str(out)])


def test_semicolon_tags_in_a_semicolon_txt_are_refused_and_nothing_written(tmp_path):
    """Exit 2, the message names the file, ';' and the line; no --out folder."""
    path = tmp_path / "answers.txt"
    path.write_text("item;annotator;tags\n1;a;cat;dog\n1;b;cat\n2;a;dog\n2;b;dog\n")
    result = _run(path, tmp_path / "out")
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert "answers.txt': its column delimiter looks like ';' (the header has 3 columns), but line 2 has 4" in said
    assert "--tag-separator" in said and not (tmp_path / "out").exists()


def test_the_same_answers_tab_delimited_aggregate(tmp_path):
    """Tab-delimited, the ';' tag cells are read whole: items 1 and 2, annotators a and b."""
    path = tmp_path / "answers.txt"
    path.write_text("item\tannotator\ttags\n1\ta\tcat;dog\n1\tb\tcat\n2\ta\tdog\n2\tb\tdog\n")
    result = _run(path, tmp_path / "out")
    assert result.exit_code == 0, result.output
    labels = pd.read_csv(tmp_path / "out" / "labels.csv")
    assert labels["item"].tolist() == [1, 2]
    assert sorted(pd.read_csv(tmp_path / "out" / "annotators.csv")["annotator"]) == ["a", "b"]
