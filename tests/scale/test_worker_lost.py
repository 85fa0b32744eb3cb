"""A worker lost in the middle of a run (issue 12, "Reliability"): Dask recomputes what it held and the
answer is still identical to the in-memory one (session 18; the audit's older test kills a worker only
after the passes, when nothing but persisted results is left to recompute)."""

from __future__ import annotations

import contextlib
import threading

import numpy as np
import pandas as pd
import pytest

import labelwise as lw

from ._data import noisy_probs
from .test_chunked_audit import assert_same

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")


class _CloseAfter(distributed.WorkerPlugin):
    """Closes its worker when the worker has finished ``n`` tasks of the run (and records it)."""

    def __init__(self, n: int, done: list) -> None:
        self.n, self.finished, self.done = n, 0, done

    def setup(self, worker) -> None:
        self.worker = worker

    def transition(self, key, start, finish, **kwargs) -> None:
        if finish != "memory" or self.done:
            return
        self.finished += 1
        if self.finished == self.n:
            self.done.append((str(key), self.worker.address))
            self.worker.loop.add_callback(self.worker.close)


class _CountAfter(distributed.WorkerPlugin):
    """Counts the tasks its worker finishes once ``done`` (another worker's closing) is recorded."""

    def __init__(self, done: list) -> None:
        self.done, self.after = done, 0

    def transition(self, key, start, finish, **kwargs) -> None:
        self.after += bool(finish == "memory" and self.done)


@contextlib.contextmanager
def _cluster_losing_a_worker(after: int):
    """Two in-process workers; the first closes itself after ``after`` finished tasks. Yields the
    client and the list that records ``(key, address)`` of the task after which it closed; on exit,
    checks that the other worker finished tasks after that."""
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
    client = distributed.Client(cluster)
    done: list = []
    try:
        victim = cluster.workers[sorted(cluster.workers)[0]]  # in-process: the Worker itself, not a copy
        plugin = _CloseAfter(after, done)
        plugin.setup(victim)
        victim.plugins["close-after"] = plugin
        survivor = _CountAfter(done)
        cluster.workers[sorted(cluster.workers)[1]].plugins["count-after"] = survivor
        yield client, done
        # mid-run: the other worker went on finishing tasks of the run after the first one closed
        assert done and survivor.after > 0, (done, survivor.after)
    finally:
        client.close()
        with contextlib.suppress(KeyError):  # see conftest.py: a teardown race of in-process clusters
            cluster.close()


@pytest.mark.slow
@pytest.mark.parametrize("filter_by", ["prune_by_noise_rate", "both"])
def test_the_audit_with_a_worker_lost_in_its_second_pass_is_identical(filter_by):
    """A worker closes after its 12th finished task (pass 1 of 16 chunks is 16 tasks in all): the
    audit completes on the other worker with the in-memory answer."""
    labels, probs = noisy_probs(16_000, 12, noise=0.25, seed=18)
    reference = lw.find_label_issues(labels, probs, filter_by=filter_by)
    with _cluster_losing_a_worker(after=12) as (client, done):
        result = lw.find_label_issues(
            da.from_array(labels, chunks=1000), da.from_array(probs, chunks=(1000, -1)), filter_by=filter_by
        )
        computed = result.compute()
        assert done, "the worker was not closed: the run was too short to lose it mid-run"
        assert len(client.scheduler_info()["workers"]) == 1
    assert_same(computed, reference)


@pytest.mark.slow
@pytest.mark.parametrize("method", ["DawidSkene", "MajorityVote"])
def test_the_distributed_fit_with_a_worker_lost_mid_run_is_identical(method):
    """A worker closes after its 8th finished task (in the encode and shuffle): the same labels and
    posteriors (1e-9) as in memory."""
    from labelwise.aggregate import distributed as dist

    true = np.random.default_rng(18).integers(0, 4, 3000)
    answers = lw.aggregate.simulate_annotators(true, n_annotators=25, random_state=18).answers
    reference = getattr(lw.aggregate, method)().fit(answers)
    with _cluster_losing_a_worker(after=8) as (client, done):
        est = dist.fit(getattr(lw.aggregate, method)(), dd.from_pandas(answers, npartitions=8))
        assert done, "the worker was not closed: the run was too short to lose it mid-run"
    pd.testing.assert_series_equal(est.labels_, reference.labels_)
    np.testing.assert_allclose(est.probas_.to_numpy(), reference.probas_.to_numpy(), rtol=0, atol=1e-9)


def test_the_plugin_closes_its_worker_only_once_and_records_the_task():
    """The helper itself: after ``n`` finished tasks it closes the worker once, whatever runs next."""
    done: list = []
    plugin = _CloseAfter(2, done)
    closed = threading.Event()
    plugin.setup(
        type(
            "W",
            (),
            {
                "address": "w",
                "loop": type("L", (), {"add_callback": lambda _s, f: f()})(),
                "close": lambda _s: closed.set(),
            },
        )()
    )
    for key in ("a", "b", "c", "d"):
        plugin.transition(key, "executing", "memory")
    assert done == [("b", "w")] and closed.is_set()
