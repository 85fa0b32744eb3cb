"""``labelwise corrupt`` refuses bad input with one line naming the option, and never overwrites or half-writes a file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


@pytest.fixture()
def data(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "id": [f"r{i}" for i in range(60)],
            "x1": rng.normal(size=60),
            "x2": rng.normal(size=60),
            "y": ["a", "b", "c"] * 20,
        }
    )
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path


def _fails(*args, match: str) -> None:
    result = CliRunner().invoke(main, ["corrupt", *map(str, args)])
    assert result.exit_code == 2, result.output
    assert match in result.output, result.output
    assert "Traceback" not in result.output


class TestFiles:
    def test_existing_outputs_are_kept_without_force(self, data, tmp_path):
        """An existing --out (or its truth file) is refused without --force and left as it was; --force replaces it."""
        out = tmp_path / "noisy.csv"
        (tmp_path / "noisy.truth.csv").write_text("mine\n")
        _fails(data, "--label", "y", "--rate", "0.1", "--out", out, match="pass --force")
        assert (tmp_path / "noisy.truth.csv").read_text() == "mine\n" and not out.exists()
        result = CliRunner().invoke(
            main, ["corrupt", str(data), "--label", "y", "--rate", "0.1", "--out", str(out), "--force"]
        )
        assert result.exit_code == 0, result.output
        assert out.exists() and "is_flipped" in (tmp_path / "noisy.truth.csv").read_text()

    @pytest.mark.parametrize("force", [[], ["--force"]])
    def test_out_is_never_data(self, data, tmp_path, force):
        """--out DATA (spelled another way) is refused even with --force; DATA is unchanged."""
        before = data.read_bytes()
        _fails(
            data,
            "--label",
            "y",
            "--rate",
            "0.1",
            "--out",
            tmp_path / "." / "data.csv",
            *force,
            match="must not be DATA",
        )
        assert data.read_bytes() == before

    def test_truth_file_is_never_data(self, data, tmp_path):
        """DATA named like the truth file of --out is refused, --force or not."""
        truth = tmp_path / "noisy.truth.csv"
        data.rename(truth)
        _fails(truth, "--label", "y", "--rate", "0.1", "--out", tmp_path / "noisy.csv", "--force",
               match="the truth file of --out")  # fmt: skip

    def test_unknown_out_suffix(self, data, tmp_path):
        """--out must end in a suffix a writer takes."""
        _fails(
            data, "--label", "y", "--rate", "0.1", "--out", tmp_path / "noisy.xlsx", match="--out must end in one of"
        )


class TestOptions:
    @pytest.mark.parametrize(
        ("args", "match"),
        [
            ([], "--rate is required"),
            (["--rate", "0.1", "--matrix", "m.csv"], "--rate and --matrix exclude each other"),
            (["--noise", "pair", "--matrix", "m.csv"], "give one of --matrix and --noise"),
            (["--rate", "1.5"], "--rate must be in [0, 1)"),
            (["--rate", "0.7"], "--rate must be < 0.6667"),
            (["--noise", "pair", "--rate", "0.5"], "--rate must be < 0.5"),
            (["--rate", "0.1", "--frac-zero", "0.2"], "--frac-zero is for --noise random only"),
            (["--noise", "random", "--rate", "0.1", "--frac-zero", "0.9"], "--frac-zero must be <= 0.5"),
            (["--rate", "0.1", "--sharpness", "2"], "--sharpness is for --noise instance only"),
            (["--rate", "0.1", "--probs", "p.npy"], "--probs is for --noise instance only"),
            (["--rate", "0.1", "--model", "logistic"], "--model is for --noise instance only"),
            (["--noise", "alfa", "--rate", "0.1"], "--noise alfa needs binary labels"),
            (["--label", "z", "--rate", "0.1"], "--label column 'z' is not in the data"),
            (["--rate", "0.1", "--id-column", "nope"], "--id-column 'nope' is not in DATA"),
            (["--rate", "0.1", "--id-column", "y"], "--id-column must differ from --label"),
            (["--rate", "0.1", "--truth-column", "x1"], "--truth-column must name a new column"),
        ],
    )
    def test_refused_with_the_option_named(self, data, tmp_path, args, match):
        """Each bad option is one line naming it, exit status 2, and nothing written."""
        pd.DataFrame({"given": ["a", "b", "c"], "a": [1, 0, 0], "b": [0, 1, 0], "c": [0, 0, 1]}).to_csv(
            tmp_path / "m.csv", index=False
        )
        args = [str(tmp_path / a) if a in ("m.csv", "p.npy") else a for a in args]
        label = [] if "--label" in args else ["--label", "y"]
        _fails(data, *label, *args, "--out", tmp_path / "noisy.csv", match=match)
        assert not (tmp_path / "noisy.csv").exists() and not (tmp_path / "noisy.summary.json").exists()

    def test_attacks_need_numeric_features(self, data, tmp_path):
        """An attack on a table with a text column (not --id-column) names the column."""
        _fails(data, "--label", "y", "--noise", "farthest", "--rate", "0.1", "--out", tmp_path / "o.csv",
               match="column 'id' has dtype")  # fmt: skip

    def test_repeated_ids_are_refused(self, tmp_path):
        """--id-column must hold a unique id on every row."""
        pd.DataFrame({"id": [1, 1, 2, 3], "y": ["a", "b", "a", "b"]}).to_csv(tmp_path / "d.csv", index=False)
        _fails(tmp_path / "d.csv", "--label", "y", "--id-column", "id", "--rate", "0.1", "--out", tmp_path / "o.csv",
               match="must hold a unique id")  # fmt: skip

    def test_one_class_cannot_be_flipped(self, tmp_path):
        """A label column of one class is refused."""
        pd.DataFrame({"x": [1, 2, 3], "y": ["a", "a", "a"]}).to_csv(tmp_path / "d.csv", index=False)
        _fails(
            tmp_path / "d.csv", "--label", "y", "--rate", "0.1", "--out", tmp_path / "o.csv", match="at least 2 classes"
        )

    def test_probs_of_the_wrong_shape(self, data, tmp_path):
        """--probs must have one row per row of DATA."""
        np.save(tmp_path / "p.npy", np.full((59, 3), 1 / 3))
        _fails(data, "--label", "y", "--noise", "instance", "--probs", tmp_path / "p.npy", "--rate", "0.1", "--out",
               tmp_path / "o.csv", match="--probs must have shape (n_rows, n_classes) = (60, K)")  # fmt: skip

    @pytest.mark.parametrize(
        ("matrix", "match"),
        [
            ({"given": ["a", "b"], "a": [0.9, 0.1], "b": [0.1, 0.9]}, "must name each class of the label column once"),
            ({"given": ["a", "b", "c"], "a": [0.9, 0.2, 0], "b": [0, 1, 0], "c": [0, 0, 1]}, "column 0 sums to 1.1"),
            ({"given": ["a", "b", "c"], "a": [1.1, -0.1, 0], "b": [0, 1, 0], "c": [0, 0, 1]}, "must be non-negative"),
        ],
    )
    def test_bad_matrix_files(self, data, tmp_path, matrix, match):
        """--matrix must name every class once and hold a column-stochastic matrix."""
        pd.DataFrame(matrix).to_csv(tmp_path / "m.csv", index=False)
        _fails(data, "--label", "y", "--id-column", "id", "--matrix", tmp_path / "m.csv", "--out", tmp_path / "o.csv",
               match=match)  # fmt: skip
        _fails(data, "--label", "y", "--id-column", "id", "--matrix", tmp_path / "m.csv", "--out", tmp_path / "o.csv",
               match="error: --matrix")  # fmt: skip
