"""``--scheduler``: where a command's Dask computations run (threads, processes, synchronous, a
LocalCluster or a scheduler address), and the ways a cluster fails mid-run said in one line instead of
a traceback."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from .._extras import require
from ..errors import InvalidParameterError

__all__ = ["SCHEDULERS_SAID", "scheduler"]

#: The values of ``--scheduler``, in the words of every command's help and error.
SCHEDULERS_SAID = (
    "threads (default), processes, synchronous (one thread, for debugging), local (a LocalCluster) "
    "or a scheduler address"
)


@contextlib.contextmanager
def scheduler(spec: str | None) -> Iterator[None]:
    """Run the block on ``threads`` (default), ``processes``, ``synchronous`` (Dask's scheduler of one
    thread, in this one: a debugger or a profiler sees every task), a LocalCluster (``local``) or an
    address.

    Without ``--scheduler`` (or with ``threads``) nothing of Dask is imported here: the memory-mapped
    audit runs on labelwise's own threads, and Dask (an extra) is imported only by the inputs that
    need it (a ``.zarr`` store, a folder of Parquet parts).
    """
    if spec in (None, "threads"):
        yield
        return
    dask = require("dask", f"--scheduler {spec}")
    if spec == "processes":
        with _one_process_pool(dask) as pool, dask.config.set(scheduler=spec, pool=pool), _pool_broken():
            yield
        return
    if spec == "synchronous":
        with dask.config.set(scheduler=spec):
            yield
        return
    distributed = require("distributed", f"--scheduler {spec}")
    Client, LocalCluster = distributed.Client, distributed.LocalCluster

    if spec == "local":
        with LocalCluster(dashboard_address=None) as cluster, Client(cluster), _workers_lost(spec, distributed):
            yield
        return
    try:
        client = Client(spec, timeout="5s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise InvalidParameterError(
            f"--scheduler must be {SCHEDULERS_SAID.replace(' (default)', '')}, got {spec!r}, which cannot be "
            f"reached ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else 'unreachable'})"
        ) from None
    with client, _workers_lost(spec, distributed):
        yield


@contextlib.contextmanager
def _workers_lost(spec: str, distributed: Any) -> Iterator[None]:
    """Dask's ``KilledWorker`` (a task's workers died more times than the scheduler's
    ``distributed.scheduler.allowed-failures``: most often out of memory) and the client's lost
    connection to the scheduler (its futures cancelled) as one line, instead of a traceback; the
    command's files are not written (they are moved into place only at the end)."""
    from distributed.client import FutureCancelledError

    try:
        yield
    except distributed.KilledWorker as exc:
        task = exc.args[0] if exc.args else "?"
        raise InvalidParameterError(
            f"--scheduler {spec}: the workers running task {task!r} died (Dask's KilledWorker, most often a "
            "worker out of memory): give the workers more memory or the tasks fewer rows (--chunk-rows, smaller Parquet "
            "parts); no output was written"
        ) from None
    except FutureCancelledError as exc:
        raise InvalidParameterError(
            f"--scheduler {spec}: the run was cancelled, {exc.reason} (task {exc.key!r}): is the scheduler still "
            "running? no output was written"
        ) from None


@contextlib.contextmanager
def _pool_broken() -> Iterator[None]:
    """A worker process of ``--scheduler processes`` that died (killed, most often out of memory:
    ``BrokenProcessPool``) as one line instead of a traceback; nothing is written."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        yield
    except BrokenProcessPool:
        raise InvalidParameterError(
            "--scheduler processes: a worker process died in the middle of a task (killed, most often out of "
            "memory): give the tasks fewer rows (--chunk-rows), or use --scheduler threads; no output was written"
        ) from None


@contextlib.contextmanager
def _one_process_pool(dask: Any) -> Iterator[Any]:
    """One pool of worker processes for every computation of the command, made as Dask makes its own.

    Without a pool of its own, Dask's ``processes`` scheduler starts a pool for each computation
    and shuts it down after (an audit runs about ten: each starts its workers, which import numpy
    and labelwise again, and maps the ``.npy`` afresh). On an error or Ctrl-C the pool is shut
    down without waiting for the tasks it still holds.
    """
    from concurrent.futures import ProcessPoolExecutor

    from dask.multiprocessing import get_context, initialize_worker_process
    from dask.system import CPU_COUNT

    if os.environ.get("PYTHONHASHSEED") in (None, "0"):  # as Dask does: the same hashes in every worker
        os.environ["PYTHONHASHSEED"] = "6640"
    workers = dask.config.get("num_workers", None) or CPU_COUNT
    pool = ProcessPoolExecutor(workers, mp_context=get_context(), initializer=initialize_worker_process)
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
