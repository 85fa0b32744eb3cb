"""``--out``: a run never replaces a file it was given as an input, --force or not."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from labelwise.cli import main

ANSWERS = "item,annotator,label\na,w1,x\na,w2,x\nb,w1,y\nb,w2,y\n"
TABLE = "a,b,y\n" + "".join(f"{i % 7},{i % 3},{'no' if i % 2 else 'yes'}\n" for i in range(40))
SEMI = "a,b,y\n" + "".join(f"{i},{i % 3},{'' if i % 3 == 0 else ('no' if i < 20 else 'yes')}\n" for i in range(40))
LFS = "from labelwise.weak import labeling_function\n\n@labeling_function()\ndef big(row):\n    return 'yes' if row.a > 3 else 'no'\n"

#: command -> (the input's name in --out: one of the command's outputs, its content, argv after the input)
CASES = {
    "aggregate": ("labels.csv", ANSWERS, []),
    "train": ("issues.csv", TABLE, ["--label", "y", "--model", "logistic", "--no-evaluate"]),
    "pseudolabel": ("pseudolabeled.csv", SEMI, ["--label", "y", "--model", "logistic"]),
    "robustness": ("robustness.csv", TABLE, ["--label", "y", "--models", "svc", "--seeds", "1"]),
}


def _words(result):
    return " ".join(result.output.split())


@pytest.mark.parametrize("force", [[], ["--force"]])
@pytest.mark.parametrize("command", sorted(CASES))
def test_an_input_named_as_an_output_is_never_replaced(command, force, tmp_path):
    """DATA in --out under a name the run writes is refused, with or without --force, and left as it was."""
    name, content, options = CASES[command]
    given = tmp_path / name
    given.write_text(content)
    result = CliRunner().invoke(main, [command, str(given), *options, "--out", str(tmp_path), *force])
    assert result.exit_code != 0
    assert f"is where the run writes {name}, which would replace its input" in _words(result)
    assert given.read_text() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_weak_data_named_votes_csv_is_never_replaced(tmp_path):
    """labelwise weak's DATA saved as --out/votes.csv is refused with --force and left as it was."""
    (tmp_path / "lfs.py").write_text(LFS)
    given = tmp_path / "votes.csv"
    given.write_text(TABLE)
    result = CliRunner().invoke(main, ["weak", str(tmp_path / "lfs.py"), str(given), "--out", str(tmp_path), "--force"])
    assert result.exit_code != 0
    assert "is where the run writes votes.csv, which would replace its input DATA" in _words(result)
    assert given.read_text() == TABLE


def test_aggregate_gold_named_labels_csv_is_never_replaced(tmp_path):
    """An option's file (--gold) in --out under an output's name is an input too."""
    (tmp_path / "answers.csv").write_text(ANSWERS)
    gold = tmp_path / "out" / "labels.csv"
    gold.parent.mkdir()
    gold.write_text("item,label\na,x\nb,y\n")
    args = ["aggregate", str(tmp_path / "answers.csv"), "--gold", str(gold), "--out", str(gold.parent), "--force"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0
    assert "which would replace its input --gold" in _words(result)
    assert gold.read_text() == "item,label\na,x\nb,y\n"


def test_an_output_named_like_nothing_given_is_still_replaced_with_force(tmp_path):
    """The refusal is about inputs only: an earlier run's labels.csv is replaced with --force as before."""
    (tmp_path / "answers.csv").write_text(ANSWERS)
    out = tmp_path / "out"
    args = ["aggregate", str(tmp_path / "answers.csv"), "--out", str(out), "--top", "0"]
    assert CliRunner().invoke(main, args).exit_code == 0
    result = CliRunner().invoke(main, [*args, "--force", "--method", "majority-vote"])
    assert result.exit_code == 0, result.output
