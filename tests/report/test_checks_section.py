"""The report's data-check sections, from an audit folder written with the checks."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.report import write_report


def test_report_shows_overview_duplicate_sets_and_outliers(tmp_path):
    """An audit with a duplicated row gets the overview table, the set side by side and the outliers."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 120)
    frame = pd.DataFrame({"a": y * 4 + rng.normal(size=120), "b": rng.normal(size=120), "y": y})
    frame.loc[9, ["a", "b"]] = frame.loc[4, ["a", "b"]].to_numpy()
    frame.to_csv(tmp_path / "d.csv", index=False)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["audit", str(tmp_path / "d.csv"), "--label", "y", "--out", str(out), "--cv", "3"]
    )
    assert result.exit_code == 0, result.output
    page = write_report(out).read_text()
    assert 'id="data-checks"' in page and 'id="outliers"' in page
    assert "Set 1: rows 4, 9" in page


def test_report_without_checks_has_no_check_sections(tmp_path):
    """--checks label: the report is as before."""
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 80)
    pd.DataFrame({"a": y + rng.normal(size=80), "y": y}).to_csv(tmp_path / "d.csv", index=False)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["audit", str(tmp_path / "d.csv"), "--label", "y", "--out", str(out), "--cv", "3", "--checks", "label"]
    )
    assert result.exit_code == 0, result.output
    assert 'id="data-checks"' not in write_report(out).read_text()


def test_duplicate_sets_of_image_data_show_thumbnails_side_by_side(tmp_path):
    """Pixel columns: each row of a duplicate set gets its thumbnail beside the others."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    X, y = digits.data[:240], digits.target[:240]
    frame = pd.DataFrame(X, columns=[f"pixel_{i}" for i in range(64)])
    frame.loc[9] = frame.loc[4].to_numpy()
    frame["y"] = y
    frame.loc[9, "y"] = y[4]
    frame.to_csv(tmp_path / "d.csv", index=False)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "audit",
            str(tmp_path / "d.csv"),
            "--label",
            "y",
            "--out",
            str(out),
            "--cv",
            "3",
            "--checks",
            "exact_duplicate",
        ],
    )
    assert result.exit_code == 0, result.output
    page = write_report(out).read_text()
    section = page.split('id="exact_duplicate"')[1].split("</section>")[0]
    assert "Set 1: rows 4, 9" in section
    thumbs = re.findall(
        r'<div class="example" data-row="(\d+)"><div class="thumbbox"><img[^>]*src="data:image/png', section
    )
    assert thumbs == ["4", "9"]


def test_report_lists_identifier_and_constant_columns(tmp_path):
    """A row-id column (dropped from the features) and a constant one appear with their reasons."""
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 90)
    frame = pd.DataFrame({"row_id": np.arange(90), "a": y * 3 + rng.normal(size=90), "same": 1.5, "y": y})
    frame.to_csv(tmp_path / "d.csv", index=False)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["audit", str(tmp_path / "d.csv"), "--label", "y", "--out", str(out), "--cv", "3"]
    )
    assert result.exit_code == 0, result.output
    page = write_report(out).read_text()
    assert 'id="id-columns"' in page and "row_id" in page and "identifier: distinct integers" in page
    assert "constant: one value" in page
