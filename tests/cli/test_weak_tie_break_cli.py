"""`labelwise weak --tie-break`: Snorkel's tie-break policies for the labels it writes."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main

# two rules, one per class, firing alike: an item both (or neither) vote on is an exact tie
LFS = """
from labelwise.weak import labeling_function

@labeling_function()
def has_x(row):
    return "spam" if "x" in row.text else None

@labeling_function()
def has_y(row):
    return "ham" if "y" in row.text else None
"""
DATA = "text,gold\nx,spam\ny,ham\nxy,spam\nx,spam\ny,ham\nxy,ham\nz,ham\nx,spam\ny,ham\n"
TIED = [2, 5, 6]


def _run(tmp_path, *options):
    (tmp_path / "lfs.py").write_text(LFS)
    (tmp_path / "data.csv").write_text(DATA)
    out = tmp_path / "out"
    args = ["weak", str(tmp_path / "lfs.py"), str(tmp_path / "data.csv"), "--gold-column", "gold", "--quiet"]
    result = CliRunner().invoke(main, [*args, "--out", str(out), *options])
    assert result.exit_code == 0, result.output
    return pd.read_csv(out / "labels.csv", keep_default_na=False), json.loads((out / "summary.json").read_text())


def test_abstain_leaves_tied_items_unlabelled_and_out_of_the_gold_accuracy(tmp_path):
    """Tied items get an empty label, are counted in the summary and not scored against gold."""
    labels, summary = _run(tmp_path, "--tie-break", "abstain")
    assert labels.loc[labels["label"] == "", "item"].tolist() == TIED
    assert summary["n_abstained"] == 3 and summary["tie_break"] == "abstain"
    assert summary["accuracy_on_covered_gold"] == 1.0


def test_random_picks_the_tied_class_by_the_row_hash(tmp_path):
    """Snorkel's rule: row i takes tied class sha1(str(i)) mod 2 (the classes sorted)."""
    labels, summary = _run(tmp_path, "--tie-break", "random")
    expected = [("ham", "spam")[int(hashlib.sha1(str(i).encode()).hexdigest(), 16) % 2] for i in TIED]
    assert labels.set_index("item").loc[TIED, "label"].tolist() == expected
    assert summary["n_abstained"] == 0


def test_an_unknown_policy_is_named(tmp_path):
    """click lists the policies."""
    (tmp_path / "lfs.py").write_text(LFS)
    (tmp_path / "data.csv").write_text(DATA)
    result = CliRunner().invoke(
        main, ["weak", str(tmp_path / "lfs.py"), str(tmp_path / "data.csv"), "--tie-break", "x"]
    )
    assert result.exit_code != 0 and "Invalid value for '--tie-break'" in result.output
    assert "'abstain', 'random', 'true-random'" in result.output
