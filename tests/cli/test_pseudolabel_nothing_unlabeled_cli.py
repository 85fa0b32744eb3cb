"""``labelwise pseudolabel`` on a table with no unlabeled row: an error, not a marker turned into a class."""

from __future__ import annotations

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main


def _table(tmp_path):
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, 60)
    frame = pd.DataFrame({"a": truth * 4.0 + rng.normal(0, 1, 60), "b": rng.normal(0, 1, 60)})
    frame["y"] = np.where(rng.random(60) < 0.6, -1, truth)  # -1 marks the unlabeled rows
    frame.to_csv(tmp_path / "d.csv", index=False)
    return str(tmp_path / "d.csv")


def _invoke(tmp_path, *options):
    return CliRunner().invoke(
        main,
        [
            "pseudolabel",
            _table(tmp_path),
            "--label",
            "y",
            "--model",
            "logistic",
            "--out",
            str(tmp_path / "pl"),
            *options,
        ],
    )


class TestNothingUnlabeled:
    def test_a_marker_that_matches_no_row_is_an_error(self, tmp_path):
        """--unlabeled-value 7 on labels -1/0/1 is refused, naming the values: -1 would have become a class."""
        result = _invoke(tmp_path, "--unlabeled-value", "7")
        assert result.exit_code != 0
        message = " ".join(result.output.split())
        assert "must have unlabeled rows to pseudo-label, got none: no cell is empty or '7'" in message
        assert "['-1', '0', '1']" in message
        assert not (tmp_path / "pl").exists()

    def test_no_empty_cell_without_a_marker_is_an_error(self, tmp_path):
        """Without --unlabeled-value, a column with no empty cell is refused with a hint at the option."""
        result = _invoke(tmp_path)
        assert result.exit_code != 0
        assert "--unlabeled-value -1" in " ".join(result.output.split())

    def test_the_right_marker_runs(self, tmp_path):
        """--unlabeled-value -1 pseudo-labels the -1 rows."""
        result = _invoke(tmp_path, "--unlabeled-value", "-1")
        assert result.exit_code == 0, result.output
        out = pd.read_csv(tmp_path / "pl" / "pseudolabeled.csv")
        assert set(out["pseudo_label"].dropna().astype(int)) <= {0, 1}
