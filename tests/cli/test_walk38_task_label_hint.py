"""`labelwise audit --task multilabel|regression` with a mistyped --label (session 38's walk).

The classification audit answers "--label column 'Tags' is not in the data (did you mean 'tags'?)";
the task audits listed the columns without the hint.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


@pytest.mark.parametrize(
    ("task", "given", "meant"), [("multilabel", "Tags", "tags"), ("regression", "price ", "price")]
)
def test_a_mistyped_label_column_gets_did_you_mean(tmp_path, task, given, meant):
    """A wrong case or a stray space in --label: the error suggests the column meant."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=20), "tags": ["a|b", "b"] * 10, "price": rng.normal(size=20)})
    frame.to_csv(tmp_path / "d.csv", index=False)
    np.save(tmp_path / "p.npy", np.full((20, 2), 0.5))
    extra = ["--probs", str(tmp_path / "p.npy")] if task == "multilabel" else []
    args = ["audit", str(tmp_path / "d.csv"), "--task", task, "--label", given, *extra, "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert f"--label {given!r} is not in the data (did you mean {meant!r}?)" in " ".join(result.output.split())
