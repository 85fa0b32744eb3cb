"""``labelwise aggregate --format votes`` on answers kept as written: above the dense table's byte budget
labels.csv has the dense run's labels and confidences and no prob_<class> column per distinct answer."""

from __future__ import annotations

import json

import numpy as np
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


@pytest.mark.parametrize("method", ["one-coin", "glad"])
def test_one_coin_and_glad_above_the_byte_budget_write_the_dense_runs_labels(tmp_path, monkeypatch, method):
    """Free text (most answers their own class): the same labels as the dense run, and confidence, n_answers,
    agreement and uncertainty within 1e-9, including one-coin's items labelled with a class nobody gave them
    (their confidence is their share of the item's rest, not 0); no prob_ columns."""
    g = np.random.default_rng(0)
    items = g.integers(0, 200, 1000)
    answers = np.where(g.random(1000) < 0.2, items * 1000 + g.integers(0, 2, 1000), np.arange(1000) + 10**9)
    path = tmp_path / "votes.csv"
    pd.DataFrame({"item": items, "sample": np.arange(1000) % 50, "answer": answers}).to_csv(path, index=False)
    dense = _run(path, tmp_path / "dense", method)
    monkeypatch.setattr(_sparse_votes, "DENSE_BYTES_LIMIT", 0)
    sparse = _run(path, tmp_path / "sparse", method)
    assert not any(c.startswith("prob_") for c in sparse.columns)
    pd.testing.assert_frame_equal(sparse, dense[sparse.columns], atol=1e-9, rtol=0)
    given = pd.read_csv(path).groupby("item")["answer"].agg(set)
    elsewhere = [label not in given[item] for item, label in zip(sparse["item"], sparse["label"], strict=True)]
    if method == "one-coin":  # the learned prior puts some labels on classes other items were given
        assert any(elsewhere) and (sparse["confidence"][elsewhere] > 0).all()
