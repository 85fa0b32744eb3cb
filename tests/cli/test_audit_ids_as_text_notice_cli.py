"""The audit's column-role notice names ids written as text (``003``) as such: the table reader made
integers of them, and the notice said "distinct integers in monotone order" (session 47's walk)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


def _audit(tmp_path, ids):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 2))
    labels = np.where(x[:, 0] > 0, "cat", "dog")
    pd.DataFrame({"id": ids, "x1": x[:, 0], "x2": x[:, 1], "label": labels}).to_csv(tmp_path / "data.csv", index=False)
    args = ["audit", str(tmp_path / "data.csv"), "--label", "label", "--model", "logistic", "--cv", "3"]
    res = CliRunner().invoke(main, [*args, "--checks", "label", "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    roles = json.loads((tmp_path / "out" / "summary.json").read_text())["column_roles"]
    return " ".join(res.output.split()), roles["id"]["reason"]


def test_zero_padded_ids_are_called_ids_written_as_text(tmp_path):
    """``003``, ``004``...: the notice and summary.json say ids written as text, not integers."""
    output, reason = _audit(tmp_path, [f"{i + 3:03d}" for i in range(40)])
    assert "dropped column 'id': all 40 values are distinct ids written as text ('003', '004', ...)" in output
    assert "distinct integers" not in output
    assert reason.startswith("all 40 values are distinct ids written as text")


@pytest.mark.parametrize("ids", [list(range(100, 140))])
def test_integer_ids_keep_the_integer_reason(tmp_path, ids):
    """Ids written as plain integers are integers: the reason is unchanged."""
    output, reason = _audit(tmp_path, ids)
    assert "dropped column 'id': distinct integers in monotone order (a row id)" in output
    assert reason == "distinct integers in monotone order (a row id)"
