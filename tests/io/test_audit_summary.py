"""Tests of labelwise.io.audit_summary: summary.json small at large K, matrices in .npz beside it."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise import find_label_issues
from labelwise.cli import main
from labelwise.errors import DataFileError
from labelwise.io.audit_summary import (
    INLINE_MATRIX_CLASSES,
    MATRICES_FILE,
    SUMMARY_MATRICES,
    summary_matrix,
    write_audit_summary,
)
from labelwise.report import load_audit, write_report


def _summary(k: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    summary = {"n_examples": 3 * k, "classes": list(range(k)), "per_class": [{"class": c} for c in range(k)]}
    summary.update({key: rng.random((k, k)).tolist() for key in SUMMARY_MATRICES})
    return summary


class TestWriteAuditSummary:
    """write_audit_summary: inline up to INLINE_MATRIX_CLASSES classes, an .npz beyond."""

    def test_small_k_stays_inline(self, tmp_path):
        """At the largest inline K the matrices stay in summary.json and no .npz is written."""
        summary = _summary(INLINE_MATRIX_CLASSES)
        write_audit_summary(summary, tmp_path)
        written = json.loads((tmp_path / "summary.json").read_text())
        assert written == summary and "matrices" not in written
        assert not (tmp_path / MATRICES_FILE).exists()

    def test_large_k_moves_the_matrices_and_reads_them_back(self, tmp_path):
        """One class more: the matrices go to the .npz, the JSON names it, and each reads back exactly."""
        k = INLINE_MATRIX_CLASSES + 1
        summary = _summary(k)
        before = json.dumps(summary)
        write_audit_summary(summary, tmp_path)
        assert json.dumps(summary) == before, "the caller's summary is not changed"
        written = json.loads((tmp_path / "summary.json").read_text())
        assert not set(SUMMARY_MATRICES) & set(written)
        assert written["matrices"] == {"file": MATRICES_FILE, "keys": list(SUMMARY_MATRICES), "shape": [k, k]}
        assert written["per_class"] == summary["per_class"]
        for key in SUMMARY_MATRICES:
            np.testing.assert_array_equal(summary_matrix(written, tmp_path, key), np.asarray(summary[key]))

    def test_a_summary_without_matrices_or_classes_is_written_as_is(self, tmp_path):
        """Task audits' summaries (no K x K matrices) are plain JSON whatever their size."""
        summary = {"classes": list(range(500)), "n_issues": 3}
        write_audit_summary(summary, tmp_path)
        assert json.loads((tmp_path / "summary.json").read_text()) == summary

    def test_inline_form_is_read(self, tmp_path):
        """An older audit (matrices inline) reads the same way; an absent key is None."""
        summary = _summary(3)
        np.testing.assert_array_equal(summary_matrix(summary, tmp_path, "joint"), np.asarray(summary["joint"]))
        assert summary_matrix({"classes": [0, 1]}, tmp_path, "joint") is None


class TestBrokenReference:
    """A summary that names a matrices file which is missing, unreadable or elsewhere: DataFileError."""

    def _written(self, tmp_path):
        write_audit_summary(_summary(INLINE_MATRIX_CLASSES + 1), tmp_path)
        return json.loads((tmp_path / "summary.json").read_text())

    def test_missing_file(self, tmp_path):
        """A deleted .npz is named, with the one 'must be an existing' wording."""
        written = self._written(tmp_path)
        (tmp_path / MATRICES_FILE).unlink()
        with pytest.raises(DataFileError, match="must be an existing .npz file: .* does not exist"):
            summary_matrix(written, tmp_path, "noise_matrix")

    def test_unreadable_file(self, tmp_path):
        """A file that is not an .npz is named."""
        written = self._written(tmp_path)
        (tmp_path / MATRICES_FILE).write_text("not a zip")
        with pytest.raises(DataFileError, match="is not a readable .npz file"):
            summary_matrix(written, tmp_path, "noise_matrix")

    def test_missing_key(self, tmp_path):
        """A key the summary lists but the file lacks is named."""
        written = self._written(tmp_path)
        np.savez(tmp_path / MATRICES_FILE, joint=np.eye(2))
        with pytest.raises(DataFileError, match="lacks the matrix 'noise_matrix'"):
            summary_matrix(written, tmp_path, "noise_matrix")

    def test_a_path_outside_the_folder_is_refused(self, tmp_path):
        """The reference must be a file name beside summary.json, not a path elsewhere."""
        written = self._written(tmp_path)
        written["matrices"]["file"] = "../elsewhere.npz"
        with pytest.raises(DataFileError, match="must be a file name beside it"):
            summary_matrix(written, tmp_path, "noise_matrix")


@pytest.fixture(scope="module")
def audit_1000(tmp_path_factory):
    """``labelwise audit`` of 3,000 rows in 1,000 classes with synthetic probabilities (no model)."""
    folder = tmp_path_factory.mktemp("k1000")
    rng = np.random.default_rng(0)
    k, n = 1000, 3000
    truth = np.repeat(np.arange(k), n // k)
    logits = rng.normal(size=(n, k))
    logits[np.arange(n), truth] += 6
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    given = np.where(rng.random(n) < 0.1, rng.integers(0, k, n), truth)
    np.save(folder / "p.npy", probs)
    pd.DataFrame({"x": np.arange(n) % 7, "y": given}).to_csv(folder / "d.csv", index=False)
    args = ["audit", str(folder / "d.csv"), "--label", "y", "--probs", str(folder / "p.npy"), "--checks", "label"]
    result = CliRunner().invoke(main, [*args, "--out", str(folder / "out")])
    assert result.exit_code == 0, result.output
    return folder / "out", given, probs


class TestAuditAtOneThousandClasses:
    """An audit with K = 1,000: a small summary.json, and every reader still works."""

    def test_summary_json_is_small_and_names_the_matrices(self, audit_1000):
        """summary.json stays under 1 MB (the matrices inline made it about 51 MB) and names the .npz."""
        out, _, _ = audit_1000
        assert (out / "summary.json").stat().st_size < 1_000_000
        summary = json.loads((out / "summary.json").read_text())
        assert summary["matrices"]["keys"] == list(SUMMARY_MATRICES) and len(summary["per_class"]) == 1000

    def test_load_audit_reads_the_matrices_the_audit_computed(self, audit_1000):
        """AuditOutput.matrix returns the LabelIssues matrices, read from the .npz."""
        out, given, probs = audit_1000
        expected = find_label_issues(given, probs)
        audit = load_audit(out)
        np.testing.assert_allclose(audit.matrix("noise_matrix"), expected.noise_matrix)
        np.testing.assert_array_equal(audit.matrix("confident_joint"), expected.confident_joint)

    def test_report_review_and_export_work(self, audit_1000, tmp_path):
        """The report draws the noise heatmap; the review app serves the flagged rows; export writes the table."""
        from starlette.testclient import TestClient

        from labelwise.review import create_app

        out, given, _ = audit_1000
        html = write_report(out, out=tmp_path / "report.html").read_text(encoding="utf-8")
        assert 'id="noise-heatmap"' in html
        with TestClient(create_app(out), base_url="http://127.0.0.1") as client:
            assert len(client.get("/api/meta").json()["classes"]) == 1000
            assert client.get("/api/examples").json()["items"]
        result = CliRunner().invoke(main, ["export", str(out), "--out", str(tmp_path / "clean.csv")])
        assert result.exit_code == 0, result.output
        assert len(pd.read_csv(tmp_path / "clean.csv")) == len(given)
