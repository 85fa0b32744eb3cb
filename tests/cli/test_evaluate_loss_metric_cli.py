"""``labelwise evaluate --metric`` refuses a loss (session 47: it ranked the worst model first)."""

from __future__ import annotations

import numpy as np
from click.testing import CliRunner

from labelwise.cli import main


def test_cli_refuses_a_loss_naming_metric_option(tmp_path):
    """``labelwise evaluate --metric zero_one_loss`` is an error naming --metric, and writes nothing."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 60)
    given = np.where(rng.random(60) < 0.1, (y + 1) % 3, y)
    preds = {"good": y, "bad": (y + 1) % 3}
    (tmp_path / "preds").mkdir()
    for name, p in preds.items():
        np.save(tmp_path / "preds" / f"{name}.npy", p)
    np.save(tmp_path / "given.npy", given)
    np.save(tmp_path / "fixed.npy", y)
    args = ["evaluate", str(tmp_path / "preds"), "--labels", str(tmp_path / "given.npy")]
    args += ["--corrections", str(tmp_path / "fixed.npy"), "--metric", "zero_one_loss", "--out", str(tmp_path / "o")]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2, res.output
    assert "--metric must be a score where higher is better" in " ".join(res.output.split())
    assert not (tmp_path / "o" / "table.csv").exists()
