"""``labelwise detect-poison --detector provenance`` and activation clustering's ``--reclassify``, end
to end with click's CliRunner."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


@pytest.fixture
def sourced(tmp_path):
    """Six devices of 100 rows; device ``c`` labels every row ``pos``; a clean trusted table."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 2))
    y = np.where(X[:, 0] > 0, "pos", "neg")
    device = np.repeat(list("abcdef"), 100)
    y[device == "c"] = "pos"
    pd.DataFrame({"f1": X[:, 0], "f2": X[:, 1], "device": device, "y": y}).to_csv(tmp_path / "data.csv", index=False)
    T = rng.normal(size=(100, 2))
    pd.DataFrame({"f1": T[:, 0], "f2": T[:, 1], "y": np.where(T[:, 0] > 0, "pos", "neg")}).to_csv(
        tmp_path / "trusted.csv", index=False
    )
    return tmp_path


def run(*args):
    return CliRunner().invoke(main, ["detect-poison", *map(str, args)])


class TestProvenanceCommand:
    def test_flags_the_device_and_writes_sources_csv(self, sourced):
        """With --trusted, device c is flagged; sources.csv has one row per device, flags.csv its rows."""
        out = sourced / "out"
        result = run(
            sourced / "data.csv", "--label", "y", "--detector", "provenance", "--source-column", "device",
            "--trusted", sourced / "trusted.csv", "--threshold", "0.02", "--out", out,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        table = pd.read_csv(out / "sources.csv")
        assert table.loc[table["flagged"], "source"].tolist() == ["c"]
        flags = pd.read_csv(out / "flags.csv")
        assert sorted(flags.loc[flags["is_flagged"], "row"]) == list(range(200, 300))
        assert set(flags["source"]) == set("abcdef")
        summary = json.loads((out / "summary.json").read_text())
        assert summary["source_column"] == "device" and summary["params"]["trusted"] is True
        assert "removal effect of each source" in result.output

    def test_runs_without_trusted_rows_on_held_out_rows(self, sourced):
        """Without --trusted, a fifth of each device's rows judge the others; device c is found."""
        out = sourced / "out"
        result = run(
            sourced / "data.csv", "--label", "y", "--detector", "provenance", "--source-column", "device",
            "--threshold", "0.02", "--quiet", "--out", out,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        table = pd.read_csv(out / "sources.csv")
        assert table.loc[table["flagged"], "source"].tolist() == ["c"]
        assert result.output == ""

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            ((), "--detector provenance needs --source-column"),
            (("--source-column", "y"), "--source-column must name another column than --label"),
            (("--source-column", "nope"), "--source-column column 'nope' is not in the data"),
        ],
    )
    def test_bad_provenance_invocations_name_the_option(self, sourced, args, message):
        """A missing, clashing or unknown --source-column is one line naming it."""
        result = run(sourced / "data.csv", "--label", "y", "--detector", "provenance", *args, "--out", sourced / "o")
        assert result.exit_code != 0
        assert message in result.output

    def test_provenance_options_are_refused_with_another_detector(self, sourced):
        """--threshold and --source-column belong to provenance: refused with spectral signatures."""
        result = run(sourced / "data.csv", "--label", "y", "--source-column", "device", "--out", sourced / "o")
        assert "--source-column is only read by --detector provenance" in result.output


@pytest.fixture
def backdoored(tmp_path):
    """Three classes in six columns; 20 rows of class ``b`` shifted along column f5 and labelled ``a``."""
    rng = np.random.default_rng(0)
    labels = np.repeat(np.array(["a", "b", "c"]), 150)
    codes = np.repeat([0, 1, 2], 150)
    X = rng.normal(size=(450, 6)) + 3.0 * rng.normal(size=(3, 6))[codes]
    X[150:170, 5] += 3.0
    labels[150:170] = "a"
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(6)]).assign(y=labels)
    frame.to_csv(tmp_path / "data.csv", index=False)
    return tmp_path


class TestReclassifyOption:
    def test_reclassify_keeps_only_the_poisoned_cluster(self, backdoored):
        """``--analysis smaller`` flags a cluster in every class; --reclassify refits without them
        and keeps only the 20 rows predicted as their source class b."""
        args = [backdoored / "data.csv", "--label", "y", "--detector", "activation-clustering", "--analysis", "smaller"]
        plain = run(*args, "--out", backdoored / "p", "--quiet")
        again = run(*args, "--reclassify", "--out", backdoored / "r", "--quiet")
        assert plain.exit_code == 0 and again.exit_code == 0, again.output
        assert pd.read_csv(backdoored / "p" / "flags.csv")["is_flagged"].sum() > 40
        flags = pd.read_csv(backdoored / "r" / "flags.csv")
        assert sorted(flags.loc[flags["is_flagged"], "row"]) == list(range(150, 170))
        classes = pd.read_csv(backdoored / "r" / "classes.csv").set_index("class")
        assert classes.loc["a", "source_class"] == "b"

    def test_reclassify_threshold_without_reclassify_is_refused(self, sourced):
        """--reclassify-threshold alone would be ignored: refused, naming it."""
        result = run(sourced / "data.csv", "--label", "y", "--detector", "activation-clustering",
                     "--reclassify-threshold", "2", "--out", sourced / "o")  # fmt: skip
        assert "--reclassify-threshold is only read with --reclassify" in result.output
