"""`labelwise corrupt --task regression` on a target column with an empty cell (session 38's walk).

The error showed the cell as numpy's repr, ``row 3 holds np.float64(nan)``, not as the value.
"""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main


def test_a_missing_target_is_shown_as_nan(tmp_path):
    """An empty price cell (read as NaN) is named by its row and shown as nan."""
    pd.DataFrame({"x": [1, 2, 3, 4], "price": [1.5, 2.0, None, 3.0]}).to_csv(tmp_path / "d.csv", index=False)
    args = ["corrupt", str(tmp_path / "d.csv"), "--task", "regression", "--label", "price", "--rate", "0.25"]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert (
        "--label column 'price' must hold a finite number on every row for --task regression, row 2 holds nan" in said
    )
    assert "np.float64" not in said and not (tmp_path / "o.csv").exists()
