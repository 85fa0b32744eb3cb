"""``labelwise pseudolabel``: a rule option the chosen --selection does not read is refused, not ignored."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


def _data(tmp_path):
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, 60)
    frame = pd.DataFrame({"a": truth * 4.0 + rng.normal(0, 1, 60), "b": rng.normal(0, 1, 60)})
    frame["y"] = np.where(rng.random(60) < 0.5, "", np.array(["no", "yes"], dtype=object)[truth])
    frame.to_csv(tmp_path / "d.csv", index=False)
    return str(tmp_path / "d.csv")


def _invoke(tmp_path, *options):
    args = ["pseudolabel", _data(tmp_path), "--label", "y", "--model", "logistic", "--out", str(tmp_path / "p")]
    return CliRunner().invoke(main, [*args, *options])


class TestRuleOptions:
    @pytest.mark.parametrize(
        ("options", "said"),
        [
            (
                ["--selection", "k_best", "--threshold", "0.9"],
                "--threshold is read by --selection threshold or adaptive only",
            ),
            (
                ["--selection", "threshold", "--k-best", "3"],
                "--k-best is read by --selection k_best or class_balanced only",
            ),
            (
                ["--selection", "adaptive", "--recheck"],
                "--recheck is read by --selection threshold, k_best or class_balanced only",
            ),
            (["--selection", "curriculum", "--threshold", "0.5"], "got --selection curriculum"),
        ],
    )
    def test_an_option_the_rule_does_not_read_is_refused(self, tmp_path, options, said):
        """The run stops before any work, naming the option and the rules that read it; no output folder."""
        result = _invoke(tmp_path, *options)
        assert result.exit_code != 0
        assert said in " ".join(result.output.split())
        assert not (tmp_path / "p").exists()

    @pytest.mark.parametrize(
        "options",
        [
            ["--selection", "threshold", "--threshold", "0.9", "--recheck"],
            ["--selection", "adaptive", "--threshold", "0.9"],
            ["--selection", "class_balanced", "--k-best", "4", "--recheck"],
        ],
    )
    def test_an_option_the_rule_reads_runs(self, tmp_path, options):
        """Options the chosen rule reads are accepted, and recorded in summary.json's settings."""
        result = _invoke(tmp_path, *options)
        assert result.exit_code == 0, result.output
