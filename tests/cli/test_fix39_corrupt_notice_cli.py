"""``labelwise corrupt --rate 0.2`` on a 5-row table flips nothing (exact per-class counts round to 0):
a notice says so and why, instead of only the realised rate 0; the rate keeps its meaning."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


def _corrupt(tmp_path, n, *args):
    pd.DataFrame({"x": range(n), "y": list("abab" + "c" * (n - 4))}).to_csv(tmp_path / "d.csv", index=False)
    out = tmp_path / "noisy.csv"
    res = CliRunner().invoke(
        main, ["corrupt", str(tmp_path / "d.csv"), "--label", "y", "--out", str(out), *args], terminal_width=300
    )
    assert res.exit_code == 0, res.output
    return " ".join(res.output.split()), json.loads((tmp_path / "noisy.summary.json").read_text())


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (["--rate", "0.2"], "--noise symmetric flips exact counts per true class and noise-matrix cell"),
        (["--rate", "0.2", "--noise", "pair"], "the largest cell expects 0.4 flips"),
        (["--rate", "0.05", "--noise", "random-flips"], "round(rate x rows) = round(0.25)"),
    ],
)
def test_a_rate_that_rounds_to_no_flip_on_a_small_table_says_so(tmp_path, args, why):
    output, summary = _corrupt(tmp_path, 5, *args)
    assert summary["n_flipped"] == 0
    assert f"notice: --rate {args[1]} rounds to 0 flips on this table of 5 rows" in output
    assert why in output and "the labels are unchanged" in output


def test_the_notice_only_when_a_positive_rate_flipped_nothing(tmp_path):
    (tmp_path / "big").mkdir(), (tmp_path / "zero").mkdir()
    output, _ = _corrupt(tmp_path, 5, "--rate", "0.2")
    assert "notice: --rate 0.2 rounds to 0 flips" in output
    output, summary = _corrupt(tmp_path / "big", 60, "--rate", "0.2")
    assert summary["n_flipped"] > 0 and "notice:" not in output
    output, summary = _corrupt(tmp_path / "zero", 5, "--rate", "0")
    assert summary["n_flipped"] == 0 and "notice:" not in output
