"""``labelwise export`` of a token audit that read a long table (``--sentence-column``): the same table in its
format without the excluded tokens' sentences (or marked), ids as written; the task export's screen line names
the id column. Before, such an audit was refused as "the CoNLL file ... differs from the audited one", and the
screen line of a task export never named the ids."""

from __future__ import annotations

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main
from tests.report.test_tasks import _audit
from tests.review.test_task_export import _decide


def _token_table(tmp_path):
    """30 sentences of 4 tokens with zero-padded sentence ids and token ids; the audit folder."""
    classes = ["B-LOC", "B-PER", "I-PER", "O"]
    rng = np.random.default_rng(0)
    rows, probs = [], []
    for s in range(30):
        for j in range(4):
            tag = classes[int(rng.integers(0, 4))] if j else "B-PER"
            logits = rng.normal(0, 0.5, 4)
            logits[classes.index(tag)] += 4
            rows.append({"sid": f"0{s:02d}", "word": f"w{j}", "tag": tag, "tid": f"00{len(rows):03d}"})
            probs.append(np.exp(logits) / np.exp(logits).sum())
    pd.DataFrame(rows).to_csv(tmp_path / "tok.csv", index=False)
    np.save(tmp_path / "p.npy", np.array(probs))
    args = ["--label", "tag", "--sentence-column", "sid", "--token-column", "word", "--id-column", "tid"]
    return _audit(tmp_path, tmp_path / "tok.csv", "--task", "token", *args, "--probs", tmp_path / "p.npy")


def _export(*args):
    return CliRunner().invoke(main, ["export", *map(str, args)])


def test_a_token_table_exports_as_the_table_without_the_excluded_sentences(tmp_path):
    out = _token_table(tmp_path)
    _decide(out, {13: "exclude", 40: "keep"})  # token 13 is in sentence 3 (rows 12-15)
    res = _export(out, "--out", tmp_path / "clean.csv")
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "(token audit, 29 sentences: 1 removed for 1 excluded, 1 kept as given)" in text
    assert "its id in the column 'tid'" in text
    written = pd.read_csv(tmp_path / "clean.csv", dtype=str)
    source = pd.read_csv(tmp_path / "tok.csv", dtype=str)
    pd.testing.assert_frame_equal(written, source.drop(index=range(12, 16)).reset_index(drop=True))
    log = pd.read_csv(tmp_path / "clean.changes.csv", dtype=str)
    assert log["tid"].tolist() == ["00013", "00040"] and log["sid"].tolist() == ["003", "010"]


def test_a_token_table_export_marks_the_excluded_sentence_and_refuses_a_conll_name(tmp_path):
    out = _token_table(tmp_path)
    _decide(out, {13: "exclude"})
    res = _export(out, "--out", tmp_path / "clean.parquet", "--mark-excluded")
    assert res.exit_code == 0, res.output
    written = pd.read_parquet(tmp_path / "clean.parquet")
    assert written["excluded"].tolist() == [12 <= i < 16 for i in range(120)]
    assert written["tid"].iloc[0] == "00000"
    res = _export(out, "--out", tmp_path / "clean.conll")
    assert res.exit_code != 0 and ".csv" in res.output and not (tmp_path / "clean.conll").exists()


def test_a_regression_export_screen_line_names_the_id_column(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.normal(size=40)
    pd.DataFrame({"sample": [f"{i:03d}" for i in range(40)], "x": x, "y": x + rng.normal(0, 0.1, 40)}).to_csv(
        tmp_path / "r.csv", index=False
    )
    out = _audit(tmp_path, tmp_path / "r.csv", "--task", "regression", "--label", "y", "--id-column", "sample")
    _decide(out, {4: "exclude"})
    res = _export(out, "--out", tmp_path / "clean.csv")
    assert res.exit_code == 0, res.output
    assert "each with its row and its id in the column 'sample'" in " ".join(res.output.split())
    assert pd.read_csv(tmp_path / "clean.changes.csv", dtype=str)["sample"].tolist() == ["004"]
