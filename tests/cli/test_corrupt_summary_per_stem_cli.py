"""``corrupt --out noisy.csv`` then ``--out noisy.parquet``: the runs share ``noisy.summary.json``, so the
second replaces the first as a whole (its table and truth file removed with the summary) and every
table left beside a summary is the one it describes."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


@pytest.fixture
def data(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=40), "label": ["cat", "dog"] * 20})
    frame.to_csv(tmp_path / "data.csv", index=False)
    return tmp_path


def _corrupt(folder, out: str, rate: str, *extra: str):
    argv = ["corrupt", str(folder / "data.csv"), "--label", "label", "--rate", rate, "--out", str(folder / out)]
    return CliRunner().invoke(main, [*argv, *extra])


def _summary(folder) -> dict:
    return json.loads((folder / "noisy.summary.json").read_text())


def test_another_format_of_the_same_stem_is_refused_naming_the_run_it_would_replace(data):
    """Without --force: exit 2, the message names the earlier table and truth file; nothing is written."""
    assert _corrupt(data, "noisy.csv", "0.2").exit_code == 0
    result = _corrupt(data, "noisy.parquet", "0.3")
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert (
        "(noisy.summary.json is the summary of noisy.csv and noisy.truth.csv, an earlier run with this stem: "
        "--force replaces that run and removes them)"
    ) in said, said
    assert not (data / "noisy.parquet").exists() and _summary(data)["rate_asked"] == 0.2


def test_forced_another_format_replaces_the_earlier_run_whole(data, monkeypatch):
    """With --force: noisy.csv and noisy.truth.csv go with their summary; the summary is the Parquet run's."""
    monkeypatch.setenv("COLUMNS", "1000")  # the note names long temporary paths: unwrapped, whatever the folder
    assert _corrupt(data, "noisy.csv", "0.2").exit_code == 0
    result = _corrupt(data, "noisy.parquet", "0.3", "--force")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in data.glob("noisy*")) == ["noisy.parquet", "noisy.summary.json", "noisy.truth.parquet"]
    summary = _summary(data)
    assert summary["out"] == str((data / "noisy.parquet").resolve()) and summary["rate_asked"] == 0.3
    truth = pd.read_parquet(data / "noisy.truth.parquet")
    assert summary["n_flipped"] == int(truth["is_flipped"].sum())
    assert "removed" in result.output and "noisy.csv" in result.output


def test_files_the_summary_does_not_name_are_kept(data):
    """A rerun to the same format removes nothing; a noisy.tsv the summary does not name (the user's) stays."""
    assert _corrupt(data, "noisy.csv", "0.2").exit_code == 0
    (data / "noisy.tsv").write_text("mine\n")
    result = _corrupt(data, "noisy.csv", "0.3", "--force")
    assert result.exit_code == 0, result.output
    assert (data / "noisy.tsv").read_text() == "mine\n" and (data / "noisy.truth.csv").exists()
    assert "removed" not in result.output
    (data / "noisy.summary.json").write_text("{}")  # not a summary of corrupt: it names no run
    assert _corrupt(data, "noisy.parquet", "0.3", "--force").exit_code == 0
    assert (data / "noisy.csv").exists() and (data / "noisy.tsv").exists()
