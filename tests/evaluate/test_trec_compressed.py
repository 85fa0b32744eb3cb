"""``evaluate.trec`` reads runs and qrels compressed, as TREC hands them out (``s1.run.gz``, ``s2.gz``), and
UTF-16 text; main left a ``.gz`` run out as "not a run" and read a gzip qrels as bytes."""

from __future__ import annotations

import bz2
import gzip

import numpy as np
import pytest

from labelwise.errors import DataFileError, InvalidParameterError
from labelwise.evaluate import trec


def _run(s: int) -> str:
    rng = np.random.default_rng(s)
    return "".join(f"{q} Q0 d{d} {r + 1} {10 - r} s{s}\n" for q in (1, 2) for r, d in enumerate(rng.permutation(5)))


def test_compressed_runs_are_read_by_the_suffix_under_the_compression(tmp_path):
    """s0.run.gz, s1.gz (a run by its first line, as s1 is), s2.trec.bz2 and s3.txt are four runs named
    s0..s3, each the run its plain file gives; notes.csv.gz is not a run."""
    folder = tmp_path / "runs"
    folder.mkdir()
    (folder / "s0.run.gz").write_bytes(gzip.compress(_run(0).encode()))
    (folder / "s1.gz").write_bytes(gzip.compress(_run(1).encode()))
    (folder / "s2.trec.bz2").write_bytes(bz2.compress(_run(2).encode()))
    (folder / "s3.txt").write_text(_run(3))
    (folder / "notes.csv.gz").write_bytes(gzip.compress(b"run,comment\ns0,baseline\n"))
    found, other = trec.run_files(folder)
    assert [f.name for f in found] == ["s0.run.gz", "s1.gz", "s2.trec.bz2", "s3.txt"] and other == ["notes.csv.gz"]
    runs = trec.read_run_dir(folder)
    assert sorted(runs) == ["s0", "s1", "s2", "s3"]
    for s in range(3):
        (tmp_path / f"plain{s}.run").write_text(_run(s))
        assert runs[f"s{s}"].equals(trec.read_run(tmp_path / f"plain{s}.run"))


def test_a_gzip_file_whose_first_line_is_no_run_line_is_not_a_run(tmp_path):
    """README.gz (no suffix under .gz, a text first line) is left out, as README is."""
    folder = tmp_path / "runs"
    folder.mkdir()
    (folder / "README.gz").write_bytes(gzip.compress(b"# my runs\nthree BM25 variants\n"))
    assert trec.run_files(folder) == ([], ["README.gz"])


def test_a_run_and_its_gzip_copy_are_one_name_twice(tmp_path):
    """s1.run beside s1.run.gz: refused as two runs named 's1', not one read in silence."""
    folder = tmp_path / "runs"
    folder.mkdir()
    (folder / "s1.run").write_text(_run(1))
    (folder / "s1.run.gz").write_bytes(gzip.compress(_run(1).encode()))
    with pytest.raises(InvalidParameterError, match="two runs named 's1'"):
        trec.read_run_dir(folder)


def test_gzip_and_utf16_qrels_read_as_the_plain_file(tmp_path):
    """A qrels.gz and a UTF-16 qrels (Windows' Notepad) give the plain file's judgments."""
    text = "".join(f"{q} 0 d{d} {int(d < 2)}\n" for q in (1, 2) for d in range(5))
    (tmp_path / "q.txt").write_text(text)
    (tmp_path / "q.txt.gz").write_bytes(gzip.compress(text.encode()))
    (tmp_path / "q16.txt").write_bytes(text.encode("utf-16"))
    plain = trec.read_qrels(tmp_path / "q.txt")
    assert trec.read_qrels(tmp_path / "q.txt.gz").equals(plain)
    assert trec.read_qrels(tmp_path / "q16.txt").equals(plain)


def test_a_run_that_is_not_utf8_names_its_line_and_byte(tmp_path):
    """A latin-1 document id on line 2: the line, the byte and how to convert it (main: only the reason)."""
    (tmp_path / "s.run").write_bytes(b"1 Q0 d1 1 2.0 s\n1 Q0 d\xe9 2 1.0 s\n")
    with pytest.raises(DataFileError, match=r"s\.run' is not UTF-8 text at line 2, byte 22 .*iconv"):
        trec.read_run(tmp_path / "s.run")
