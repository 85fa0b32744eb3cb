"""``--scheduler processes``: one pool of worker processes for the whole command."""

from __future__ import annotations

import os

import pytest

dask = pytest.importorskip("dask")

from labelwise.cli._scale import scheduler  # noqa: E402


def _pid(_: object) -> int:
    return os.getpid()


def test_every_computation_of_the_command_runs_on_one_pool_shut_down_at_the_end():
    """Two computations inside the block run in the same worker processes; after it, the pool takes no task."""
    import dask.bag as db

    with scheduler("processes"):
        pool = dask.config.get("pool")
        first = set(db.from_sequence(range(8), npartitions=8).map(_pid).compute())
        second = set(db.from_sequence(range(8), npartitions=8).map(_pid).compute())
        assert os.getpid() not in first
        assert second <= set(pool._processes)  # the workers the pool started for the first computation
        assert first <= set(pool._processes)
    with pytest.raises(RuntimeError):
        pool.submit(_pid, 0)


def test_an_interrupted_command_shuts_its_pool_down_and_lets_the_interrupt_through():
    """Ctrl-C inside the block: the KeyboardInterrupt propagates and the pool is shut down."""
    with pytest.raises(KeyboardInterrupt), scheduler("processes"):
        pool = dask.config.get("pool")
        raise KeyboardInterrupt
    with pytest.raises(RuntimeError):
        pool.submit(_pid, 0)
