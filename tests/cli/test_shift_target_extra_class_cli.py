"""``labelwise shift``: a --target-probs table with a class --train-probs lacks names that class (session 47: the
error gave the column counts only, 3 against 4)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main


def test_the_extra_target_class_is_named(tmp_path):
    """The target's 'owl' column is named, with why it cannot be estimated."""
    rng = np.random.default_rng(0)
    vp = rng.dirichlet(np.ones(3), 40)
    tp = rng.dirichlet(np.ones(4), 20)
    pd.DataFrame(vp, columns=["cat", "dog", "fox"]).to_csv(tmp_path / "vp.csv", index=False)
    pd.DataFrame(tp, columns=["cat", "dog", "owl", "fox"]).to_csv(tmp_path / "tp.csv", index=False)
    pd.DataFrame({"label": np.array(["cat", "dog", "fox"])[np.arange(40) % 3]}).to_csv(tmp_path / "vl.csv", index=False)
    args = ["shift", "--train-probs", str(tmp_path / "vp.csv"), "--train-labels", str(tmp_path / "vl.csv")]
    res = CliRunner().invoke(main, [*args, "--target-probs", str(tmp_path / "tp.csv"), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    text = " ".join(res.output.split())
    assert "(3 columns), got 4; its columns ['owl'] name no class of --train-probs" in text
    assert not (tmp_path / "o").exists()
