"""``labelwise aggregate --format votes`` on answers kept as written: above the dense table's byte budget
labels.csv has the dense run's labels and confidences and no prob_<class> column per distinct answer."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.aggregate import _sparse_votes
from labelwise.cli import main


def _run(path, out, method="majority-vote"):
    result = CliRunner().invoke(
        main, ["aggregate", str(path), "--format", "votes", "--method", method, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return pd.read_csv(out / "labels.csv")


@pytest.mark.parametrize("method", ["majority-vote", "wawa", "zero-based-skill"])
def test_votes_above_the_byte_budget_write_labels_without_a_column_per_answer(tmp_path, monkeypatch, method):
    """Same item, label, confidence, n_answers, agreement, uncertainty (the entropy of the plain vote shares)
    and annotators.csv as the dense run; no prob_ columns."""
    path = tmp_path / "samples.jsonl"
    records = [
        {"item": f"q{i}", "sample": s, "answer": f"text {i} {s % 3 if s < 3 else s}"}
        for i in range(30)
        for s in range(5)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    dense = _run(path, tmp_path / "dense", method)
    monkeypatch.setattr(_sparse_votes, "DENSE_BYTES_LIMIT", 0)
    sparse = _run(path, tmp_path / "sparse", method)
    assert not any(c.startswith("prob_") for c in sparse.columns)
    assert sum(c.startswith("prob_") for c in dense.columns) > 30
    pd.testing.assert_frame_equal(sparse, dense[[c for c in dense.columns if not c.startswith("prob_")]])
    assert (tmp_path / "sparse" / "annotators.csv").read_text() == (tmp_path / "dense" / "annotators.csv").read_text()
