"""Rows of a ``.npy`` file for Dask tasks: one memory map per file and process, never stale."""

from __future__ import annotations

import os
from unittest import mock

import numpy as np

from labelwise.cli import _scale


class TestNpyRows:
    def test_rows_are_read_only_views_of_one_map_per_file(self, tmp_path):
        """Every read equals the file's rows, is read-only, and two reads of a file share one map."""
        values = np.arange(60, dtype=np.float32).reshape(20, 3)
        path = str(tmp_path / "p.npy")
        np.save(path, values)
        a, b = _scale._npy_rows(path, 0, 7), _scale._npy_rows(path, 5, 20)
        np.testing.assert_array_equal(a, values[:7])
        np.testing.assert_array_equal(b, values[5:])
        assert not a.flags.writeable and np.shares_memory(a, b)

    def test_a_rewritten_file_is_read_again(self, tmp_path):
        """A file replaced under the same name (another inode, size or time) gives its new rows."""
        path = str(tmp_path / "p.npy")
        np.save(path, np.zeros((4, 2)))
        np.testing.assert_array_equal(_scale._npy_rows(path, 0, 4), np.zeros((4, 2)))
        np.save(path + ".tmp.npy", np.ones((6, 2)))
        os.replace(path + ".tmp.npy", path)
        np.testing.assert_array_equal(_scale._npy_rows(path, 0, 6), np.ones((6, 2)))

    def test_at_most_max_maps_are_kept(self, tmp_path):
        """Reading more files than ``_MAX_MAPS`` keeps only the most recently read ones."""
        with mock.patch.object(_scale, "_MAX_MAPS", 2):
            for i in range(4):
                path = str(tmp_path / f"p{i}.npy")
                np.save(path, np.full((3, 2), i))
                np.testing.assert_array_equal(_scale._npy_rows(path, 1, 3), np.full((2, 2), i))
            assert len(_scale._MAPS) <= 2
            assert [key[0] for key in _scale._MAPS][-1].endswith("p3.npy")
