"""``labelwise detect-poison`` end to end, with click's CliRunner."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


@pytest.fixture
def backdoored(tmp_path):
    """A table of three classes (two equal halves each) whose first ten rows of class a are shifted;
    the same features also as a .npy."""
    rng = np.random.default_rng(0)
    features = rng.normal(size=(300, 12))
    features[:, 0] += 4.0 * (np.arange(300) % 2)
    features[:10, 3] += 8.0
    frame = pd.DataFrame(features, columns=[f"x{i}" for i in range(12)]).assign(y=np.repeat(["a", "b", "c"], 100))
    frame.to_csv(tmp_path / "data.csv", index=False)
    np.save(tmp_path / "features.npy", features)
    return tmp_path


class TestDetectPoison:
    def test_activation_clustering_writes_the_flags_classes_and_summary(self, backdoored):
        """The shifted rows are flagged in flags.csv (first), classes.csv has one row per class,
        summary.json the counts, and the screen the class table."""
        out = backdoored / "out"
        argv = ["detect-poison", str(backdoored / "data.csv"), "--label", "y"]
        result = CliRunner().invoke(main, [*argv, "--detector", "activation-clustering", "--out", str(out)])
        assert result.exit_code == 0, result.output
        flags = pd.read_csv(out / "flags.csv")
        assert sorted(flags.loc[flags.is_flagged, "row"]) == list(range(10))
        assert flags["is_flagged"].iloc[:10].all()
        assert pd.read_csv(out / "classes.csv")["flagged"].tolist() == [10, 0, 0]
        summary = json.loads((out / "summary.json").read_text())
        assert summary["n_flagged"] == 10 and summary["feature_columns"] == [f"x{i}" for i in range(12)]
        assert "flagged 10 of 300 rows" in result.output

    def test_features_from_a_npy_give_the_table_columns_result(self, backdoored):
        """--features emb.npy holding DATA's numeric columns flags the same rows."""
        data = str(backdoored / "data.csv")
        runs = []
        for extra, name in (([], "a"), (["--features", str(backdoored / "features.npy")], "b")):
            result = CliRunner().invoke(
                main, ["detect-poison", data, "--label", "y", *extra, "--out", str(backdoored / name)]
            )
            assert result.exit_code == 0, result.output
            runs.append(pd.read_csv(backdoored / name / "flags.csv").sort_values("row"))
        np.testing.assert_array_equal(runs[0]["is_flagged"], runs[1]["is_flagged"])

    def test_features_with_other_rows_are_refused(self, backdoored):
        """A .npy with fewer rows than DATA: exit 2, one line naming --features and both shapes."""
        np.save(backdoored / "short.npy", np.zeros((5, 3)))
        argv = [
            "detect-poison",
            str(backdoored / "data.csv"),
            "--label",
            "y",
            "--features",
            str(backdoored / "short.npy"),
        ]
        result = CliRunner().invoke(main, [*argv, "--out", str(backdoored / "o")])
        assert result.exit_code == 2
        assert "--features must have shape (n_rows, d) = (300, d) to match the data, got (5, 3)" in result.output
