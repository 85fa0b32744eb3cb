"""``labelwise slices --metrics f1`` on three classes: macro F1, named f1_macro in the table and the
summary (it was scikit-learn's raw ``average='binary'`` error)."""

from __future__ import annotations

import json

import pandas as pd
from click.testing import CliRunner
from sklearn.metrics import f1_score

from labelwise.cli import main

SFS = "from labelwise.weak import slicing_function\n\n@slicing_function()\ndef is_x(row):\n    return row['g'] == 'x'\n"


def test_f1_on_three_classes_is_macro_and_says_so(tmp_path):
    (tmp_path / "sfs.py").write_text(SFS)
    df = pd.DataFrame({"y": list("abcabcabc"), "p": list("abaccbbbc"), "g": list("xxxyyyxyx")})
    df.to_csv(tmp_path / "data.csv", index=False)
    res = CliRunner().invoke(
        main,
        ["slices", str(tmp_path / "sfs.py"), str(tmp_path / "data.csv"), "--label", "y", "--pred", "p"]
        + ["--metrics", "f1", "--out", str(tmp_path / "o")],
        terminal_width=200,
    )
    assert res.exit_code == 0, res.output
    assert "f1_macro" in res.output
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["metrics"] == ["f1_macro"]
    assert summary["overall"]["f1_macro"] == f1_score(df.y, df.p, average="macro")
    table = pd.read_csv(tmp_path / "o" / "slices.csv", index_col=0)
    x = df.g == "x"
    assert table.loc["is_x", "f1_macro"] == f1_score(df.y[x], df.p[x], average="macro")
