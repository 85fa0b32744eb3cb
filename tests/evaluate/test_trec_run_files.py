"""``evaluate.trec.read_run_dir`` reads a folder's run files by suffix (``RUN_SUFFIXES``), no other file."""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.errors import DataFileError
from labelwise.evaluate import trec
from labelwise.evaluate.trec import read_run_dir


def test_read_run_dir_skips_other_suffixes_and_hints_at_them(tmp_path):
    """A scores.csv beside the runs is not read (main: a parse error naming it); a README without a suffix is
    read as a run, and its error says which files are runs."""
    rng = np.random.default_rng(0)
    (tmp_path / "runs").mkdir()
    for s in range(3):
        lines = [f"{q} Q0 d{d} {r + 1} {10 - r} s{s}" for q in (1, 2) for r, d in enumerate(rng.permutation(5))]
        (tmp_path / "runs" / (f"s{s}.trec" if s else f"s{s}")).write_text("\n".join(lines) + "\n")
    (tmp_path / "runs" / "scores.csv").write_text("a,b\n1,2\n")
    assert sorted(read_run_dir(tmp_path / "runs")) == ["s0", "s1", "s2"]
    assert trec.run_files(tmp_path / "runs")[1] == ["scores.csv"]
    (tmp_path / "runs" / "README").write_text("my runs\n")
    with pytest.raises(DataFileError, match=r"README' line 1: expected 6 fields .* without a suffix are read as runs"):
        read_run_dir(tmp_path / "runs")
