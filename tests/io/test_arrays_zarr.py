"""``load_zarr``: a Zarr store as a dask array, or one error naming the parameter and the store."""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.errors import DataFileError
from labelwise.io.arrays import load_zarr

zarr = pytest.importorskip("zarr")
pytest.importorskip("dask.array")


class TestLoadZarr:
    def test_an_array_store_reads_as_a_dask_array_in_its_chunks(self, tmp_path):
        """The stored values come back, chunked as stored."""
        values = np.arange(12.0).reshape(6, 2)
        z = zarr.open_array(str(tmp_path / "p.zarr"), mode="w", shape=(6, 2), chunks=(4, 2), dtype="f8")
        z[:] = values
        arr = load_zarr(tmp_path / "p.zarr", parameter="--probs")
        assert arr.chunks == ((4, 2), (2,))
        np.testing.assert_array_equal(arr.compute(), values)

    @pytest.mark.parametrize("kind", ["empty folder", "file", "group"])
    def test_a_path_without_an_array_is_a_data_file_error_naming_parameter_and_store(self, tmp_path, kind):
        """An empty folder, a plain file or a group of arrays: a DataFileError, not zarr's traceback."""
        path = tmp_path / "p.zarr"
        if kind == "empty folder":
            path.mkdir()
        elif kind == "file":
            path.write_text("not a store")
        else:
            zarr.open_group(str(path), mode="w").create_array("probs", shape=(3, 2), dtype="f8")
        with pytest.raises(DataFileError, match=r"--probs file '.*p\.zarr' is not a readable Zarr array"):
            load_zarr(path, parameter="--probs")
