"""``labelwise detect-poison --block-size``: the rows of --features read per block, validated,
recorded in summary.json, with the same flags for any value."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


@pytest.fixture
def backdoored(tmp_path):
    """Three classes of 100 rows (two halves each), the first ten rows of class a shifted; the
    features as a .npy."""
    rng = np.random.default_rng(0)
    features = rng.normal(size=(300, 12))
    features[:, 0] += 4.0 * (np.arange(300) % 2)
    features[:10, 3] += 8.0
    pd.DataFrame({"y": np.repeat(["a", "b", "c"], 100)}).to_csv(tmp_path / "data.csv", index=False)
    np.save(tmp_path / "features.npy", features)
    return tmp_path


def run(folder, *extra):
    argv = ["detect-poison", str(folder / "data.csv"), "--label", "y", "--features", str(folder / "features.npy")]
    return CliRunner().invoke(main, [*argv, *extra])


@pytest.mark.parametrize("detector", ["spectral-signatures", "activation-clustering"])
def test_any_block_size_flags_the_same_rows_and_is_recorded(backdoored, detector):
    """--block-size 1, 7 and 1000 write the default run's flags; summary.json records the rows per
    block read (the default's own when not given; all 300 rows for 1000, walk35)."""
    runs = {}
    for size in (None, 1, 7, 1000):
        out = backdoored / f"out-{size}"
        extra = [] if size is None else ["--block-size", str(size)]
        result = run(backdoored, "--detector", detector, *extra, "--out", str(out))
        assert result.exit_code == 0, result.output
        runs[size] = pd.read_csv(out / "flags.csv").sort_values("row")["is_flagged"].to_numpy()
        recorded = json.loads((out / "summary.json").read_text())["block_size"]
        assert recorded == (300 if size is None else min(size, 300))  # a block past the 300 rows reads 300
    for size in (1, 7, 1000):
        np.testing.assert_array_equal(runs[size], runs[None])


@pytest.mark.parametrize("bad", ["0", "-5", "2.5", "ten"])
def test_a_block_size_that_is_not_a_positive_integer_is_refused(backdoored, bad):
    """--block-size 0, -5, 2.5 or ten: exit 2 naming --block-size; nothing written."""
    result = run(backdoored, "--block-size", bad, "--out", str(backdoored / "o"))
    assert result.exit_code == 2 and "Invalid value for '--block-size'" in result.output, result.output
    assert not (backdoored / "o").exists()


def test_a_block_size_with_a_detector_that_reads_no_blocks_is_refused(backdoored):
    """--block-size with roni: refused (it would be ignored), naming the detectors that read it."""
    frame = pd.DataFrame({"x": np.arange(300.0), "y": np.repeat(["a", "b", "c"], 100)})
    frame.to_csv(backdoored / "table.csv", index=False)
    frame.iloc[:30].to_csv(backdoored / "trusted.csv", index=False)
    argv = ["detect-poison", str(backdoored / "table.csv"), "--label", "y", "--detector", "roni"]
    result = CliRunner().invoke(
        main,
        [*argv, "--trusted", str(backdoored / "trusted.csv"), "--block-size", "10", "--out", str(backdoored / "o")],
    )
    expected = "--block-size is only read by --detector spectral-signatures or activation-clustering"
    assert result.exit_code == 2 and expected in " ".join(result.output.split()), result.output
    assert not (backdoored / "o").exists()
