"""``labelwise detect-poison``: --random-state reaches every detector that draws, provenance's
progress bar follows --quiet, the trusted classes, the --n-components recorded and --top's help."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import labelwise.poison as poison
from labelwise.cli import main


@pytest.fixture
def sourced(tmp_path):
    """Four devices of 60 rows, two features; a clean trusted table."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(240, 2))
    y = np.where(X[:, 0] > 0, "pos", "neg")
    device = np.repeat(list("abcd"), 60)
    pd.DataFrame({"f1": X[:, 0], "f2": X[:, 1], "device": device, "y": y}).to_csv(tmp_path / "data.csv", index=False)
    T = rng.normal(size=(60, 2))
    pd.DataFrame({"f1": T[:, 0], "f2": T[:, 1], "y": np.where(T[:, 0] > 0, "pos", "neg")}).to_csv(
        tmp_path / "trusted.csv", index=False
    )
    return tmp_path


def run(*args):
    return CliRunner().invoke(main, ["detect-poison", *map(str, args)])


def recording(module, name, monkeypatch):
    """Replace ``module.name`` by a wrapper that records its keyword arguments."""
    calls: list[dict] = []
    real = getattr(poison, name)

    def wrapper(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


PROVENANCE = ("--label", "y", "--detector", "provenance", "--source-column", "device")


class TestRandomState:
    def test_provenance_draws_with_the_seed_and_summary_records_it(self, sourced, monkeypatch):
        calls = recording(poison, "provenance", monkeypatch)
        out = sourced / "out"
        result = run(sourced / "data.csv", *PROVENANCE, "--random-state", "7", "--quiet", "--out", out)
        assert result.exit_code == 0, result.output
        assert calls[0]["random_state"] == 7
        assert json.loads((out / "summary.json").read_text())["random_state"] == 7

    def test_roni_draws_with_the_seed(self, sourced, monkeypatch):
        calls = recording(poison, "roni", monkeypatch)
        result = run(
            sourced / "data.csv", "--label", "y", "--detector", "roni", "--trusted", sourced / "trusted.csv",
            "--draws", "1", "--random-state", "3", "--quiet", "--out", sourced / "out",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert calls[0]["random_state"] == 3

    def test_activation_clustering_draws_with_the_seed(self, sourced, monkeypatch):
        calls = recording(poison, "activation_clustering", monkeypatch)
        result = run(
            sourced / "data.csv", "--label", "y", "--detector", "activation-clustering", "--analysis", "silhouette",
            "--random-state", "11", "--quiet", "--out", sourced / "out",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert calls[0]["random_state"] == 11

    def test_the_default_seed_is_0_as_the_other_commands(self, sourced):
        out = sourced / "out"
        result = run(sourced / "data.csv", "--label", "y", "--quiet", "--out", out)
        assert result.exit_code == 0, result.output
        assert json.loads((out / "summary.json").read_text())["random_state"] == 0

    def test_refuses_a_negative_seed_as_a_usage_error(self, sourced):
        result = run(sourced / "data.csv", "--label", "y", "--random-state", "-1", "--out", sourced / "out")
        assert result.exit_code == 2 and "--random-state" in result.output


class TestProvenanceProgress:
    @pytest.mark.parametrize(("quiet", "verbose"), [((), None), (("--quiet",), False)])
    def test_the_bar_over_sources_is_shown_on_a_terminal_and_hidden_by_quiet(
        self, sourced, monkeypatch, quiet, verbose
    ):
        """Without --quiet the library draws its bar when stderr is a terminal (verbose=None)."""
        calls = recording(poison, "provenance", monkeypatch)
        result = run(sourced / "data.csv", *PROVENANCE, *quiet, "--out", sourced / "out")
        assert result.exit_code == 0, result.output
        assert calls[0]["verbose"] is verbose

    def test_refuses_trusted_labels_of_a_class_not_in_data(self, sourced):
        trusted = pd.read_csv(sourced / "trusted.csv")
        trusted.loc[:4, "y"] = "other"
        trusted.to_csv(sourced / "trusted.csv", index=False)
        result = run(sourced / "data.csv", *PROVENANCE, "--trusted", sourced / "trusted.csv", "--out", sourced / "out")
        assert result.exit_code == 2
        assert "--trusted label column must hold only classes of the training labels" in result.output
        assert "'other'" in result.output


class TestRecordedAndHelp:
    def test_summary_records_the_components_used_not_those_asked(self, sourced):
        """Two feature columns and --n-components 10: no reduction, summary.json says 2."""
        out = sourced / "out"
        result = run(
            sourced / "data.csv", "--label", "y", "--detector", "activation-clustering", "--n-components", "10",
            "--quiet", "--out", out,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert json.loads((out / "summary.json").read_text())["params"]["n_components"] == 2

    def test_top_help_says_it_limits_sources_for_provenance(self):
        result = CliRunner().invoke(main, ["detect-poison", "--help"], terminal_width=400)
        line = " ".join(result.output.split())
        assert "--top" in line and "or sources for provenance" in line
