"""The Dask audit on workers whose memory limit is smaller than the probability array."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest

import labelwise as lw

from ._data import noisy_probs
from .test_chunked_audit import assert_same

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
zarr = pytest.importorskip("zarr")

#: Per-worker memory limit; the probability array below is about 20 times larger.
LIMIT = 512 * 1024


@contextlib.contextmanager
def _limited_cluster():
    """Two in-process workers with ``LIMIT`` bytes each, spilling stored results to disk beyond 60%.

    In-process workers share this process's memory, whose size says nothing about a worker, so
    pausing and spilling by process memory are off; spilling by the size of the results a worker
    stores (the ``target`` fraction of the limit) is what the limit controls here.
    """
    memory = {
        "distributed.worker.memory.target": 0.6,
        "distributed.worker.memory.spill": False,
        "distributed.worker.memory.pause": False,
        "distributed.worker.memory.terminate": False,
    }
    with dask.config.set(memory):
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None, memory_limit=LIMIT
        )
        client = distributed.Client(cluster)
        try:
            yield client
        finally:
            client.close()
            with contextlib.suppress(KeyError):  # see conftest.py: a teardown race of in-process clusters
                cluster.close()


def _spilled_bytes(client) -> int:
    def spilled(dask_worker) -> int:
        return int(dask_worker.data.spilled_total.memory)

    return sum(client.run(spilled).values())


@pytest.mark.parametrize("filter_by", ["prune_by_noise_rate", "both", "low_normalized_margin"])
def test_dask_audit_with_worker_memory_limit_below_the_probs_size_is_identical(tmp_path, filter_by):
    """Workers limited to 512 KB audit 10 MB of probabilities read from Zarr, spill, and agree exactly."""
    labels, probs = noisy_probs(60_000, 20, noise=0.3, seed=21, dtype=np.float64)
    assert probs.nbytes > 15 * LIMIT
    z = zarr.open_array(str(tmp_path / "p.zarr"), mode="w", shape=probs.shape, chunks=(3000, 20), dtype=probs.dtype)
    z[:] = probs
    reference = lw.find_label_issues(labels, probs, filter_by=filter_by)
    with _limited_cluster() as client:
        limits = {w["memory_limit"] for w in client.scheduler_info()["workers"].values()}
        assert limits == {LIMIT}
        dask_probs = da.from_zarr(str(tmp_path / "p.zarr"))
        dask_labels = da.from_array(labels, chunks=(dask_probs.chunks[0],))
        result = lw.find_label_issues(dask_labels, dask_probs, filter_by=filter_by)
        assert_same(result, reference)
        # The limit was felt: the per-example results persisted on the workers outgrew it and spilled.
        assert _spilled_bytes(client) > 0
