"""``labelwise audit``'s null check on a table with categorical columns (session 36's walk)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main


def _penguin_like(n: int = 120) -> pd.DataFrame:
    """Two numeric and two categorical columns, as palmerpenguins (whose ``sex`` has missing cells)."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, n)
    frame = pd.DataFrame(
        {
            "bill": y * 3 + rng.normal(size=n),
            "mass": rng.normal(size=n),
            "island": rng.choice(["Biscoe", "Dream", "Torgersen"], n),
            "sex": rng.choice(["male", "female"], n).astype(object),
            "species": np.where(y == 1, "Gentoo", "Adelie"),
        }
    )
    frame.loc[[5, 9, 40], "sex"] = None  # a categorical cell missing, the numbers present
    frame.loc[12, ["bill", "mass", "island", "sex"]] = None  # every feature cell missing
    frame.loc[30, ["bill", "mass"]] = np.nan  # the numbers missing, the categories present
    return frame


def test_the_null_check_counts_missing_categorical_cells_and_flags_an_empty_row(tmp_path):
    """A missing categorical cell was one-hot encoded as zeros: 'present'. The null check said
    '2 rows have missing values (4 values)' for a table with 5 such rows (10 cells), and did not flag
    row 12, whose every cell is empty, though it flags 'a row with every value missing'."""
    data = tmp_path / "data.csv"
    _penguin_like().to_csv(data, index=False)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["audit", str(data), "--label", "species", "--checks", "null", "--model", "logistic", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    null = json.loads((out / "summary.json").read_text())["data_checks"]["null"]
    assert null["info"] == {"rows_with_missing": 5, "missing_values": 3 + 4 + 2}
    issues = pd.read_csv(out / "issues.csv").set_index("row")
    assert issues.index[issues["is_null_issue"]].tolist() == [12]
    assert "5 rows have missing values (9 values)" in " ".join(result.output.split())
