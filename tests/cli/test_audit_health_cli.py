"""``labelwise audit``'s label health: the screen lines, ``class_overlap.csv``, the ``health`` block of
summary.json and the report's section, in memory and at scale (``--labels``)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from tests.audit.test_overlap import _overlapping


@pytest.fixture()
def runner():
    return CliRunner()


NAMES = np.array(["ant", "bee", "cat", "dog", "eel", "fox"])


def _inputs(tmp_path, n=1500):
    """A table whose class 'bee' is half labelled 'eel', and out-of-fold probabilities that know it."""
    labels, probs = _overlapping(n=n, k=6, seed=2)
    pd.DataFrame({"x": np.arange(n) % 7, "label": NAMES[labels]}).to_csv(tmp_path / "d.csv", index=False)
    np.save(tmp_path / "p.npy", probs)
    return labels, probs


def _check_outputs(out, labels, probs):
    import labelwise as lw

    expected = lw.find_label_issues(NAMES[labels], probs, classes=NAMES).class_overlap()
    table = pd.read_csv(out / "class_overlap.csv")
    assert list(table.columns) == ["class_a", "class_b", "n_overlapping", "joint_probability"]
    assert table[["class_a", "class_b"]].iloc[0].tolist() == ["bee", "eel"]
    np.testing.assert_allclose(table["joint_probability"], expected.pairs()["joint_probability"], rtol=1e-12)
    health = json.loads((out / "summary.json").read_text())["health"]
    assert health["health_score"] == pytest.approx(expected.health_score, abs=1e-12)
    assert health["overlapping_pairs"][0]["class_a"] == "bee"
    assert 1 <= len(health["overlapping_pairs"]) <= 5
    return health


class TestAuditHealth:
    """The audit says how healthy the labels are and which classes overlap."""

    def test_in_memory_audit_prints_and_writes_the_health(self, runner, tmp_path):
        """Screen: the score and 'bee / eel'; files: class_overlap.csv and summary.json's health."""
        labels, probs = _inputs(tmp_path)
        out = tmp_path / "o"
        args = ["audit", str(tmp_path / "d.csv"), "--label", "label", "--probs", str(tmp_path / "p.npy")]
        result = runner.invoke(main, [*args, "--out", str(out), "--top", "0"])
        assert result.exit_code == 0, result.output
        health = _check_outputs(out, labels, probs)
        assert f"label health {health['health_score']:.3f}" in result.output
        assert "bee / eel: about" in result.output
        assert "class_overlap.csv" in "".join(result.output.split())  # the console wraps long paths

    def test_audit_at_scale_writes_the_same_health(self, runner, tmp_path):
        """--labels (the chunked audit): the same class_overlap.csv and health block."""
        labels, probs = _inputs(tmp_path)
        out = tmp_path / "o"
        args = ["audit", "--probs", str(tmp_path / "p.npy"), "--labels", str(tmp_path / "d.csv"), "--label", "label"]
        result = runner.invoke(main, [*args, "--out", str(out), "--chunk-rows", "200"])
        assert result.exit_code == 0, result.output
        _check_outputs(out, labels, probs)
        assert "bee / eel: about" in result.output

    def test_no_overlap_says_so(self, runner, tmp_path):
        """Probabilities that agree with every label: health 1 and no pair above the floor."""
        n = 300
        labels = np.arange(n) % 3
        probs = np.full((n, 3), 0.05)
        probs[np.arange(n), labels] = 0.9
        pd.DataFrame({"x": np.arange(n), "label": labels}).to_csv(tmp_path / "d.csv", index=False)
        np.save(tmp_path / "p.npy", probs)
        out = tmp_path / "o"
        args = ["audit", str(tmp_path / "d.csv"), "--label", "label", "--probs", str(tmp_path / "p.npy")]
        result = runner.invoke(main, [*args, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert "label health 1.000" in result.output
        assert "no two classes overlap in 0.10% of the examples or more" in result.output
        assert pd.read_csv(out / "class_overlap.csv").empty

    @pytest.mark.parametrize(
        ("k", "rule"),
        [(3, "(half the estimated noise)"), (6, "(3x a pair's share of the noise)")],
    )
    def test_the_screen_names_the_bound_that_set_the_floor(self, runner, tmp_path, k, rule):
        """With three classes the floor is half the noise (not 3x a pair's share), and the line says so."""
        n = 600
        rng = np.random.default_rng(0)
        true = np.arange(n) % k
        probs = rng.dirichlet(np.ones(k), n) * 0.2
        probs[np.arange(n), true] += 0.8
        labels = np.where(rng.random(n) < 0.1, rng.integers(0, k, n), true)
        pd.DataFrame({"x": np.arange(n), "label": labels}).to_csv(tmp_path / "d.csv", index=False)
        np.save(tmp_path / "p.npy", probs)
        args = ["audit", str(tmp_path / "d.csv"), "--label", "label", "--probs", str(tmp_path / "p.npy")]
        result = runner.invoke(main, [*args, "--checks", "label", "--out", str(tmp_path / "o")])
        assert result.exit_code == 0, result.output
        health = json.loads((tmp_path / "o" / "summary.json").read_text())["health"]
        assert health["overlap_floor"] > 0.001
        assert f"{health['overlap_floor']:.2%} of the examples or more {rule}" in " ".join(result.output.split())

    def test_force_rerun_replaces_class_overlap(self, runner, tmp_path):
        """class_overlap.csv is an audit output: a second run into the folder is refused without --force."""
        _inputs(tmp_path, n=300)
        out = tmp_path / "o"
        args = ["audit", str(tmp_path / "d.csv"), "--label", "label", "--probs", str(tmp_path / "p.npy")]
        assert runner.invoke(main, [*args, "--out", str(out)]).exit_code == 0
        (out / "issues.csv").unlink()
        (out / "probs.npy").unlink()
        again = runner.invoke(main, [*args, "--out", str(out)])
        assert again.exit_code != 0 and "class_overlap.csv" in again.output


class TestReportSection:
    """report.html shows the health score, the overlapping pairs and the joint's heat map."""

    def test_report_has_the_health_section(self, runner, tmp_path):
        """The section, the pair table naming bee and eel, and the heat map (6 classes <= 20)."""
        _inputs(tmp_path)
        out = tmp_path / "o"
        args = ["audit", str(tmp_path / "d.csv"), "--label", "label", "--probs", str(tmp_path / "p.npy")]
        assert runner.invoke(main, [*args, "--out", str(out), "--report"]).exit_code == 0
        page = (out / "report.html").read_text(encoding="utf-8")
        section = page[page.index('<section id="label-health">') :]
        section = section[: section.index("</section>")]
        assert 'id="health-score"' in section and 'id="overlap-table"' in section
        assert "<td>bee</td><td>eel</td>" in section
        assert 'id="joint-heatmap"' in section

    def test_older_audits_get_no_section(self, tmp_path):
        """An audit folder without a health block (written before it existed): no section, no error."""
        from labelwise.report import write_report
        from tests.report.fake_outputs import write_audit

        out = write_audit(tmp_path / "a", kind="pixels", n=80)
        page = write_report(out).read_text(encoding="utf-8")
        assert 'id="label-health"' not in page
