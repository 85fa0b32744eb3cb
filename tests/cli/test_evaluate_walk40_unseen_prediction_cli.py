"""``labelwise evaluate``: a model that predicts a class no test item has is told how to name it."""

from __future__ import annotations

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main


def test_predicted_class_no_test_item_has_points_to_classes(tmp_path):
    """It said only 'must hold one of the classes [0, 1], row 3 is 2'; the line now names --classes, and with
    --classes 0,1,2 the prediction 2 is scored as a wrong one."""
    (tmp_path / "preds").mkdir()
    np.save(tmp_path / "preds" / "a.npy", np.array([0, 1, 1, 2, 0, 1]))
    pd.DataFrame({"label": [0, 1, 1, 1, 0, 0]}).to_csv(tmp_path / "test.csv", index=False)
    pd.DataFrame({"row": [5], "label": [1]}).to_csv(tmp_path / "fix.csv", index=False)
    args = ["evaluate", str(tmp_path / "preds"), "--labels", str(tmp_path / "test.csv")]
    args += ["--corrections", str(tmp_path / "fix.csv"), "--seeds", "1"]
    res = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "Traceback" not in res.output
    line = " ".join(res.output.split())
    assert "row 3 is 2" in line and "pass --classes naming every class" in line
    assert not (tmp_path / "o").exists()
    res = CliRunner().invoke(main, [*args, "--classes", "0,1,2", "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(tmp_path / "o" / "table.csv").set_index("model")
    assert table.loc["a", "original"] == 4 / 6 and table.loc["a", "corrected"] == 5 / 6
