"""A "did you mean" when --label names a column the table does not have (walk37: detect-poison listed all
65 columns of digits for ``--label Target``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.cli._column_hint import column_hint


def test_a_wrong_case_or_spaces_names_the_column():
    assert column_hint("Target", ["x", "target"]) == " (did you mean 'target'?)"
    assert column_hint("label", ["x", " Label "]) == " (did you mean ' Label '?)"


def test_a_typo_names_the_closest_column_and_nothing_far_is_suggested():
    assert column_hint("specie", ["island", "species"]) == " (did you mean 'species'?)"
    assert column_hint("price", ["island", "species"]) == ""


def _table(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "c"])
    frame["target"] = np.repeat(["x", "y"], 20)
    frame.to_csv(tmp_path / "d.csv", index=False)
    return tmp_path / "d.csv"


def test_detect_poison_suggests_the_label_column(tmp_path):
    args = ["detect-poison", str(_table(tmp_path)), "--label", "Target", "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0
    assert "did you mean 'target'?" in result.output


def test_audit_suggests_the_label_column(tmp_path):
    args = ["audit", str(_table(tmp_path)), "--label", "TARGET", "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0
    assert "did you mean 'target'?" in result.output
