"""``settings.params`` of ``labelwise aggregate``'s summary.json on Dask (a Parquet folder of answers) is
the in-memory command's: the ``--param`` values, parsed. On main the Dask path recorded no ``params``, so
the report could not say which ``--param`` ran (session 45, report45's note)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main

pytest.importorskip("dask.dataframe")


@pytest.fixture
def answers(tmp_path):
    """30 items, 4 annotators (one of them noisy), as a CSV file and as a folder of 2 Parquet parts."""
    rng = np.random.default_rng(45)
    truth = rng.choice(["cat", "dog", "fox"], 30)
    rows = [
        (f"q{i}", who, truth[i] if rng.random() > (0.4 if who == "d" else 0.1) else str(rng.choice(["cat", "fox"])))
        for i in range(30)
        for who in "abcd"
    ]
    frame = pd.DataFrame(rows, columns=["item", "annotator", "label"])
    frame.to_csv(csv := tmp_path / "answers.csv", index=False)
    (folder := tmp_path / "parts").mkdir()
    frame.iloc[:60].to_parquet(folder / "part.0.parquet", index=False)
    frame.iloc[60:].to_parquet(folder / "part.1.parquet", index=False)
    return csv, folder


def _settings(path, out, params):
    args = ["aggregate", str(path), "--method", "dawid-skene", *params, "--out", str(out), "--quiet", "--top", "0"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return json.loads((out / "summary.json").read_text())["settings"]


@pytest.mark.parametrize(
    "params", [["--param", "max_iter=7", "--param", "tol=0.001", "--param", "smoothing=0.5"], []], ids=["given", "none"]
)
def test_dask_summary_records_the_params_the_in_memory_one_does(tmp_path, answers, params):
    csv, folder = answers
    in_memory = _settings(csv, tmp_path / "memory", params)
    on_dask = _settings(folder, tmp_path / "dask", params)
    assert "params" in on_dask
    assert on_dask["params"] == in_memory["params"]
    if params:
        assert on_dask["params"] == {"max_iter": 7, "tol": 0.001, "smoothing": 0.5}
