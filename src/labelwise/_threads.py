"""Work shared among threads, the calling thread one of them (the in-memory passes of ``_chunks`` and the audit).

``n_jobs`` threads are the calling thread and ``n_jobs - 1`` helper threads started for the call.
The calling thread does not wait idle while helpers work: it takes items too. Its share then runs
as the one-thread path does: on the thread that called, with that thread's scratch buffers
(:mod:`labelwise._scratch`), kept from its earlier calls, and from the allocator's main heap, whose
pages earlier calls have already touched. A helper thread is new in every call: what it allocates
comes from a heap that glibc hands back to the system after the call, so it is new memory,
faulted in page by page in the kernel (benchmarks/RESULTS.md, issue 12, session 18). So a helper
works with scratch buffers the calling thread lends it (:func:`labelwise._scratch.lend`), kept
between calls, and with ``n_jobs=2`` one helper does half of the work, not two helpers all of it.

Items are handed out one at a time in order to whichever thread is free (greedy list scheduling:
Graham, 1969), as :meth:`concurrent.futures.Executor.map` hands them to its workers; results come
back in item order.

References
----------
.. [1] Graham, R. L. (1969). Bounds on multiprocessing timing anomalies. SIAM Journal on Applied
   Mathematics, 17(2), 416-429.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any, TypeVar

from . import _scratch

T = TypeVar("T")


class _Handout:
    """The next item's index for whichever thread asks, until the items are done or one failed."""

    def __init__(self, n_items: int) -> None:
        self._n = n_items
        self._next = 0
        self._stopped = False
        self._lock = threading.Lock()

    def take(self) -> int | None:
        """The next index, or None when none is left (or after :meth:`stop`)."""
        with self._lock:
            if self._stopped or self._next >= self._n:
                return None
            i = self._next
            self._next += 1
            return i

    def stop(self) -> None:
        """Hand out nothing more (an item failed)."""
        with self._lock:
            self._stopped = True


class SharedWork:
    """``n_jobs`` threads for one call: the calling thread and ``n_jobs - 1`` helpers (a context manager).

    Each helper works with scratch buffers the calling thread lends it
    (:func:`~labelwise._scratch.lend`: kept by the calling thread between calls, as its own are) and
    ends when the ``with`` block does; :meth:`map` may be called several times inside it (the
    helpers are started once). Use from one calling thread only.

    Parameters
    ----------
    n_jobs : int
        Threads in all, the calling thread included; 1 or fewer: everything on the calling thread.
    """

    def __init__(self, n_jobs: int) -> None:
        self.n_helpers = max(0, int(n_jobs) - 1)
        self._pool: ThreadPoolExecutor | None = None
        self._lent: list[dict[str, Any]] | None = None

    def __enter__(self) -> SharedWork:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
            _scratch.give_back(self._lent)
            self._lent = None

    def map(self, fn: Callable[[Any], T], items: Iterable[Any]) -> list[T]:
        """``[fn(item) for item in items]``, the items handed out one at a time to the calling thread
        and the helpers (at most one thread per item).

        Once an item raises, no new item starts; when every thread has stopped, the exception of the
        first failed item (in item order) is raised.
        """
        todo = list(items)
        helpers = min(self.n_helpers, len(todo) - 1)
        if helpers <= 0:
            return [fn(item) for item in todo]
        if self._pool is None:
            self._lent = _scratch.lend(self.n_helpers)
            try:
                self._pool = ThreadPoolExecutor(
                    self.n_helpers, initializer=_scratch.adopt, initargs=(self._lent, self.n_helpers)
                )
            except BaseException:
                _scratch.give_back(self._lent)
                self._lent = None
                raise
        handout = _Handout(len(todo))
        results: list[Any] = [None] * len(todo)
        errors: dict[int, BaseException] = {}

        def work() -> None:
            while (i := handout.take()) is not None:
                try:
                    results[i] = fn(todo[i])
                except BaseException as exc:  # noqa: BLE001 - raised again by the calling thread
                    errors[i] = exc
                    handout.stop()

        started = [self._pool.submit(work) for _ in range(helpers)]
        work()
        for future in started:
            future.result()
        if errors:
            raise errors[min(errors)]
        return results


def thread_map(fn: Callable[[Any], T], items: Iterable[Any], n_jobs: int) -> list[T]:
    """``[fn(item) for item in items]`` on ``n_jobs`` threads, the calling thread one of them
    (:class:`SharedWork`): results in item order, the first failed item's exception raised."""
    todo = list(items)
    with SharedWork(min(n_jobs, len(todo))) as work:
        return work.map(fn, todo)
