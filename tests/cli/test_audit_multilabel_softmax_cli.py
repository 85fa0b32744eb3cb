"""``labelwise audit --task multilabel`` given a softmax (rows summing to 1) over co-occurring tags prints one
warning line naming ``--probs`` and what to pass, and still writes its results; per-tag sigmoids print none
(it audited a softmax without a word)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy.special import expit, softmax

from labelwise.cli import main


def _run(tmp_path, probs):
    rng = np.random.default_rng(0)
    names = np.array(["cat", "dog", "sky", "sea"])
    tags = rng.random((60, 4)) < 0.4
    tags[0, :2] = True
    cells = ["|".join(names[row]) for row in tags]
    pd.DataFrame({"tags": cells}).to_csv(tmp_path / "d.csv", index=False)
    logits = rng.normal(0, 1, (60, 4)) + 2 * tags
    np.save(tmp_path / "p.npy", probs(logits))
    args = ["audit", str(tmp_path / "d.csv"), "--task", "multilabel", "--label", "tags", "--classes", ",".join(names)]
    return CliRunner().invoke(main, [*args, "--probs", str(tmp_path / "p.npy"), "--out", str(tmp_path / "o")])


def test_a_softmax_prints_one_warning_line_and_the_audit_is_written(tmp_path):
    res = _run(tmp_path, lambda z: softmax(z, axis=1))
    assert res.exit_code == 0, res.output
    lines = [line for line in res.output.splitlines() if line.startswith("warning:")]
    assert len(lines) == 1, res.output
    assert lines[0].startswith("warning: --probs sum to 1 in every row (a softmax?)")
    assert "pass one sigmoid per tag" in lines[0]
    assert (tmp_path / "o" / "issues.csv").exists()


def test_per_tag_sigmoids_print_no_warning(tmp_path):
    res = _run(tmp_path, expit)
    assert res.exit_code == 0, res.output
    assert "warning:" not in res.output


def test_a_softmax_scaled_by_two_prints_one_warning_naming_the_sum(tmp_path):
    """Rows summing to 2 (kept in [0, 1]) are warned about with the constant, and the audit is written."""
    res = _run(tmp_path, lambda z: 2 * softmax(z / 20, axis=1))
    assert res.exit_code == 0, res.output
    lines = [line for line in res.output.splitlines() if line.startswith("warning:")]
    assert len(lines) == 1, res.output
    assert lines[0].startswith("warning: --probs sum to 2 in every row, not to 1 (a softmax scaled by 2?)")


@pytest.mark.parametrize("table", [False, True])
def test_a_softmax_in_percent_is_refused_naming_the_sum(tmp_path, table):
    """Percentages (rows summing to 100), as an .npy or a CSV with a column per tag: the error says so."""
    res = _run(tmp_path, lambda z: 100 * softmax(z, axis=1))
    if table:
        probs = np.load(tmp_path / "p.npy")
        pd.DataFrame(probs, columns=["cat", "dog", "sky", "sea"]).to_csv(tmp_path / "p.csv", index=False)
        args = [
            "audit",
            str(tmp_path / "d.csv"),
            "--task",
            "multilabel",
            "--label",
            "tags",
            "--out",
            str(tmp_path / "t"),
        ]
        res = CliRunner().invoke(main, [*args, "--probs", str(tmp_path / "p.csv")])
    assert res.exit_code != 0
    text = " ".join(res.output.split())
    assert "every row sums to 100 (a softmax in percent?)" in text, res.output
