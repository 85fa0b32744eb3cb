"""``labelwise audit --task multilabel`` given a softmax (rows summing to 1) over co-occurring tags prints one
warning line naming ``--probs`` and what to pass, and still writes its results; per-tag sigmoids print none
(it audited a softmax without a word)."""

from __future__ import annotations

import numpy as np
import pandas as pd
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
