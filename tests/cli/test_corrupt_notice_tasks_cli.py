"""``labelwise corrupt --task multilabel/regression`` and ``--noise backdoor``: a positive rate that changes
nothing on a small table says so and why, in the classification notice's sentence (``cli._corrupt_notice``);
a rate that changes something, or a rate of 0, prints no notice."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


def _corrupt(tmp_path: Path, frame: pd.DataFrame, *args: str) -> tuple[str, dict]:
    frame.to_csv(tmp_path / "d.csv", index=False)
    res = CliRunner().invoke(
        main, ["corrupt", str(tmp_path / "d.csv"), "--out", str(tmp_path / "noisy.csv"), *args], terminal_width=400
    )
    assert res.exit_code == 0, res.output
    return " ".join(res.output.split()), json.loads((tmp_path / "noisy.summary.json").read_text())


def _table(n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    tags = ["|".join(t for t in ("cat", "dog", "owl") if rng.random() < 0.4) for _ in range(n)]
    return pd.DataFrame({"x": rng.normal(size=n).round(3), "price": rng.integers(100, 400, n), "tags": tags})


class TestRegression:
    def test_a_rate_that_rounds_to_no_target_says_so(self, tmp_path):
        """--rate 0.001 on 300 rows draws round(0.3) = 0 targets: the notice names the rate, the rows and the rounding."""
        output, summary = _corrupt(tmp_path, _table(), "--task", "regression", "--label", "price", "--rate", "0.001")
        assert summary["n_corrupted"] == 0 and summary["n_drawn"] == 0
        assert (
            "notice: --rate 0.001 rounds to 0 changed targets on this table of 300 rows: --noise mixed changes "
            "round(rate x rows) = round(0.3) targets; the targets are unchanged"
        ) in output

    def test_drawn_rows_swapped_with_equal_targets_say_so(self, tmp_path):
        """A column of one value: --noise swap draws rows but no target changes, and the notice says why."""
        frame = _table(40).assign(price=7)
        output, summary = _corrupt(
            tmp_path, frame, "--task", "regression", "--label", "price", "--noise", "swap", "--rate", "0.1"
        )
        assert summary["n_drawn"] == 4 and summary["n_corrupted"] == 0
        assert "notice: --rate 0.1 changed no target on this table of 40 rows: each of the 4 rows drawn" in output

    @pytest.mark.parametrize("rate", ["0.05", "0"])
    def test_no_notice_when_targets_change_or_none_were_asked(self, tmp_path, rate):
        """15 targets changed, or --rate 0: no notice."""
        output, summary = _corrupt(tmp_path, _table(), "--task", "regression", "--label", "price", "--rate", rate)
        assert (summary["n_corrupted"] > 0) == (rate != "0") and "notice:" not in output


class TestMultilabel:
    def test_a_rate_that_drew_no_flip_gives_the_flips_expected_and_the_chance_of_none(self, tmp_path):
        """--rate 0.0001 on 900 tag cells: 0.09 flips expected, none with probability 0.9999**900."""
        output, summary = _corrupt(tmp_path, _table(), "--task", "multilabel", "--label", "tags", "--rate", "0.0001")
        assert summary["n_flipped"] == 0 and summary["n_cells"] == 900
        assert (
            "notice: --rate 0.0001 drew no flip on this table of 300 rows: each of the 900 tag cells flips on its own "
            f"with its tag's rate, 0.09 flips expected, none with probability {0.9999**900:.2g}; the tags are "
            "unchanged"
        ) in output

    def test_drop_add_names_both_rates_and_counts_present_tags_only(self, tmp_path):
        """--drop-rate 0.0001 --add-rate 0: the flips expected are the present tags' times the drop rate."""
        frame = _table()
        present = sum(len(t.split("|")) for t in frame["tags"] if t)
        output, summary = _corrupt(
            tmp_path, frame, "--task", "multilabel", "--label", "tags", "--noise", "drop-add", "--drop-rate", "0.0001"
        )
        assert summary["n_flipped"] == 0
        assert "notice: --drop-rate 0.0001 and --add-rate 0 drew no flip on this table of 300 rows" in output
        assert f"{present * 0.0001:.3g} flips expected" in output

    def test_no_notice_when_tags_flip(self, tmp_path):
        """--rate 0.05 flips tags: no notice."""
        output, summary = _corrupt(tmp_path, _table(), "--task", "multilabel", "--label", "tags", "--rate", "0.05")
        assert summary["n_flipped"] > 0 and "notice:" not in output


def test_backdoor_rate_that_rounds_to_no_poisoned_row_says_so(tmp_path):
    """--noise backdoor --rate 0.001 on 60 images poisons 0.06 rows, rounded half up to 0: the notice says so."""
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(rng.integers(0, 255, size=(60, 48)), columns=[f"pixel_{i}" for i in range(48)])
    frame["y"] = rng.choice(["cat", "dog", "bird"], 60)
    args = ("--label", "y", "--noise", "backdoor", "--target", "cat", "--image-shape", "8,6", "--pixel-prefix", "pixel_")  # fmt: skip
    output, summary = _corrupt(tmp_path, frame, *args, "--rate", "0.001")
    assert summary["n_poisoned"] == 0
    assert (
        "notice: --rate 0.001 rounds to 0 poisoned rows on this table of 60 rows: --noise backdoor poisons rate x "
        "rows = 0.06 rows, rounded half up; the labels and pixels are unchanged"
    ) in output
    (tmp_path / "more").mkdir()
    output, summary = _corrupt(tmp_path / "more", frame, *args, "--rate", "0.1")
    assert summary["n_poisoned"] == 6 and "notice:" not in output
