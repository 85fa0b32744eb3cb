"""A small LocalCluster shared by the scale tests (2 workers, threads in this process)."""

from __future__ import annotations

import contextlib

import pytest


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    Client, LocalCluster = distributed.Client, distributed.LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
    c = Client(cluster)
    try:
        yield c
    finally:
        c.close()
        # distributed can see a worker's removal twice while an in-process cluster closes and
        # raise KeyError from its status watcher; the cluster is closed either way
        with contextlib.suppress(KeyError):
            cluster.close()
