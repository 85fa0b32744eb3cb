"""``labelwise audit`` at scale with the text checks: ``--checks near_duplicate_text`` (and ``leakage`` with
``--split-column``) on a Parquet DATA read partition by partition runs the dask text path and gives the
in-memory audit's flags and scores; other checks, and leakage without a split, are refused."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.checks import _dask_text
from labelwise.cli import main

from ..checks._text_data import simulated_texts

COLUMNS = ("is_near_duplicate_text_issue", "near_duplicate_text_score", "is_leakage_issue", "leakage_score")


def _inputs(tmp_path, n_base: int = 40) -> tuple[list[str], pd.DataFrame]:
    """A text table (simulated reviews with near copies, a label, a split) as CSV and as a folder of 3
    Parquet parts, and out-of-fold probabilities as a .npy file and a .zarr store (on Dask)."""
    import zarr

    texts = simulated_texts(n_base, 3)
    n = len(texts)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "review": texts,
            "y": np.array(["neg", "pos"])[rng.integers(0, 2, n)],
            "part": np.where(rng.random(n) < 0.6, "train", "test"),
        }
    )
    frame.to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "parts").mkdir()
    for i, block in enumerate(np.array_split(np.arange(n), 3)):
        frame.iloc[block].to_parquet(tmp_path / "parts" / f"part.{i}.parquet", index=False)
    probs = rng.dirichlet([1, 1], n)
    np.save(tmp_path / "p.npy", probs)
    store = zarr.open_array(
        str(tmp_path / "p.zarr"), mode="w", shape=probs.shape, chunks=(n // 2, 2), dtype=probs.dtype
    )
    store[:] = probs
    return texts, frame


def _run(args: list) -> object:
    return CliRunner().invoke(main, ["audit", *map(str, args), "--no-report"])


def test_text_checks_at_scale_run_on_dask_and_give_the_in_memory_columns(tmp_path, monkeypatch):
    """near_duplicate_text and leakage on a folder of Parquet parts with a .zarr --probs: the dask text path
    runs (its entry point is called), and issues.parquet's check columns equal the in-memory audit's, row
    for row, with some rows flagged by each."""
    _inputs(tmp_path)
    calls = []
    real = _dask_text.dask_near_duplicate_texts
    monkeypatch.setattr(_dask_text, "dask_near_duplicate_texts", lambda *a, **k: calls.append(1) or real(*a, **k))
    memory = _run([tmp_path / "d.csv", "--label", "y", "--probs", tmp_path / "p.npy", "--split-column", "part",
                   "--checks", "near_duplicate_text,leakage", "--out", tmp_path / "m"])  # fmt: skip
    assert memory.exit_code == 0, memory.output
    assert not calls
    scale = _run([tmp_path / "parts", "--label", "y", "--probs", tmp_path / "p.zarr", "--split-column", "part",
                  "--checks", "near_duplicate_text,leakage", "--out", tmp_path / "s"])  # fmt: skip
    assert scale.exit_code == 0, scale.output
    assert calls == [1]
    assert "check near_duplicate_text:" in scale.output and "check leakage:" in scale.output
    want = pd.read_csv(tmp_path / "m" / "issues.csv").sort_values("row").reset_index(drop=True)
    got = pd.read_parquet(tmp_path / "s" / "issues.parquet").sort_values("row").reset_index(drop=True)
    for column in COLUMNS:
        np.testing.assert_array_equal(got[column].to_numpy(), want[column].to_numpy(), err_msg=column)
    assert want["is_near_duplicate_text_issue"].sum() > 0 and want["is_leakage_issue"].sum() > 0
    summary = json.loads((tmp_path / "s" / "summary.json").read_text())["data_checks"]
    assert summary["text_columns"] == ["review"] and summary["texts_read"] == "dask, partition by partition"
    mem_sets = json.loads((tmp_path / "m" / "summary.json").read_text())["data_checks"]["near_duplicate_text"]
    assert summary["near_duplicate_text"]["info"]["sets"] == mem_sets["info"]["sets"]


def test_with_labels_file_and_csv_data_the_texts_are_read_in_memory(tmp_path):
    """--labels (memory-mapped, not Dask) with a CSV DATA: the check runs on the texts read in memory and
    issues.parquet has its columns."""
    _inputs(tmp_path)
    result = _run([tmp_path / "d.csv", "--label", "y", "--labels", tmp_path / "d.csv", "--probs", tmp_path / "p.npy",
                   "--checks", "near_duplicate_text", "--out", tmp_path / "s"])  # fmt: skip
    assert result.exit_code == 0, result.output
    got = pd.read_parquet(tmp_path / "s" / "issues.parquet")
    assert got["is_near_duplicate_text_issue"].sum() > 0
    assert json.loads((tmp_path / "s" / "summary.json").read_text())["data_checks"]["texts_read"] == "in memory"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ("--checks", "near_duplicate_text", "--k", "3"),
            "does not use --k: it audits the given probabilities without a model, reads its data checks' options",
        ),
        (("--checks", "leakage"), "--split-column and --checks leakage go together"),
        (("--checks", "near_duplicate_text", "--split-column", "part"), "--split-column and --checks leakage go"),
    ],
)
def test_checks_the_audit_at_scale_cannot_run_are_refused_before_any_output(tmp_path, extra, message):
    """--k beside the text checks alone (they build no graph; the message says what is read), and leakage without
    a split (or a split without leakage): exit 2 naming the problem, nothing written."""
    _inputs(tmp_path)
    result = _run([tmp_path / "parts", "--label", "y", "--probs", tmp_path / "p.zarr", *extra, "--out", tmp_path / "s"])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "s").exists()
