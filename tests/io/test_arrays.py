"""Tests of labelwise.io.arrays: .npy/.npz files read with one error for every way they can be unreadable."""

from __future__ import annotations

import re

import numpy as np
import pytest

from labelwise.errors import DataFileError
from labelwise.io.arrays import NpzArrays, load_npy, load_npz


def _npy(path, array=None):
    with open(path, "wb") as fh:  # whatever the suffix (np.save(path) would add .npy)
        np.save(fh, np.arange(12.0).reshape(4, 3) if array is None else array, allow_pickle=True)
    return path


def _cut(path, n_bytes):
    path.write_bytes(path.read_bytes()[:n_bytes])
    return path


class TestLoadNpy:
    def test_reads_and_memory_maps(self, tmp_path):
        """A whole file comes back as it was saved, or as a read-only memory map."""
        path = _npy(tmp_path / "a.npy")
        np.testing.assert_array_equal(load_npy(path, parameter="p"), np.arange(12.0).reshape(4, 3))
        mapped = load_npy(path, parameter="p", mmap=True)
        assert isinstance(mapped, np.memmap) and not mapped.flags.writeable

    @pytest.mark.parametrize("mmap", [False, True])
    @pytest.mark.parametrize(
        ("make", "reason"),
        [
            (lambda p: p.write_bytes(b""), "it is empty (0 bytes)"),
            (lambda p: _cut(_npy(p), 8), "EOF"),  # inside the header
            (lambda p: _cut(_npy(p), 140), "shorter than its header says"),  # header whole, data short
            (lambda p: _npy(p, np.array(["x", None], dtype=object)), "holds Python objects"),
            (lambda p: p.write_text("a,b\n1,2\n"), "it lacks numpy's header"),
            (lambda p: np.savez(p.with_suffix(".npz"), a=[1]) or p.with_suffix(".npz").rename(p), "a .npz archive"),
        ],
        ids=["empty", "truncated_header", "truncated_data", "object", "csv", "npz"],
    )
    def test_unreadable_files_name_the_parameter_and_the_file(self, tmp_path, make, reason, mmap):
        """Every failure (EOFError on an empty file included) is one DataFileError in one wording."""
        path = tmp_path / "a.npy"
        make(path)
        prefix = f"--probs file {str(path)!r} is not a readable .npy file: "
        with pytest.raises(DataFileError, match=re.escape(prefix) + ".*" + re.escape(reason)):
            load_npy(path, parameter="--probs", mmap=mmap)

    def test_a_missing_file(self, tmp_path):
        """A missing file has require_file's wording."""
        with pytest.raises(DataFileError, match="path must be an existing .npy file: .* does not exist"):
            load_npy(tmp_path / "none.npy", parameter="path")


class TestLoadNpz:
    def test_reads_every_array_like_numpys_npzfile(self, tmp_path):
        """The arrays by name in archive order, with NpzFile's files, [] and with-statement."""
        np.savez(tmp_path / "a.npz", b=np.arange(3), a=np.eye(2))
        with load_npz(tmp_path / "a.npz", parameter="p") as data:
            assert isinstance(data, NpzArrays) and data.files == ["b", "a"] == list(data)
            np.testing.assert_array_equal(data["a"], np.eye(2))
            assert "b" in data and "c" not in data and len(data) == 2

    @pytest.mark.parametrize(
        ("make", "reason"),
        [
            (lambda p: p.write_bytes(b""), "it is empty (0 bytes)"),
            (lambda p: _cut(p, 60) if not np.savez(p, a=np.arange(100)) else None, "zip"),
            (lambda p: np.savez(p, a=np.array([None], dtype=object)), "holds Python objects"),
            (lambda p: _npy(p), "lacks the zip header"),
        ],
        ids=["empty", "truncated", "object", "npy"],
    )
    def test_unreadable_archives(self, tmp_path, make, reason):
        """Empty, cut, object member or a .npy given as .npz: DataFileError naming the parameter and file."""
        path = tmp_path / "a.npz"
        make(path)
        prefix = f"--probs file {str(path)!r} is not a readable .npz file: "
        with pytest.raises(DataFileError, match=re.escape(prefix) + ".*" + re.escape(reason)):
            load_npz(path, parameter="--probs")

    def test_a_damaged_member_fails_at_load(self, tmp_path):
        """A compressed member whose bytes are damaged fails in load_npz, not later when read."""
        np.savez_compressed(tmp_path / "a.npz", a=np.arange(10_000))
        raw = bytearray((tmp_path / "a.npz").read_bytes())
        raw[200:260] = b"\x00" * 60
        (tmp_path / "a.npz").write_bytes(bytes(raw))
        with pytest.raises(DataFileError, match="is not a readable .npz file: "):
            load_npz(tmp_path / "a.npz", parameter="p")
