"""``labelwise audit --scheduler`` / ``--labels`` with compressed and UTF-16 inputs: read as the plain file, or
refused saying what to do (not that a table lacks numpy's header)."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(0)
    probs = rng.dirichlet([1, 1, 1], 60)
    given = probs.argmax(1)
    given[:5] = (given[:5] + 1) % 3
    frame = pd.DataFrame(probs, columns=list("abc")).assign(label=np.array(list("abc"))[given])
    frame.to_csv(tmp_path / "data.csv", index=False)
    text = (tmp_path / "data.csv").read_bytes()
    (tmp_path / "data.csv.gz").write_bytes(gzip.compress(text))
    (tmp_path / "data16.csv").write_bytes(text.decode().encode("utf-16"))
    np.save(tmp_path / "probs.npy", probs)
    (tmp_path / "probs.npy.gz").write_bytes(gzip.compress((tmp_path / "probs.npy").read_bytes()))
    (tmp_path / "probs.csv.gz").write_bytes(gzip.compress(frame[list("abc")].to_csv(index=False).encode()))
    np.save(tmp_path / "labels.npy", given)
    (tmp_path / "labels.npy.gz").write_bytes(gzip.compress((tmp_path / "labels.npy").read_bytes()))
    return tmp_path


def _audit(*args):
    return CliRunner().invoke(main, ["audit", *map(str, args), "--quiet"])


@pytest.mark.parametrize("scheduler", ["threads", "processes"])
def test_a_gzip_or_utf16_data_table_gives_the_plain_tables_issues(files, scheduler):
    """DATA as .csv.gz or UTF-16 under --scheduler writes the issues the plain .csv gives (the table is read in
    memory through its decoded copy; the probabilities are the .npy read in blocks)."""
    frames = []
    for name in ("data.csv", "data.csv.gz", "data16.csv"):
        out = files / f"out-{name}"
        res = _audit(files / name, "--probs", files / "probs.npy", "--label", "label", "--scheduler", scheduler,
                     "--out", out)  # fmt: skip
        assert res.exit_code == 0, res.output
        frames.append(pd.read_parquet(out / "issues.parquet"))
    for frame in frames[1:]:
        pd.testing.assert_frame_equal(frame, frames[0])


@pytest.mark.parametrize("scheduler", [None, "threads"])
def test_a_probs_table_at_scale_is_refused_as_a_table(files, scheduler):
    """--probs probs.csv.gz with --labels was refused as 'not a .npy array (it lacks numpy's header)'; now the
    message says the scale path reads .npy or .zarr and how to run it otherwise."""
    extra = ["--scheduler", scheduler] if scheduler else []
    res = _audit("--probs", files / "probs.csv.gz", "--labels", files / "labels.npy", *extra, "--out", files / "o")
    assert res.exit_code != 0
    assert "probs.csv.gz' is a table" in res.output
    assert "numpy.save" in res.output and "lacks numpy's header" not in res.output
    assert not (files / "o").exists()


def test_a_compressed_npy_is_refused_naming_the_fix(files):
    """--probs probs.npy.gz: 'it is compressed (.gz) ... decompress it first', not 'lacks numpy's header'."""
    res = _audit("--probs", files / "probs.npy.gz", "--labels", files / "labels.npy", "--out", files / "o")
    assert res.exit_code != 0
    assert "it is compressed (.gz)" in res.output and "decompress it first" in res.output


def test_compressed_npy_labels_are_not_told_to_be_renamed(files):
    """--labels labels.npy.gz was told to rename it (data.csv.gz); renaming cannot make it a table: decompress."""
    res = _audit("--probs", files / "probs.npy", "--labels", files / "labels.npy.gz", "--out", files / "o")
    assert res.exit_code != 0
    assert "a compressed .npy file is not read: decompress it first" in res.output
    assert "rename it" not in res.output
