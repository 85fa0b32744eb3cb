"""``labelwise detect-poison --detector roni`` end to end, with click's CliRunner."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.linear_model import LogisticRegression

import labelwise as lw
from labelwise.cli import main


def _table(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.normal(size=n)
    return pd.DataFrame({"a": a, "b": b, "y": np.where(a > 0, "pos", "neg")})


@pytest.fixture
def flipped(tmp_path):
    """DATA whose first four rows sit deep in one class with the other's label; a clean trusted table."""
    data = _table(40, 1)
    data.loc[:3, "a"] = 2.0 * np.sign(data.loc[:3, "a"])
    data.loc[:3, "y"] = np.where(data.loc[:3, "a"] > 0, "neg", "pos")
    data.to_csv(tmp_path / "data.csv", index=False)
    _table(90, 2).to_csv(tmp_path / "trusted.csv", index=False)
    return tmp_path


def _run(folder, *extra):
    argv = ["detect-poison", str(folder / "data.csv"), "--label", "y", "--detector", "roni"]
    return CliRunner().invoke(main, [*argv, *extra, "--out", str(folder / "out")])


class TestDetectPoisonRoni:
    def test_roni_flags_flipped_rows_and_writes_its_draws(self, flipped):
        """Flipped rows come first in flags.csv, flagged; summary.json holds the threshold and the draws
        (one draw here; --draws is below)."""
        result = _run(flipped, "--trusted", str(flipped / "trusted.csv"), "--draws", "1")
        assert result.exit_code == 0, result.output
        flags = pd.read_csv(flipped / "out" / "flags.csv")
        assert set(flags.loc[flags.is_flagged, "row"]) <= {0, 1, 2, 3}
        assert flags["is_flagged"].sum() >= 3
        summary = json.loads((flipped / "out" / "summary.json").read_text())
        assert summary["detector"] == "roni"
        assert summary["params"]["n_base"] == 30 and len(summary["params"]["quiz_rows"]) == 30
        assert "threshold" in summary["params"]

    def test_roni_without_trusted_or_with_features_is_refused(self, flipped):
        """--trusted is required, --features refused, each in a line naming the option."""
        result = _run(flipped)
        assert result.exit_code != 0 and "--trusted" in result.output
        np.save(flipped / "f.npy", np.zeros((40, 2)))
        result = _run(flipped, "--trusted", str(flipped / "trusted.csv"), "--features", str(flipped / "f.npy"))
        assert result.exit_code != 0 and "--features" in result.output

    def test_trusted_table_without_a_feature_column_is_refused(self, flipped):
        """A --trusted table lacking one of DATA's feature columns is named with the column."""
        pd.read_csv(flipped / "trusted.csv").drop(columns="b").to_csv(flipped / "t2.csv", index=False)
        result = _run(flipped, "--trusted", str(flipped / "t2.csv"))
        assert result.exit_code != 0
        assert "--trusted" in result.output and "'b'" in result.output

    def test_roni_options_with_another_detector_are_refused(self, flipped):
        """--k with spectral-signatures is refused: it would be ignored."""
        argv = ["detect-poison", str(flipped / "data.csv"), "--label", "y", "--k", "2", "--out", str(flipped / "o")]
        result = CliRunner().invoke(main, argv)
        assert result.exit_code != 0 and "--k is only read by --detector roni" in result.output

    def test_draws_average_the_impacts_as_the_api_does(self, flipped):
        """--draws 3 flags and scores the rows as poison.roni(n_draws=3) with the command's model and seed,
        and summary.json holds the three draws."""
        result = _run(flipped, "--trusted", str(flipped / "trusted.csv"), "--draws", "3")
        assert result.exit_code == 0, result.output
        data, trusted = pd.read_csv(flipped / "data.csv"), pd.read_csv(flipped / "trusted.csv")
        want = lw.poison.roni(
            data[["a", "b"]].to_numpy(),
            data["y"].to_numpy(),
            estimator=LogisticRegression(max_iter=1000),
            X_valid=trusted[["a", "b"]].to_numpy(),
            y_valid=trusted["y"].to_numpy(),
            n_draws=3,
            random_state=0,
        )
        flags = pd.read_csv(flipped / "out" / "flags.csv").set_index("row").sort_index()
        np.testing.assert_array_equal(flags["is_flagged"].to_numpy(), want.is_flagged)
        np.testing.assert_allclose(flags["score"].to_numpy(), want.scores, atol=1e-12)
        params = json.loads((flipped / "out" / "summary.json").read_text())["params"]
        assert params["n_draws"] == 3 and len(params["draws"]) == 3

    def test_draws_with_another_detector_is_refused(self, flipped):
        """--draws is read by roni only: with spectral-signatures it is refused, naming it."""
        argv = ["detect-poison", str(flipped / "data.csv"), "--label", "y", "--draws", "2", "--out", str(flipped / "o")]
        result = CliRunner().invoke(main, argv)
        assert result.exit_code != 0 and "--draws is only read by --detector roni" in result.output
