"""The Dask audit on workers whose memory limit is smaller than the probability array."""

from __future__ import annotations

import contextlib
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

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
#: Seconds the audit may take (about 10 s on a loaded 2-core machine) before the test fails with the
#: scheduler's unfinished tasks instead of hanging until pytest's timeout (one CI run hung here).
DEADLINE_S = 240


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


def _unfinished(dask_scheduler) -> dict:
    """The scheduler's tasks that are not in memory, with their state and where they are (at most 30)."""
    out = {}
    for key, ts in list(dask_scheduler.tasks.items()):
        if ts.state != "memory" and len(out) < 30:
            where = ts.processing_on.address if ts.processing_on else [w.address for w in ts.who_has]
            out[str(key)] = (ts.state, str(where))
    return out


def _within_deadline(client, fn, dump_to):
    """``fn()``, or a failure naming the unfinished tasks (and a cluster state dump) after ``DEADLINE_S``."""
    pool = ThreadPoolExecutor(1)
    try:
        return pool.submit(fn).result(timeout=DEADLINE_S)
    except FutureTimeout:
        stuck = client.run_on_scheduler(_unfinished)
        with contextlib.suppress(Exception):
            client.dump_cluster_state(str(dump_to), format="yaml")
        pytest.fail(
            f"the Dask audit did not finish in {DEADLINE_S} s; unfinished tasks {stuck}; state in {dump_to}.yaml"
        )
    finally:
        pool.shutdown(wait=False)  # a stuck computation ends when the fixture closes the client


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
        audit = lambda: lw.find_label_issues(dask_labels, dask_probs, filter_by=filter_by)  # noqa: E731
        result = _within_deadline(client, audit, tmp_path / "cluster-state")
        assert_same(result, reference)
        # The limit was felt: the per-example results persisted on the workers outgrew it and spilled.
        assert _spilled_bytes(client) > 0
