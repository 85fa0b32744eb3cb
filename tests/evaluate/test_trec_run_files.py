"""``evaluate.trec.read_run_dir`` reads a folder's run files by suffix (``RUN_SUFFIXES``), no other file."""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.errors import DataFileError
from labelwise.evaluate import trec
from labelwise.evaluate.trec import read_run_dir


def test_read_run_dir_skips_other_suffixes_and_hints_at_them(tmp_path):
    """A scores.csv beside the runs is not read (main: a parse error naming it), nor a README without a
    suffix whose first line is no run line; a suffix-less run with a bad later line is read, and its error
    says which files are runs."""
    rng = np.random.default_rng(0)
    (tmp_path / "runs").mkdir()
    for s in range(3):
        lines = [f"{q} Q0 d{d} {r + 1} {10 - r} s{s}" for q in (1, 2) for r, d in enumerate(rng.permutation(5))]
        (tmp_path / "runs" / (f"s{s}.trec" if s else f"s{s}")).write_text("\n".join(lines) + "\n")
    (tmp_path / "runs" / "scores.csv").write_text("a,b\n1,2\n")
    assert sorted(read_run_dir(tmp_path / "runs")) == ["s0", "s1", "s2"]
    assert trec.run_files(tmp_path / "runs")[1] == ["scores.csv"]
    (tmp_path / "runs" / "README").write_text("my runs\n")
    assert sorted(read_run_dir(tmp_path / "runs")) == ["s0", "s1", "s2"]  # its first line is no run line
    (tmp_path / "runs" / "s9").write_text("1 Q0 d1 1 2.0 s9\n1 Q0 d2 two 1.0 s9\n")
    with pytest.raises(DataFileError, match=r"s9' line 2: rank .* without a suffix and starting with a run line"):
        read_run_dir(tmp_path / "runs")


@pytest.mark.parametrize(
    ("text", "is_run"),
    [
        ("1 Q0 d1 1 2.5 bm25\n", True),
        ("\n# a comment\n1 Q0 d1 1 -3e2 bm25\n", True),
        ("# my runs\nthree BM25 variants\n", False),
        ("1 Q0 d1 first 2.5 bm25\n", False),
        ("1 Q0 d1 1 nan bm25\n", False),
        ("1 Q0 d1 1 2.5\n", False),
        ("", False),
    ],
)
def test_a_suffixless_file_is_a_run_by_its_first_line(tmp_path, text, is_run):
    """A file without a suffix is a run when its first line (blank and # lines skipped) is a run line."""
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "NOTES").write_text(text)
    found, other = trec.run_files(tmp_path / "runs")
    assert ([f.name for f in found], other) == ((["NOTES"], []) if is_run else ([], ["NOTES"]))


def test_a_suffixless_file_that_is_not_text_is_not_a_run(tmp_path):
    """Bytes that are not UTF-8 (a binary file without a suffix) are left out, not read as a run."""
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "blob").write_bytes(b"\xff\xfe\x00\x01")
    assert trec.run_files(tmp_path / "runs") == ([], ["blob"])
