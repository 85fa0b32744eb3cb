"""``labelwise audit``'s data checks on a table with categorical columns: the API's encoding, one line saying it."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.checks import find_data_issues
from labelwise.cli import main


def _table(n: int = 150, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    frame = pd.DataFrame(
        {
            "a": (y * 3 + rng.normal(size=n)).round(3),
            "colour": rng.choice(["red", "blue", "green"], n),
            "size": rng.choice(["S", "M", "L", "XL"], n),
            "y": np.where(y == 1, "yes", "no"),
        }
    )
    frame.loc[[1, 4, 6], "size"] = ["u1", "u2", "u3"]  # three sizes seen once: one infrequent indicator
    frame.loc[9] = frame.loc[8]  # an exact duplicate
    frame.loc[11] = frame.loc[10]
    frame.loc[11, "colour"] = "green" if frame.loc[10, "colour"] != "green" else "red"  # not a duplicate
    frame.loc[20, "colour"] = None
    return frame


def test_the_audits_checks_are_the_apis_on_the_same_table_and_say_how_columns_were_encoded(tmp_path):
    """issues.csv's check columns are find_data_issues' on the table (same probs), and one line names the encoding."""
    frame = _table()
    data, probs_path, out = tmp_path / "data.csv", tmp_path / "probs.npy", tmp_path / "out"
    frame.to_csv(data, index=False)
    probs = np.random.default_rng(1).dirichlet([1.0, 1.0], len(frame))
    np.save(probs_path, probs)
    args = ["audit", str(data), "--label", "y", "--probs", str(probs_path), "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    line = "data checks use the table's columns: as numbers: a; one-hot: colour (3 indicators), size (5 indicators)"
    assert line in result.output
    read = pd.read_csv(data)
    api = find_data_issues(read.drop(columns=["y"]), read["y"], probs, impute=True)
    issues = pd.read_csv(out / "issues.csv").sort_values("row").reset_index(drop=True)
    checks = [
        c for c in api.issues.columns if c.endswith(("_issue", "_score")) and not c.startswith(("is_label", "label"))
    ]
    assert len(checks) >= 16
    pd.testing.assert_frame_equal(issues[checks], api.issues[checks], check_dtype=False)
    assert (
        issues.loc[[8, 9], "is_exact_duplicate_issue"].all()
        and not issues.loc[[10, 11], "is_exact_duplicate_issue"].any()
    )
    summary = json.loads((out / "summary.json").read_text())["data_checks"]
    assert summary["feature_encoding"]["categorical"] == {"colour": 3, "size": 5}
    assert summary["null"]["info"]["missing_values"] == 1
