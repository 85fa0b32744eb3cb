"""``labelwise audit --image-column``: the image checks run on the column's files (paths from DATA's folder)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.checks.image_properties import image_properties
from labelwise.cli import main

from ..checks._image_data import issue_images, save


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """DATA with relative image paths next to it."""
    root = tmp_path_factory.mktemp("audit_images")
    (root / "imgs").mkdir()
    images = issue_images(40, seed=2)
    save(images, root / "imgs")
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "path": [f"imgs/{i:04d}.png" for i in range(40)],
            "x": rng.normal(size=40),
            "y": np.repeat(["cat", "dog"], 20),
        }
    )
    frame.to_csv(root / "data.csv", index=False)
    return root


def _audit(folder: Path, out: str, *args: str):
    return CliRunner().invoke(
        main,
        [
            "audit",
            str(folder / "data.csv"),
            "--label",
            "y",
            "--out",
            str(folder / out),
            "--cv",
            "2",
            "--top",
            "0",
            *args,
        ],
    )


@pytest.mark.slow
def test_image_column_adds_the_image_checks(folder):
    """issues.csv has each image check's flag and score (equal to image_properties'); summary.json their sections."""
    result = _audit(
        folder, "out", "--image-column", "path", "--checks", "dark,blurry,image_exact_duplicate,spurious_correlations"
    )
    assert result.exit_code == 0, result.output
    issues = pd.read_csv(folder / "out" / "issues.csv").sort_values("row")
    expected = image_properties([str(folder / "imgs" / f"{i:04d}.png") for i in range(40)])
    np.testing.assert_array_equal(issues["is_dark_issue"], expected.flags["is_dark_issue"])
    np.testing.assert_allclose(issues["blurry_score"], expected.scores["blurry_score"])
    sections = json.loads((folder / "out" / "summary.json").read_text())["data_checks"]
    assert sections["spurious_correlations"]["info"]["unit"] == "properties"
    assert "check dark:" in result.output


def test_without_image_column_no_image_check_runs(folder):
    """The default checks do not include the image checks unless --image-column names the images."""
    result = _audit(folder, "plain")
    assert result.exit_code == 0, result.output
    sections = json.loads((folder / "plain" / "summary.json").read_text())["data_checks"]
    assert "dark" not in sections and "spurious_correlations" not in sections


def test_a_missing_image_file_names_the_row_and_the_path(folder, tmp_path):
    """A path to no file: one error line naming the row and the file, before any model is trained; nothing written."""
    frame = pd.read_csv(folder / "data.csv")
    frame.loc[5, "path"] = "imgs/gone.png"
    data = tmp_path / "data.csv"
    frame.to_csv(data, index=False)
    (tmp_path / "imgs").symlink_to(folder / "imgs")
    result = CliRunner().invoke(
        main,
        ["audit", str(data), "--label", "y", "--out", str(tmp_path / "out"), "--cv", "2", "--image-column", "path"],
    )
    assert result.exit_code != 0
    assert "images[5]: no file" in result.output and "gone.png" in result.output
    assert "model:" not in result.output
    assert not (tmp_path / "out" / "issues.csv").exists()


def _copy_with(folder: Path, tmp_path: Path, row: int, value) -> Path:
    """DATA with one path cell changed, next to the same images."""
    frame = pd.read_csv(folder / "data.csv")
    frame["path"] = frame["path"].astype(object)
    frame.loc[row, "path"] = value
    data = tmp_path / "data.csv"
    frame.to_csv(data, index=False)
    (tmp_path / "imgs").symlink_to(folder / "imgs")
    return data


def _run(data: Path, tmp_path: Path, *args: str):
    return CliRunner().invoke(
        main, ["audit", str(data), "--label", "y", "--out", str(tmp_path / "out"), "--cv", "2", *args]
    )


def test_an_image_that_does_not_decode_stops_the_run_before_the_model_is_trained(folder, tmp_path):
    """A file that exists but is no image: one line naming the option, the row and the path, before the model."""
    data = _copy_with(folder, tmp_path, 3, "bad.png")
    (tmp_path / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n not a png")
    result = _run(data, tmp_path, "--image-column", "path")
    assert result.exit_code != 0
    assert "--image-column 'path': images[3]: cannot read" in result.output and "bad.png" in result.output
    assert "model:" not in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out" / "issues.csv").exists()


def test_an_empty_image_cell_is_refused_naming_the_option_and_the_row(folder, tmp_path):
    """A missing path: --image-column named with the row, before the model is trained."""
    data = _copy_with(folder, tmp_path, 4, None)
    result = _run(data, tmp_path, "--image-column", "path")
    assert result.exit_code != 0
    assert "--image-column 'path' must hold an image file path on every row, got a missing cell at row 4" in (
        result.output
    )
    assert "model:" not in result.output


def test_image_column_must_not_be_the_label(folder, tmp_path):
    """--image-column naming the label column is refused (it was read as paths to files named like the classes)."""
    result = _run(folder / "data.csv", tmp_path, "--image-column", "y")
    assert result.exit_code != 0
    assert "--image-column must name another column than --label, got 'y' for both" in result.output


def test_image_column_without_an_image_check_is_refused(folder, tmp_path):
    """--image-column with --checks naming no image check would be ignored: refused, naming both options."""
    result = _run(folder / "data.csv", tmp_path, "--image-column", "path", "--checks", "outlier")
    assert result.exit_code == 2
    assert "--image-column is read by the image checks" in result.output and "got --checks outlier" in result.output
    assert "model:" not in result.output
