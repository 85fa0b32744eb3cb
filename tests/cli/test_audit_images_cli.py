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
