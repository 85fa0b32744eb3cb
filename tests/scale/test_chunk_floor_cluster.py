"""The chunk floor's share per thread on a ``dask.distributed`` cluster: the workers' threads, not
this machine's CPUs (``labelwise._chunk_floor.task_threads``)."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest

import labelwise as lw
from labelwise import _chunk_floor
from labelwise._chunks import default_n_jobs

from ._data import noisy_probs  # the module's own scheduler: no sync fixture imported
from .test_chunked_audit import assert_same as assert_same_audit

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.usefixtures("merged_row_chunks")

#: The cluster's threads: never this machine's CPU count, so that the two shares differ.
THREADS = 5 if default_n_jobs() != 5 else 3


@pytest.fixture(scope="module")
def cluster_client():
    """A LocalCluster of ``THREADS`` threads in one worker (in this process)."""
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=THREADS, processes=False, dashboard_address=None)
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        with contextlib.suppress(KeyError):  # see tests/scale/conftest.py
            cluster.close()


class TestTaskThreads:
    def test_the_workers_threads_while_a_client_computes(self, cluster_client):
        """Under the client: its workers' threads; the floor is the data's share per worker thread."""
        assert _chunk_floor.task_threads() == THREADS
        assert _chunk_floor.floor_bytes(THREADS * 80_000) == 80_000

    def test_this_process_s_cpus_under_another_scheduler(self, cluster_client):
        """A client exists but Dask computes on its threads (or no client at all): the local CPUs."""
        with dask.config.set(scheduler="threads"):
            assert _chunk_floor.task_threads() == default_n_jobs()


def test_the_active_client_is_the_one_dask_computes_on_and_picks_the_shuffle(cluster_client):
    """``active_client``: the client while Dask computes on it (the aggregation then shuffles
    peer to peer), None under another scheduler (task-based shuffle)."""
    from labelwise.aggregate import distributed as aggregate_distributed

    assert _chunk_floor.active_client() is cluster_client
    assert aggregate_distributed._shuffle_method() == "p2p"
    with dask.config.set(scheduler="sync"):
        assert _chunk_floor.active_client() is None
        assert aggregate_distributed._shuffle_method() == "tasks"


def test_without_a_client_the_cpus_of_this_process():
    """No client: this process's CPUs, as before."""
    with dask.config.set(scheduler="sync"):
        assert _chunk_floor.task_threads() == default_n_jobs()


def test_the_audit_on_the_cluster_keeps_a_chunk_per_worker_thread(cluster_client):
    """50-row chunks of 40-byte rows, ``THREADS`` x 80 KB in all: merged into one 2,000-row chunk per
    worker thread (the machine's CPU count would give other chunks), with the in-memory answers."""
    labels, probs = noisy_probs(THREADS * 2_000, 4, dtype=np.float64)
    result = lw.find_label_issues(da.from_array(labels, chunks=50), da.from_array(probs, chunks=(50, -1)))
    assert result.is_issue.chunks == ((2_000,) * THREADS,)
    assert_same_audit(result, lw.find_label_issues(labels, probs))
