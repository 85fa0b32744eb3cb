"""``labelwise export`` never writes inside the folder of Parquet parts the audit read. An audit records
such a folder as ``settings.data`` (session 45, fix45a); on main ``export --out DATA/cleaned.parquet``
was refused only when equal to the folder, so the cleaned table became a new part of the user's data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


@pytest.fixture
def audited(tmp_path):
    """A folder of 3 Parquet parts, audited in memory into ``out``."""
    rng = np.random.default_rng(45)
    labels = rng.integers(0, 3, 30)
    (folder := tmp_path / "data").mkdir()
    for i in range(3):
        part = pd.DataFrame({"x": rng.normal(size=10), "label": labels[i * 10 : (i + 1) * 10]})
        part.to_parquet(folder / f"part.{i}.parquet", index=False)
    probs = np.full((30, 3), 0.1)
    probs[np.arange(30), labels] = 0.8
    np.save(path := tmp_path / "probs.npy", probs)
    out = tmp_path / "out"
    audit = ["audit", str(folder), "--label", "label", "--probs", str(path), "--out", str(out), "--quiet"]
    result = CliRunner().invoke(main, audit)
    assert result.exit_code == 0, result.output
    return folder, out


def _files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    "option, name",
    [("--out", "cleaned.parquet"), ("--out", "sub/cleaned.csv"), ("--label-studio", "tasks.json")],
)
@pytest.mark.parametrize("force", [[], ["--force"]], ids=["plain", "force"])
def test_export_refuses_a_target_inside_the_audited_data_folder(audited, option, name, force):
    folder, out = audited
    before = _files(folder)
    (folder / "sub").mkdir()
    result = CliRunner().invoke(main, ["export", str(out), option, str(folder / name), *force])
    assert result.exit_code != 0
    assert f"error: {option} {str(folder / name)!r} is inside" in result.output
    assert "data folder this audit read" in result.output
    assert "write outside that folder" in result.output
    (folder / "sub").rmdir()
    assert _files(folder) == before


def test_export_beside_the_audit_still_writes(audited, tmp_path):
    folder, out = audited
    result = CliRunner().invoke(main, ["export", str(out), "--out", str(out / "cleaned.csv")])
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(out / "cleaned.csv")) == 30
