"""``--scheduler synchronous`` (Dask's scheduler of one thread, for debugging): accepted by the
commands that take ``--scheduler``, and their files are those of ``threads``. On main every command
refused it ("--scheduler must be threads, processes, local or a reachable scheduler address")."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main

pytest.importorskip("dask.dataframe")


def _run(args):
    result = CliRunner().invoke(main, [*args, "--quiet"])
    assert result.exit_code == 0, result.output
    return result


def _without_settings(path):
    summary = json.loads(path.read_text())
    settings = summary.pop("settings")
    return summary, settings


def test_audit_on_synchronous_writes_the_files_of_threads(tmp_path):
    """``labelwise audit --probs --labels --scheduler synchronous``: the same issues.parquet table,
    class_overlap.csv and summary.json (but the scheduler and the chunks) as on threads."""
    rng = np.random.default_rng(46)
    labels = rng.integers(0, 3, 900)
    probs = rng.dirichlet(np.ones(3), 900)
    probs[np.arange(900), labels] += 1.0
    probs /= probs.sum(1, keepdims=True)
    np.save(tmp_path / "probs.npy", probs)
    np.save(tmp_path / "labels.npy", labels)
    common = ["audit", "--probs", str(tmp_path / "probs.npy"), "--labels", str(tmp_path / "labels.npy")]
    _run([*common, "--out", str(tmp_path / "threads")])
    _run([*common, "--scheduler", "synchronous", "--chunk-rows", "300", "--out", str(tmp_path / "sync")])
    threads, sync = tmp_path / "threads", tmp_path / "sync"
    assert pd.read_parquet(sync / "issues.parquet").equals(pd.read_parquet(threads / "issues.parquet"))
    assert (sync / "class_overlap.csv").read_bytes() == (threads / "class_overlap.csv").read_bytes()
    summary, settings = _without_settings(sync / "summary.json")
    assert summary == _without_settings(threads / "summary.json")[0]
    assert settings["scheduler"] == "synchronous" and settings["n_chunks"] == 3


def test_aggregate_on_synchronous_writes_the_files_of_threads(tmp_path):
    """``labelwise aggregate parts/ --scheduler synchronous``: labels.csv and annotators.csv as on threads."""
    rng = np.random.default_rng(7)
    truth = rng.choice(["cat", "dog", "fox"], 40)
    rows = [(f"q{i}", who, truth[i] if rng.random() > 0.2 else "fox") for i in range(40) for who in "abc"]
    frame = pd.DataFrame(rows, columns=["item", "annotator", "label"])
    (parts := tmp_path / "parts").mkdir()
    frame.iloc[:60].to_parquet(parts / "part.0.parquet", index=False)
    frame.iloc[60:].to_parquet(parts / "part.1.parquet", index=False)
    common = ["aggregate", str(parts), "--method", "dawid-skene", "--top", "0"]
    _run([*common, "--scheduler", "threads", "--out", str(tmp_path / "threads")])
    _run([*common, "--scheduler", "synchronous", "--out", str(tmp_path / "sync")])
    for name in ("labels.csv", "annotators.csv"):
        assert (tmp_path / "sync" / name).read_bytes() == (tmp_path / "threads" / name).read_bytes(), name
