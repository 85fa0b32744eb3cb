"""``labelwise export`` of an audit whose DATA was a folder of Parquet parts. On main the at-scale audit
(``--scheduler``) left ``settings.data`` unset (it checked ``Path(data).is_file()``) and the in-memory one
recorded the folder, which ``load_audit`` looked for as a file: either way export said the audit had
no data table, or that it was not found (session 45, walk45's note). Now both record the folder and
export reads it, part by part in Dask's order, as the audit read it."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


@pytest.fixture
def parts(tmp_path):
    """A folder of 12 parts of 5 rows (a feature and a label: ``part.10`` sorts before ``part.2`` as text,
    not in Dask's order) and probabilities that flag 5 rows."""
    rng = np.random.default_rng(45)
    labels = rng.integers(0, 3, 60)
    (folder := tmp_path / "data").mkdir()
    frames = [pd.DataFrame({"x": rng.normal(size=5), "label": labels[i * 5 : (i + 1) * 5]}) for i in range(12)]
    for i, frame in enumerate(frames):
        frame.to_parquet(folder / f"part.{i}.parquet", index=False)
    probs = np.full((60, 3), 0.1)
    probs[np.arange(60), labels] = 0.8
    probs[:5] = np.roll(probs[:5], 1, axis=1)
    np.save(path := tmp_path / "probs.npy", probs)
    return folder, path, pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize("scale", [["--scheduler", "threads"], []], ids=["dask", "in-memory"])
def test_export_reads_the_parquet_folder_the_audit_read(tmp_path, parts, scale):
    folder, probs, table = parts
    out = tmp_path / "out"
    audit = ["audit", str(folder), "--label", "label", "--probs", str(probs), *scale, "--out", str(out), "--quiet"]
    result = CliRunner().invoke(main, audit)
    assert result.exit_code == 0, result.output
    assert json.loads((out / "summary.json").read_text())["settings"]["data"] == str(folder.resolve())
    cleaned = tmp_path / "cleaned.csv"
    result = CliRunner().invoke(main, ["export", str(out), "--out", str(cleaned)])
    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(pd.read_csv(cleaned), table)
