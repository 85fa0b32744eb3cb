"""`labelwise evaluate` given regression targets as test labels (session 38's walk).

It answered "predictions of model 'a' must hold one of the classes [-731.3, 350.0, ...], row 0 is
37512.6": the targets taken as classes. It now says the labels look continuous, as `train` does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main


def test_continuous_test_labels_are_named_as_such(tmp_path):
    """Prices as --labels: one line saying they look continuous and that evaluate needs classes."""
    rng = np.random.default_rng(0)
    y = rng.normal(3000, 500, 80).round(2)
    pd.DataFrame({"label": y}).to_csv(tmp_path / "y.csv", index=False)
    (tmp_path / "preds").mkdir()
    np.save(tmp_path / "preds" / "a.npy", y + rng.normal(0, 50, 80))
    pd.DataFrame({"row": [3], "label": [3100.5]}).to_csv(tmp_path / "fix.csv", index=False)
    args = ["evaluate", str(tmp_path / "preds"), "--labels", str(tmp_path / "y.csv")]
    result = CliRunner().invoke(main, [*args, "--corrections", str(tmp_path / "fix.csv"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert "--labels looks continuous (80 distinct non-integer numbers" in said
    assert "labelwise evaluate needs classes" in said and "Traceback" not in said
