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


def test_outliers_section_says_how_many_of_its_rows_are_flagged(tmp_path):
    """The section lists the rows farthest from their neighbours whether or not any is flagged; it
    now has a flagged column and says how many the check flagged (before: no word of it)."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 120)
    frame = pd.DataFrame({"a": y * 4 + rng.normal(size=120), "b": rng.normal(size=120), "y": y})
    frame.loc[7, ["a", "b"]] = [60.0, -60.0]  # far from every other row
    frame.to_csv(tmp_path / "d.csv", index=False)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["audit", str(tmp_path / "d.csv"), "--label", "y", "--out", str(out), "--cv", "3"]
    )
    assert result.exit_code == 0, result.output
    n_flagged = int(pd.read_csv(out / "issues.csv")["is_outlier_issue"].sum())
    section = write_report(out).read_text().split('id="outliers"')[1].split("</section>")[0]
    said = f"{n_flagged} flagged in all" if n_flagged else "none is flagged"
    assert said in section and "<th>flagged</th>" in section, section[:400]


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


class TestFindings:
    """What a check found beyond its count of flagged rows, on the audit's screen and in the report."""

    def test_a_rejected_non_iid_test_is_said_on_screen_and_in_the_report(self, tmp_path):
        """Rows sorted by class: the non-IID test rejects with no row flagged, and the screen and report said
        only "0 flagged"; both now say the row order is not random, with the p-value. The report names the
        graph in words, not as a Python dict."""
        rng = np.random.default_rng(0)
        y = np.repeat([0, 1, 2], 50)
        frame = pd.DataFrame({"a": y * 3 + rng.normal(size=150), "b": y + rng.normal(size=150), "y": y})
        frame.to_csv(tmp_path / "d.csv", index=False)
        out = tmp_path / "out"
        args = ["audit", str(tmp_path / "d.csv"), "--label", "y", "--out", str(out), "--cv", "3"]
        result = CliRunner().invoke(main, [*args, "--model", "logistic", "--checks", "non_iid"])
        assert result.exit_code == 0, result.output
        screen = " ".join(result.output.split())
        assert re.search(
            r"check non_iid: 0 flagged; the row order is not random \(permutation test p = 0\.0196", screen
        )
        page = write_report(out).read_text()
        assert "the row order is not random" in page
        assert "{&#x27;k&#x27;" not in page and "{'k'" not in page
        assert "on the neighbour graph (exact search; k=10, euclidean" in page

    def test_null_counts_rows_with_missing_values_and_identifier_counts_columns(self):
        """null flags only all-missing rows: the finding counts the rows with any; identifier_column counts columns."""
        from labelwise.report._checks_section import check_finding

        null = {"status": "ran", "n_issues": 0, "info": {"rows_with_missing": 3, "missing_values": 4}}
        assert check_finding("null", null).startswith("3 rows have missing values (4 values)")
        ids = {"status": "ran", "n_issues": 1, "info": {"columns": {"id": "identifier: ..."}}}
        assert check_finding("identifier_column", ids) == "columns, not rows: id"
        calm = {"status": "ran", "n_issues": 0, "info": {"p_value": 0.41, "alpha": 0.05}}
        assert check_finding("non_iid", calm) == "no sign that the row order matters (p = 0.41)"
        assert check_finding("non_iid", {"status": "skipped", "reason": "needs features"}) == ""


def test_spurious_correlations_finding_counts_image_properties_not_rows():
    """The screen's 'spurious_correlations: N flagged' counts properties: the finding says so and names them."""
    from labelwise.report._checks_section import check_finding

    info = {"unit": "properties", "threshold": 0.3, "flagged_properties": ["dark_score", "blurry_score"]}
    section = {"status": "ran", "n_issues": 2, "info": info}
    assert check_finding("spurious_correlations", section) == (
        "image properties, not rows: dark, blurry predict the label (score < 0.3; a possible shortcut)"
    )
    calm = {"status": "ran", "n_issues": 0, "info": {**info, "flagged_properties": []}}
    assert check_finding("spurious_correlations", calm) == "image properties, not rows: none predicts the label"
