"""The review and the export refuse data edited since the audit, as their decisions are stored by row.

Session 47's new-user walk: data.csv sorted after the audit, and ``labelwise export`` wrote the
relabel of row 210 onto the example that now sat at row 210, in silence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.errors import DataFileError
from labelwise.review import DecisionStore, create_app, export_cleaned, label_studio_tasks

CLASSES = ["café ☕", "politics", "sports, outdoor"]


@pytest.fixture
def reviewed(tmp_path):
    """A 30-row text table audited with given probabilities, row 4 relabelled in the review."""
    n = 30
    labels = [CLASSES[i % 3] for i in range(n)]
    frame = pd.DataFrame(
        {"id": [f"{i:03d}" for i in range(n)], "text": [f"text {i}" for i in range(n)], "label": labels}
    )
    data = tmp_path / "data.csv"
    frame.to_csv(data, index=False)
    probs = np.full((n, 3), 0.05)
    probs[np.arange(n), np.arange(n) % 3] = 0.9
    np.save(tmp_path / "probs.npy", probs)
    out = tmp_path / "audit"
    args = ["audit", str(data), "--label", "label", "--probs", str(tmp_path / "probs.npy"), "--checks", "label"]
    res = CliRunner().invoke(main, [*args, "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    DecisionStore(out / "review.sqlite").record(4, "relabel", version=0, reviewer="ann", label="café ☕")
    return data, out


def _rewrite(data, edit):
    frame = pd.read_csv(data, dtype=str, keep_default_na=False)
    edit(frame).to_csv(data, index=False)


class TestChangedData:
    def test_the_unchanged_data_is_exported(self, reviewed, tmp_path):
        """The audited table as it was: the relabel lands on id 004."""
        _, out = reviewed
        export_cleaned(out, tmp_path / "clean.csv")
        cleaned = pd.read_csv(tmp_path / "clean.csv", dtype=str)
        assert cleaned.loc[cleaned["id"] == "004", "label"].item() == "café ☕"

    @pytest.mark.parametrize(
        "edit",
        [
            pytest.param(lambda f: f.sample(frac=1, random_state=1), id="rows-shuffled"),
            pytest.param(lambda f: f.sort_values("label", kind="stable"), id="rows-sorted"),
            pytest.param(lambda f: pd.concat([f, f.iloc[:2]]), id="rows-appended"),
            pytest.param(lambda f: f.iloc[:-1], id="last-row-removed"),
        ],
    )
    def test_export_refuses_data_edited_since_the_audit(self, reviewed, tmp_path, edit):
        """Another order or number of rows is refused before anything is written (main: written in silence)."""
        data, out = reviewed
        _rewrite(data, edit)
        with pytest.raises(DataFileError, match=r"changed since the audit|issues.csv refers to row 29"):
            export_cleaned(out, tmp_path / "clean.csv")
        assert not (tmp_path / "clean.csv").exists()

    def test_cli_export_says_which_row_differs(self, reviewed, tmp_path):
        """One line naming the label column, the row and both labels; exit status 2."""
        data, out = reviewed
        _rewrite(data, lambda f: f.iloc[::-1])
        res = CliRunner().invoke(main, ["export", str(out), "--out", str(tmp_path / "clean.csv")])
        assert res.exit_code == 2
        assert "label column 'label'" in res.output and "at row 0" in res.output
        assert "where the audit read 'café ☕'" in res.output and "Traceback" not in res.output

    def test_review_page_and_label_studio_refuse_edited_data(self, reviewed):
        """The page would show other rows' texts beside the flagged labels: refused at start."""
        data, out = reviewed
        _rewrite(data, lambda f: f.iloc[::-1])
        with pytest.raises(DataFileError, match=r"changed since the audit"):
            create_app(out, reviewer="t")
        with pytest.raises(DataFileError, match=r"changed since the audit"):
            label_studio_tasks(out)

    def test_a_label_written_otherwise_is_the_same_label(self, tmp_path):
        """Integer classes: the data read again gives the same classes, so nothing is refused."""
        frame = pd.DataFrame({"x": np.arange(20.0), "y": [1, 2] * 10})
        frame.to_csv(tmp_path / "d.csv", index=False)
        probs = np.full((20, 2), 0.1)
        probs[np.arange(20), np.arange(20) % 2] = 0.9
        np.save(tmp_path / "p.npy", probs)
        args = [
            "audit",
            str(tmp_path / "d.csv"),
            "--label",
            "y",
            "--probs",
            str(tmp_path / "p.npy"),
            "--checks",
            "label",
        ]
        assert CliRunner().invoke(main, [*args, "--out", str(tmp_path / "a"), "--quiet"]).exit_code == 0
        assert export_cleaned(tmp_path / "a", tmp_path / "c.csv").n_rows == 20


def test_report_leaves_out_the_previews_of_edited_data(reviewed):
    """The report's cards would show other rows' texts: it warns and shows none (main: the wrong texts)."""
    from labelwise.errors import LabelwiseWarning
    from labelwise.report import write_report

    data, out = reviewed
    shown = write_report(out).read_text(encoding="utf-8")
    assert "<td>text</td><td>text 1</td>" in shown
    _rewrite(data, lambda f: f.iloc[::-1])
    with pytest.warns(LabelwiseWarning, match=r"previews left out: .*changed since the audit"):
        html = write_report(out).read_text(encoding="utf-8")
    assert "changed since the audit" in html
    assert "<td>text</td>" not in html and "no preview: data table not found, or changed since the audit" in html
