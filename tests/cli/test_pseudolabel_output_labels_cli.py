"""``labelwise pseudolabel``: pseudolabeled.csv keeps the data's label column as written."""

from __future__ import annotations

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main


def test_integer_labels_with_empty_cells_stay_integers(tmp_path):
    """A label column of 0/1 with empty cells is written back as 0 and 1, not 0.0 and 1.0."""
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, 60)
    labels = np.where(rng.random(60) < 0.5, "", truth.astype(str))
    lines = [f"{a:.3f},{t}" for a, t in zip(truth * 4.0 + rng.normal(0, 1, 60), labels, strict=True)]
    (tmp_path / "d.csv").write_text("a,y\n" + "\n".join(lines) + "\n")
    out = tmp_path / "p"
    args = ["pseudolabel", str(tmp_path / "d.csv"), "--label", "y", "--model", "logistic", "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out / "pseudolabeled.csv", dtype=str, keep_default_na=False)
    assert written["y"].tolist() == labels.tolist()
