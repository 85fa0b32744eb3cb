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


class TestDetectPoisonIdsAndFeatureColumns:
    def test_an_id_column_is_written_and_not_read_as_a_feature(self, backdoored):
        """--id-column: a numeric id column (large, spread values) is left out of the features, so the
        shifted rows are still found, and flags.csv carries the ids as written ("007" stays text)."""
        frame = pd.read_csv(backdoored / "data.csv")
        ids = [f"{i:03d}" for i in range(7, 307)]
        frame.insert(0, "row id", ids)
        frame.to_csv(backdoored / "ids.csv", index=False)
        argv = ["detect-poison", str(backdoored / "ids.csv"), "--label", "y", "--id-column", "row id"]
        result = CliRunner().invoke(
            main, [*argv, "--detector", "activation-clustering", "--out", str(backdoored / "o")]
        )
        assert result.exit_code == 0, result.output
        flags = pd.read_csv(backdoored / "o" / "flags.csv", dtype={"id": str})
        assert sorted(flags.loc[flags.is_flagged, "row"]) == list(range(10))
        assert flags.set_index("row")["id"].sort_index().tolist() == ids
        summary = json.loads((backdoored / "o" / "summary.json").read_text())
        assert summary["id_column"] == "row id" and "row id" not in summary["feature_columns"]
        assert "features: 12 numeric column(s) of DATA (x0, x1" in result.output

    def test_repeated_or_missing_ids_are_refused(self, backdoored):
        """--id-column with an id twice, or with an empty cell: exit 2, one line naming the option and the id."""
        frame = pd.read_csv(backdoored / "data.csv")
        for name, ids, expected in (
            ("twice", ["007", "7", "007"], "got '007' twice (row 2)"),
            ("missing", ["007", "7", None], "got a missing id (row 2)"),
        ):
            frame.assign(id=ids + [str(i) for i in range(100, 397)]).to_csv(backdoored / f"{name}.csv", index=False)
            argv = ["detect-poison", str(backdoored / f"{name}.csv"), "--label", "y", "--id-column", "id"]
            result = CliRunner().invoke(main, [*argv, "--out", str(backdoored / name)])
            assert result.exit_code == 2, result.output
            assert f"--id-column 'id' must hold a unique id on every row, {expected}" in result.output
            assert "Traceback" not in result.output

    def test_a_missing_feature_cell_is_named_by_its_column(self, backdoored):
        """An empty cell in a numeric column of DATA: the error names the column (not its position)."""
        frame = pd.read_csv(backdoored / "data.csv")
        frame.loc[5, "x2"] = np.nan
        frame.to_csv(backdoored / "nan.csv", index=False)
        result = CliRunner().invoke(
            main, ["detect-poison", str(backdoored / "nan.csv"), "--label", "y", "--out", str(backdoored / "o")]
        )
        assert result.exit_code == 2
        assert "DATA feature columns must have no missing values, got nan in column 'x2' at row 5" in result.output


class TestDetectPoisonPrinting:
    def test_top_prints_the_most_flagged_classes_and_quiet_prints_nothing(self, backdoored):
        """--top 1 prints the class with the most flagged rows and says the rest are in classes.csv;
        --quiet prints nothing and writes the same files."""
        argv = ["detect-poison", str(backdoored / "data.csv"), "--label", "y", "--detector", "activation-clustering"]
        result = CliRunner().invoke(main, [*argv, "--top", "1", "--out", str(backdoored / "a")])
        assert result.exit_code == 0, result.output
        assert "(1 of 3 classes, most flagged first; all in classes.csv)" in " ".join(result.output.split())
        assert "│ a " in result.output and "│ b " not in result.output
        quiet = CliRunner().invoke(main, [*argv, "--quiet", "--out", str(backdoored / "q")])
        assert quiet.exit_code == 0 and quiet.output == ""
        for name in ("flags.csv", "classes.csv"):
            assert (backdoored / "a" / name).read_text() == (backdoored / "q" / name).read_text()

    def test_a_class_of_one_row_is_warned_about_by_the_option_name(self, backdoored):
        """A class of one row is skipped with a warning that names --label (not the API's labels)."""
        frame = pd.read_csv(backdoored / "data.csv")
        frame.loc[0, "y"] = "lonely"
        frame.to_csv(backdoored / "one.csv", index=False)
        argv = ["detect-poison", str(backdoored / "one.csv"), "--label", "y", "--quiet"]
        result = CliRunner().invoke(main, [*argv, "--out", str(backdoored / "o")])
        assert result.exit_code == 0, result.output
        assert "warning: --label: 1 class(es) have fewer than 3 rows (lonely)" in result.output

    def test_an_option_of_the_other_detector_is_refused(self, backdoored):
        """--n-components with spectral signatures, --eps with activation clustering: refused (they
        would be ignored), naming the option and the detector that reads it; nothing written."""
        data = str(backdoored / "data.csv")
        for extra, expected in (
            (["--n-components", "3"], "--n-components is only read by --detector activation-clustering"),
            (
                ["--detector", "activation-clustering", "--eps", "0.2"],
                "--eps is only read by --detector spectral-signatures",
            ),
        ):
            result = CliRunner().invoke(
                main, ["detect-poison", data, "--label", "y", *extra, "--out", str(backdoored / "o")]
            )
            assert result.exit_code == 2 and expected in " ".join(result.output.split()), result.output
            assert not (backdoored / "o").exists()
