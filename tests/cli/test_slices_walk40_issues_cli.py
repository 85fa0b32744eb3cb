"""``labelwise slices --issues``: a path that is not a folder is refused under the option's name."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main

SFS = "from labelwise.weak import slicing_function\n\n@slicing_function()\ndef big(row):\n    return row.x > 0.5\n"


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_issues_not_a_folder_names_the_option_not_out_dir(tmp_path, kind):
    """It said '--issues: out_dir must be an existing output folder' (the library's parameter name)."""
    (tmp_path / "sfs.py").write_text(SFS)
    rng = np.random.default_rng(0)
    pd.DataFrame({"x": rng.random(40), "y": np.tile([0, 1], 20), "p": np.tile([0, 0, 1, 1], 10)}).to_csv(
        tmp_path / "data.csv", index=False
    )
    issues = tmp_path / "audit"
    if kind == "file":
        issues.write_text("not a folder\n")
    args = ["slices", str(tmp_path / "sfs.py"), str(tmp_path / "data.csv"), "--label", "y", "--pred", "p"]
    res = CliRunner().invoke(main, [*args, "--issues", str(issues), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "out_dir" not in res.output
    assert "--issues must be an existing audit output folder (labelwise audit --out)" in " ".join(res.output.split())
    assert not (tmp_path / "o").exists()
