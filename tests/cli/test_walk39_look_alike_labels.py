"""Classes written two ways but for spaces or case, in `corrupt`, `robustness`, `detect-poison`,
`train` and `slices` (session 39's walk).

On main, wine labels with 'barolo ' on three rows beside 'barolo' were two classes, silently: the
noise was flipped between them, `detect-poison` listed "barolo" twice, and `slices` scored a
'barolo' prediction of a 'barolo ' label as wrong. `aggregate`, `aggregate-boxes`, `train-crowds`
and `weak` said so since session 38.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.datasets import load_wine

from labelwise.cli import main

NOTICE = (
    "notice: the labels of --label column 'target' hold 1 class name(s) written two or more ways but for case or "
    "spaces ('barolo ' and 'barolo')"
)


def _wine(tmp_path, spaced: bool = True) -> str:
    frame = load_wine(as_frame=True).frame
    frame["target"] = frame["target"].map({0: "barolo", 1: "grignolino", 2: "barbera"}).astype(object)
    if spaced:
        frame.loc[[0, 5, 9, 11, 14, 20], "target"] = "barolo "
    frame.to_csv(tmp_path / "wine.csv", index=False)
    return str(tmp_path / "wine.csv")


@pytest.mark.parametrize(
    "command",
    [
        ["corrupt", "{data}", "--label", "target", "--rate", "0.1", "--out", "{out}.csv"],
        [
            "robustness",
            "{data}",
            "--label",
            "target",
            "--attacks",
            "random",
            "--budgets",
            "0.1",
            "--models",
            "svc",
            "--seeds",
            "1",
            "--out",
            "{out}",
        ],
        ["detect-poison", "{data}", "--label", "target", "--out", "{out}"],
        ["train", "{data}", "--label", "target", "--model", "logistic", "--cv", "3", "--out", "{out}"],
    ],
    ids=["corrupt", "robustness", "detect-poison", "train"],
)
def test_a_class_spelled_with_a_space_is_named(tmp_path, command):
    """'barolo ' beside 'barolo': the command runs and says both spellings are classes of their own."""
    data = _wine(tmp_path)
    args = [a.format(data=data, out=tmp_path / "o") for a in command]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert NOTICE in " ".join(result.output.split())


def test_one_spelling_says_nothing(tmp_path):
    """The same table without the stray spaces: no notice."""
    args = ["corrupt", _wine(tmp_path, spaced=False), "--label", "target", "--rate", "0.1", "--out"]
    result = CliRunner().invoke(main, [*args, str(tmp_path / "o.csv")])
    assert result.exit_code == 0 and "written two or more ways" not in result.output


def test_slices_names_a_label_and_a_prediction_spelled_apart(tmp_path):
    """--label 'barolo ' where --pred says 'barolo': the slices' scores count it wrong, and the run says why."""
    frame = pd.read_csv(_wine(tmp_path))
    frame["model"] = frame["target"].str.strip()
    frame.to_csv(tmp_path / "p.csv", index=False)
    (tmp_path / "sfs.py").write_text(
        "from labelwise.weak import slicing_function\n\n@slicing_function()\ndef strong(row):\n"
        "    return row.alcohol > 13.5\n"
    )
    args = ["slices", str(tmp_path / "sfs.py"), str(tmp_path / "p.csv"), "--label", "target", "--pred", "model"]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert (
        "notice: the labels of --label column 'target' and the predictions hold 1 class name(s) written two or more "
        "ways but for case or spaces ('barolo ' and 'barolo')" in said
    )
    assert "a prediction spelled otherwise than its label scores wrong" in said
    assert np.isclose(pd.read_csv(tmp_path / "s" / "slices.csv").loc[0, "accuracy"], 1 - 6 / 178)
