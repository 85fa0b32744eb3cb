"""`labelwise slices` with the metrics of the probabilities (roc_auc, log_loss, brier)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main

SFS = """
from labelwise.weak import slicing_function

@slicing_function()
def short(row):
    return len(row.text) < 5
"""


def _files(tmp_path):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 60)
    table = pd.DataFrame({"text": ["ab", "abcdefg"] * 30, "label": y, "pred": rng.integers(0, 2, 60)})
    table.to_csv(tmp_path / "d.csv", index=False)
    p1 = np.clip(0.3 + 0.4 * y + rng.normal(0, 0.2, 60), 0.01, 0.99)
    np.save(tmp_path / "p.npy", np.column_stack([1 - p1, p1]))
    (tmp_path / "sfs.py").write_text(SFS)
    return [str(tmp_path / "sfs.py"), str(tmp_path / "d.csv"), "--label", "label"]


def test_probability_metrics_are_scored_from_predictions(tmp_path):
    """--predictions probabilities give roc_auc, log_loss and brier columns per slice."""
    args = _files(tmp_path)
    out = tmp_path / "o"
    result = CliRunner().invoke(
        main,
        ["slices", *args, "--predictions", str(tmp_path / "p.npy"), "--metrics", "roc_auc,log_loss,brier"]
        + ["--out", str(out), "--quiet"],
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "slices.csv").set_index("slice")
    assert {"roc_auc", "log_loss_low", "brier_high"} <= set(table.columns)
    assert table.loc["overall", "roc_auc"] > 0.8


def test_a_probability_metric_with_labels_only_names_predictions(tmp_path):
    """--metrics roc_auc with --pred (labels) is one error line naming --predictions."""
    args = _files(tmp_path)
    result = CliRunner().invoke(
        main, ["slices", *args, "--pred", "pred", "--metrics", "roc_auc", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2 and "--predictions must be given" in result.output
