"""Workers that die while running a command's tasks (Dask's ``KilledWorker``, most often out of
memory) are one line and exit status 2 with no output written, not a traceback (session 40, dask40:
before, the CLI let ``distributed.KilledWorker`` through with exit status 1), and so is a scheduler that
goes away in the middle of a run."""

from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import labelwise as lw
from labelwise.cli import main

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")
pytest.importorskip("dask.dataframe")


class _DieOnFirstTask(distributed.WorkerPlugin):
    """Closes its worker as soon as a task starts executing on it."""

    def setup(self, worker) -> None:
        self.worker = worker

    def transition(self, key, start, finish, **kwargs) -> None:
        if finish == "executing":
            self.worker.loop.add_callback(self.worker.close)


@contextlib.contextmanager
def _dying_cluster():
    """Two in-process workers that die on their first task, with no retry allowed (the scheduler's
    ``allowed-failures`` at 0: a task whose worker dies is failed at once)."""
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
        client = distributed.Client(cluster)
        try:
            client.register_plugin(_DieOnFirstTask())
            yield cluster.scheduler_address
        finally:
            client.close()
            cluster.close()


def _assert_one_line(res, out, address: str) -> None:
    assert res.exit_code == 2, (res.exit_code, res.output, res.exception)
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"error: --scheduler {address}: "), res.output
    assert "KilledWorker" in lines[0] and "no output was written" in lines[0], lines[0]
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.slow
def test_aggregate_whose_workers_die_is_one_line_and_exit_2(tmp_path):
    true = np.random.default_rng(40).integers(0, 3, 200)
    answers = lw.aggregate.simulate_annotators(true, n_annotators=5, random_state=40).answers
    (tmp_path / "parts").mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(answers)), 3)):
        answers.iloc[rows].to_parquet(tmp_path / "parts" / f"part.{i}.parquet")
    out = tmp_path / "out"
    with _dying_cluster() as address:
        res = CliRunner().invoke(
            main, ["aggregate", str(tmp_path / "parts"), "--scheduler", address, "--out", str(out), "--quiet"]
        )
    _assert_one_line(res, out, address)


@pytest.mark.slow
def test_audit_whose_workers_die_is_one_line_and_exit_2(tmp_path):
    rng = np.random.default_rng(40)
    np.save(tmp_path / "probs.npy", rng.dirichlet(np.ones(3), 3_000))
    pd.DataFrame({"y": rng.integers(0, 3, 3_000)}).to_parquet(tmp_path / "labels.parquet")
    out = tmp_path / "out"
    args = ["audit", "--probs", str(tmp_path / "probs.npy"), "--labels", str(tmp_path / "labels.parquet")]
    with _dying_cluster() as address:
        res = CliRunner().invoke(main, [*args, "--scheduler", address, "--out", str(out), "--quiet"])
    _assert_one_line(res, out, address)


class _SchedulerClosesOnFirstTask(distributed.SchedulerPlugin):
    """Closes the scheduler as soon as a task is sent to a worker (the client loses its connection)."""

    def start(self, scheduler) -> None:
        self.scheduler, self.closing = scheduler, False

    def transition(self, key, start, finish, *args, **kwargs) -> None:
        if finish == "processing" and not self.closing:
            self.closing = True
            self.scheduler.loop.add_callback(self.scheduler.close)


@pytest.mark.slow
def test_aggregate_whose_scheduler_goes_away_is_one_line_and_exit_2(tmp_path):
    """Before: ``FutureCancelledError ... scheduler-connection-lost`` as a traceback, exit status 1."""
    true = np.random.default_rng(41).integers(0, 3, 200)
    answers = lw.aggregate.simulate_annotators(true, n_annotators=5, random_state=41).answers
    (tmp_path / "parts").mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(answers)), 3)):
        answers.iloc[rows].to_parquet(tmp_path / "parts" / f"part.{i}.parquet")
    out = tmp_path / "out"
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None)
    try:
        with distributed.Client(cluster) as client:
            client.register_plugin(_SchedulerClosesOnFirstTask())
        address = cluster.scheduler_address
        res = CliRunner().invoke(
            main, ["aggregate", str(tmp_path / "parts"), "--scheduler", address, "--out", str(out), "--quiet"]
        )
    finally:
        cluster.close()
    assert res.exit_code == 2, (res.exit_code, res.output, res.exception)
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"error: --scheduler {address}: the run was cancelled"), res.output
    assert "scheduler-connection-lost" in lines[0] and "no output was written" in lines[0], lines[0]
    assert not out.exists() or not any(out.iterdir())
