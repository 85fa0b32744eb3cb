"""``labelwise aggregate-texts``'s --duplicates and --quiet, as ``labelwise aggregate``'s."""

from __future__ import annotations

import json

import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main


def _answers(path):
    """q1: annotator a first wrote "dogs bark", then corrected it to the consensus."""
    rows = [
        ("q1", "a", "dogs bark loudly"),
        ("q1", "b", "the cat sat on the mat"),
        ("q1", "c", "the cat sat on a mat"),
        ("q1", "a", "the cat sat on the mat"),
        ("q2", "a", "paris is the capital"),
        ("q2", "b", "paris is the capitol"),
    ]
    pd.DataFrame(rows, columns=["item", "annotator", "text"]).to_csv(path, index=False)
    return path


def _run(*args):
    return CliRunner().invoke(main, ["aggregate-texts", *map(str, args)])


def test_duplicates_last_uses_only_the_last_answer(tmp_path):
    """--duplicates last: q1 has 3 answers (a's first one dropped); summary.json as aggregate's."""
    out = tmp_path / "o"
    res = _run(_answers(tmp_path / "a.csv"), "--duplicates", "last", "--out", out)
    assert res.exit_code == 0, res.output
    texts = pd.read_csv(out / "texts.csv").set_index("item")
    assert texts.loc["q1", "n_answers"] == 3
    info = json.loads((out / "summary.json").read_text())
    assert info["duplicates"] == {"policy": "last", "n_duplicates": 1, "n_dropped": 1}
    assert info["n_answers"] == 5
    assert "only the last of each was used (--duplicates last)" in " ".join(res.output.split())


def test_duplicates_keep_is_the_default(tmp_path):
    """Without --duplicates each repeat is an answer (q1 has 4), as labelwise aggregate's default."""
    out = tmp_path / "o"
    res = _run(_answers(tmp_path / "a.csv"), "--out", out)
    assert res.exit_code == 0, res.output
    assert pd.read_csv(out / "texts.csv").set_index("item").loc["q1", "n_answers"] == 4
    assert json.loads((out / "summary.json").read_text())["duplicates"]["policy"] == "keep"


def test_quiet_prints_nothing_and_summary_keeps_the_notices(tmp_path):
    """--quiet (one meaning for every command): nothing on stdout, the files written as without it, the
    repeats' count in summary.json; without it the tables and the notice are printed."""
    res = _run(_answers(tmp_path / "a.csv"), "--method", "rasa", "--quiet", "--out", tmp_path / "o")
    assert res.exit_code == 0, res.output
    assert res.stdout == "" and (tmp_path / "o" / "texts.csv").exists()
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["duplicates"]["n_duplicates"] > 0
    loud = _run(_answers(tmp_path / "b.csv"), "--method", "rasa", "--out", tmp_path / "loud")
    assert "chosen texts" in loud.stdout and "repeat an annotator's answer" in loud.stdout
