"""``labelwise corrupt --task regression``: outlying targets as ``lw.noise.corrupt_targets`` draws them."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import labelwise as lw
from labelwise.cli import main


@pytest.fixture()
def prices(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"size": rng.normal(size=80).round(3), "price": rng.integers(100, 400, size=80)})
    path = tmp_path / "prices.csv"
    frame.to_csv(path, index=False)
    return path, frame


def _run(*args):
    return CliRunner().invoke(main, ["corrupt", *map(str, args)])


@pytest.mark.parametrize("kind", ["mixed", "shift", "decimal", "swap"])
def test_targets_are_corrupt_targets(prices, tmp_path, kind):
    """--task regression --noise KIND writes corrupt_targets(y, rate, kind, magnitude, seed)'s targets."""
    path, frame = prices
    out = tmp_path / "noisy.csv"
    result = _run(path, "--task", "regression", "--label", "price", "--noise", kind, "--rate", "0.25",
                  "--random-state", 4, "--out", out, *(["--magnitude", "2"] if kind in ("shift", "mixed") else []))  # fmt: skip
    assert result.exit_code == 0, result.output
    magnitude = 2.0 if kind in ("shift", "mixed") else 4.0
    expected = lw.noise.corrupt_targets(frame["price"], rate=0.25, kind=kind, magnitude=magnitude, random_state=4)
    written = pd.read_csv(out)
    np.testing.assert_array_equal(written["price"].to_numpy(dtype=float), expected.labels)
    truth = pd.read_csv(tmp_path / "noisy.truth.csv")
    assert truth["is_corrupted"].tolist() == expected.is_corrupted.tolist()
    summary = json.loads((tmp_path / "noisy.summary.json").read_text())
    assert summary["n_corrupted"] == expected.n_corrupted and summary["n_drawn"] == 20
    assert summary["task"] == "regression" and summary["noise"] == kind


def test_other_cells_and_unchanged_targets_stay_as_written(prices, tmp_path):
    """Only corrupted target cells change; a whole number in an integer column is written without '.0'."""
    path, _ = prices
    out = tmp_path / "noisy.csv"
    assert _run(path, "--task", "regression", "--label", "price", "--noise", "swap", "--rate", "0.3", "--out",
                out).exit_code == 0  # fmt: skip
    before = path.read_text().splitlines()
    after = out.read_text().splitlines()
    flags = pd.read_csv(tmp_path / "noisy.truth.csv")["is_corrupted"].tolist()
    assert [line.split(",")[0] for line in before] == [line.split(",")[0] for line in after]
    assert [b != a for b, a in zip(before[1:], after[1:], strict=True)] == flags
    assert all("." not in line.split(",")[1] for line in after[1:])


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["--noise", "pair", "--rate", "0.1"], "--noise must be one of ['mixed', 'shift', 'decimal', 'swap']"),
        (["--rate", "0.1", "--magnitude", "0"], "--magnitude must be a positive number"),
        (["--noise", "swap", "--rate", "0.1", "--magnitude", "2"], "--magnitude is for --noise shift/mixed only"),
        (["--matrix", "m.csv"], "--matrix is for --task classification only"),
        (["--rate", "1.5"], "--rate must be in [0, 1)"),
    ],
)
def test_refused_with_the_option_named(prices, tmp_path, args, match):
    """Options that do not fit --task regression are one line naming them."""
    path, _ = prices
    result = _run(path, "--task", "regression", "--label", "price", *args, "--out", tmp_path / "o.csv")
    assert result.exit_code == 2 and match in result.output, result.output


def test_text_targets_are_refused(tmp_path):
    """A label column with a non-number names the row."""
    pd.DataFrame({"x": [1, 2, 3], "y": [1.5, "high", 2.0]}).to_csv(tmp_path / "d.csv", index=False)
    result = _run(
        tmp_path / "d.csv", "--task", "regression", "--label", "y", "--rate", "0.1", "--out", tmp_path / "o.csv"
    )
    assert result.exit_code == 2 and "must hold a finite number on every row" in result.output
    assert "row 1 holds 'high'" in result.output
