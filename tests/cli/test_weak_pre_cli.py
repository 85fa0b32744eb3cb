"""`labelwise weak` with labeling functions that use preprocessors and resources."""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main

LFS = """
from labelwise.weak import labeling_function, preprocessor

CALLS = []

@preprocessor(vectorized=True)
def lower(df):
    CALLS.append(len(df))
    return {"lower": df.text.str.lower()}

@labeling_function(pre=[lower], resources={"words": {"win", "cash"}})
def spammy(row, words):
    return "spam" if set(row.lower.split()) & words else None

@labeling_function(pre=[lower], vectorized=True)
def greeting(df):
    return df.lower.str.startswith("hi").map({True: "ham", False: None})

@labeling_function(pre=[lower])
def counted(row):
    assert len(CALLS) == 1, CALLS  # the preprocessor ran once for the three functions
    return None
"""

DATA = "id,body\n1,WIN cash now\n2,Hi mom\n3,lunch\n4,hi there\n"


def test_weak_applies_functions_with_preprocessors_and_resources(tmp_path):
    """The command runs the file's preprocessors (once) and passes the resources; the votes are written."""
    (tmp_path / "lfs.py").write_text(LFS)
    (tmp_path / "data.csv").write_text(DATA)
    out = tmp_path / "out"
    args = ["weak", str(tmp_path / "lfs.py"), str(tmp_path / "data.csv"), "--text-column", "body"]
    result = CliRunner().invoke(main, [*args, "--id-column", "id", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    votes = pd.read_csv(out / "votes.csv")
    assert sorted(map(tuple, votes[["item", "labeler", "label"]].to_numpy().tolist())) == [
        (1, "spammy", "spam"),
        (2, "greeting", "ham"),
        (4, "greeting", "ham"),
    ]


def test_a_failing_preprocessor_is_one_error_line_naming_it_and_the_row(tmp_path):
    """A preprocessor returning None stops the command with exit status 2 and names it and the row."""
    lfs = LFS.replace('return {"lower": df.text.str.lower()}', "return None")
    (tmp_path / "lfs.py").write_text(lfs)
    (tmp_path / "data.csv").write_text(DATA)
    args = ["weak", str(tmp_path / "lfs.py"), str(tmp_path / "data.csv"), "--text-column", "body"]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "o"), "--quiet"])
    assert result.exit_code == 2 and "preprocessor 'lower' (vectorized) must return its new columns" in result.output
