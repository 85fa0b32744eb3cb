"""``train`` and ``pseudolabel`` on a label column of fractional numbers: the error names ``--label``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


def _table(path, unlabeled: bool = False):
    """Two features and labels 0.5 / 1.5 / 2.5 (numbers a classifier cannot take as classes)."""
    rng = np.random.default_rng(0)
    y = np.array([0.5, 1.5, 2.5] * 30)
    frame = pd.DataFrame({"a": rng.normal(size=90) + y, "b": rng.normal(size=90), "y": y})
    if unlabeled:
        frame.loc[[1, 5, 9], "y"] = np.nan
    frame.to_csv(path, index=False)


@pytest.mark.parametrize(
    "command",
    [("train",), ("train", "--method", "forward"), ("pseudolabel",)],
    ids=["train", "train-forward", "pseudolabel"],
)
def test_fractional_labels_are_refused_naming_the_label_option(tmp_path, command):
    """The error said ``y must hold class labels`` (the API's parameter): it names the --label column."""
    _table(tmp_path / "d.csv", unlabeled=command[0] == "pseudolabel")
    args = [*command[:1], str(tmp_path / "d.csv"), *command[1:], "--label", "y", "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0
    assert "--label column 'y' must hold class labels" in result.output
    assert "Traceback" not in result.output
